"""挂图作战: the plan's dated tasks by § and owner against their due dates, coloured by status,
the overdue and at-risk ones first; filter by owner; drill from a task to its report versions.
The logic is `zhiben.app_logic.plan_tasks`; a unit account sees its own rows only."""

import streamlit as st

from zhiben.app_logic import plan_tasks, queries, ui

f = ui.page_header(
    "挂图作战",
    "三年行动方案中各项有时限任务的清单化推进情况：按章节和责任单位列示完成时限、完成进度和状态"
    "（按期完成 / 逾期完成 / 逾期未完成 / 有风险 / 未报送 / 进行中），逾期和有风险的排在最前。"
    "一项任务的状态取其各责任单位中最差的一个。",
)
if not ui.require("mart_plan_tasks"):
    st.stop()

as_of = ui.build_info().as_of_date
tasks = ui.q(queries.plan_tasks)
if tasks.is_empty():
    st.info("没有可显示的任务。")
    st.stop()

owners = plan_tasks.owner_options(tasks)
choices = ["全部", *owners]
default = choices.index(f.unit_code) if f.unit_code in owners else 0
owner = st.selectbox(
    "责任单位",
    choices,
    index=default,
    format_func=lambda c: owners.get(c, c),
    key="pt_owner",
)
sections = ["全部", *sorted(tasks["section"].unique().to_list(), key=lambda s: (len(s), s))]
section = st.selectbox("章节", sections, key="pt_section")
shown = tasks
if owner != "全部":
    shown = shown.filter(shown["owner_code"] == owner)
if section != "全部":
    shown = shown.filter(shown["section"] == section)

by_owner = owner != "全部"
counts = plan_tasks.status_counts(shown, "status" if by_owner else "task_status")
if not by_owner:  # one row per task
    counts = plan_tasks.status_counts(plan_tasks.task_rows(shown), "task_status")
cols = st.columns(len(counts))
for col, (status, n) in zip(cols, counts.items(), strict=True):
    col.metric(status, f"{n}", border=True)

title = f"{owners.get(owner, '全部责任单位')} · 任务时间轴（截至 {as_of:%Y-%m-%d}）"
st.subheader(title)
st.caption(
    "横条自 2024-01-01 起至完成时限，颜色为状态；◆ 为完成日期；虚线为数据截止日。"
    + ("" if by_owner else "未选责任单位时每项任务一行，颜色为任务状态（最差的责任单位）。")
)
ui.plot(plan_tasks.timeline(shown, as_of, by_owner=by_owner), key="pt_timeline")

st.subheader("逾期和有风险的任务（按责任单位）")
sheet = plan_tasks.overdue_and_at_risk(shown)
st.caption(f"共 {sheet.height} 项")
ui.table(sheet, key="pt_overdue", file_name="挂图作战_逾期和有风险任务", title="逾期和有风险的任务")

st.subheader("任务 × 责任单位")
ui.table(
    plan_tasks.ordered(shown).select(
        "task_id",
        "section",
        "title",
        "owner_name",
        "due_date",
        "status",
        "task_status",
        "target_qty",
        "done_qty",
        "progress",
        "expected_progress",
        "completed_date",
        "last_reported_date",
        "versions",
    ),
    key="pt_all",
    file_name="挂图作战_任务清单",
    title="挂图作战任务清单",
)

st.subheader("任务报送记录")
# overdue and at-risk first: by the chosen owner's status, else by the task's own
order = plan_tasks.ordered(shown) if by_owner else plan_tasks.task_rows(shown)
task_ids = order["task_id"].unique(maintain_order=True).to_list()
task_id = st.selectbox(
    "选择任务（逾期和有风险的在前）",
    task_ids,
    format_func=lambda t: f"{t} {shown.filter(shown['task_id'] == t)['title'][0][:40]}",
    key="pt_task",
)
if task_id:
    versions = plan_tasks.report_versions(ui.q(queries.plan_task_reports, task_id=task_id), task_id)
    if owner != "全部":
        name = owners[owner]
        versions = versions.filter(versions["owner_name"] == name)
    st.caption(f"{task_id} 共 {versions.height} 个报送版本（每次报送及其更正各为一个版本）")
    ui.table(
        versions,
        key="pt_versions",
        file_name=f"任务报送记录_{task_id}",
        title=f"任务 {task_id} 报送记录",
    )
