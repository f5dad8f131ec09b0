"""`zhiben closeout`: the 三年行动总结评估 (SPEC §10.4) as of D — a Word document in the official
layout (`zhiben.report.document`), with every figure read from the served warehouse and every
fixed word in `templates/closeout.toml`.

Sections: every target of `mart_target_progress` (T1 … whatever the build has) with its final
status and the milestone that decides it (the earliest missed one for 未达成, the last one for 达成,
else the next one, with its actual); every plan task with its status (`mart_plan_tasks` when the
served file has it; otherwise the seeds' task list, each marked 未报送 and the text says why); the
three-year trends (accidents and deaths from `mart_accident_trend_region`, 重大隐患 found from
`fct_hazards`, each year like for like as in SPEC §9) with the app's yearly bar chart; the three-year
ranking (each unit's mean score over the evaluated full quarters, ranked by the one ranking rule,
`zhiben.ranking`, a unit vetoed in any quarter last); and the units and departments with the most
overdue items (open overdue hazards, overdue investigations, overdue plan tasks).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from zhiben import periods, ranking
from zhiben.app_logic import figures
from zhiben.app_logic.labels import format_target_value, label
from zhiben.paths import SEEDS_DIR
from zhiben.report import cnfmt
from zhiben.report.document import Draft, load_template, render_png, write_docx
from zhiben.warehouse import as_of_date, query, tables

#: a task's own status, worst first (SPEC §10.3)
TASK_STATUSES = ("逾期未完成", "未报送", "有风险", "进行中", "逾期完成", "按期完成")
NOT_REPORTED = "未报送"
#: column widths (mm, the 版心 is 156 wide) of the tables with running text
TARGET_WIDTHS_MM = (16, 44, 18, 78)
TASK_WIDTHS_MM = (18, 58, 26, 40, 14)
ALL_UNITS = "U*"


# ---------------------------------------------------------------------------------- reading


@dataclass
class CloseoutData:
    as_of: date
    targets: pl.DataFrame  # mart_target_progress + the deciding milestone (decide_* columns)
    tasks: pl.DataFrame  # task_id, section, title, due_date, owners, status
    tasks_from_mart: bool  # False: the seeds' list, none reported (no mart_plan_tasks)
    years: pl.DataFrame  # year, accidents, deaths, major_hazards_found, prev_*, is_partial_year
    ranking: pl.DataFrame  # unit_code, unit_name, total_score (mean), quarters, vetoes, rank …
    quarters: list[str]  # the quarters averaged
    overdue_units: pl.DataFrame  # name, hazards, major, investigations, tasks, total
    overdue_departments: pl.DataFrame  # name, hazards, major, tasks, total


def deciding_milestones(progress: pl.DataFrame, milestones: pl.DataFrame) -> pl.DataFrame:
    """Per target, the milestone that decides its status (SPEC §10.4 "every status says why"):
    未达成 — the earliest passed milestone that was missed, else (the current one can no longer be
    met) the next; 达成 — the last milestone; otherwise the next milestone. Columns decide_date,
    decide_target, decide_actual, decide_prev, decide_is_passed."""
    rows = []
    by_target = {
        key[0]: part.sort("milestone_date")
        for key, part in milestones.group_by("target_id", maintain_order=True)
    }
    for r in progress.iter_rows(named=True):
        ms = by_target.get(r["target_id"])
        pick = None
        if ms is not None and ms.height:
            missed = ms.filter(pl.col("is_passed") & ~pl.col("is_met").fill_null(True))
            upcoming = ms.filter(~pl.col("is_passed"))
            if r["status"] == "未达成" and missed.height:
                pick = missed.row(0, named=True)
            elif r["status"] == "达成" or not upcoming.height:
                pick = ms.row(-1, named=True)
            else:
                pick = upcoming.row(0, named=True)
        rows.append(
            {
                "target_id": r["target_id"],
                "decide_date": pick and pick["milestone_date"],
                "decide_target": pick and pick["target_value"],
                "decide_actual": pick and pick["actual"],
                "decide_prev": pick and pick["prev_value"],
                "decide_is_passed": pick and pick["is_passed"],
            }
        )
    schema = {
        "target_id": pl.String,
        "decide_date": pl.Date,
        "decide_target": pl.Float64,
        "decide_actual": pl.Float64,
        "decide_prev": pl.Float64,
        "decide_is_passed": pl.Boolean,
    }
    return progress.join(pl.DataFrame(rows, schema=schema), on="target_id", how="left")


def _owner_names(warehouse: str | Path | None) -> dict[str, str]:
    names = query(
        "select department_code as code, department_name as name from dim_department",
        path=warehouse,
    )
    units = query("select unit_code as code, unit_name as name from dim_unit", path=warehouse)
    return dict(pl.concat([names, units]).iter_rows())


def _owners_text(
    codes: list[str], names: dict[str, str], groups: list[tuple[set[str], str]]
) -> str:
    """Owner names in code order (departments first); a whole group at once (every unit:
    '各镇街'; every department: '区直各有关部门') reads as the group's name."""
    left = sorted(set(codes))
    said: list[str] = []
    for members, name in groups:
        if members and members <= set(left):
            left = [c for c in left if c not in members]
            said.append(name)
    if ALL_UNITS in left:
        left.remove(ALL_UNITS)
        said.append(groups[-1][1])
    return "、".join([*(names.get(c, c) for c in left), *said])


