"""挂图作战 (issue 15's Done-when): the demo drop shows every status of SPEC §10.3 — viewed as of an
earlier D, which time travel (`zhiben build --as-of`) makes a product feature.

At the demo's own D (2026-11-28) no task can be 有风险: that needs a quantity task not yet due, and
the plan's quantity tasks (seed plan_tasks: 二.18-2, 二.20-1 … 二.20-6) are all due by 2025-12-31
(tests/test_app_plan_tasks.py::test_demo_shows_the_statuses_at_its_d). As of 2025-09-30 the same
drop shows all six: 二.20-5 (新建3个镇（街）应急救援站, due 2025-12-31, 区应急管理局) stands at 2 of 3
while the straight line from 2024-01-01 asks 638 / 730 = 87.4 %, and its owner reported on
2025-09-17 (it finishes late, on 2026-04-28). The build is cheap: a copy of the session's demo
warehouse, so the lake is reused (the lake's key does not hold D) and the loader reads no file.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from fixtures.warehouses import copy_warehouse

from zhiben import history
from zhiben.app_logic import plan_tasks
from zhiben.build import build
from zhiben.paths import WarehousePaths
from zhiben.warehouse import query

#: a quarter's end before the last quantity task is due (2025-12-31)
EARLIER_D = date(2025, 9, 30)
#: the straight line's start (SPEC §10.3: the task's start is the plan's, 2024-01-01)
PLAN_START = date(2024, 1, 1)
#: SPEC §10.5: 未报送 unless a version's 报送日期 is in [D − 45, D]
SILENT_DAYS = 45


@pytest.fixture(scope="module")
def earlier(demo_warehouse: Path, demo_drop: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo drop built as of EARLIER_D through the product, on a copy of the demo warehouse."""
    served = copy_warehouse(demo_warehouse, tmp_path_factory.mktemp("tasks_as_of") / "wh")
    result = build(demo_drop, served, as_of=EARLIER_D, progress=lambda _m: None)
    assert result.as_of == EARLIER_D
    return served


def line_fraction(due: date) -> float:
    """The straight line's share at EARLIER_D for a task due `due`, within [0, 1]."""
    return min(max((EARLIER_D - PLAN_START).days / (due - PLAN_START).days, 0.0), 1.0)


def expected_status(row: dict) -> str:
    """SPEC §10.5: an owner's status is the first that holds, in this order."""
    if row["is_done"]:
        return "按期完成" if row["completed_date"] <= row["due_date"] else "逾期完成"
    if row["due_date"] < EARLIER_D:
        return "逾期未完成"
    last = row["last_reported_date"]
    if last is None or last < EARLIER_D - timedelta(days=SILENT_DAYS):
        return "未报送"
    if row["target_qty"] is not None and row["progress"] < line_fraction(row["due_date"]):
        return "有风险"
    return "进行中"


def test_the_lake_is_reused(earlier: Path) -> None:
    (run,) = history.read(WarehousePaths(earlier).history_file, last=1)
    assert run["status"] == "success" and run["as_of_date"] == EARLIER_D.isoformat()
    assert run["lake"]["files_read"] == 0 < run["lake"]["files_reused"]


def test_every_status_as_of_an_earlier_d(earlier: Path) -> None:
    tasks = query("select * from mart_plan_tasks", path=earlier)
    assert tasks["as_of_date"].unique().to_list() == [EARLIER_D]
    assert set(tasks["status"]) == set(plan_tasks.STATUSES)
    # every owner's status is the rule's, on the mart's own facts
    wrong = [
        (r["task_id"], r["owner_code"], r["status"], expected_status(r))
        for r in tasks.iter_rows(named=True)
        if r["status"] != expected_status(r)
    ]
    assert wrong == []


def test_the_at_risk_owner(earlier: Path) -> None:
    tasks = query("select * from mart_plan_tasks", path=earlier)
    at_risk = tasks.filter(pl.col("status") == "有风险")
    assert at_risk.select("task_id", "owner_code").rows() == [("二.20-5", "D01")]
    row = at_risk.row(0, named=True)
    # the known answer: 2 of 3 stations, the line at 638 / 730, the last report of 2025-09-17
    assert (row["due_date"], row["target_qty"], row["done_qty"]) == (date(2025, 12, 31), 3, 2)
    assert row["progress"] == pytest.approx(2 / 3)
    assert row["expected_progress"] == pytest.approx(638 / 730)
    assert row["progress"] < row["expected_progress"]
    assert row["last_reported_date"] == date(2025, 9, 17)
    assert EARLIER_D - timedelta(days=SILENT_DAYS) <= row["last_reported_date"] <= EARLIER_D
    assert not row["is_done"] and row["completed_date"] is None
    # a single owner: the task's own status is its
    assert row["task_status"] == "有风险"
    # the 通报 sheet lists it beside the overdue ones
    sheet = plan_tasks.overdue_and_at_risk(tasks)
    assert sheet.filter(pl.col("status") == "有风险")["task_id"].to_list() == ["二.20-5"]
    assert sheet.height == tasks.filter(pl.col("status") == "逾期未完成").height + 1
