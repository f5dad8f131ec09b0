"""三年目标进度: the 13 measurable targets of the plan (T1–T13) with status lights, and each
target's milestones."""

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import TARGET_STATUS_LIGHT

ui.page_header(
    "三年目标进度",
    "🟢 达成 · 🔵 进行中(实际值不低于自 2024-01-01 起到节点的直线进度) · 🟡 有风险 · 🔴 未达成。",
)
if not ui.require("mart_target_progress"):
    st.stop()

progress = ui.q(queries.target_progress).with_columns(
    pl.col("status").replace_strict(TARGET_STATUS_LIGHT, default="⚪").alias("light")
)
counts = {s: progress.filter(pl.col("status") == s).height for s in TARGET_STATUS_LIGHT}
m = st.columns(len(counts))
for col, (status, n) in zip(m, counts.items(), strict=True):
    col.metric(f"{TARGET_STATUS_LIGHT[status]} {status}", n, border=True)

ui.plot(figures.target_bullets(progress, title="各目标实际值(颜色为状态)"), key="tg_bullets")
first = ["light", "target_id", "target", "status", "actual", "next_milestone"]
cols = [c for c in first if c in progress.columns] + [
    c for c in progress.columns if c not in first and c not in ("sort_order",)
]
ui.table(progress.select(cols), key="tg_table", file_name="三年目标进度", title="三年目标进度")

st.subheader("节点")
if ui.require("mart_target_milestones"):
    ids = progress["target_id"].to_list()
    names = dict(zip(ids, progress["target"].to_list(), strict=True))
    chosen = st.selectbox(
        "目标",
        ["全部", *ids],
        key="tg_target",
        format_func=lambda t: t if t == "全部" else f"{t} {names[t]}",
    )
    ms = ui.q(queries.target_milestones, target_id=None if chosen == "全部" else chosen)
    ui.table(ms, key="tg_milestones", file_name="三年目标节点", title="三年目标节点")