def _seed_tasks() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with (SEEDS_DIR / "plan_tasks.csv").open(encoding="utf-8", newline="") as f:
        tasks = list(csv.DictReader(f))
    with (SEEDS_DIR / "plan_task_owners.csv").open(encoding="utf-8", newline="") as f:
        owners = list(csv.DictReader(f))
    return tasks, owners


def read_tasks(warehouse: str | Path | None, t: dict[str, Any]) -> tuple[pl.DataFrame, bool]:
    """Every plan task (task_id, section, title, due_date, owners, status) and whether the
    statuses come from `mart_plan_tasks` (else every task is 未报送: no task report reached the
    warehouse). Title and section come from the mart when it carries them, else from the seed."""
    seed, seed_owners = _seed_tasks()
    titles = {t["task_id"]: t for t in seed}
    names = _owner_names(warehouse)
    units = set(query("select unit_code from dim_unit", path=warehouse)["unit_code"].to_list())
    departments = set(
        query("select department_code from dim_department", path=warehouse)[
            "department_code"
        ].to_list()
    )
    groups = [(departments, t["every_department"]), (units, t["every_unit"])]
    if "mart_plan_tasks" in tables(warehouse):
        mart = query("select * from mart_plan_tasks", path=warehouse)
        status_col = "task_status" if "task_status" in mart.columns else "status"
        owner_col = "owner_code" if "owner_code" in mart.columns else "owner"
        rows = []
        for key, part in mart.group_by("task_id", maintain_order=True):
            first = part.row(0, named=True)
            task_id = key[0]
            seed_row = titles.get(task_id, {})
            rows.append(
                {
                    "task_id": task_id,
                    "section": first.get("section") or seed_row.get("section") or "",
                    "title": first.get("title") or seed_row.get("title") or "",
                    "due_date": first["due_date"],
                    "owners": _owners_text(part[owner_col].to_list(), names, groups),
                    "status": first[status_col],
                }
            )
        return _task_frame(rows), True
    owners: dict[str, list[str]] = {}
    for o in seed_owners:
        owners.setdefault(o["task_id"], []).append(o["owner"])
    rows = [
        {
            "task_id": task["task_id"],
            "section": task["section"],
            "title": task["title"],
            "due_date": date.fromisoformat(task["due_date"]),
            "owners": _owners_text(owners.get(task["task_id"], []), names, groups),
            "status": NOT_REPORTED,
        }
        for task in seed
    ]
    return _task_frame(rows), False


def _task_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {
        "task_id": pl.String,
        "section": pl.String,
        "title": pl.String,
        "due_date": pl.Date,
        "owners": pl.String,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).sort(["due_date", "task_id"])


