"""挂图作战 (SPEC §10.4; issue 15): the plan's tasks by § and owner against their due dates.

Pure functions on `mart_plan_tasks` / `fct_plan_task_reports` frames (no Streamlit): the order
(overdue and at-risk first), the owners to filter by, the timeline figure coloured by status,
the status counts, a task's report versions, and the sheet of overdue and at-risk tasks by owner
that the page, the app's export and the 通报 workbook share."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import plotly.graph_objects as go
import polars as pl

from zhiben.app_logic.figures import FONT

#: SPEC §10.3 statuses, in the order of severity (a task's status is its worst owner's)
STATUSES = ("逾期未完成", "未报送", "有风险", "进行中", "逾期完成", "按期完成")
#: the page's order: overdue and at-risk first, then the rest by severity
PRIORITY = {"逾期未完成": 0, "有风险": 1, "未报送": 2, "进行中": 3, "逾期完成": 4, "按期完成": 5}
COLORS = {
    "逾期未完成": "#c62828",
    "有风险": "#ef6c00",
    "未报送": "#8e24aa",
    "进行中": "#1565c0",
    "逾期完成": "#9e9d24",
    "按期完成": "#2e7d32",
}
#: the straight line's start (seed target_parameters.plan_start_date): the bars start here
PLAN_START = date(2024, 1, 1)
#: the sheet of overdue and at-risk tasks (page, export, 通报 workbook)
SHEET_STATUSES = ("逾期未完成", "有风险")
SHEET_COLUMNS = (
    "owner_name",
    "owner_type",
    "task_id",
    "title",
    "due_date",
    "status",
    "target_qty",
    "done_qty",
    "progress",
    "expected_progress",
    "last_reported_date",
)


def _priority(column: str = "status") -> pl.Expr:
    return pl.col(column).replace_strict(PRIORITY, default=len(PRIORITY), return_dtype=pl.Int32)


def ordered(tasks: pl.DataFrame) -> pl.DataFrame:
    """Task × owner rows: overdue and at-risk first (by the owner's status), then by due date,
    §, task and owner."""
    if tasks.is_empty():
        return tasks
    return tasks.sort(
        _priority("status"), "due_date", "task_id", "owner_sort_order", maintain_order=True
    )


def task_rows(tasks: pl.DataFrame) -> pl.DataFrame:
    """One row per task (its own status, the worst owner's), overdue and at-risk first: task_id,
    section, title, due_date, task_status, owners, owners_behind (owners not done or late)."""
    if tasks.is_empty():
        return pl.DataFrame(
            schema={
                "task_id": pl.String,
                "section": pl.String,
                "title": pl.String,
                "due_date": pl.Date,
                "task_status": pl.String,
                "owners": pl.UInt32,
                "owners_behind": pl.String,
            }
        )
    behind = pl.col("status").is_in(["逾期未完成", "有风险", "未报送"])
    return (
        tasks.sort("owner_sort_order")
        .group_by("task_id", "section", "title", "due_date", "task_status", maintain_order=True)
        .agg(
            pl.len().alias("owners"),
            pl.col("owner_name").filter(behind).str.join("、").alias("owners_behind"),
        )
        .sort(_priority("task_status"), "due_date", "task_id")
    )


def owner_options(tasks: pl.DataFrame) -> dict[str, str]:
    """owner_code → name, units first then departments (seed order)."""
    if tasks.is_empty():
        return {}
    owners = tasks.select("owner_code", "owner_name", "owner_sort_order").unique("owner_code")
    return dict(owners.sort("owner_sort_order").select("owner_code", "owner_name").iter_rows())


def status_counts(tasks: pl.DataFrame, column: str = "status") -> dict[str, int]:
    """Every status (severity order) → rows with it (0 when none)."""
    found = dict(tasks.group_by(column).len().iter_rows()) if tasks.height else {}
    return {s: int(found.get(s, 0)) for s in STATUSES}


def overdue_and_at_risk(tasks: pl.DataFrame) -> pl.DataFrame:
    """The 通报 sheet: task × owner rows 逾期未完成 or 有风险, by owner (units first, then
    departments), overdue before at risk, then by due date."""
    if tasks.is_empty():
        return tasks.select(SHEET_COLUMNS) if set(SHEET_COLUMNS) <= set(tasks.columns) else tasks
    rows = tasks.filter(pl.col("status").is_in(SHEET_STATUSES))
    return rows.sort("owner_sort_order", _priority("status"), "due_date", "task_id").select(
        SHEET_COLUMNS
    )


def report_versions(reports: pl.DataFrame, task_id: str) -> pl.DataFrame:
    """A task's report versions (fct_plan_task_reports), by owner then version, newest last."""
    if reports.is_empty():
        return reports
    return (
        reports.filter(pl.col("task_id") == task_id)
        .sort("owner_code", "version_no")
        .select(
            "owner_name",
            "version_no",
            "reported_date",
            "updated_at",
            "done_qty",
            "is_done",
            "completed_date",
            "progress_note",
            "is_current",
            "days_reported_to_updated",
        )
    )


def _y_label(row: dict, by_owner: bool) -> str:
    head = f"{row['task_id']}"
    return f"{head} · {row['owner_name']}" if by_owner else head


def timeline(tasks: pl.DataFrame, as_of: date, *, by_owner: bool) -> go.Figure:
    """A bar per task (or task × owner) from the plan's start to its due date, coloured by
    status (a task's own status when not `by_owner`), ◆ at the completion date, a line at D;
    ordered overdue and at-risk first, top to bottom. Hover: the plan's words."""
    status_col = "status" if by_owner else "task_status"
    if by_owner:
        rows = ordered(tasks)
    else:
        rows = task_rows(tasks).join(
            tasks.group_by("task_id").agg(pl.col("completed_date").max()),
            on="task_id",
            how="left",
        )
        # a task is completed when every owner is: its date the last owner's
        rows = rows.with_columns(
            pl.when(pl.col("task_status").is_in(["按期完成", "逾期完成"]))
            .then(pl.col("completed_date"))
            .alias("completed_date")
        )
    fig = go.Figure()
    data = rows.to_dicts()
    labels = [_y_label(r, by_owner) for r in data]
    start = datetime.combine(PLAN_START, datetime.min.time())
    for status in STATUSES:
        mine = [(lab, r) for lab, r in zip(labels, data, strict=True) if r[status_col] == status]
        if not mine:
            continue
        fig.add_trace(
            go.Bar(
                name=status,
                orientation="h",
                y=[lab for lab, _ in mine],
                base=[start] * len(mine),
                x=[
                    (datetime.combine(r["due_date"], datetime.min.time()) - start).total_seconds()
                    * 1000
                    for _, r in mine
                ],
                marker_color=COLORS[status],
                customdata=[[r["title"], str(r["due_date"]), status] for _, r in mine],
                hovertemplate="%{y}<br>%{customdata[0]}<br>完成时限 %{customdata[1]}"
                "<br>%{customdata[2]}<extra></extra>",
            )
        )
    done = [(lab, r) for lab, r in zip(labels, data, strict=True) if r.get("completed_date")]
    if done:
        fig.add_trace(
            go.Scatter(
                name="完成日期",
                y=[lab for lab, _ in done],
                x=[r["completed_date"] for _, r in done],
                mode="markers",
                marker={"symbol": "diamond", "size": 9, "color": "#263238"},
                hovertemplate="%{y}<br>完成日期 %{x|%Y-%m-%d}<extra></extra>",
            )
        )
    d = datetime.combine(as_of, datetime.min.time())
    fig.add_shape(
        type="line", x0=d, x1=d, y0=0, y1=1, yref="paper", line={"color": "#455a64", "dash": "dot"}
    )
    fig.add_annotation(
        x=d, y=1, yref="paper", text=f"截至 {as_of:%Y-%m-%d}", showarrow=False, yanchor="bottom"
    )
    fig.update_xaxes(type="date", range=[start - timedelta(days=15), datetime(2027, 1, 31)])
    fig.update_yaxes(
        type="category", autorange="reversed", categoryorder="array", categoryarray=labels
    )
    fig.update_layout(
        barmode="overlay",
        height=max(320, 22 * len(labels) + 140),
        font={"family": FONT, "size": 12},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        plot_bgcolor="white",
    )
    return fig


def beside_score(breakdown: pl.DataFrame, departments: pl.DataFrame) -> pl.DataFrame:
    """The department ranking's breakdown with each department's overdue plan tasks
    (`overdue_plan_tasks` of mart_quarterly_evaluation_by_department) right after its total
    score: shown beside it, never weighted."""
    if "overdue_plan_tasks" not in departments.columns or breakdown.is_empty():
        return breakdown
    out = breakdown.join(
        departments.select("department_code", "overdue_plan_tasks"),
        on="department_code",
        how="left",
    )
    cols = list(breakdown.columns)
    at = cols.index("total_score") + 1 if "total_score" in cols else len(cols)
    return out.select(*cols[:at], "overdue_plan_tasks", *cols[at:])
