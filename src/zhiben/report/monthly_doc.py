"""`zhiben report --month 2026-11 --format docx`: the monthly 月调度通报 (plan §三.四, SPEC §10.4) as
a Word document in the official layout, beside the workbook (`zhiben.report.monthly`).

The figures are the workbook's (`monthly.read_month`: `mart_monthly_dispatch` by unit with 环比 /
同比, the region's total and 12-month trend, the worsened units, the 重大隐患 open and overdue at the
month's end); the fixed words are `templates/monthly.toml`; the chart is the
app's 月调度 trend figure (`figures.monthly_trend`). `draft` is pure; `write_monthly_docx` reads,
drafts and writes through `zhiben.report.document`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from zhiben import monthly
from zhiben.app_logic import figures
from zhiben.app_logic.labels import label
from zhiben.periods import month_title
from zhiben.report import cnfmt
from zhiben.report.document import Draft, load_template, render_png, write_docx
from zhiben.report.monthly import read_month

#: the by-unit table's figures, in its column order
TABLE_METRICS = (
    "hazards_found",
    "major_hazards_found",
    "hazards_rectified",
    "major_overdue_at_month_end",
    "accidents",
    "deaths",
    "inspections",
    "penalty_cases",
)


def _previous(row: dict[str, Any], metric: str, suffix: str) -> float | None:
    """The compared month's value (this month − the change), None without one."""
    delta = row.get(f"{metric}{suffix}")
    return None if delta is None else row[metric] - delta


