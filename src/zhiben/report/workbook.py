"""`zhiben report --quarter 2026Q3`: the quarter's 通报 as an xlsx workbook (xlsxwriter).

Sheets: 排名通报 (title block, ranking with score breakdown and rank change, a bar chart of the
totals), 指标原值 (the raw values behind the scores), 部门排名, 重大隐患台账 (open overdue first, with
escalation), 零处罚单位, 目标进展, 督办清单 (whom to chase behind the coverage targets, as of D:
`mart_target_chase_list`), 考评办法 (indicators, weights, deductions and veto read from
`mart_evaluation_method`). Reads only the served warehouse; no personal data is in any mart read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from zhiben.app_logic.labels import indicator_label, label, target_status_reason
from zhiben.app_logic.plan_tasks import overdue_and_at_risk
from zhiben.periods import parse_quarter, quarter_title
from zhiben.report.rank import quarter_evaluation
from zhiben.warehouse import as_of_date, query, tables

ISSUER = "山亭区安全生产委员会办公室"
SHEETS = (
    "排名通报",
    "指标原值",
    "部门排名",
    "重大隐患台账",
    "零处罚单位",
    "目标进展",
    "督办清单",
    "挂图作战",
    "考评办法",
)


@dataclass(frozen=True)
class Col:
    """One column of a sheet table: header, the frame column (or a function of the row), the
    format name, the width."""

    header: str
    key: str | Callable[[dict[str, Any]], Any]
    fmt: str = "text"
    width: float = 10


def L(key: str, fmt: str = "text", width: float = 10) -> Col:  # noqa: N802 (reads as Col)
    """A column headed by its label (the marts' yml `meta.label`, via zhiben.app_logic.labels);
    Col with `label(…)` of an app column (`labels.APP_COLUMN_LABELS`) for a computed one."""
    return Col(label(key), key, fmt, width)


def LI(indicator_id: str, key: str, fmt: str = "text", width: float = 10) -> Col:  # noqa: N802
    """A column grouped under its indicator: 'I1 <label>' (`labels.indicator_label`)."""
    return Col(indicator_label(indicator_id, key), key, fmt, width)


def quarter_label(quarter: str, as_of: date) -> str:
    """'2026年第三季度', or '2026年第四季度（暂定，截至11月28日）' while it runs as of D
    (`periods.quarter_title`, SPEC §10.4)."""
    return quarter_title(quarter, as_of, long=True)


def write_report(
    quarter: str,
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    built_at: datetime | None = None,
) -> Path:
    """Write the quarter's 通报 workbook and return its path (default `通报-<quarter>.xlsx`)."""
    parse_quarter(quarter)  # a Chinese + English ValueError on a bad key, before any reading
    out = Path(out or f"通报-{quarter}.xlsx")
    data = _read(quarter, warehouse)
    label = quarter_label(quarter, data["as_of"])
    built_at = built_at or datetime.now().astimezone()

    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out))
    try:
        wb.set_properties(
            {"title": f"{label}安全生产晾晒考评通报", "author": ISSUER, "company": ISSUER}
        )
        fmt = _formats(wb)
        context = _Context(wb, fmt, quarter, label, data["as_of"], built_at)
        _ranking_sheet(context, data)
        _values_sheet(context, data)
        _department_sheet(context, data)
        _ledger_sheet(context, data)
        _zero_penalty_sheet(context, data)
        _targets_sheet(context, data)
        _chase_sheet(context, data)
        _plan_tasks_sheet(context, data)
        _method_sheet(context, data)
    finally:
        wb.close()
    return out


# ---------------------------------------------------------------------------------- reading


def zero_penalty_units(quarter: str, warehouse: str | Path | None) -> pl.DataFrame:
    """The quarter's "零处罚、只检查不处罚" units (`is_zero_penalty`, by their own enforcement) with
    their names, most own inspections first — the workbook's sheet and the Word 通报's section."""
    return query(
        """
        select enforcement.*, units.unit_name
        from mart_enforcement as enforcement
        left join dim_unit as units on enforcement.unit_code = units.unit_code
        where enforcement.quarter = ? and enforcement.is_zero_penalty
        order by enforcement.own_inspections desc, enforcement.unit_code
        """,
        [quarter],
        path=warehouse,
    )


