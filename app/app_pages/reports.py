"""举报: the reports' handling loop (受理 → 核查 → 查实 → 反馈 → 奖励) and what is overdue by stage,
by channel and by unit, for a period of receipt. fct_reports holds no reporter field (举报人保密):
nothing here can show one. The logic is `zhiben.app_logic.report_handling`."""

from datetime import date

import polars as pl
import streamlit as st

from zhiben import periods
from zhiben.app_logic import figures, queries, report_handling, ui

f = ui.page_header(
    "举报处理",
    f"按受理日期统计举报的受理、核查、查实、反馈和奖励;逾期:受理满{report_handling.OVERDUE_DAYS}日"
    "仍未核查,或已核查但未反馈(匿名举报无需反馈),与目标 T12 的口径一致。举报人信息不入库、不显示。",
)
if not ui.require("fct_reports"):
    st.stop()

as_of = ui.build_info().as_of_date
scope = st.radio(
    "受理期间",
    ["所选季度", "所选季度所在年", "全部"],
    horizontal=True,
    key="rp_period",
)
start: date | None = None
end: date | None = None
if scope == "所选季度" and f.quarter:
    start, end = periods.quarter_range(f.quarter)
elif scope == "所选季度所在年" and f.year:
    start, end = date(f.year, 1, 1), date(f.year, 12, 31)
period_text = {"所选季度": f.quarter, "所选季度所在年": f"{f.year}年", "全部": "全部"}[scope]

reports = report_handling.in_period(ui.q(queries.reports, unit_code=f.unit_code), start, end)
total = report_handling.handling_loop(reports, as_of).row(0, named=True)
m = st.columns(len(report_handling.STAGES))
for col, (stage, name) in zip(m, report_handling.STAGES.items(), strict=True):
    col.metric(name, f"{total[stage]:,}", border=True)

ui.plot(
    figures.bars(
        pl.DataFrame(
            {
                "环节": list(report_handling.STAGES.values()),
                "件数": [total[s] for s in report_handling.STAGES],
            }
        ),
        "环节",
        ["件数"],
        title=f"举报处理闭环({period_text})",
    ),
    key="rp_loop",
)

st.subheader("按渠道")
ui.table(
    report_handling.handling_loop(reports, as_of, by="channel"),
    key="rp_by_channel",
    file_name=f"举报处理_按渠道_{period_text}",
    title="举报处理(按渠道)",
)
st.subheader("按镇街")
ui.table(
    report_handling.handling_loop(reports, as_of, by="unit_name"),
    key="rp_by_unit",
    file_name=f"举报处理_按镇街_{period_text}",
    title="举报处理(按镇街)",
)
st.subheader("逾期举报")
overdue = report_handling.overdue_reports(reports, as_of)
st.caption(f"共 {overdue.height} 件(截至 {as_of:%Y-%m-%d})")
ui.table(
    overdue,
    key="rp_overdue",
    file_name=f"逾期举报_{period_text}",
    title="逾期举报",
    table="fct_reports",
)
