"""Chinese labels for the app, the report and the documents: column headers (English warehouse
name → 中文) read from the marts' yml (`meta: {label: …}`, see `served_column_labels`), indicator
names from the seed, metric choices and status colours. One reader, so the tables on screen and
the exported workbooks agree."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from zhiben import contract, monthly
from zhiben.app_logic.report_handling import LABELS as REPORT_HANDLING_LABELS
from zhiben.paths import PROJECT_DIR, SEEDS_DIR

#: the seed of the evaluation's indicators (names, weights) and of the plan's parameters
_INDICATORS_SEED = SEEDS_DIR / "evaluation_indicators.csv"
_PARAMETERS_SEED = SEEDS_DIR / "target_parameters.csv"


def _seed_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


#: I1…I7 of SPEC §7 → the indicator's name (seed evaluation_indicators, unit scope, in order)
INDICATORS: dict[str, str] = {
    r["indicator_id"].lower(): r["indicator_name"]
    for r in sorted(
        (r for r in _seed_rows(_INDICATORS_SEED) if r["scope"] == "unit"),
        key=lambda r: int(r["sort_order"]),
    )
}


def served_table_labels() -> dict[str, dict[str, str]]:
    """The Chinese label of every column of the served dims, facts and marts, per table: table →
    column → label, from `meta: {label: …}` on the column in the marts' yml
    (models/marts/**/*.yml, the one place labels are defined). `{name}` in a label is filled from
    the seeds: a parameter of target_parameters (e.g. `{certificate_due_window_days}`) or an
    indicator's name (`{I1}`)."""
    fill = {r["parameter_name"]: r["parameter_value"] for r in _seed_rows(_PARAMETERS_SEED)}
    fill |= {k.upper(): v for k, v in INDICATORS.items()}
    found: dict[str, dict[str, str]] = {}
    for path in sorted((PROJECT_DIR / "models" / "marts").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for column in model.get("columns", []):
                text = (column.get("meta") or {}).get("label")
                if text is not None:
                    found.setdefault(model["name"], {})[column["name"]] = text.format(**fill)
    return found


def _by_column(tables: Mapping[str, Mapping[str, str]]) -> tuple[dict[str, str], dict[str, dict]]:
    """The labels by column name alone, and the columns two tables label differently (column →
    table → label): those are looked up per table (e.g. `verification`: 核查结果 on fct_reports,
    销号核验方式 on mart_major_hazard_ledger)."""
    every: dict[str, dict[str, str]] = {}
    for table, columns in tables.items():
        for column, text in columns.items():
            every.setdefault(column, {})[table] = text
    single = {c: next(iter(t.values())) for c, t in every.items() if len(set(t.values())) == 1}
    clashing = {c: t for c, t in every.items() if c not in single}
    return single, clashing


def served_column_labels() -> dict[str, str]:
    """The Chinese label of every column of the served tables labelled alike wherever it occurs
    (a column two tables label differently is left out: see `label(column, table)`)."""
    return _by_column(served_table_labels())[0]


#: columns the app computes or the run history holds (no dbt model): their labels
APP_COLUMN_LABELS: dict[str, str] = {
    "rank_arrow": "升降",
    "weighted_score": "加权得分",
    "indicator": "指标",
    "weight": "权重",
    "rows": "行数",
    "status": "状态",
    "run_id": "构建编号",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "duration_seconds": "耗时(秒)",
    "dbt_summary": "dbt 结果",
    "dbt_tests_pass": "dbt 测试通过",
    "dbt_tests_warn": "dbt 测试警告",
    "dbt_tests_fail": "dbt 测试失败",
    "ingest_seconds": "读取校验(秒)",
    "dbt_seconds": "dbt(秒)",
    "publish_seconds": "发布(秒)",
    "warnings": "警告",
    "error": "错误",
    "latest_updated_at": "最新更新时间",
    "worsened_on": "较上月恶化",
    "status_reason": "状态说明",
    # drill-through rows (queries.DRILL_COLUMNS)
    "record_type": "记录类型",
    "record_id": "记录编号",
    "record_date": "日期",
    "detail": "情况",
    "is_counted": "计入",
    # the evaluation page's 权重模拟 (what-if)
    "original_rank": "原排名",
    "whatif_rank": "模拟排名",
    "whatif_rank_change": "名次变化",
    "whatif_total_score": "模拟总分",
    # the 通报's computed columns (workbooks and the Word document)
    "subject": "对象(编号/名称)",
    "overdue_days_at_month_end": "月末逾期天数",
    "remark": "备注",
    **REPORT_HANDLING_LABELS,
    **{f"{k}_weighted": f"{k.upper()} {name}(加权)" for k, name in INDICATORS.items()},
}

#: table → column → Chinese header, for every served table (the yml's labels)
TABLE_LABELS: dict[str, dict[str, str]] = served_table_labels()
#: English column name → Chinese header (tables on screen and xlsx exports); CLASHING_COLUMNS:
#: the served columns two tables label differently (column → table → label), looked up per table
_SINGLE, CLASHING_COLUMNS = _by_column(TABLE_LABELS)
COLUMN_LABELS: dict[str, str] = _SINGLE | APP_COLUMN_LABELS
#: the 月调度 change columns (`zhiben.monthly`): '<metric label>环比' / '<metric label>同比'
COLUMN_LABELS |= monthly.change_labels(COLUMN_LABELS)

#: SPEC §7 default weights — used only when the served warehouse carries no weights table
DEFAULT_UNIT_WEIGHTS: dict[str, float] = {
    "i1": 25,
    "i2": 15,
    "i3": 10,
    "i4": 15,
    "i5": 15,
    "i6": 10,
    "i7": 10,
}
DEFAULT_DEPARTMENT_WEIGHTS: dict[str, float] = {"i1": 35, "i2": 25, "i4": 20, "i5": 20}

#: metrics of mart_region_industry_stats offered on the 分区域分行业 page
REGION_INDUSTRY_METRICS: dict[str, str] = {
    "hazards_found": "排查隐患数",
    "major_hazards_found": "重大隐患数",
    "hazards_rectified": "整改隐患数",
    "open_overdue_at_quarter_end": "季末逾期未改隐患",
    "accidents": "事故起数",
    "deaths": "死亡人数",
    "inspections": "检查次数",
    "penalty_cases": "处罚案件数",
    "fines_yuan": "罚款金额(元)",
}

#: the 4 special campaigns (四项整治) of §二
CAMPAIGNS = tuple(c for c in contract.CAMPAIGNS if c != "无")

#: status → a coloured dot in Streamlit markdown (no emoji: they need a colour-emoji font)
TARGET_STATUS_LIGHT: dict[str, str] = {
    "达成": ":green[●]",
    "进行中": ":blue[●]",
    "有风险": ":orange[●]",
    "未达成": ":red[●]",
}
TARGET_STATUS_BADGE: dict[str, str] = {
    "达成": ":green-badge[达成]",
    "进行中": ":blue-badge[进行中]",
    "有风险": ":orange-badge[有风险]",
    "未达成": ":red-badge[未达成]",
}
TARGET_STATUS_COLOR: dict[str, str] = {
    "达成": "#2e7d32",
    "进行中": "#1565c0",
    "有风险": "#ef6c00",
    "未达成": "#c62828",
}
#: how a target's actual reads: most are shares (0–1); these are counts or a 1/0 flag (SPEC §6)
TARGET_ACTUAL_KIND: dict[str, str] = {"T2": "count", "T3": "count", "T4": "flag", "T5": "count"}


def format_target_value(target_id: str, value: float | None) -> str:
    """A target's actual or milestone value as a leader reads it (73.5% / 3 起 / 实现)."""
    if value is None:
        return "—"
    kind = TARGET_ACTUAL_KIND.get(target_id, "share")
    if kind == "flag":
        return "实现" if value >= 1 else "未实现"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:.1%}"