def overdue_and_at_risk_tasks(warehouse: str | Path | None) -> pl.DataFrame:
    """挂图作战: the plan's tasks overdue (逾期未完成) or at risk (有风险) as of D, by owner
    (`zhiben.app_logic.plan_tasks.overdue_and_at_risk`: the app's sheet, the same rows)."""
    if "mart_plan_tasks" not in tables(warehouse):
        return pl.DataFrame()
    return overdue_and_at_risk(query("select * from mart_plan_tasks", path=warehouse))


def _read(quarter: str, warehouse: str | Path | None) -> dict[str, Any]:
    evaluation = quarter_evaluation(quarter, path=warehouse)
    as_of = as_of_date(warehouse)
    evaluated_as_of: date = evaluation["evaluated_as_of"][0]
    return {
        "as_of": as_of,
        "evaluated_as_of": evaluated_as_of,
        "is_complete": bool(evaluation["is_complete"][0]),
        "evaluation": evaluation,
        "departments": query(
            "select * from mart_quarterly_evaluation_by_department "
            "where quarter = ? and is_ranked order by rank",
            [quarter],
            path=warehouse,
        ),
        "method": query(
            "select * from mart_evaluation_method order by scope desc, item_type, sort_order",
            path=warehouse,
        ),
        "ledger": query(
            """
            select ledger.*, units.unit_name, industries.industry_name
            from mart_major_hazard_ledger as ledger
            left join dim_unit as units on ledger.unit_code = units.unit_code
            left join dim_industry as industries on ledger.industry_code = industries.industry_code
            order by ledger.is_overdue desc, ledger.overdue_days desc, ledger.is_rectified,
                ledger.deadline, ledger.rectified_date desc, ledger.hazard_id
            """,
            path=warehouse,
        ),
        "zero_penalty": zero_penalty_units(quarter, warehouse),
        "targets": query("select * from mart_target_progress order by sort_order", path=warehouse),
        "plan_tasks": overdue_and_at_risk_tasks(warehouse),
        "chase": query(
            """
            select chase.*, targets.target
            from mart_target_chase_list as chase
            left join mart_target_progress as targets on chase.target_id = targets.target_id
            order by targets.sort_order, chase.unit_code nulls last, chase.subject_type,
                chase.subject_id
            """,
            path=warehouse,
        ),
    }


# ---------------------------------------------------------------------------------- formats


def _formats(wb: xlsxwriter.Workbook) -> dict[str, Any]:
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    cell = {**base, "border": 1}

    def f(**kw: Any) -> Any:
        return wb.add_format({**cell, **kw})

    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 18, "align": "center"}),
        "subtitle": wb.add_format({**base, "font_size": 12, "align": "center"}),
        "meta": wb.add_format({**base, "font_size": 10, "font_color": "#595959"}),
        "section": wb.add_format({**base, "bold": True, "font_size": 12}),
        "note": wb.add_format({**base, "font_size": 10, "text_wrap": True, "valign": "top"}),
        "header": f(bold=True, bg_color="#DDEBF7", align="center", text_wrap=True),
        "text": f(),
        "wrap": f(text_wrap=True, valign="top"),
        "center": f(align="center"),
        "int": f(num_format="0", align="center"),
        "score": f(num_format="0.00"),
        "total": f(num_format="0.00", bold=True),
        "pct": f(num_format="0.0%"),
        "ratio": f(num_format="0.000"),
        "general": f(num_format="General"),
        "money": f(num_format="#,##0"),
        "date": f(num_format="yyyy-mm-dd", align="center"),
        "change": f(num_format='"▲"0;"▼"0;"—"', align="center"),
        "delta": f(num_format="+#,##0;-#,##0;0", align="center"),
        "deduction": f(num_format='0.00;-0.00;"—"', font_color="#C00000"),
        "flag": f(align="center", font_color="#C00000", bold=True),
        "status": f(align="center"),
    }


@dataclass
class _Context:
    wb: xlsxwriter.Workbook
    fmt: dict[str, Any]
    quarter: str
    label: str
    as_of: date
    built_at: datetime
    #: the first meta line's period part (default: the quarter evaluated)
    period_text: str | None = None

    def sheet(self, name: str) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        return ws

    def title_block(self, ws: Worksheet, title: str, width: int, lines: Sequence[str] = ()) -> int:
        """Rows 0 … : issuer, title, meta lines; returns the first free row (after a blank one)."""
        last = max(width - 1, 1)
        ws.merge_range(0, 0, 0, last, ISSUER, self.fmt["subtitle"])
        ws.merge_range(1, 0, 1, last, title, self.fmt["title"])
        ws.set_row(1, 30)
        meta = [
            f"{self.period_text or f'考评季度: {self.label} ({self.quarter})'}    "
            f"数据截止日期: {self.as_of:%Y-%m-%d}    "
            f"生成时间: {self.built_at:%Y-%m-%d %H:%M}",
            *lines,
        ]
        for i, line in enumerate(meta):
            ws.merge_range(2 + i, 0, 2 + i, last, line, self.fmt["meta"])
        return 3 + len(meta)


