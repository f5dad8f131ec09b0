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
    target_status_reason,
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
        # every status says why (SPEC §10.4): the deciding milestone, its goal and actual
        if r.get("deciding_milestone") is not None:
            st.markdown(target_status_reason(r).split("：", 1)[1])
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


if "deciding_milestone" in progress.columns:
    progress = progress.with_columns(
        pl.Series(
            "status_reason",
            [target_status_reason(r) for r in progress.iter_rows(named=True)],
            dtype=pl.String,
        )
    )
first = ["target_id", "target", "status", "status_reason", "actual", "expected_value"]
first += ["next_milestone"]
cols = [c for c in first if c in progress.columns] + [
    c for c in progress.columns if c not in first and c not in ("sort_order", "comparison")
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

st.subheader("预警：按当前进度预计")
st.caption(
    "按两种进度把当前实际值推算到下一节点：直线进度(自 2024-01-01 起、年度目标自当年 1 月 1 日起的日均进度)"
    "和近两季度进度(近 6 个月的日均变化);预计达成日期为空表示按该进度无法达成。"
    "▼ 标出低于直线进度、拖累全区的镇街。"
)
if ui.require("mart_target_forecast"):
    forecast = ui.q(queries.target_forecast, unit_code=None)
    names = {r["target_id"]: r["target"] for r in forecast.iter_rows(named=True)}
    fc_target = st.selectbox(
        "预警目标",
        list(names),
        key="tg_forecast_target",
        format_func=lambda t: f"{t} {names[t]}",
    )
    rows = forecast.filter(pl.col("target_id") == fc_target)
    region = rows.filter(pl.col("is_region"))
    dragging = rows.filter(pl.col("is_dragging_region"))
    if region.height and region["is_below_line"][0]:
        who = "、".join(dragging["unit_name"].to_list()) or "无"
        st.warning(
            f"{fc_target} 全区实际 {format_target_value(fc_target, region['actual'][0])}，"
            f"低于直线进度 {format_target_value(fc_target, region['line_value'][0])}；"
            f"拖累全区的镇街：{who}"
        )
    else:
        st.success(f"{fc_target} 全区不低于直线进度。")
    shown = rows.with_columns(
        pl.when(pl.col("is_region"))
        .then(pl.lit("全区"))
        .when(pl.col("is_dragging_region"))
        .then(pl.lit("▼ ") + pl.col("unit_name"))
        .otherwise(pl.col("unit_name"))
        .alias("unit_name")
    )
    if f.unit_code:
        shown = shown.filter(pl.col("is_region") | (pl.col("unit_code") == f.unit_code))
    keep = [
        "unit_name",
        "actual",
        "line_value",
        "projected_line",
        "met_date_line",
        "pace_base_actual",
        "projected_recent",
        "met_date_recent",
        "is_dragging_region",
        "subjects",
        "subjects_met",
        "next_milestone",
        "target_value",
    ]
    ui.table(
        shown.select([c for c in keep if c in shown.columns]),
        key="tg_forecast_table",
        file_name=f"目标预警_{fc_target}",
        title=f"目标预警 {fc_target}",
    )

st.subheader("目标明细")
st.caption("目标数值背后的记录:计入列标明记入分子的记录(督办类目标列出尚未达标的对象)。")
drill_ids = [t for t in queries.TARGET_DRILL_TARGETS if t in set(progress["target_id"])]
by_name = dict(zip(progress["target_id"], progress["target"], strict=True))
dr_target = st.selectbox(
    "目标明细",
    drill_ids,
    key="tg_drill_target",
    format_func=lambda t: f"{t} {by_name[t]}",
)
drill = ui.q(queries.target_records, target_id=dr_target, unit_code=f.unit_code)
st.caption(f"共 {drill.height} 条，其中计入 {int(drill['is_counted'].sum())} 条。")
ui.table(
    drill,
    key="tg_drill_table",
    file_name=f"目标明细_{dr_target}",
    title=f"目标明细 {dr_target}",
)
