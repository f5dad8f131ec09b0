"""举报 handling loop (zhiben.app_logic.report_handling, issue 17): a known-answer case by hand,
and on the demo warehouse the overdue reports are exactly T12's 督办清单."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from zhiben.app_logic import report_handling as rh

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)


def _reports() -> pl.DataFrame:
    rows = [
        # id, channel, unit, received, verification, feedback, anonymous, reward
        ("A", "12350热线", "店子镇", date(2026, 1, 5), "查实", date(2026, 2, 1), False, 500.0),
        ("B", "12350热线", "店子镇", date(2026, 2, 1), "核查中", None, False, None),  # overdue
        ("C", "网络平台", "西集镇", date(2026, 3, 1), "部分查实", None, False, 0.0),  # overdue
        ("D", "网络平台", "西集镇", date(2026, 3, 2), "不属实", None, True, None),  # anonymous
        # received 60 days before D exactly: old enough; 59 days: not yet
        ("E", "来信来访", "西集镇", date(2026, 5, 1), None, None, False, None),
        ("F", "来信来访", "店子镇", date(2026, 5, 2), "核查中", None, False, None),
    ]
    cols = ["report_id", "channel", "unit_name", "received_date", "verification"]
    cols += ["feedback_date", "is_anonymous", "reward_yuan"]
    df = pl.DataFrame(rows, schema=cols, orient="row")
    # as fct_reports derives them
    return df.with_columns(
        is_verified=pl.col("verification").is_not_null() & (pl.col("verification") != "核查中"),
        has_feedback=pl.col("feedback_date").is_not_null(),
        unit_code=pl.col("unit_name").replace({"店子镇": "U02", "西集镇": "U03"}),
    )


def test_overdue_days_is_t12s_seed_value():
    seed = (REPO / "seeds" / "target_parameters.csv").read_text().splitlines()
    (line,) = [s for s in seed if s.startswith("report_closure_min_age_days,")]
    assert int(line.split(",")[1]) == rh.OVERDUE_DAYS


def test_handling_loop_known_answer():
    total = rh.handling_loop(_reports(), AS_OF).row(0, named=True)
    assert total == {
        "received": 6,
        "verified": 3,  # A, C, D
        "substantiated": 2,  # 查实 A, 部分查实 C
        "answered": 1,  # A
        "rewarded": 1,  # A (0 元 is no reward)
        "overdue_unverified": 2,  # B, E (E: exactly 60 days)
        "overdue_unanswered": 1,  # C (D is anonymous)
        "reward_total_yuan": 500.0,
    }
    by_channel = rh.handling_loop(_reports(), AS_OF, by="channel")
    assert by_channel.select("channel", "received", "overdue_unverified").rows() == [
        ("12350热线", 2, 1),
        ("来信来访", 2, 1),
        ("网络平台", 2, 0),
    ]
    by_unit = rh.handling_loop(_reports(), AS_OF, by="unit_name")
    assert by_unit.select("unit_name", "overdue_unanswered").rows() == [
        ("店子镇", 0),
        ("西集镇", 1),
    ]


def test_overdue_list_and_period():
    overdue = rh.overdue_reports(_reports(), AS_OF)
    assert overdue.select("report_id", "overdue_stage", "days_since_received").rows() == [
        ("B", "未核查", 149),
        ("C", "已核查未反馈", 121),
        ("E", "未核查", 60),
    ]
    q1 = rh.in_period(_reports(), date(2026, 1, 1), date(2026, 3, 31))
    assert q1["report_id"].to_list() == ["A", "B", "C", "D"]


def test_demo_overdue_reports_are_t12s_chase_list(demo_warehouse: Path):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        as_of = con.execute("select as_of_date from mart_build_info").fetchone()[0]
        reports = con.execute("select * from fct_reports").pl()
        chase = con.execute(
            "select subject_id from mart_target_chase_list where target_id = 'T12'"
        ).pl()
    overdue = rh.overdue_reports(reports, as_of)
    assert overdue.height > 0
    assert sorted(overdue["report_id"].to_list()) == sorted(chase["subject_id"].to_list())
