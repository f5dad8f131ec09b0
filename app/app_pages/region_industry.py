"""分区域分行业: the unit × industry grid of mart_region_industry_stats (heatmap with a metric
selector), its quarterly trend and the table behind it."""

import polars as pl
import streamlit as st

from zhiben import periods
from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import REGION_INDUSTRY_METRICS

f = ui.page_header("分区域分行业", "重大事故隐患分区域、分行业统计分析(方案 二.4)。")
if not ui.require("mart_region_industry_stats") or not f.quarter:
    st.stop()

c1, c2 = st.columns([3, 2])
metric = c1.selectbox(
    "指标", list(REGION_INDUSTRY_METRICS), format_func=REGION_INDUSTRY_METRICS.get, key="ri_metric"
)
span = c2.radio("期间", ["所选季度", "本年累计"], horizontal=True, key="ri_span")
period = f.quarter if span == "所选季度" else periods.quarters_to_date(f.quarter)
grid = ui.q(
    queries.region_industry, quarter=period, unit_code=f.unit_code, industry_code=f.industry_code
)
label_period = f.quarter if span == "所选季度" else f"{f.year} 年 1 季度至 {f.quarter_title}"
ui.plot(
    figures.heatmap(grid, metric, title=f"{REGION_INDUSTRY_METRICS[metric]} · {label_period}"),
    key="ri_heat",
)

st.subheader("季度趋势")
trend_all = ui.q(queries.region_industry, unit_code=f.unit_code, industry_code=f.industry_code)
by_unit = (
    trend_all.group_by("quarter", "unit_name")
    .agg(pl.col(metric).sum())
    .sort("quarter", "unit_name")
)
t1, t2 = st.columns(2)
with t1:
    total = by_unit.group_by("quarter").agg(pl.col(metric).sum()).sort("quarter")
    ui.plot(figures.lines(total, "quarter", [metric], title="合计"), key="ri_total")
with t2:
    ui.plot(
        figures.lines(by_unit, "quarter", [metric], color="unit_name", title="分镇街"),
        key="ri_units",
    )

st.subheader("明细")
keep = [
    c
    for c in ("quarter", "unit_name", "industry_name", *REGION_INDUSTRY_METRICS)
    if c in grid.columns
]
ui.table(
    grid.select(keep),
    key="ri_table",
    file_name=f"分区域分行业_{f.quarter}",
    title="分区域分行业统计",
)