def _cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or (isinstance(value, float) and value != value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _table(
    ctx: _Context, ws: Worksheet, first_row: int, cols: Sequence[Col], rows: Sequence[dict]
) -> int:
    """Header at first_row (frozen with the title above), rows below, autofilter; returns the row
    after the table."""
    ws.set_row(first_row, 32)
    for c, col in enumerate(cols):
        ws.write_string(first_row, c, col.header, ctx.fmt["header"])
        ws.set_column(c, c, col.width)
    for r, row in enumerate(rows, start=first_row + 1):
        for c, col in enumerate(cols):
            value = col.key(row) if callable(col.key) else row.get(col.key)
            _cell(ws, r, c, value, ctx.fmt[col.fmt])
    ws.freeze_panes(first_row + 1, 0)
    ws.autofilter(first_row, 0, first_row + max(len(rows), 1), len(cols) - 1)
    return first_row + len(rows) + 1


def _table_or_note(
    ctx: _Context,
    ws: Worksheet,
    first_row: int,
    cols: Sequence[Col],
    rows: Sequence[dict],
    note: str,
) -> None:
    """:func:`_table`, or — with no rows — `note` in its place, the columns at their widths."""
    if rows:
        _table(ctx, ws, first_row, cols, rows)
        return
    ws.write_string(first_row, 0, note, ctx.fmt["note"])
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)


def _indicator_names(method: pl.DataFrame, scope: str) -> dict[str, tuple[str, float]]:
    rows = method.filter((pl.col("scope") == scope) & (pl.col("item_type") == "indicator"))
    return {r["item_id"]: (r["item_name"], r["weight"]) for r in rows.iter_rows(named=True)}


def _rank_columns(name: Col) -> list[Col]:
    """The leading columns of a ranking: rank, the ranked one's name, total, rank change."""
    return [
        L("rank", "int", 6),
        name,
        L("total_score", "total", 9),
        L("prev_rank", "int", 8),
        L("rank_change", "change", 8),
    ]


def _indicator_column(indicator_id: str, name: str, weight: float) -> Col:
    """An indicator's score column, headed by its name and weight."""
    return Col(
        f"{indicator_id} {name}\n(权重 {weight:g})", f"{indicator_id.lower()}_score", "score", 12
    )


# ---------------------------------------------------------------------------------- sheets


def _ranking_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("排名通报")
    evaluation: pl.DataFrame = data["evaluation"]
    names = _indicator_names(data["method"], "unit")
    status = (
        "季度已结束"
        if data["is_complete"]
        else f"季度未结束，按截止日 {data['evaluated_as_of']:%Y-%m-%d} 评价"
    )
    vetoed = evaluation.filter(pl.col("veto"))["unit_name"].to_list()
    lines = [
        f"{status}；总分 = Σ 权重 × 指标得分 ÷ 100 + 扣分（最低 0 分）；"
        f"{label('rank_change')} ▲ 上升 ▼ 下降。"
        "各项指标、权重、扣分规则见“考评办法”。",
        "一票否决: " + ("、".join(vetoed) if vetoed else "无"),
    ]
    cols = [
        *_rank_columns(L("unit_name", "text", 16)),
        *[
            _indicator_column(i, *names.get(i, (i, 0)))
            for i in ("I1", "I2", "I3", "I4", "I5", "I6", "I7")
        ],
        L("weighted_score", "score", 9),
        L("deduction_major_accidents", "deduction", 9),
        L("deduction_concealed", "deduction", 9),
        L("deduction_listed_overdue", "deduction", 10),
        L("deductions", "deduction", 9),
        Col(label("veto"), lambda r: "否决" if r["veto"] else None, "flag", 8),
    ]
    top = ctx.title_block(ws, f"{ctx.label}镇街安全生产晾晒考评排名通报", len(cols), lines)
    rows = evaluation.sort("rank").to_dicts()
    end = _table(ctx, ws, top, cols, rows)

    chart = ctx.wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "总分",
            "categories": ["排名通报", top + 1, 1, end - 1, 1],
            "values": ["排名通报", top + 1, 2, end - 1, 2],
            "data_labels": {"value": True, "num_format": "0.0"},
            "fill": {"color": "#2F75B5"},
        }
    )
    chart.set_title({"name": f"{ctx.label}各镇街总分", "name_font": {"name": "宋体", "size": 12}})
    chart.set_x_axis({"min": 0, "max": 100, "num_font": {"name": "宋体"}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "宋体"}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 420})
    ws.insert_chart(end + 1, 1, chart)


