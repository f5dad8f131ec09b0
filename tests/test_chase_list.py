"""督办清单 (mart_target_chase_list, issue 17) on the demo warehouse: for each coverage target that
is a count of subjects (T8, T9, T12, T13) the list's size is the target's denominator — counted
here independently, from the dims and facts — minus its numerator (actual × denominator, the
figure mart_target_milestones shows for the milestone computed at D)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
#: T12's age (seed target_parameters)
MIN_AGE_DAYS = next(
    int(line.split(",")[1])
    for line in (REPO / "seeds" / "target_parameters.csv").read_text().splitlines()
    if line.startswith("report_closure_min_age_days,")
)


@pytest.fixture(scope="module")
def con(demo_warehouse: Path):
    c = duckdb.connect(str(demo_warehouse), read_only=True)
    yield c
    c.close()


def denominators(con) -> dict[str, int]:
    as_of = con.execute("select as_of_date from mart_build_info").fetchone()[0]
    active = con.execute("select count(*) from dim_enterprise where is_active").fetchone()[0]
    reports = con.execute(
        "select count(*) from fct_reports where received_date <= ?",
        [as_of - timedelta(days=MIN_AGE_DAYS)],
    ).fetchone()[0]
    organisers = con.execute(
        "select (select count(*) from dim_unit) + (select count(*) from dim_department)"
    ).fetchone()[0]
    return {"T8": active, "T9": active, "T12": reports, "T13": organisers}


@pytest.mark.parametrize("target_id", ["T8", "T9", "T12", "T13"])
def test_list_size_is_denominator_minus_numerator(con, target_id):
    as_of = con.execute("select as_of_date from mart_build_info").fetchone()[0]
    (actual,) = con.execute(
        "select actual from mart_target_milestones where target_id = ? and evaluation_date = ?",
        [target_id, as_of],
    ).fetchone()
    n = denominators(con)[target_id]
    numerator = actual * n
    assert numerator == pytest.approx(round(numerator), abs=1e-6)
    listed = con.execute(
        "select count(*) from mart_target_chase_list where target_id = ?", [target_id]
    ).fetchone()[0]
    assert n > 0
    assert listed == n - round(numerator)


def test_demo_lists_are_not_empty_and_name_no_person(con):
    counts = dict(
        con.execute(
            "select target_id, count(*) from mart_target_chase_list group by all"
        ).fetchall()
    )
    # the demo misses every one of these targets somewhere: an empty list would prove nothing
    assert {t for t, n in counts.items() if n > 0} >= {"T8", "T9", "T12", "T13"}
    cols = [r[0] for r in con.execute("describe mart_target_chase_list").fetchall()]
    assert not [c for c in cols if "reporter" in c or "principal" in c or "phone" in c]