def draft(month: str, data: dict[str, Any], tpl: dict[str, Any] | None = None) -> Draft:
    """The month's 通报 as blocks, from `monthly.read_month`'s figures."""
    full = tpl or load_template()
    t = full["monthly"]
    as_of: date = data["as_of"]
    month_end: date = data["month_as_of"]
    common = {
        "month_title": month_title(month, as_of),
        "as_of": cnfmt.cn_date(as_of),
        "month_end": cnfmt.cn_date(month_end),
    }
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

    # 一、总体情况
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["overview"]))
    o = t["overview"]
    region = data["region"].row(0, named=True)

    def mom(metric: str) -> str:
        return cnfmt.change(region[metric], _previous(region, metric, monthly.MOM), "环比")

    def yoy(metric: str) -> str:
        return cnfmt.change(region[metric], _previous(region, metric, monthly.YOY), "同比")

    add(
        (
            "body",
            o["hazards"].format(
                **common,
                hazards_found=cnfmt.count(region["hazards_found"]),
                hazards_mom=mom("hazards_found"),
                hazards_yoy=yoy("hazards_found"),
                major_found=cnfmt.count(region["major_hazards_found"]),
                rectified=cnfmt.count(region["hazards_rectified"]),
                major_open=cnfmt.count(region["major_open_at_month_end"]),
                major_overdue=cnfmt.count(region["major_overdue_at_month_end"]),
                overdue_mom=mom("major_overdue_at_month_end"),
            ),
        )
    )
    sentences = [
        o["enforcement"].format(
            inspections=cnfmt.count(region["inspections"]),
            penalty_cases=cnfmt.count(region["penalty_cases"]),
            fines=cnfmt.wan(region["fines_yuan"]),
        )
    ]
    if region["accidents"]:
        sentences.append(
            o["accidents"].format(
                accidents=cnfmt.count(region["accidents"]),
                deaths=cnfmt.count(region["deaths"]),
                accidents_mom=mom("accidents"),
                accidents_yoy=yoy("accidents"),
            )
        )
    else:
        sentences.append(o["no_accidents"])
    add(("body", "".join(sentences)))

    # 二、各镇街情况
    u = t["units"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["units"]))
    by_unit: pl.DataFrame = data["by_unit"]
    ranked = by_unit.sort(["hazards_found", "unit_code"], descending=[True, False])
    top, bottom = ranked.row(0, named=True), ranked.row(-1, named=True)
    add(
        (
            "body",
            u["most_least"].format(
                most=top["unit_name"],
                most_n=cnfmt.count(top["hazards_found"]),
                least=bottom["unit_name"],
                least_n=cnfmt.count(bottom["hazards_found"]),
            ),
        )
    )
    rows = [
        [r["unit_name"], *(cnfmt.count(r[m]) for m in TABLE_METRICS)]
        for r in [*by_unit.iter_rows(named=True), {**region, "unit_name": t["region_row"]}]
    ]
    add(
        (
            "table",
            u["table_caption"].format(**common),
            [label("unit_name"), *(label(m) for m in TABLE_METRICS)],
            rows,
            (28, *(128 / len(TABLE_METRICS),) * len(TABLE_METRICS)),  # the 版心 is 156 mm
        )
    )
    add(
        (
            "chart",
            u["chart_caption"].format(**common),
            trend_figure(data),
            u["chart_missing"],
        )
    )

    # 三、较上月恶化的镇街
    w = t["worsened"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["worsened"]))
    worse: pl.DataFrame = data["worsened"]
    if worse.height:
        items = "；".join(
            w["item"].format(
                unit=r["unit_name"],
                what="、".join(
                    w["rose"].format(what=label(m), n=cnfmt.count(r[f"{m}{monthly.MOM}"]))
                    for m in monthly.WORSE_WHEN_UP
                    if (r.get(f"{m}{monthly.MOM}") or 0) > 0
                ),
            )
            for r in worse.iter_rows(named=True)
        )
        add(("body", w["some"].format(n=cnfmt.count(worse.height), items=items)))
    else:
        add(("body", w["none"]))

    # 四、逾期重大事故隐患
    g = t["overdue"]
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["overdue"]))
    overdue: pl.DataFrame = data["overdue"]
    if overdue.height:
        counts = (
            overdue.group_by("unit_code", "unit_name")
            .agg(
                pl.len().alias("n"),
                pl.col("overdue_days_at_month_end").max().alias("max_days"),
            )
            .sort(["n", "unit_code"], descending=[True, False])
        )
        longest = overdue.row(0, named=True)  # read_month orders by overdue days
        add(
            (
                "body",
                g["some"].format(
                    **common,
                    n=cnfmt.count(overdue.height),
                    by_unit="、".join(
                        g["unit"].format(unit=r["unit_name"], n=cnfmt.count(r["n"]))
                        for r in counts.iter_rows(named=True)
                    ),
                    longest_unit=longest["unit_name"],
                    longest_days=cnfmt.count(longest["overdue_days_at_month_end"]),
                ),
            )
        )
        add(
            (
                "table",
                g["table_caption"].format(**common),
                [label("unit_name"), g["count_header"], g["days_header"]],
                [
                    [r["unit_name"], cnfmt.count(r["n"]), cnfmt.count(r["max_days"])]
                    for r in counts.iter_rows(named=True)
                ],
            )
        )
    else:
        add(("body", g["none"].format(**common)))

    # 五、工作要求
    add(("heading", 1, cnfmt.cn_numeral(next(sections)), h["requirements"]))
    for i, line in enumerate(t["requirements"]["lines"], start=1):
        add(("body", f"{i}．{line}"))
    return d


def trend_figure(data: dict[str, Any]) -> go.Figure:
    """The app's 月调度 trend chart (the 月调度 page): the region's last 12 months."""
    return figures.monthly_trend(data["trend"])


def write_monthly_docx(
    month: str,
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    today: date | None = None,
    render: Callable[[go.Figure], bytes] = render_png,
) -> Path:
    """Write the month's 通报 (.docx) and return its path (default `月调度通报-<month>.docx`)."""
    tpl = load_template()
    d = draft(month, read_month(month, warehouse), tpl)
    out = Path(out or f"月调度通报-{month}.docx")
    return write_docx(d, out, signature_date=tpl["signature_date"], render=render, today=today)
