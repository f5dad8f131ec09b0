"""`zhiben report --quarter 2026Q3 --format docx`: the quarterly 晾晒通报 as a Word document in
the official layout (zhiben.report.gbt9704), beside the workbook (zhiben.report.workbook).

Every figure in the text is read from the served warehouse; every fixed word is in
`templates/quarterly.toml` (the office edits that file, not this one); numbers, shares and
上升/下降/持平 read as `zhiben.report.cnfmt` writes them. `draft` turns the data into the
document's blocks (pure: tests feed it a quarter with a veto or a tie); `write_quarterly_docx`
reads, drafts and writes (`zhiben.report.document`, shared with the monthly 通报 and the
close-out). The chart is the app's ranking figure (`figures.score_stack`) rendered by kaleido;
when that fails the document says so in place of the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from zhiben import periods
from zhiben.app_logic import figures
from zhiben.app_logic.labels import format_target_value, label, target_status_reason
from zhiben.report import cnfmt
from zhiben.report.document import Draft, load_template, render_png, write_docx
from zhiben.report.rank import quarter_evaluation
from zhiben.report.workbook import zero_penalty_units
from zhiben.warehouse import as_of_date, query

TIE = 1e-9  # totals within 1e-9 tie (the ranking rule, SPEC §7)

__all__ = ["Draft", "QuarterData", "draft", "load_template", "read", "write_quarterly_docx"]


# ---------------------------------------------------------------------------------- reading


@dataclass
class QuarterData:
    quarter: str
    as_of: date
    evaluation: pl.DataFrame  # mart_quarterly_evaluation, rank order
    stats: dict[str, dict[str, float]]  # quarter → summed mart_region_industry_stats
    weights: dict[str, float]  # i1 … → weight (mart_evaluation_method)
    zero_penalty: pl.DataFrame  # mart_enforcement rows with is_zero_penalty, + unit_name
    overdue: pl.DataFrame  # unit_name, overdue, listed — open overdue 重大隐患 by unit, as of D
    targets: pl.DataFrame  # mart_target_progress
    missed: pl.DataFrame  # per target, its earliest passed milestone that was missed


def read(quarter: str, warehouse: str | Path | None = None) -> QuarterData:
    evaluation = quarter_evaluation(quarter, path=warehouse)
    year, q = periods.parse_quarter(quarter)
    compare = [quarter, periods.previous_quarter(quarter), f"{year - 1}Q{q}"]
    stats = query(
        """
        select quarter, sum(hazards_found)::bigint as hazards_found,
            sum(major_hazards_found)::bigint as major_hazards_found,
            sum(accidents)::bigint as accidents, sum(deaths)::bigint as deaths,
            sum(inspections)::bigint as inspections, sum(penalty_cases)::bigint as penalty_cases
        from mart_region_industry_stats where quarter in (?, ?, ?) group by quarter
        """,
        compare,
        path=warehouse,
    )
    weights = query(
        "select item_id, weight from mart_evaluation_method "
        "where scope = 'unit' and item_type = 'indicator' order by sort_order",
        path=warehouse,
    )
    return QuarterData(
        quarter=quarter,
        as_of=as_of_date(warehouse),
        evaluation=evaluation,
        stats={r["quarter"]: r for r in stats.iter_rows(named=True)},
        weights={
            str(r["item_id"]).lower(): float(r["weight"]) for r in weights.iter_rows(named=True)
        },
        zero_penalty=zero_penalty_units(quarter, warehouse),
        overdue=query(
            """
            select units.unit_name, count(*) as overdue,
                count(*) filter (where ledger.is_listed_supervision) as listed
            from mart_major_hazard_ledger as ledger
            left join dim_unit as units on ledger.unit_code = units.unit_code
            where ledger.is_overdue
            group by units.unit_name, ledger.unit_code
            order by overdue desc, ledger.unit_code
            """,
            path=warehouse,
        ),
        targets=query("select * from mart_target_progress order by sort_order", path=warehouse),
        missed=query(
            """
            select target_id, milestone_date, target_value, actual
            from mart_target_milestones
            where is_passed and not is_met
            qualify row_number() over (partition by target_id order by milestone_date) = 1
            """,
            path=warehouse,
        ),
    )


# ---------------------------------------------------------------------------------- drafting


def _share(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def draft(data: QuarterData, tpl: dict[str, Any] | None = None) -> Draft:
    tpl = tpl or load_template()
    ev = data.evaluation.sort("rank")
    title_long = periods.quarter_title(data.quarter, data.as_of, long=True)
    common = {"quarter_title": title_long, "as_of": cnfmt.cn_date(data.as_of)}
    year = periods.parse_quarter(data.quarter)[0]
    d = Draft(
        title=tpl["title"].format(**common),
        doc_number=tpl["doc_number"].format(year=data.as_of.year),
        issuer=tpl["issuer"],
    )
    h = tpl["headings"]
    add = d.blocks.append
    add(("body", tpl["addressee"], False))
    add(("body", tpl["intro"].format(**common)))
    sections = iter(range(1, 100))

    # 一、总体情况
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["overview"]))
    o = tpl["overview"]
    zero = dict.fromkeys(
        (
            "hazards_found",
            "major_hazards_found",
            "accidents",
            "deaths",
            "inspections",
            "penalty_cases",
        ),
        0,
    )
    now = data.stats.get(data.quarter, zero)
    prev = data.stats.get(periods.previous_quarter(data.quarter))
    a_year_before = data.stats.get(f"{year - 1}Q{periods.parse_quarter(data.quarter)[1]}")
    major_total = int(ev["major_hazards"].sum())
    major_rectified = int(ev["major_hazards_rectified"].sum())
    due = int(ev["hazards_due"].sum())
    due_on_time = int(ev["hazards_due_rectified_on_time"].sum())
    add(
        (
            "body",
            o["hazards"].format(
                **common,
                hazards_found=cnfmt.count(now["hazards_found"]),
                hazards_qoq=cnfmt.change(
                    now["hazards_found"], prev and prev["hazards_found"], "环比"
                ),
                hazards_yoy=cnfmt.change(
                    now["hazards_found"], a_year_before and a_year_before["hazards_found"], "同比"
                ),
                major_found=cnfmt.count(now["major_hazards_found"]),
                major_total=cnfmt.count(major_total),
                major_rectified=cnfmt.count(major_rectified),
                major_rate=cnfmt.pct(_share(major_rectified, major_total)),
                due=cnfmt.count(due),
                due_rate=cnfmt.pct(_share(due_on_time, due)),
            ),
        )
    )
    sentences = [
        o["enforcement"].format(
            inspections=cnfmt.count(now["inspections"]),
            penalty_cases=cnfmt.count(now["penalty_cases"]),
        )
    ]
    if now["accidents"]:
        sentences.append(
            o["accidents"].format(
                accidents=cnfmt.count(now["accidents"]),
                deaths=cnfmt.count(now["deaths"]),
                accidents_yoy=cnfmt.change(
                    now["accidents"], a_year_before and a_year_before["accidents"], "同比"
                ),
            )
        )
    else:
        sentences.append(o["no_accidents"])
    larger = ev.filter(pl.col("larger_accidents") > 0)
    if larger.height:
        sentences.append(
            o["larger"].format(
                units=cnfmt.join(larger["unit_name"].to_list()),
                n=cnfmt.count(larger["larger_accidents"].sum()),
            )
        )
    elif now["accidents"]:
        sentences.append(o["no_larger"])
    add(("body", "".join(sentences)))

    # 二、镇街考评排名
    r = tpl["ranking"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["ranking"]))
    add(("heading", 2, "一", h["ranking_result"]))
    names = ev["unit_name"].to_list()
    ranking = [r["top_bottom"].format(top3=cnfmt.join(names[:3]), bottom3=cnfmt.join(names[-3:]))]
    vetoed = ev.filter(pl.col("veto"))["unit_name"].to_list()
    ranking.append(r["veto"].format(units=cnfmt.join(vetoed)) if vetoed else r["no_veto"])
    ranking += [
        r["tie"].format(units=cnfmt.join(units), score=cnfmt.score(total))
        for units, total in _ties(ev)
    ]
    add(("body", "".join(ranking)))
    add(
        (
            "table",
            r["table_caption"].format(**common),
            [
                label("rank"),
                label("unit_name"),
                label("total_score"),
                label("prev_rank"),
                label("rank_change"),
                label("remark"),
            ],
            [
                [
                    str(row["rank"]),
                    row["unit_name"],
                    cnfmt.score(row["total_score"]),
                    cnfmt.count(row["prev_rank"]),
                    cnfmt.rank_change(row["rank_change"]),
                    label("veto") if row["veto"] else "",
                ]
                for row in ev.iter_rows(named=True)
            ],
        )
    )
    add(("chart", r["chart_caption"].format(**common), ranking_figure(data), r["chart_missing"]))
    add(("heading", 2, "二", h["ranking_changes"]))
    threshold = int(tpl["mover_threshold"])
    if ev["prev_rank"].is_null().all():
        add(("body", r["no_previous"]))
    else:
        movers = ev.filter(pl.col("rank_change").abs() >= threshold).sort(
            [pl.col("rank_change").abs(), "rank"], descending=[True, False]
        )
        if movers.height:
            moves = "；".join(
                r["move"].format(unit=m["unit_name"], change=cnfmt.rank_change(m["rank_change"]))
                for m in movers.iter_rows(named=True)
            )
            add(("body", r["moves"].format(moves=moves)))
        else:
            add(("body", r["no_moves"].format(threshold=threshold)))

    # 三、执法检查情况
    e = tpl["enforcement"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["enforcement"]))
    zp = data.zero_penalty
    if zp.height:
        add(
            (
                "body",
                e["zero_penalty"].format(
                    units=cnfmt.join(zp["unit_name"].to_list()),
                    n=cnfmt.count(zp.height),
                    inspections=cnfmt.count(zp["own_inspections"].sum()),
                ),
            )
        )
    else:
        add(("body", e["no_zero_penalty"]))

    # 四、重大事故隐患整改情况
    g = tpl["ledger"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["ledger"]))
    od = data.overdue
    if od.height:
        by_unit = "、".join(
            g["overdue_unit"].format(unit=u["unit_name"], n=cnfmt.count(u["overdue"]))
            for u in od.iter_rows(named=True)
        )
        add(
            (
                "body",
                g["overdue"].format(
                    **common,
                    overdue=cnfmt.count(od["overdue"].sum()),
                    listed=cnfmt.count(od["listed"].sum()),
                    by_unit=by_unit,
                ),
            )
        )
        add(
            (
                "table",
                g["table_caption"].format(**common),
                [label("unit_name"), label("is_overdue"), "其中" + label("is_listed_supervision")],
                [
                    [u["unit_name"], cnfmt.count(u["overdue"]), cnfmt.count(u["listed"])]
                    for u in od.iter_rows(named=True)
                ],
            )
        )
    else:
        add(("body", g["no_overdue"].format(**common)))

    # 五、三年行动目标进展
    t = tpl["targets"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["targets"]))
    targets = data.targets
    status = targets["status"].to_list()
    add(
        (
            "body",
            t["summary"].format(
                **common,
                n=cnfmt.count(targets.height),
                met=status.count("达成"),
                on_track=status.count("进行中"),
                at_risk=status.count("有风险"),
                missed=status.count("未达成"),
            ),
        )
    )
    missed = {m["target_id"]: m for m in data.missed.iter_rows(named=True)}
    for i, row in enumerate(targets.iter_rows(named=True), start=1):
        tid = row["target_id"]
        why = ""
        if row["status"] == "达成" or (row["status"] == "未达成" and tid not in missed):
            # the deciding milestone (SPEC §10.4): 达成 — the last one; 未达成 without a missed
            # milestone — the year's count can no longer stay within its bound
            why = target_status_reason(row).split("：", 1)[1] + "；"
        if row["status"] == "未达成" and tid in missed:
            m = missed[tid]
            why = (
                t["missed"].format(
                    date=cnfmt.cn_date(m["milestone_date"]),
                    target=format_target_value(tid, m["target_value"]),
                    actual=format_target_value(tid, m["actual"]),
                )
                + "；"
            )
        details = [t["actual"].format(actual=format_target_value(tid, row["actual"]))]
        if row["expected_value"] is not None:
            details.append(
                t["expected"].format(expected=format_target_value(tid, row["expected_value"]))
            )
        if row["next_milestone"] is not None and row["next_target_value"] is not None:
            details.append(
                t["next_milestone"].format(
                    date=cnfmt.cn_date(row["next_milestone"]),
                    value=format_target_value(tid, row["next_target_value"]),
                )
            )
        line = t["line"].format(
            target_id=tid,
            target=row["target"],
            status=row["status"],
            details=why + "，".join(details),
        )
        add(("body", f"{i}．{line}。"))

    # 六、工作要求
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["requirements"]))
    for i, line in enumerate(tpl["requirements"]["lines"], start=1):
        add(("body", f"{i}．{line}"))
    return d


def _ties(ev: pl.DataFrame) -> list[tuple[list[str], float]]:
    """Groups of units (rank order) whose totals tie within 1e-9, with that total."""
    groups: list[tuple[list[str], float]] = []
    rows = [r for r in ev.sort("rank").iter_rows(named=True) if r["total_score"] is not None]
    i = 0
    while i < len(rows):
        j = i + 1
        while j < len(rows) and abs(rows[j]["total_score"] - rows[i]["total_score"]) <= TIE:
            j += 1
        if j - i > 1:
            groups.append(([r["unit_name"] for r in rows[i:j]], rows[i]["total_score"]))
        i = j
    return groups


# ---------------------------------------------------------------------------------- chart


def ranking_figure(data: QuarterData) -> go.Figure:
    """The app's ranking chart (the 季度考评排名 page): weighted score breakdown per unit."""
    breakdown = figures.weighted_breakdown(data.evaluation, data.weights)
    return figures.score_stack(breakdown)


# ---------------------------------------------------------------------------------- writing


def write_quarterly_docx(
    quarter: str,
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    today: date | None = None,
    render: Callable[[go.Figure], bytes] = render_png,
) -> Path:
    """Write the quarter's 晾晒通报 (.docx) and return its path (default `通报-<quarter>.docx`)."""
    out = Path(out or f"通报-{quarter}.docx")
    tpl = load_template()
    d = draft(read(quarter, warehouse), tpl)
    return write_docx(d, out, signature_date=tpl["signature_date"], render=render, today=today)
