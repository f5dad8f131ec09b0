"""挂图作战 (issue 15; SPEC §10.1, §10.3, §10.5 "Tasks"): known answers.

A hand-made drop as of 2024-06-30 on the real seeds plan_tasks / plan_task_owners gives every
owner status (按期完成, 逾期完成, 逾期未完成, 未报送, 有风险, 进行中), a task's own status as its
worst owner's, a yes/no task (完成量 and 完成日期 ignored), re-reported versions, T18 and its chase
rows, and the department's overdue tasks beside its score. The loader's quarantine of the tasks
extract is checked on a tiny CSV drop, one row per rule.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from fixtures.hand_drop import add_build_info, built_drop, t
from fixtures.raw_schema import RawBuilder

from zhiben.codes import credit_check_char
from zhiben.ingest.pipeline import ingest

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2024, 6, 30)
UNITS = [f"U{i:02d}" for i in range(1, 12)]
DEPTS = [f"D{i:02d}" for i in range(1, 13)]


def v(task_id, owner_code, reported, updated, *, done=False, completed=None, qty=None):
    return dict(
        task_id=task_id,
        owner=owner_code,
        owner_code=owner_code,
        reported_date=reported,
        done_qty=qty,
        is_done=done,
        completed_date=completed,
        progress_note="推进中",
        updated_at=updated,
    )


def make_drop(path: Path) -> None:
    rb = RawBuilder(path)
    rows = [
        # 二.26-1 (due 2024-03-31, 23 owners): D01 on time, D02 late, the other 21 never report
        v(
            "二.26-1",
            "D01",
            date(2024, 3, 25),
            t(2024, 3, 25),
            done=True,
            completed=date(2024, 3, 20),
        ),
        v(
            "二.26-1",
            "D02",
            date(2024, 4, 20),
            t(2024, 4, 20),
            done=True,
            completed=date(2024, 4, 15),
        ),
        # 二.10-1 (due 2024-06-30 = D, D01): not done, reported 20 days ago → 进行中, not overdue
        v("二.10-1", "D01", date(2024, 6, 10), t(2024, 6, 10)),
        # 二.20-4 (4 个, due 2024-12-31, D01): 2, then re-reported as 1 (a correction); a version
        # of July is not known at D → progress 0.25 below the line (181 / 365) → 有风险
        v("二.20-4", "D01", date(2024, 5, 20), t(2024, 5, 20), qty=2),
        v("二.20-4", "D01", date(2024, 6, 20), t(2024, 6, 20), qty=2),
        v("二.20-4", "D01", date(2024, 6, 20), t(2024, 6, 21), qty=1),
        v(
            "二.20-4",
            "D01",
            date(2024, 7, 5),
            t(2024, 7, 5),
            qty=4,
            done=True,
            completed=date(2024, 7, 1),
        ),
        # 二.20-3 (3 个, D01): 2 of 3 = 0.667 above the line → 进行中
        v("二.20-3", "D01", date(2024, 6, 20), t(2024, 6, 22), qty=2),
        # 二.1-1 (yes/no, due 2024-12-31): D01 not done (its 完成量 and 完成日期 ignored) → 进行中;
        # D04 last reported 2024-05-01, before D − 45 → 未报送; D12 done → 按期完成
        v("二.1-1", "D01", date(2024, 6, 1), t(2024, 6, 2), qty=5, completed=date(2024, 5, 1)),
        v("二.1-1", "D04", date(2024, 5, 1), t(2024, 5, 1)),
        v(
            "二.1-1",
            "D12",
            date(2024, 6, 15),
            t(2024, 6, 15),
            done=True,
            completed=date(2024, 6, 15),
        ),
    ]
    # 二.26-2 (due 2024-03-31, 23 owners): everyone on time → the task is 按期完成
    rows += [
        v("二.26-2", o, date(2024, 3, 20), t(2024, 3, 20), done=True, completed=date(2024, 3, 15))
        for o in DEPTS + UNITS
    ]
    rb.add("tasks", rows)
    add_build_info(rb, AS_OF, t(2024, 7, 6), t(2024, 7, 5), "hand")
    rb.close()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    yield from built_drop(
        tmp_path_factory,
        "plan_tasks",
        make_drop,
        AS_OF,
        (
            "+mart_plan_tasks",
            "+fct_plan_task_reports",
            "+mart_target_progress",
            "+mart_target_chase_list",
            "+mart_quarterly_evaluation_by_department",
        ),
    )


def status(con, task_id: str, owner: str) -> tuple:
    return con.execute(
        "select status, task_status from marts.mart_plan_tasks where task_id = ? and owner_code = ?",
        [task_id, owner],
    ).fetchone()


@pytest.mark.parametrize(
    ("task_id", "owner", "expected"),
    [
        ("二.26-1", "D01", "按期完成"),
        ("二.26-1", "D02", "逾期完成"),
        ("二.26-1", "D03", "逾期未完成"),
        ("二.26-1", "U05", "逾期未完成"),
        ("二.10-1", "D01", "进行中"),
        ("二.20-4", "D01", "有风险"),
        ("二.20-3", "D01", "进行中"),
        ("二.1-1", "D01", "进行中"),
        ("二.1-1", "D04", "未报送"),
        ("二.1-1", "D12", "按期完成"),
        ("二.1-2", "D04", "未报送"),  # no report at all, not yet due
        ("二.26-2", "U11", "按期完成"),
    ],
)
def test_owner_status(con, task_id, owner, expected):
    assert status(con, task_id, owner)[0] == expected


def test_worst_owner_wins(con):
    tasks = dict(
        con.execute("select distinct task_id, task_status from marts.mart_plan_tasks").fetchall()
    )
    assert tasks["二.26-1"] == "逾期未完成"  # 按期完成 + 逾期完成 + 逾期未完成
    assert tasks["二.1-1"] == "未报送"  # 进行中 + 未报送 + 按期完成
    assert tasks["二.26-2"] == "按期完成"
    assert tasks["二.20-4"] == "有风险"
    # every task × owner of the seeds, U* expanded to the eleven units
    assert con.execute(
        "select count(*) from marts.mart_plan_tasks where task_id = '二.26-1'"
    ).fetchone() == (23,)


def test_quantities_versions_and_the_yes_no_task(con):
    row = con.execute(
        "select done_qty, progress, expected_progress, last_reported_date, versions "
        "from marts.mart_plan_tasks where task_id = '二.20-4'"
    ).fetchone()
    # the correction (更新时间 06-21) wins over the version of the same 报送日期; July unknown
    assert row[0] == 1 and row[1] == pytest.approx(0.25)
    assert row[2] == pytest.approx(181 / 365)
    assert row[3] == date(2024, 6, 20) and row[4] == 3
    yes_no = con.execute(
        "select done_qty, progress, is_done, completed_date from marts.mart_plan_tasks "
        "where task_id = '二.1-1' and owner_code = 'D01'"
    ).fetchone()
    assert yes_no == (None, None, False, None)
    reports = con.execute(
        "select version_no, done_qty, is_current from marts.fct_plan_task_reports "
        "where task_id = '二.20-4' order by version_no"
    ).fetchall()
    assert reports == [(1, 2, False), (2, 2, False), (3, 1, True)]


def test_t18_and_its_chase_list(con):
    # due by D: 二.26-1 (not on time), 二.26-2 (on time), 二.10-1 (not completed) → 1 / 3
    actual, status_ = con.execute(
        "select actual, status from marts.mart_target_progress where target_id = 'T18'"
    ).fetchone()
    assert actual == pytest.approx(1 / 3)
    assert status_ == "未达成"
    milestone = con.execute(
        "select milestone_date, target_value, actual, is_next from marts.mart_target_milestones "
        "where target_id = 'T18'"
    ).fetchone()
    assert milestone[:2] == (date(2026, 12, 31), 1.0) and milestone[3]
    chase = con.execute(
        "select subject_type, subject_id, unit_code, missing_item from marts.mart_target_chase_list "
        "where target_id = 'T18' order by subject_id"
    ).fetchall()
    # the 21 owners of 二.26-1 that never reported (D01 on time, D02 late: nothing to chase)
    assert [r[1] for r in chase] == [d for d in DEPTS if d not in ("D01", "D02")] + UNITS
    assert {r[0] for r in chase if r[1].startswith("U")} == {"镇街"}
    assert all(r[2] == r[1] for r in chase if r[1].startswith("U"))
    assert chase[0][3] == "逾期未完成任务1项：二.26-1（2024-03-31到期）"


def test_overdue_tasks_beside_the_department_score(con):
    rows = dict(
        con.execute(
            "select department_code, overdue_plan_tasks "
            "from marts.mart_quarterly_evaluation_by_department where quarter = '2024Q2'"
        ).fetchall()
    )
    assert rows["D01"] == 0 and rows["D02"] == 0  # on time / completed late by 06-30
    assert rows["D03"] == 1 and rows["D12"] == 1  # 二.26-1
    q1 = con.execute(
        "select sum(overdue_plan_tasks) from marts.mart_quarterly_evaluation_by_department "
        "where quarter = '2024Q1'"
    ).fetchone()
    assert q1 == (0,)  # due 03-31 is not overdue on 03-31


# ---------------------------------------------------------------- the loader's quarantine

HEADER = "任务编号,责任单位,报送日期,完成量,是否完成,完成日期,进展情况,更新时间"
TASK_ROWS = [
    # loads: a department by its short name, a unit by an alias
    ("二.1-1,应急,2024-04-05,,是,2024-04-01,完成,2024-04-05 10:00:00", None),
    ("二.26-1,山城,2024-03-05,,否,,推进中,2024-03-05 10:00:00", None),
    ("二.99-9,区应急管理局,2024-03-05,,否,,,2024-03-05 10:00:00", "unknown_task"),
    ("二.1-1,火星局,2024-03-05,,否,,,2024-03-05 10:00:00", "unknown_owner"),
    ("二.1-1,区水务局,2024-03-05,,否,,,2024-03-05 10:00:00", "owner_not_of_task"),
    ("二.1-1,区消防救援大队,2024-03-05,,是,,,2024-03-05 10:00:00", "completed_date_missing"),
    (
        "二.1-1,区消防救援大队,2024-03-05,,是,2024-03-09,,2024-03-05 10:00:00",
        "completed_after_reported",
    ),
    ("二.1-1,区消防救援大队,2024-03-09,,否,,,2024-03-05 10:00:00", "reported_after_update"),
    ("二.20-4,区应急管理局,2024-03-09,-3,否,,,2024-03-10 10:00:00", "negative"),
    # 完成日期 with 是否完成 = 否 is ignored, not checked
    ("二.1-1,区卫生健康局,2024-03-09,,否,2024-05-01,,2024-03-10 10:00:00", None),
]


def test_quarantine_reasons(tmp_path):
    raw = tmp_path / "raw"
    (raw / "enterprises").mkdir(parents=True)
    (raw / "tasks").mkdir()
    first17 = "91370406MA3C00001"
    code = first17 + credit_check_char(first17)
    (raw / "enterprises" / "e.csv").write_text(
        "统一社会信用代码,企业名称,所属镇街,行业领域,企业规模,是否高危行业,是否重大危险源,"
        "安全生产标准化等级,经营状态,主要负责人,联系电话,更新时间\n"
        f"{code},甲公司,山城街道,工贸,规上,否,否,三级,在营,,,2024-01-02 09:00:00\n",
        encoding="utf-8",
    )
    body = "\n".join(r for r, _ in TASK_ROWS)
    (raw / "tasks" / "t.csv").write_text(f"{HEADER}\n{body}\n", encoding="utf-8")
    db = tmp_path / "build.duckdb"
    ingest(raw, db, seeds_dir=REPO / "seeds", salt="s", progress=lambda _m: None)
    con = duckdb.connect(str(db), read_only=True)
    got = dict(
        con.execute(
            "select line, reason_code from raw.quarantine where extract = 'tasks'"
        ).fetchall()
    )
    expected = {i + 2: reason for i, (_, reason) in enumerate(TASK_ROWS) if reason}
    assert got == expected
    reasons = {
        r[0]: r[1]
        for r in con.execute(
            "select reason_code, reason from raw.quarantine where extract = 'tasks'"
        ).fetchall()
    }
    assert reasons["owner_not_of_task"] == "责任单位不是该任务的责任单位"
    loaded = con.execute(
        "select task_id, owner_code, completed_date from raw.tasks order by _line"
    ).fetchall()
    assert loaded[:2] == [("二.1-1", "D01", date(2024, 4, 1)), ("二.26-1", "U01", None)]
    # the version key is (task_id, the resolved owner)
    assert con.execute(
        "select record_key from raw.quarantine where reason_code = 'negative'"
    ).fetchone() == ("二.20-4|D01",)
    con.close()
