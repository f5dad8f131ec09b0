"""三年目标进度: the 13 measurable targets of the plan (T1–T13) with their status, actual figure,
what it is judged against now, and each target's milestones."""

import polars as pl
import streamlit as st

from zhiben.app_logic import queries, ui
from zhiben.app_logic.labels import (
    TARGET_STATUS_BADGE,
    TARGET_STATUS_COLOR,
    TARGET_STATUS_LIGHT,
    format_target_value,
)

f = ui.page_header(
    "三年目标进度",
    "达成:全部节点已过且达成 · 进行中:实际值不低于自 2024-01-01 到下一节点的直线进度(年度目标按当年迄今)"
    " · 有风险:低于直线进度 · 未达成:已过节点未达成,或当年已不可能达成。",
)
if not ui.require("mart_target_progress"):
    st.stop()

progress = ui.q(queries.target_progress)
m = st.columns(len(TARGET_STATUS_LIGHT))
for col, (status, light) in zip(m, TARGET_STATUS_LIGHT.items(), strict=True):
    col.metric(f"{light} {status}", progress.filter(pl.col("status") == status).height, border=True)

cards = st.columns(3)
for i, r in enumerate(progress.iter_rows(named=True)):
    tid = r["target_id"]
    with cards[i % 3].container(border=True):
        st.markdown(
            f"**{tid}** {r['target']}  \n{TARGET_STATUS_BADGE.get(r['status'], r['status'])}"
        )
        lines = [f"实际值 **{format_target_value(tid, r.get('actual'))}**"]
        if r.get("expected_value") is not None:
            lines.append(f"当前应达 {format_target_value(tid, r['expected_value'])}")
        if r.get("prev_value") is not None:
            lines.append(f"上年同期 {format_target_value(tid, r['prev_value'])}")
        if r.get("next_milestone") is not None:
            due = r.get("next_target_value")
            lines.append(
                f"下一节点 {r['next_milestone']}"
                + (f" 目标 {format_target_value(tid, due)}" if due is not None else "")
            )
        st.caption(" · ".join(lines))


def status_colors(styler):
    def cell(value):
        color = TARGET_STATUS_COLOR.get(value)
        return f"color: white; background-color: {color}" if color else ""

    return styler.map(cell, subset=["status"]) if len(styler.data) else styler


first = ["target_id", "target", "status", "actual", "expected_value", "next_milestone"]
cols = [c for c in first if c in progress.columns] + [
    c for c in progress.columns if c not in first and c != "sort_order"
]
ui.table(
    progress.select(cols),
    key="tg_table",
    file_name="三年目标进度",
    title="三年目标进度",
    styler=status_colors,
)

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

st.subheader("督办清单")
st.caption(
    "各覆盖类目标截至数据截止日尚缺的企业、镇街、部门和举报(按侧栏镇街筛选;"
    "区直部门不属任何镇街,只在全部镇街时列出)。"
)
if ui.require("mart_target_chase_list"):
    by_id = {r["target_id"]: r for r in progress.iter_rows(named=True)}
    for tid in queries.CHASE_TARGETS:
        chase = ui.q(queries.target_chase_list, target_id=tid, unit_code=f.unit_code)
        name = by_id.get(tid, {}).get("target", "")
        with st.expander(f"{tid} {name} · 缺 {chase.height} 项", expanded=False):
            ui.table(
                chase,
                key=f"tg_chase_{tid}",
                file_name=f"督办清单_{tid}",
                title=f"督办清单 {tid}",
            )