def read_years(warehouse: str | Path | None) -> pl.DataFrame:
    """The three years (2024 → D's year) like for like (SPEC §9): accidents and deaths of
    `mart_accident_trend_region`; 重大隐患 found in the same span, and in the same span a year
    before, from fct_hazards."""
    return query(
        """
        with region as (
            select * from mart_accident_trend_region
        ),
        spans as (
            select
                year, span_start, span_end,
                span_start - interval 1 year as prev_start,
                span_end - interval 1 year as prev_end
            from region
        ),
        major as (
            select
                spans.year,
                count(*) filter (
                    where hazards.found_date between spans.span_start and spans.span_end
                ) as major_hazards_found,
                count(*) filter (
                    where hazards.found_date between spans.prev_start and spans.prev_end
                ) as prev_major_hazards_found
            from spans
            left join fct_hazards as hazards
                on hazards.is_major
                and hazards.found_date between spans.prev_start and spans.span_end
            group by spans.year
        )
        select
            region.year, region.accidents, region.deaths, major.major_hazards_found,
            region.prev_accidents, region.prev_deaths, major.prev_major_hazards_found,
            region.is_double_decline, region.is_partial_year, region.span_start, region.span_end
        from region
        left join major on region.year = major.year
        order by region.year
        """,
        path=warehouse,
    )


def three_year_ranking(evaluation: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Each unit's mean over the quarters of `evaluation` (rows of `mart_quarterly_evaluation`
    with unit_name) ranked by the one ranking rule (`zhiben.ranking.rank`: the mean total
    descending, totals within 1e-9 tie and go to the higher mean I1 score, then the lower unit
    code; a unit vetoed in any of the quarters ranks last), and the quarters averaged."""
    quarters = sorted(evaluation["quarter"].unique().to_list())
    means = evaluation.group_by("unit_code", "unit_name").agg(
        pl.col("total_score").mean(),
        pl.col("i1_score").mean(),
        pl.col("veto").cast(pl.Int64).sum().alias("vetoes"),
        pl.col("rank").min().alias("best_rank"),
        pl.col("rank").max().alias("worst_rank"),
        pl.len().alias("quarters"),
    )
    frame = means.with_columns(
        (pl.col("vetoes") > 0).alias("veto"), pl.lit("2024-2026").alias("period")
    )
    return ranking.rank(frame, code_column="unit_code", partition_by=("period",)), quarters


def read_ranking(warehouse: str | Path | None) -> tuple[pl.DataFrame, list[str]]:
    """The three-year ranking over the full quarters evaluated (`is_complete`)."""
    return three_year_ranking(
        query(
            """
            select evaluation.*, units.unit_name
            from mart_quarterly_evaluation as evaluation
            left join dim_unit as units on evaluation.unit_code = units.unit_code
            where evaluation.is_complete
            """,
            path=warehouse,
        )
    )


def read_overdue(
    warehouse: str | Path | None, has_tasks: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Overdue items as of D by unit (open overdue hazards, of them 重大; accidents whose
    investigation is overdue; plan-task owners 逾期未完成) and by department (hazards by their
    attributed department; tasks), most first."""
    task_cte = (
        "select owner_code as code, count(*) as tasks from mart_plan_tasks "
        "where status = '逾期未完成' group by owner_code"
        if has_tasks
        else "select null::varchar as code, 0 as tasks where false"
    )
    sql = f"""
        with hazards as (
            select {{key}} as code, count(*) as hazards,
                count(*) filter (where is_major) as major
            from fct_hazards where is_overdue group by {{key}}
        ),
        investigations as (
            select unit_code as code, count(*) as investigations
            from fct_accidents where is_investigation_overdue group by unit_code
        ),
        tasks as ({task_cte})
        select
            owners.name,
            coalesce(hazards.hazards, 0) as hazards,
            coalesce(hazards.major, 0) as major,
            {{investigations}} as investigations,
            coalesce(tasks.tasks, 0) as tasks
        from {{owners}} as owners
        left join hazards on owners.code = hazards.code
        left join investigations on owners.code = investigations.code
        left join tasks on owners.code = tasks.code
        order by owners.code
    """

    def run(key: str, owners: str, investigations: str) -> pl.DataFrame:
        frame = query(
            sql.format(key=key, owners=owners, investigations=investigations), path=warehouse
        ).with_row_index("order")
        return (
            frame.with_columns(
                (pl.col("hazards") + pl.col("investigations") + pl.col("tasks")).alias("total")
            )
            .filter(pl.col("total") > 0)
            .sort(["total", "order"], descending=[True, False])
            .drop("order")
        )

    units = run(
        "unit_code",
        "(select unit_code as code, unit_name as name from dim_unit)",
        "coalesce(investigations.investigations, 0)",
    )
    departments = run(
        "attributed_department_code",
        "(select department_code as code, department_name as name from dim_department)",
        "0",
    )
    return units, departments