def _values_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("指标原值")
    cols = [
        L("rank", "int", 6),
        L("unit_name", "text", 16),
        LI("I1", "major_hazards", "int", 11),
        L("major_hazards_rectified", "int", 10),
        L("i1_value", "pct", 9),
        LI("I2", "hazards_due", "int", 10),
        L("hazards_due_rectified_on_time", "int", 10),
        L("i2_value", "pct", 9),
        LI("I3", "hazards_found", "int", 10),
        L("active_enterprises", "int", 10),
        L("i3_value", "ratio", 10),
        LI("I4", "penalty_cases", "int", 9),
        L("inspections", "int", 9),
        L("i4_value", "pct", 9),
        LI("I5", "accidents_ytd", "int", 11),
        L("accidents_prev_ytd", "int", 9),
        L("deaths_ytd", "int", 9),
        L("deaths_prev_ytd", "int", 9),
        LI("I6", "active_enterprises_principal_trained", "int", 11),
        L("i6_value", "pct", 9),
        LI("I7", "enterprise_drills_ytd", "int", 11),
        L("four_no_drills_ytd", "int", 9),
        L("i7_value", "pct", 9),
        L("four_no_target", "pct", 9),
        L("larger_accidents", "int", 8),
        L("concealed_accidents", "int", 8),
        L("listed_overdue_major_hazards", "int", 10),
        L("veto_accidents", "int", 9),
    ]
    top = ctx.title_block(
        ws,
        f"{ctx.label}晾晒考评指标原值",
        14,
        [
            f"评价截止日: {data['evaluated_as_of']:%Y-%m-%d}；空白表示无分母（见考评办法中的计分规则）。"
        ],
    )
    _table(ctx, ws, top, cols, data["evaluation"].sort("rank").to_dicts())
    ws.freeze_panes(top + 1, 2)


def _department_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("部门排名")
    names = _indicator_names(data["method"], "department")
    cols = [
        *_rank_columns(L("department_name", "text", 20)),
        *[_indicator_column(i, name, weight) for i, (name, weight) in sorted(names.items())],
        L("major_hazards", "int", 9),
        L("hazards_due", "int", 9),
        L("inspections", "int", 9),
        L("penalty_cases", "int", 9),
        L("accidents_ytd", "int", 11),
        L("accidents_prev_ytd", "int", 9),
    ]
    if "overdue_plan_tasks" in data["departments"].columns:
        cols.append(L("overdue_plan_tasks", "int", 10))
    top = ctx.title_block(
        ws,
        f"{ctx.label}区直部门安全生产晾晒考评排名",
        len(cols),
        [
            "不设扣分与一票否决；未牵头任何行业且本年度无任何记录的部门不参加排名。"
            "逾期未完成任务数（挂图作战）仅供督促，不计入得分。"
        ],
    )
    rows = data["departments"].to_dicts()
    if rows:
        _table(ctx, ws, top, cols, rows)
    else:
        ws.write_string(top, 0, "本季度无参评部门。", ctx.fmt["note"])