ESCALATION_COLOR: dict[str, str] = {
    "无": "#ffffff",
    "函告": "#fff8e1",
    "通报": "#ffe0b2",
    "约谈": "#ffccbc",
    "曝光": "#ef9a9a",
}

#: the columns record-level tables show, in this order (where the table has them)
LEDGER_COLUMNS = (
    "hazard_id",
    "unit_name",
    "enterprise_name",
    "escalation",
    "overdue_days",
    "status",
    "deadline",
    "found_date",
    "rectified_date",
    "is_listed_supervision",
    "supervision_level",
    "industry_name",
    "source",
    "campaign",
    "department_name",
    "is_stock_2023",
    "credit_code",
)
ACCIDENT_COLUMNS = (
    "accident_id",
    "occurred_at",
    "unit_name",
    "industry_name",
    "accident_type",
    "reporting_group",
    "grade",
    "grade_reported",
    "grade_mismatch",
    "deaths",
    "serious_injuries",
    "direct_loss_10k_yuan",
    "is_liability",
    "is_concealed",
    "report_delay_minutes",
    "is_late_report",
    "investigation_due_date",
    "investigation_closed_date",
    "is_investigation_overdue",
    "unit_code",
)
PENALTY_COLUMNS = (
    "penalty_id",
    "decided_date",
    "unit_name",
    "department_name",
    "credit_code",
    "penalty_kinds",
    "fine_entity_yuan",
    "fine_person_yuan",
    "fines_yuan",
    "is_double_penalty",
    "is_transferred_to_judiciary",
    "inspection_id",
    "unit_code",
)