def read(warehouse: str | Path | None = None, tpl: dict[str, Any] | None = None) -> CloseoutData:
    tpl = tpl or load_template()
    progress = query("select * from mart_target_progress order by sort_order", path=warehouse)
    milestones = query("select * from mart_target_milestones", path=warehouse)
    tasks, from_mart = read_tasks(warehouse, tpl["closeout"])
    ranked, quarters = read_ranking(warehouse)
    units, departments = read_overdue(warehouse, from_mart)
    return CloseoutData(
        as_of=as_of_date(warehouse),
        targets=deciding_milestones(progress, milestones),
        tasks=tasks,
        tasks_from_mart=from_mart,
        years=read_years(warehouse),
        ranking=ranked,
        quarters=quarters,
        overdue_units=units,
        overdue_departments=departments,
    )


# ---------------------------------------------------------------------------------- drafting


def target_evidence(row: dict[str, Any], t: dict[str, Any], as_of: date) -> str:
    """The sentence of the milestone that decides a target's status: the per-target wording of
    [closeout.evidence_by_target] when there is one, else the generic one for the state."""
    tid = row["target_id"]
    when: date | None = row["decide_date"]
    if when is None:
        return t["evidence"]["none"].format(actual=format_target_value(tid, row["actual"]))
    passed = bool(row["decide_is_passed"])
    values = {
        "date": cnfmt.cn_date(when),
        "year": when.year,
        "so_far": "" if passed else t["evidence"]["so_far"].format(as_of=cnfmt.cn_date(as_of)),
        "target": format_target_value(tid, row["decide_target"]),
        "actual": format_target_value(tid, row["decide_actual"]),
        "prev": format_target_value(tid, row["decide_prev"]),
        "expected": format_target_value(tid, row.get("expected_value")),
    }
    special = t.get("evidence_by_target", {}).get(tid)
    if special:
        return special.format(**values)
    if not passed:
        text = t["evidence"]["pending"].format(**values)
        if row.get("expected_value") is not None:
            text += t["evidence"]["expected"].format(**values)
        return text
    return t["evidence"]["met" if row["status"] == "达成" else "missed"].format(**values)


