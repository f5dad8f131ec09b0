"""总览: the year's key figures with year-on-year arrows, the 13 targets as traffic lights, the
quarter's ranking at a glance."""

import polars as pl
import streamlit as st

from zhiben.app_logic import queries, ui
from zhiben.app_logic.figures import Kpi, year_to_date
from zhiben.app_logic.labels import TARGET_STATUS_LIGHT, rank_arrow

f = ui.page_header(
    "总览", "本年截至所选季度的主要指标(箭头为同比),三年行动目标信号灯,以及本季度考评排名。"
)


def show(kpis: list[Kpi]) -> None:
    for col, k in zip(st.columns(len(kpis)), kpis, strict=True):
        col.metric(
            k.label,
            k.value_text(),
            k.delta_text(),
            delta_color="inverse" if k.lower_is_better else "normal",
            border=True,
        )


if f.quarter and ui.require("mart_region_industry_stats"):
    st.subheader(f"{f.year} 年 1 季度至 {f.quarter} 累计(同比上年同期)")
    quarterly = ui.q(
        queries.region_industry_quarterly, unit_code=f.unit_code, industry_code=f.industry_code
    )
    cur, prev = year_to_date(quarterly, f.quarter)
    show(
        [
            Kpi("排查隐患", cur.get("hazards_found"), prev.get("hazards_found")),
            Kpi("重大隐患", cur.get("major_hazards_found"), prev.get("major_hazards_found"), True),
            Kpi("整改隐患", cur.get("hazards_rectified"), prev.get("hazards_rectified")),
            Kpi("执法检查", cur.get("inspections"), prev.get("inspections")),
            Kpi("处罚案件", cur.get("penalty_cases"), prev.get("penalty_cases")),
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
                Kpi("事故起数", t["accidents"], t["prev_accidents"], True),
                Kpi("死亡人数", t["deaths"], t["prev_deaths"], True),
            ),
            strict=True,
        ):
            col.metric(k.label, k.value_text(), k.delta_text(), delta_color="inverse", border=True)
        cols[2].metric(
            f"{f.year} 年事故双下降",
            "✅ 实现" if t["is_double_decline"] else "❌ 未实现",
            border=True,
            help="起数和死亡人数均同比下降(两年均为 0 也算);当年按 1 月 1 日至截止日同期比较。",
        )
    if ui.require("mart_major_hazard_ledger"):
        ledger = ui.q(
            queries.major_hazard_ledger, unit_code=f.unit_code, industry_code=f.industry_code
        )
        open_ = ledger.filter(~pl.col("is_rectified"))
        cols[3].metric("重大隐患未整改(截至今日)", f"{open_.height:,}", border=True)
        cols[4].metric(
            "其中逾期",
            f"{open_.filter(pl.col('is_overdue')).height:,}",
            border=True,
            help="逾期按督办升级:函告/通报/约谈/曝光,见“重大隐患清单”。",
        )

left, right = st.columns([3, 2])
with left:
    st.subheader("三年行动目标信号灯")
    if ui.require("mart_target_progress"):
        progress = ui.q(queries.target_progress)
        counts = progress.group_by("status").len()
        st.caption(
            "  ".join(
                f"{TARGET_STATUS_LIGHT.get(r['status'], '⚪')} {r['status']} {r['len']} 项"
                for r in counts.sort("status").iter_rows(named=True)
            )
        )
        grid = st.columns(3)
        for i, r in enumerate(progress.iter_rows(named=True)):
            with grid[i % 3]:
                light = TARGET_STATUS_LIGHT.get(r["status"], "⚪")
                st.markdown(f"{light} **{r['target_id']}** {r['target']}  \n`{r['status']}`")
with right:
    st.subheader(f"{f.quarter or ''} 考评排名")
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
