"""总览: the year's key figures with year-on-year arrows, the 13 targets as traffic lights, the
quarter's ranking at a glance."""

import polars as pl
import streamlit as st

from zhiben import periods
from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import TARGET_STATUS_BADGE, TARGET_STATUS_LIGHT, rank_arrow

f = ui.page_header(
    "总览", "本年截至所选季度的主要指标(箭头为同比),三年行动目标信号灯,以及本季度考评排名。"
)


def show(kpis: list[figures.Kpi]) -> None:
    for col, k in zip(st.columns(len(kpis)), kpis, strict=True):
        col.metric(
            k.label,
            k.value_text(),
            k.delta_text(),
            delta_color="inverse" if k.lower_is_better else "normal",
            border=True,
        )


if f.quarter and ui.require("fct_hazards", "fct_inspections", "fct_penalties"):
    as_of = ui.build_info().as_of_date
    start, end, pstart, pend = periods.year_to_date(f.quarter, as_of)
    st.subheader(f"{start:%Y年%-m月%-d日} 至 {end:%-m月%-d日} 累计")
    st.caption(f"同比:上年同期 {pstart:%Y年%-m月%-d日} 至 {pend:%-m月%-d日}")
    k = ui.q(
        queries.year_to_date_kpis,
        quarter=f.quarter,
        as_of=as_of,
        unit_code=f.unit_code,
        industry_code=f.industry_code,
    )

    def kpi(label: str, metric: str, lower_is_better: bool = False) -> figures.Kpi:
        cur, prev = k.get(metric, (None, None))
        return figures.Kpi(label, cur, prev, lower_is_better)

    show(
        [
            kpi("排查隐患", "hazards_found"),
            kpi("重大隐患", "major_hazards_found", True),
            kpi("整改隐患", "hazards_rectified"),
            kpi("执法检查", "inspections"),
            kpi("处罚案件", "penalty_cases"),
        ]
    )
if f.year and ui.require("mart_accident_trend"):
    if f.unit_code:
        trend = ui.q(queries.accident_trend, year=f.year, unit_code=f.unit_code)
    else:
        trend = ui.q(queries.accident_trend_region).filter(pl.col("year") == f.year)
    cols = st.columns(5)
    if trend.height:
        t = trend.row(0, named=True)
        for col, k in zip(
            cols[:2],
            (
                figures.Kpi("事故起数", t["accidents"], t["prev_accidents"], True),
                figures.Kpi("死亡人数", t["deaths"], t["prev_deaths"], True),
            ),
            strict=True,
        ):
            col.metric(k.label, k.value_text(), k.delta_text(), delta_color="inverse", border=True)
        cols[2].metric(
            f"{f.year} 年事故双下降",
            "实现" if t["is_double_decline"] else "未实现",
            border=True,
            help="起数和死亡人数均同比下降(两年均为 0 也算);当年按 1 月 1 日至截止日同期比较。",
        )
    if ui.require("mart_major_hazard_ledger"):
        ledger = ui.q(
            queries.major_hazard_ledger, unit_code=f.unit_code, industry_code=f.industry_code
        )
        open_ = ledger.filter(~pl.col("is_rectified"))
        cols[3].metric("重大隐患未整改(截至数据截止日)", f"{open_.height:,}", border=True)
        cols[4].metric(
            "其中逾期",
            f"{open_.filter(pl.col('is_overdue')).height:,}",
            border=True,
            help="逾期按督办升级:函告/通报/约谈/曝光,见“重大隐患清单”。",
        )

if f.quarter and ui.require("mart_region_industry_stats"):
    quarterly = ui.q(
        queries.region_industry_quarterly, unit_code=f.unit_code, industry_code=f.industry_code
    )
    shown = quarterly.filter(pl.col("quarter") <= f.quarter)
    ui.plot(
        figures.lines(
            shown,
            "quarter",
            ["hazards_found", "hazards_rectified", "open_overdue_at_quarter_end"],
            title="各季度隐患排查、整改与季末逾期未改",
        ),
        key="ov_trend",
    )

left, right = st.columns([3, 2])
with left:
    st.subheader("三年行动目标信号灯")
    if ui.require("mart_target_progress"):
        progress = ui.q(queries.target_progress)
        counts = dict(progress.group_by("status").len().iter_rows())
        st.markdown(
            "  ".join(
                f"{light} {status} {counts.get(status, 0)} 项"
                for status, light in TARGET_STATUS_LIGHT.items()
            )
        )
        grid = st.columns(3)
        for i, r in enumerate(progress.iter_rows(named=True)):
            with grid[i % 3]:
                badge = TARGET_STATUS_BADGE.get(r["status"], r["status"])
                st.markdown(f"**{r['target_id']}** {r['target']}  \n{badge}")
with right:
    st.subheader(f"{f.quarter_title} 考评排名")
    if f.quarter and ui.require("mart_quarterly_evaluation"):
        ev = ui.q(queries.quarterly_evaluation, quarter=f.quarter)
        if ev.is_empty():
            st.info("本季度尚无考评结果。")
        else:
            ev = ev.sort("rank").with_columns(
                pl.col("rank_change")
                .map_elements(rank_arrow, return_dtype=pl.String)
                .alias("rank_arrow")
            )
            ui.table(
                ev.select("rank", "rank_arrow", "unit_name", "total_score"),
                key="ov_rank",
                file_name=f"考评排名_{f.quarter}",
                title="季度考评排名",
            )
