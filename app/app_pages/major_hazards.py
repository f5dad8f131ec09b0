"""重大隐患清单: every 重大隐患 with its escalation (函告 / 通报 / 约谈 / 曝光 by days overdue),
filterable; overdue rows highlighted by escalation, 挂牌督办 in bold."""

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import ESCALATION_COLOR, LEDGER_COLUMNS

f = ui.page_header("重大隐患清单", "逾期未整改的重大隐患按逾期天数升级督办;红色越深,升级越高。")
if not ui.require("mart_major_hazard_ledger"):
    st.stop()

ledger = ui.q(queries.major_hazard_ledger, unit_code=f.unit_code, industry_code=f.industry_code)
open_ = ledger.filter(~pl.col("is_rectified"))
overdue = open_.filter(pl.col("is_overdue"))
listed = ledger.filter(pl.col("is_listed_supervision") & ~pl.col("is_rectified"))
m = st.columns(4)
m[0].metric("重大隐患总数", f"{ledger.height:,}", border=True)
m[1].metric("未整改", f"{open_.height:,}", border=True)
m[2].metric("逾期未整改", f"{overdue.height:,}", border=True)
m[3].metric("挂牌督办未销号", f"{listed.height:,}", border=True)

c1, c2, c3 = st.columns([2, 2, 1])
scope = c1.radio("范围", ["未整改", "逾期未整改", "全部"], horizontal=True, key="mh_scope")
escalations = [e for e in ESCALATION_COLOR if e != "无"]
chosen = c2.multiselect("督办升级", escalations, key="mh_escalation", placeholder="全部")
only_listed = c3.checkbox("仅挂牌督办", key="mh_listed")
shown = {"未整改": open_, "逾期未整改": overdue, "全部": ledger}[scope]
if chosen:
    shown = shown.filter(pl.col("escalation").is_in(chosen))
if only_listed:
    shown = shown.filter(pl.col("is_listed_supervision"))

left, right = st.columns([1, 2])
with left:
    ui.plot(figures.escalation_bar(open_, title="逾期重大隐患督办升级"), key="mh_esc")
with right:
    if open_.height:
        by_unit = (
            open_.group_by("unit_name")
            .agg(pl.len().alias("未整改"), pl.col("is_overdue").sum().alias("逾期"))
            .sort("未整改", descending=True)
        )
        ui.plot(
            figures.bars(by_unit, "unit_name", ["未整改", "逾期"], title="未整改重大隐患(分镇街)"),
            key="mh_units",
        )

shown = shown.select(LEDGER_COLUMNS)
st.caption(f"共 {shown.height} 条")


def styled(st_styler):
    # the Styler's frame keeps the English column names (headers come from column_config)
    df = st_styler.data
    esc, lst = "escalation", "is_listed_supervision"

    def row_style(row):
        color = ESCALATION_COLOR.get(row.get(esc), "#ffffff")
        bold = "font-weight: bold;" if row.get(lst) == "是" else ""
        return [f"background-color: {color}; {bold}"] * len(row)

    return st_styler.apply(row_style, axis=1) if len(df) else st_styler


ui.table(shown, key="mh_table", file_name="重大隐患清单", title="重大隐患清单", styler=styled)