def _ledger_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("重大隐患台账")
    ledger: pl.DataFrame = data["ledger"]
    open_overdue = ledger.filter(pl.col("is_overdue")).height
    still_open = ledger.filter(~pl.col("is_rectified")).height
    listed = ledger.filter(pl.col("is_overdue") & pl.col("is_listed_supervision")).height
    cols = [
        L("hazard_id", "text", 16),
        L("unit_name", "text", 14),
        L("enterprise_name", "text", 28),
        L("industry_name", "text", 10),
        L("found_date", "date", 11),
        L("deadline", "date", 11),
        L("status", "status", 9),
        L("rectified_date", "date", 11),
        Col(label("is_overdue"), lambda r: "逾期" if r["is_overdue"] else None, "flag", 6),
        L("overdue_days", "int", 8),
        L("rectified_on_time", "center", 8),
        L("escalation", "status", 8),
        L("is_listed_supervision", "center", 8),
        L("supervision_level", "center", 8),
        L("source", "center", 9),
        L("campaign", "text", 14),
        L("is_stock_2023", "center", 9),
    ]
    top = ctx.title_block(
        ws,
        "重大事故隐患台账（含逾期升级督办）",
        len(cols),
        [
            f"截至 {ctx.as_of:%Y-%m-%d} 共 {ledger.height} 项重大隐患，未整改 {still_open} 项，"
            f"其中逾期未整改 {open_overdue} 项（挂牌督办 {listed} 项），逾期的排在最前。"
            "逾期升级督办按逾期天数: 函告 → 通报 → 约谈 → 曝光。"
        ],
    )
    _table(ctx, ws, top, cols, ledger.to_dicts())
    ws.freeze_panes(top + 1, 1)


def _zero_penalty_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("零处罚单位")
    cols = [
        L("unit_name", "text", 16),
        L("own_inspections", "int", 12),
        L("own_penalty_cases", "int", 12),
        L("own_non_site_inspections", "int", 12),
        L("inspections", "int", 10),
        L("penalty_cases", "int", 10),
    ]
    top = ctx.title_block(
        ws,
        f"{ctx.label}“零处罚、只检查不处罚”单位",
        len(cols),
        [
            "本季度本镇街自身执法（执法部门为本镇街，即其综合执法队伍）开展了执法检查、"
            "但未作出一起行政处罚决定的镇街；辖区检查与处罚为发生在本镇街、不论执法主体的数量。"
        ],
    )
    _table_or_note(ctx, ws, top, cols, data["zero_penalty"].to_dicts(), "本季度无“零处罚”单位。")


def _targets_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("目标进展")
    targets: pl.DataFrame = data["targets"]
    cols = [
        L("target_id", "center", 8),
        L("target", "wrap", 40),
        L("plan_section", "center", 8),
        L("next_milestone", "date", 11),
        L("next_target_value", "general", 12),
        L("actual", "general", 12),
        L("expected_value", "general", 12),
        L("status", "flag", 8),
        L("status_reason", "wrap", 44),
        L("milestones_passed", "int", 8),
        L("milestones_missed", "int", 8),
    ]
    top = ctx.title_block(
        ws,
        "治本攻坚三年行动目标进展",
        len(cols),
        [
            f"截至 {ctx.as_of:%Y-%m-%d}；比例以小数表示（1 = 100%），起数以件计。状态: 达成 / 进行中 / 有风险 / 未达成。"
        ],
    )
    # every status says why (SPEC §10.4): the deciding milestone, its goal and actual
    rows = [{**r, "status_reason": target_status_reason(r)} for r in targets.to_dicts()]
    _table(ctx, ws, top, cols, rows)


def _chase_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    """督办清单: what is missing behind the coverage targets (T6, T8, T9, T12, T13), as of D."""
    ws = ctx.sheet("督办清单")
    chase: pl.DataFrame = data["chase"]
    cols = [
        L("target_id", "center", 8),
        L("target", "wrap", 30),
        L("unit_name", "text", 14),
        L("subject_type", "center", 9),
        # no credit code: an all-digit one reads like an ID number to every PII scan of a sheet
        Col(label("subject"), lambda r: r["subject_name"] or r["subject_id"], "wrap", 28),
        L("missing_item", "wrap", 36),
    ]
    counts = chase.group_by("target_id").len().sort("target_id").iter_rows()
    top = ctx.title_block(
        ws,
        "治本攻坚三年行动督办清单",
        len(cols),
        [
            f"截至 {ctx.as_of:%Y-%m-%d}（数据截止日，非季度末）；各覆盖类目标尚缺的企业、镇街、部门和举报。",
            "缺项数: " + ("，".join(f"{t} {n} 项" for t, n in counts) or "无"),
        ],
    )
    _table_or_note(ctx, ws, top, cols, chase.to_dicts(), "各覆盖类目标均无缺项。")


