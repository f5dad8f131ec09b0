"""事故分析: 双下降 by unit (mart_accident_trend), accident types by reporting group, grades, late
reports and investigation deadlines (fct_accidents)."""

from datetime import timedelta

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import ACCIDENT_COLUMNS, label

f = ui.page_header(
    "事故分析", "事故起数和死亡人数逐年“双下降”;当年按 1 月 1 日至截止日与上年同期比较。"
)
if not f.year or not ui.require("mart_accident_trend"):
    st.stop()

trend = ui.q(queries.accident_trend, year=f.year, unit_code=f.unit_code)
all_years = ui.q(queries.accident_trend, unit_code=f.unit_code)
st.subheader(f"{f.year} 年分镇街双下降")
met = trend.filter(pl.col("is_double_decline")).height
st.caption(f"{met} / {trend.height} 个单位实现双下降")
c1, c2 = st.columns(2)
with c1:
    ui.plot(
        figures.bars(
            trend,
            "unit_name",
            ["prev_accidents", "accidents"],
            colors=["#90a4ae", "#c62828"],
            title="事故起数(上年同期 vs 本年)",
        ),
        key="ac_units",
    )
with c2:
    region = (
        all_years.group_by("year")
        .agg(pl.col("accidents", "deaths", "prev_accidents", "prev_deaths").sum())
        .sort("year")
        .with_columns(pl.col("year").cast(pl.String))
    )
    ui.plot(
        figures.bars(region, "year", ["accidents", "deaths"], title="逐年事故起数与死亡人数"),
        key="ac_years",
    )
ui.table(
    trend.select(
        [
            c
            for c in (
                "year",
                "unit_name",
                "accidents",
                "prev_accidents",
                "deaths",
                "prev_deaths",
                "accidents_met",
                "deaths_met",
                "is_double_decline",
            )
        ]
    ),
    key="ac_trend",
    file_name=f"事故双下降_{f.year}",
    title="事故双下降",
)

if not ui.require("fct_accidents"):
    st.stop()
acc = ui.q(queries.accidents, year=f.year, unit_code=f.unit_code, industry_code=f.industry_code)
st.subheader(f"{f.year} 年事故构成")
if acc.is_empty():
    st.info("所选范围内没有事故记录。")
    st.stop()
type_col = "reporting_group"
by_type = (
    acc.group_by(type_col)
    .agg(pl.len().alias("accidents"), pl.col("deaths").sum())
    .sort("accidents", descending=True)
)
GRADES = ["一般", "较大", "重大", "特别重大"]
by_grade = (
    acc.group_by("grade")
    .agg(pl.len().alias("accidents"))
    .sort(pl.col("grade").replace_strict(GRADES, list(range(4)), default=9))
)
k1, k2 = st.columns([3, 2])
with k1:
    ui.plot(
        figures.bars(
            by_type,
            type_col,
            ["accidents", "deaths"],
            horizontal=True,
            title="事故类型(统计口径,跨 GB 6441 新旧标准可比)",
        ),
        key="ac_types",
    )
with k2:
    ui.plot(
        figures.donut(by_grade, "grade", "accidents", title="事故等级(按条例认定)"), key="ac_grades"
    )

as_of = ui.build_info().as_of_date
late = acc.filter(pl.col("is_late_report").fill_null(False))
inv_over = acc.filter(pl.col("is_investigation_overdue").fill_null(False))
m = st.columns(4)
m[0].metric("事故起数", acc.height, border=True)
m[1].metric(label("is_late_report"), late.height, border=True)
m[2].metric("瞒报谎报", acc.filter(pl.col("is_concealed").fill_null(False)).height, border=True)
m[3].metric(label("is_investigation_overdue"), inv_over.height, border=True)

cols = list(ACCIDENT_COLUMNS)
tab1, tab2, tab3 = st.tabs(["调查期限", "迟报事故", "全部事故"])
with tab1:
    pending = acc.filter(pl.col("investigation_closed_date").is_null())
    if as_of is not None:
        soon = as_of + timedelta(days=30)
        pending = pending.filter(pl.col("investigation_due_date") <= soon)
    st.caption("尚无调查报告批复且已超期或 30 天内到期的事故")
    ui.table(
        pending.sort("investigation_due_date").select(cols),
        key="ac_inv",
        file_name=f"事故调查期限_{f.year}",
        title="事故调查期限",
    )
with tab2:
    ui.table(late.select(cols), key="ac_late", file_name=f"迟报事故_{f.year}", title="迟报事故")
with tab3:
    ui.table(acc.select(cols), key="ac_all", file_name=f"事故明细_{f.year}", title="事故明细")
