"""`zhiben report --month 2026-11`: the monthly 通报 (月调度通报, plan §三.四; SPEC §10.4) as an
xlsx workbook, with the quarterly 通报's layout (`zhiben.report.workbook`).

Sheets: 月调度 (the month by unit with 环比 / 同比 and the region's total), 较上月恶化 (the units whose
open overdue 重大隐患, accidents or deaths rose against the month before), 近12个月走势 (the region's
figures month by month, with a chart), 月末逾期重大隐患 (the 重大隐患 ledger's items open and past
their deadline at the month's end — or D, for the running month). A month not yet over as of D
reads '2026年12月（暂定，截至12月4日）' (`periods.month_title`). The changes are `zhiben.monthly`'s.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from zhiben import monthly
from zhiben.periods import month_range, month_title, shift_month
from zhiben.report.workbook import ISSUER, Col, L, _Context, _formats, _table, _table_or_note
from zhiben.warehouse import as_of_date, query

MONTH_SHEETS = ("月调度", "较上月恶化", "近12个月走势", "月末逾期重大隐患")
REGION = "全区合计"


def write_monthly_report(
    month: str,
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    built_at: datetime | None = None,
) -> Path:
    """Write the month's 通报 workbook and return its path (default `月调度通报-<month>.xlsx`)."""
    month_range(month)  # a Chinese + English ValueError on a bad key
    data = read_month(month, warehouse)
    title = month_title(month, data["as_of"])
    out = Path(out or f"月调度通报-{month}.xlsx")
    built_at = built_at or datetime.now().astimezone()

    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out))
    try:
        wb.set_properties(
            {"title": f"{title}安全生产月调度通报", "author": ISSUER, "company": ISSUER}
        )
        ctx = _Context(
            wb,
            _formats(wb),
            month,
            title,
            data["as_of"],
            built_at,
            period_text=f"通报月份: {title}    月末状态统计日: {data['month_as_of']:%Y-%m-%d}",
        )
        _dispatch_sheet(ctx, data)
        _worsened_sheet(ctx, data)
        _trend_sheet(ctx, data)
        _overdue_sheet(ctx, data)
    finally:
        wb.close()
    return out


def read_month(month: str, warehouse: str | Path | None = None) -> dict[str, Any]:
    """The month's figures from the served warehouse: by unit with their changes, the region's
    total and 12-month trend, the worsened units, the open overdue 重大隐患 at the month's end."""
    as_of = as_of_date(warehouse)
    dispatch = query(
        """
        select dispatch.*, units.unit_name
        from mart_monthly_dispatch as dispatch
        left join dim_unit as units on dispatch.unit_code = units.unit_code
        where dispatch.month between ? and ?
        order by dispatch.month, units.sort_order, dispatch.unit_code
        """,
        [shift_month(month, -12), month],
        path=warehouse,
    )
    rows = dispatch.filter(pl.col("month") == month)
    if rows.is_empty():
        raise ValueError(
            f"没有 {month} 的月调度数据（数据自 2023-01 起，至数据截止日 {as_of:%Y-%m} 止）"
            f" / no monthly figures for {month}"
        )
    month_as_of: date = rows["month_as_of"][0]
    order = rows.select("unit_code").with_row_index("order")
    by_unit = (
        monthly.month_changes(dispatch, month)
        .join(order, on="unit_code")
        .sort("order")
        .drop("order")
    )
    region = (
        dispatch.group_by("month")
        .agg(pl.col(monthly.METRICS).sum())
        .with_columns(pl.lit("").alias("unit_code"), pl.lit(REGION).alias("unit_name"))
    )
    ledger = query(
        """
        select ledger.*, units.unit_name, industries.industry_name,
            date_diff('day', ledger.deadline, cast(? as date)) as overdue_days_at_month_end
        from mart_major_hazard_ledger as ledger
        left join dim_unit as units on ledger.unit_code = units.unit_code
        left join dim_industry as industries on ledger.industry_code = industries.industry_code
        where ledger.found_date <= cast(? as date)
            and not coalesce(ledger.is_rectified and ledger.rectified_date <= cast(? as date), false)
            and ledger.deadline < cast(? as date)
        order by overdue_days_at_month_end desc, ledger.unit_code, ledger.hazard_id
        """,
        [month_as_of] * 4,
        path=warehouse,
    )
    return {
        "as_of": as_of,
        "month_as_of": month_as_of,
        "by_unit": by_unit,
        "region": monthly.month_changes(region, month),
        "trend": monthly.region_trend(dispatch, month),
        "worsened": monthly.worsened(by_unit),
        "overdue": ledger,
    }