def draft(data: CloseoutData, tpl: dict[str, Any] | None = None) -> Draft:
    full = tpl or load_template()
    t = full["closeout"]
    as_of = data.as_of
    common = {"as_of": cnfmt.cn_date(as_of)}
    d = Draft(
        title=t["title"].format(**common),
        doc_number=t["doc_number"].format(year=as_of.year),
        issuer=full["issuer"],
    )
    h = t["headings"]
    add = d.add
    add(("body", full["addressee"], False))
    add(("body", t["intro"].format(**common)))
    sections = iter(range(1, 100))
    tables_n = iter(range(1, 100))

    # 一、目标完成情况
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["targets"]))
    targets = data.targets
    status = targets["status"].to_list()
    g = t["targets"]
    add(
        (
            "body",
            g["summary"].format(
                **common,
                n=cnfmt.count(targets.height),
                met=status.count("达成"),
                on_track=status.count("进行中"),
                at_risk=status.count("有风险"),
                missed=status.count("未达成"),
            ),
        )
    )
    evidence = []
    for i, row in enumerate(targets.iter_rows(named=True), start=1):
        why = target_evidence(row, t, as_of)
        evidence.append(why)
        add(
            (
                "body",
                f"{i}．"
                + g["line"].format(
                    target_id=row["target_id"],
                    target=row["target"],
                    status=row["status"],
                    evidence=why,
                ),
            )
        )
    add(
        (
            "table",
            g["table_caption"].format(n=next(tables_n), **common),
            [label("target_id"), label("target"), label("status"), g["evidence_header"]],
            [
                [r["target_id"], r["target"], r["status"], why]
                for r, why in zip(targets.iter_rows(named=True), evidence, strict=True)
            ],
            TARGET_WIDTHS_MM,
        )
    )

    # 二、重点任务完成情况
    k = t["tasks"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["tasks"]))
    tasks = data.tasks
    counts = dict(tasks.group_by("status").len().iter_rows())
    if data.tasks_from_mart:
        by_status = "，".join(
            k["status_count"].format(status=s, n=cnfmt.count(counts[s]))
            for s in TASK_STATUSES
            if counts.get(s)
        )
        add(
            (
                "body",
                k["summary"].format(**common, n=cnfmt.count(tasks.height), by_status=by_status),
            )
        )
        late = tasks.filter(pl.col("status") == "逾期未完成")
        if late.height:
            add(
                (
                    "body",
                    k["overdue"].format(
                        n=cnfmt.count(late.height),
                        ids=cnfmt.join(late["task_id"].to_list()),
                    ),
                )
            )
    else:
        add(("body", k["not_reported"].format(**common, n=cnfmt.count(tasks.height))))
    add(
        (
            "table",
            k["table_caption"].format(n=next(tables_n), **common),
            [
                k["id_header"],
                k["title_header"],
                k["due_header"],
                k["owner_header"],
                label("status"),
            ],
            [
                [r["task_id"], r["title"], cnfmt.cn_date(r["due_date"]), r["owners"], r["status"]]
                for r in tasks.iter_rows(named=True)
            ],
            TASK_WIDTHS_MM,
        )
    )

    # 三、三年趋势
    y = t["trends"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["trends"]))
    lines = []
    for r in data.years.iter_rows(named=True):
        span = y["partial"].format(end=cnfmt.cn_date(r["span_end"])) if r["is_partial_year"] else ""
        lines.append(
            y["year"].format(
                year=r["year"],
                span=span,
                accidents=cnfmt.count(r["accidents"]),
                accidents_yoy=cnfmt.change(r["accidents"], r["prev_accidents"], "同比"),
                deaths=cnfmt.count(r["deaths"]),
                deaths_yoy=cnfmt.change(r["deaths"], r["prev_deaths"], "同比"),
                major=cnfmt.count(r["major_hazards_found"]),
                major_yoy=cnfmt.change(
                    r["major_hazards_found"], r["prev_major_hazards_found"], "同比"
                ),
            )
        )
    years = data.years
    add(
        (
            "body",
            y["summary"].format(
                **common,
                accidents=cnfmt.count(years["accidents"].sum()),
                deaths=cnfmt.count(years["deaths"].sum()),
                major=cnfmt.count(years["major_hazards_found"].sum()),
                double=cnfmt.count(years["is_double_decline"].sum()),
                years=cnfmt.count(years.height),
            )
            + "".join(lines),
        )
    )
    add(
        (
            "table",
            y["table_caption"].format(n=next(tables_n), **common),
            [y["year_header"], label("accidents"), label("deaths"), y["major_header"]],
            [
                [
                    f"{r['year']}" + (y["partial_mark"] if r["is_partial_year"] else ""),
                    cnfmt.count(r["accidents"]),
                    cnfmt.count(r["deaths"]),
                    cnfmt.count(r["major_hazards_found"]),
                ]
                for r in years.iter_rows(named=True)
            ],
        )
    )
    add(("chart", y["chart_caption"].format(**common), trend_figure(data), y["chart_missing"]))

    # 四、三年综合排名
    r_ = t["ranking"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["ranking"]))
    rk = data.ranking.sort("rank")
    names = rk["unit_name"].to_list()
    quarters = data.quarters
    sentences = [
        r_["method"].format(
            first=periods.quarter_title(quarters[0], as_of, long=True),
            last=periods.quarter_title(quarters[-1], as_of, long=True),
            n=cnfmt.count(len(quarters)),
        )
        if quarters
        else r_["no_quarters"],
        r_["top_bottom"].format(top3=cnfmt.join(names[:3]), bottom3=cnfmt.join(names[-3:])),
    ]
    vetoed = rk.filter(pl.col("veto"))
    if vetoed.height:
        sentences.append(
            r_["veto"].format(
                units="、".join(
                    r_["veto_unit"].format(unit=v["unit_name"], n=cnfmt.count(v["vetoes"]))
                    for v in vetoed.iter_rows(named=True)
                )
            )
        )
    add(("body", "".join(sentences)))
    add(
        (
            "table",
            r_["table_caption"].format(n=next(tables_n), **common),
            [
                label("rank"),
                label("unit_name"),
                r_["mean_header"],
                r_["best_header"],
                r_["worst_header"],
                label("remark"),
            ],
            [
                [
                    str(v["rank"]),
                    v["unit_name"],
                    cnfmt.score(v["total_score"]),
                    str(v["best_rank"]),
                    str(v["worst_rank"]),
                    r_["veto_remark"].format(n=v["vetoes"]) if v["veto"] else "",
                ]
                for v in rk.iter_rows(named=True)
            ],
        )
    )

    # 五、逾期事项较多的镇街和部门
    o = t["overdue"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["overdue"]))
    top_n = int(t["top_n"])
    for frame, who, kind in (
        (data.overdue_units, o["units"], "units"),
        (data.overdue_departments, o["departments"], "departments"),
    ):
        head = frame.head(top_n)
        if not head.height:
            add(("body", o["none"].format(who=who, **common)))
            continue
        items = "；".join(
            o["item"].format(
                name=r["name"],
                total=cnfmt.count(r["total"]),
                details="，".join(
                    o[part].format(n=cnfmt.count(r[part]))
                    for part in ("hazards", "major", "investigations", "tasks")
                    if r[part]
                ),
            )
            for r in head.iter_rows(named=True)
        )
        add(("body", o["top"].format(who=who, n=cnfmt.count(head.height), items=items, **common)))
        headers = [o["name_header_" + kind], o["hazards_header"], o["major_header"]]
        cols = ["name", "hazards", "major"]
        if kind == "units":
            headers.append(o["investigations_header"])
            cols.append("investigations")
        headers += [o["tasks_header"], o["total_header"]]
        cols += ["tasks", "total"]
        add(
            (
                "table",
                o["table_caption"].format(n=next(tables_n), who=who, **common),
                headers,
                [[str(r[c]) for c in cols] for r in head.iter_rows(named=True)],
            )
        )
    if not data.tasks_from_mart:
        add(("body", o["no_tasks"]))

    # 六、下一步工作
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["next_steps"]))
    for i, line in enumerate(t["next_steps"]["lines"], start=1):
        add(("body", f"{i}．{line}"))
    return d


def trend_figure(data: CloseoutData) -> go.Figure:
    """The app's yearly bars (the 事故 page's 逐年事故起数与死亡人数), with the 重大隐患 found."""
    years = data.years.with_columns(pl.col("year").cast(pl.String))
    return figures.bars(years, "year", ["accidents", "deaths", "major_hazards_found"])


# ---------------------------------------------------------------------------------- writing


def write_closeout_docx(
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    today: date | None = None,
    render: Callable[[go.Figure], bytes] = render_png,
) -> Path:
    """Write the 三年行动总结评估 (.docx) as of D and return its path."""
    tpl = load_template()
    data = read(warehouse, tpl)
    out = Path(out or f"三年行动总结评估-{data.as_of:%Y%m%d}.docx")
    return write_docx(
        draft(data, tpl), out, signature_date=tpl["signature_date"], render=render, today=today
    )