def _plan_tasks_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    """挂图作战: the plan's tasks overdue or at risk as of D, by owner (SPEC §10.4)."""
    ws = ctx.sheet("挂图作战")
    rows: pl.DataFrame = data["plan_tasks"]
    cols = [
        L("owner_name", "text", 18),
        L("owner_type", "center", 9),
        L("task_id", "center", 9),
        L("title", "wrap", 44),
        L("due_date", "date", 11),
        L("status", "flag", 11),
        L("target_qty", "general", 8),
        L("done_qty", "general", 8),
        L("progress", "pct", 9),
        L("expected_progress", "pct", 9),
        L("last_reported_date", "date", 11),
    ]
    counts = rows.group_by("status").len().sort("status").iter_rows() if rows.height else []
    top = ctx.title_block(
        ws,
        "治本攻坚三年行动任务挂图作战：逾期和有风险的任务",
        len(cols),
        [
            f"截至 {ctx.as_of:%Y-%m-%d}（数据截止日）；按责任单位列示逾期未完成和有风险的任务。"
            "有风险：有数量目标的任务完成进度低于自 2024-01-01 至完成时限的序时进度。",
            "合计: " + ("，".join(f"{s} {n} 项" for s, n in counts) or "无"),
        ],
    )
    _table_or_note(ctx, ws, top, cols, rows.to_dicts(), "没有逾期或有风险的任务。")


def _method_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("考评办法")
    method: pl.DataFrame = data["method"]
    fmt = ctx.fmt
    widths = (10, 22, 10, 48, 48)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    row = ctx.title_block(ws, "安全生产晾晒考评办法", len(widths))

    def section(heading: str, headers: Sequence[str]) -> None:
        """The section's heading row, then its header row."""
        nonlocal row
        ws.write_string(row, 0, heading, fmt["section"])
        row += 1
        for c, h in enumerate(headers):
            ws.write_string(row, c, h, fmt["header"])
        row += 1

    def cells(values: Sequence[tuple[Any, str]]) -> None:
        """One row of (value, format name) cells."""
        nonlocal row
        for c, (value, f) in enumerate(values):
            _cell(ws, row, c, value, fmt[f])
        row += 1

    def indicators(scope: str, heading: str) -> None:
        nonlocal row
        section(heading, ("指标", "名称", "权重", "统计口径", "计分规则"))
        part = method.filter((pl.col("scope") == scope) & (pl.col("item_type") == "indicator"))
        for r in part.sort("sort_order").iter_rows(named=True):
            cells(
                (
                    (r["item_id"], "center"),
                    (r["item_name"], "text"),
                    (r["weight"], "int"),
                    (r["raw_value"], "wrap"),
                    (r["scoring"], "wrap"),
                )
            )
        ws.write_string(row, 1, "合计", fmt["text"])
        ws.write_number(row, 2, float(part["weight"].sum()), fmt["int"])
        row += 2

    indicators(
        "unit", "一、镇街考评指标（各项 0–100 分，总分 = Σ 权重 × 得分 ÷ 100 + 扣分，最低 0 分）"
    )
    section("二、扣分与一票否决", ("类型", "规则", "每项分值", "本项上限", "说明"))
    rules = method.filter(pl.col("item_type").is_in(["deduction", "veto"])).sort("sort_order")
    for r in rules.iter_rows(named=True):
        cells(
            (
                ("扣分" if r["item_type"] == "deduction" else "一票否决", "center"),
                (r["item_name"], "text"),
                (r["points_per_item"], "score"),
                (r["cap_points"], "score"),
                (r["scoring"], "wrap"),
            )
        )
    row += 1
    indicators("department", "三、区直部门考评指标（不设扣分与一票否决）")
    ws.write_string(row, 0, "四、排名规则与口径", fmt["section"])
    row += 1
    notes = [
        "总分由高到低排名；总分相差不超过 1e-9 视为相同，依次按 I1 得分高者在前、单位代码小者在前。",
        "被一票否决的单位排在最后，相互之间按同一规则排序；排名变化 = 上季排名 − 本季排名（正数为上升）。",
        "每季度按季末状态评价（本季度未结束的按数据截止日评价，I2 统计期限在季初至截止日之间的隐患）；"
        "以往季度按最新掌握的数据重新计算（记录的最新状态，按其自身日期归入季度），迟报的记录会使已发布的排名更新。",
        "事故等级按《生产安全事故报告和调查处理条例》第三条由伤亡和损失认定，不采用填报等级。",
        "指标权重、扣分分值与上限、一票否决的事故等级、“四不”演练年度目标均由区安委会在参数表中设定。",
    ]
    for note in notes:
        ws.merge_range(row, 0, row, len(widths) - 1, note, fmt["note"])
        ws.set_row(row, 30)
        row += 1