def _metric_columns() -> list[Col]:
    out: list[Col] = []
    for m in monthly.METRICS:
        fmt = "money" if m.endswith("_yuan") else "int"
        out += [
            L(m, fmt, 10),
            L(f"{m}{monthly.MOM}", "delta", 9),
            L(f"{m}{monthly.YOY}", "delta", 9),
        ]
    return out


def _dispatch_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("月调度")
    cols = [L("unit_name", "text", 16), *_metric_columns()]
    top = ctx.title_block(
        ws,
        f"{ctx.label}安全生产月调度通报",
        len(cols),
        [
            "环比 = 本月 − 上月，同比 = 本月 − 上年同月（2023年以前无数据的为空）；"
            "重大隐患未改、逾期为月末（本月未结束的为数据截止日）状态，其余按各自日期归入月份。"
        ],
    )
    rows = [*data["by_unit"].to_dicts(), *data["region"].to_dicts()]
    _table(ctx, ws, top, cols, rows)
    ws.freeze_panes(top + 1, 1)


def _worsened_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("较上月恶化")
    worse: pl.DataFrame = data["worsened"]
    cols = [
        L("unit_name", "text", 16),
        L("worsened_on", "wrap", 40),
        *[
            c
            for m in monthly.WORSE_WHEN_UP
            for c in (L(m, "int", 10), L(f"{m}{monthly.MOM}", "delta", 10))
        ],
    ]
    top = ctx.title_block(
        ws,
        f"{ctx.label}较上月恶化的镇街",
        len(cols),
        ["月末重大隐患逾期数、事故起数或死亡人数多于上月的镇街。"],
    )
    _table_or_note(ctx, ws, top, cols, worse.to_dicts(), "本月没有较上月恶化的镇街。")


def _trend_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    name = "近12个月走势"
    ws = ctx.sheet(name)
    trend: pl.DataFrame = data["trend"]
    cols = [
        L("month", "center", 10),
        *[L(m, "money" if m.endswith("_yuan") else "int", 10) for m in monthly.METRICS],
    ]
    top = ctx.title_block(
        ws,
        f"全区近12个月安全生产走势（至{ctx.label}）",
        len(cols),
        ["各镇街合计；本月未结束的，按数据截止日统计。"],
    )
    end = _table(ctx, ws, top, cols, trend.to_dicts())
    chart = ctx.wb.add_chart({"type": "line"})
    for key, color in (
        ("major_overdue_at_month_end", "#C00000"),
        ("accidents", "#ED7D31"),
        ("major_hazards_found", "#2F75B5"),
    ):
        c = 1 + monthly.METRICS.index(key)
        chart.add_series(
            {
                "name": [name, top, c],
                "categories": [name, top + 1, 0, end - 1, 0],
                "values": [name, top + 1, c, end - 1, c],
                "line": {"color": color},
                "marker": {"type": "circle"},
            }
        )
    chart.set_title({"name": "全区近12个月走势", "name_font": {"name": "宋体", "size": 12}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 380})
    ws.insert_chart(end + 1, 0, chart)


def _overdue_sheet(ctx: _Context, data: dict[str, Any]) -> None:
    ws = ctx.sheet("月末逾期重大隐患")
    overdue: pl.DataFrame = data["overdue"]
    cols = [
        L("hazard_id", "text", 16),
        L("unit_name", "text", 14),
        L("enterprise_name", "text", 28),
        L("industry_name", "text", 10),
        L("found_date", "date", 11),
        L("deadline", "date", 11),
        L("overdue_days_at_month_end", "int", 9),
        L("rectified_date", "date", 11),
        L("is_listed_supervision", "center", 8),
        L("supervision_level", "center", 8),
        L("source", "center", 9),
        L("campaign", "text", 14),
    ]
    top = ctx.title_block(
        ws,
        f"{ctx.label}月末逾期未整改重大事故隐患",
        len(cols),
        [
            f"截至 {data['month_as_of']:%Y-%m-%d} 已过整改期限仍未整改的重大隐患 {overdue.height} 项"
            "（按当前掌握的记录状态），逾期天数多的排在前；整改完成日期在月末之后的为月后整改。"
        ],
    )
    if overdue.is_empty():
        ws.write_string(top, 0, "月末没有逾期未整改的重大隐患。", ctx.fmt["note"])
        return
    _table(ctx, ws, top, cols, overdue.to_dicts())
    ws.freeze_panes(top + 1, 1)