def pick(df: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """The listed columns the frame has, in that order (a mart without one still shows)."""
    return df.select([c for c in columns if c in df.columns])


def label(column: str, table: str | None = None) -> str:
    """The Chinese header of a column of `table` (a served table's name; its yml label first),
    else by the column's name alone (the English name when none is known). A column that two
    tables label differently (CLASHING_COLUMNS) needs its table: without one it is an error,
    never a guess."""
    if table is not None and column in TABLE_LABELS.get(table, {}):
        return TABLE_LABELS[table][column]
    if column in CLASHING_COLUMNS and column not in APP_COLUMN_LABELS:
        raise ValueError(
            f"{column}: labelled per table ({CLASHING_COLUMNS[column]}); name the table"
            + (f" ({table} has no such column)" if table else "")
        )
    return COLUMN_LABELS.get(column, column)


def has_label(column: str, table: str | None = None) -> bool:
    """Whether `label(column, table)` finds a Chinese header."""
    if table is not None and column in TABLE_LABELS.get(table, {}):
        return True
    return column in COLUMN_LABELS


def indicator_label(indicator_id: str, column: str) -> str:
    """A column's header where a sheet groups columns by indicator: 'I1 <label>'."""
    return f"{indicator_id.upper()} {label(column)}"


def with_chinese_headers(df: pl.DataFrame, table: str | None = None) -> pl.DataFrame:
    """Rename columns to their Chinese headers (unique: a clash keeps the English name); `table`:
    the served table the frame comes from (see `label`)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for c in df.columns:
        zh = label(c, table)
        if zh in used or zh in df.columns and zh != c:
            zh = c
        used.add(zh)
        mapping[c] = zh
    return df.rename(mapping)


def yes_no(df: pl.DataFrame) -> pl.DataFrame:
    """Boolean columns as 是/否 (how the source systems and the leaders write them)."""
    return df.with_columns(
        pl.when(pl.col(c)).then(pl.lit("是")).when(~pl.col(c)).then(pl.lit("否")).alias(c)
        for c, t in df.schema.items()
        if t == pl.Boolean
    )


def rank_arrow(change: int | None) -> str:
    """▲n / ▼n / — for a rank change (positive = moved up)."""
    if change is None:
        return "—"
    if change > 0:
        return f"▲{change}"
    if change < 0:
        return f"▼{-change}"
    return "—"


def target_status_reason(row: Mapping[str, Any]) -> str:
    """Why a target has its status (SPEC §10.4 "Every status says why"), from a row of
    mart_target_progress: the deciding milestone — date, goal, the actual at that date — e.g.
    "T7 未达成：2024-12-31 节点应达 60.0%，实际 51.4%". The cards, the workbook and the Word 通报
    all read it here. T14 names the requirement that decides, e.g. "T14 有风险：R8 电力监测
    2026-12-31 节点应达 100.0%，…"."""
    tid, status = row["target_id"], row["status"]
    day = row.get("deciding_milestone")
    if day is None:
        return f"{tid} {status}"
    # T14: the deciding requirement and its system before the date ("R8 电力监测 2026-12-31 节点")
    node = " ".join(
        v
        for v in (row.get("deciding_requirement_id"), row.get("deciding_system"), f"{day:%Y-%m-%d}")
        if v
    )
    node += " 节点"

    def fmt(value: float | None) -> str:
        return format_target_value(tid, value)

    comparison = row.get("comparison")
    if comparison == "fewer_than_prev":
        goal = f"应少于上年同期 {fmt(row.get('deciding_prev_value'))}"
    elif TARGET_ACTUAL_KIND.get(tid) == "flag":
        goal = "应实现"
    elif comparison == "at_most":
        goal = f"应不超过 {fmt(row.get('deciding_target_value'))}"
    else:
        goal = f"应达 {fmt(row.get('deciding_target_value'))}"
    actual = fmt(row.get("deciding_actual"))
    passed = row.get("as_of_date") is not None and day <= row["as_of_date"]
    if status == "未达成" and not passed:  # the year's count can no longer stay within it
        return f"{tid} 未达成：{node}{goal}，{day.year}年迄今实际 {actual}，已不可能达成"
    text = f"{tid} {status}：{node}{goal}，实际 {actual}"
    if status in ("进行中", "有风险") and row.get("expected_value") is not None:
        bound = "不超过" if comparison == "at_most" else "达"
        text += f"（当前应{bound} {fmt(row['expected_value'])}）"
    return text
