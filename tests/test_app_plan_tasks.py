"""挂图作战 (issue 15) on the demo warehouse: the page (streamlit AppTest), its logic module, the
通报 workbook's sheet, and the demo drop showing the statuses of SPEC §10.3 at its D."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from test_app_pages import _data, assert_clean, frame, open_page

from zhiben import auth
from zhiben.app_logic import plan_tasks, queries
from zhiben.report.workbook import SHEETS, write_report
from zhiben.warehouse import query


@pytest.fixture
def served(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(demo_warehouse))
    monkeypatch.setenv("ZHIBEN_REQUIRE_LOGIN", "0")
    return demo_warehouse


def mart(path: Path) -> pl.DataFrame:
    return query("select * from mart_plan_tasks", path=path)


def test_demo_shows_the_statuses_at_its_d(demo_warehouse: Path) -> None:
    """Every status SPEC §10.3 allows at the demo's D (2026-11-28). 有风险 needs a quantity task
    not yet due, and the plan's quantity tasks are all due by 2025-12-31 (seed plan_tasks): at
    this D none can be at risk. The same drop as of 2025-09-30 shows all six, 有风险 included
    (tests/test_plan_tasks_as_of.py); the hand-made drop of tests/test_plan_tasks.py too."""
    tasks = mart(demo_warehouse)
    as_of = tasks["as_of_date"][0]
    assert set(tasks["status"]) == {"按期完成", "逾期完成", "逾期未完成", "未报送", "进行中"}
    assert tasks.filter(pl.col("target_qty").is_not_null())["due_date"].max() < as_of
    # the task's own status is its worst owner's
    worst = (
        tasks.group_by("task_id")
        .agg(pl.col("status_severity").min().alias("s"), pl.col("task_status").first())
        .with_columns(
            pl.col("s").replace_strict(dict(enumerate(plan_tasks.STATUSES, start=1))).alias("w")
        )
    )
    assert (worst["w"] == worst["task_status"]).all()
    # every (task, owner) of the seeds, U* as the eleven units
    assert tasks.height == tasks.select("task_id", "owner_code").unique().height > 64


def test_page_renders_overdue_first_and_drills_to_versions(served: Path) -> None:
    at = open_page("plan_tasks.py")
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 1
    metrics = {m.label: m.value for m in at.metric}
    tasks = mart(served)
    per_task = plan_tasks.task_rows(tasks)
    assert metrics == {
        s: str(per_task.filter(pl.col("task_status") == s).height) for s in plan_tasks.STATUSES
    }
    sheet = frame(at, "pt_overdue", "owner_type", "status", "expected_progress")
    expected = tasks.filter(pl.col("status").is_in(["逾期未完成", "有风险"]))
    assert sheet.height == expected.height > 0
    listed = frame(at, "pt_all", "section", "task_status", "versions")
    assert listed.height == tasks.height
    ranks = [plan_tasks.PRIORITY[s] for s in listed["status"]]
    assert ranks == sorted(ranks)  # overdue and at-risk first
    # drill: the first task (the most overdue) → its report versions, every owner's
    task_id = at.selectbox(key="pt_task").value
    assert task_id == per_task["task_id"][0]
    versions = frame(at, "pt_versions", "version_no", "progress_note")
    n = query(
        "select count(*) as n from fct_plan_task_reports where task_id = ?", [task_id], path=served
    )["n"][0]
    assert versions.height == n


def test_owner_filter(served: Path) -> None:
    at = open_page("plan_tasks.py")
    at.selectbox(key="pt_owner").select("D03").run()
    assert_clean(at)
    listed = frame(at, "pt_all", "section", "task_status", "versions")
    assert set(listed["owner_name"]) == {"区交通运输局"}
    assert listed.height == mart(served).filter(pl.col("owner_code") == "D03").height


def test_unit_account_sees_its_own_rows(served: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = open_page("plan_tasks.py", zhiben_account=auth.Account("u03", auth.ROLE_UNIT, "U03"))
    assert_clean(at)
    at.selectbox(key="pt_owner").select("全部").run()
    listed = frame(at, "pt_all", "section", "task_status", "versions")
    assert set(listed["owner_name"]) == {"西集镇"}
    assert listed.height == mart(served).filter(pl.col("owner_code") == "U03").height
    # the query itself: a unit reads only its rows, whatever it asks for
    rows = queries.plan_tasks(served, units=("U03",))
    assert set(rows["owner_code"]) == {"U03"}
    reports = queries.plan_task_reports(served, units=("U03",))
    assert set(reports["owner_code"]) <= {"U03"}


def test_t18_on_the_targets_page(served: Path) -> None:
    at = open_page("targets.py")
    assert_clean(at)
    (box,) = [e for e in at.expander if e.label.startswith("T18 任务按期完成")]
    chase = _data(box.dataframe[0])
    t18 = query("select * from mart_target_chase_list where target_id = 'T18'", path=served)
    # one row per owner with an overdue task, each naming its tasks
    overdue = mart(served).filter(pl.col("status") == "逾期未完成")
    assert t18.height == overdue["owner_code"].unique().len() > 0
    assert sorted(chase["subject_id"]) == sorted(t18["subject_id"])
    d01 = t18.filter(pl.col("subject_id") == "D01")["missing_item"][0]
    n = overdue.filter(pl.col("owner_code") == "D01").height
    assert d01.startswith(f"逾期未完成任务{n}项：")


def test_department_ranking_shows_overdue_tasks_beside_the_score(served: Path) -> None:
    at = open_page("evaluation.py")
    assert_clean(at)
    dep = frame(at, "ev_dep_rank", "department_name", "overdue_plan_tasks")
    cols = dep.columns
    assert cols.index("overdue_plan_tasks") == cols.index("total_score") + 1
    assert dep["overdue_plan_tasks"].sum() > 0


def test_the_workbook_sheet(demo_warehouse: Path, tmp_path: Path) -> None:
    assert "挂图作战" in SHEETS
    out = write_report("2026Q3", tmp_path / "r.xlsx", warehouse=demo_warehouse)
    ws = openpyxl.load_workbook(out)["挂图作战"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "责任单位")
    header = list(rows[start])
    body = [r for r in rows[start + 1 :] if r[0] is not None]
    assert header[:6] == ["责任单位", "责任单位类型", "任务编号", "任务内容", "完成时限", "状态"]
    expected = plan_tasks.overdue_and_at_risk(mart(demo_warehouse))
    assert len(body) == expected.height > 0
    assert [(r[0], r[2], r[5]) for r in body] == list(
        expected.select("owner_name", "task_id", "status").iter_rows()
    )
    dep = openpyxl.load_workbook(out)["部门排名"]
    assert "逾期未完成任务数" in [c for r in dep.iter_rows(values_only=True) for c in r if c]
