"""月调度 (plan §三.四, SPEC §10.4): the month by unit from mart_monthly_dispatch with the change
against the month before (环比) and the same month a year before (同比), the 12-month trend and
the units that worsened. The computation is `zhiben.monthly`."""

import streamlit as st

from zhiben import monthly, periods
from zhiben.app_logic import figures, queries, ui

f = ui.page_header(
    "月调度",
    "各镇街本月数字及环比(较上月)、同比(较上年同月)变化;重大隐患未改、逾期为月末(本月未结束的为数据截止日)状态。"
    "侧栏“镇街”筛选适用于本页,季度、行业筛选不适用。",
)
if not ui.require("mart_monthly_dispatch"):
    st.stop()

as_of = ui.build_info().as_of_date
dispatch = ui.q(queries.monthly_dispatch, unit_code=f.unit_code)
months = sorted(set(dispatch["month"].to_list()), reverse=True)
if not months:
    st.info("尚无月度数据。")
    st.stop()
current = periods.month_of(as_of)
month = st.selectbox(
    "月份",
    months,
    index=months.index(current) if current in months else 0,
    key="md_month",
    format_func=lambda m: periods.month_title(m, as_of),
)
title = periods.month_title(month, as_of)
scope = f.unit_name or "全区"

changes = monthly.month_changes(dispatch, month)
st.subheader(f"{title} 各镇街月调度")
ui.table(changes, key="md_units", file_name=f"月调度_{month}", title=f"月调度 {title}")

st.subheader(f"{scope}近 12 个月走势(至 {title})")
trend = monthly.region_trend(dispatch, month)
ui.plot(figures.monthly_trend(trend, title=f"{scope}近 12 个月走势"), key="md_trend")

st.subheader(f"{title} 较上月恶化的镇街")
st.caption("月末重大隐患逾期数、事故起数或死亡人数多于上月的镇街。")
worse = monthly.worsened(changes)
if worse.is_empty():
    st.success("本月没有较上月恶化的镇街。")
ui.table(worse, key="md_worse", file_name=f"月调度_恶化镇街_{month}", title=f"较上月恶化 {title}")
