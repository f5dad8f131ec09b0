"""督办清单 on the targets page and the 举报 page (issue 17), AppTest against the demo warehouse."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from test_app_pages import _data, assert_clean, open_page, served  # noqa: F401 (fixture)

from zhiben import auth
from zhiben.app_logic import queries
from zhiben.warehouse import read_mart

CHASE = ["T6", "T8", "T9", "T12", "T13", "T18"]
KEY = ["target_id", "subject_type", "subject_id", "missing_item"]


def chase_table(at, tid: str) -> pl.DataFrame:
    """The table in the target's 督办清单 expander."""
    (box,) = [e for e in at.expander if e.label.startswith(f"{tid} ")]
    return _data(box.dataframe[0])


def _rows(df: pl.DataFrame) -> list[tuple]:
    return sorted(df.select(KEY).iter_rows())


def test_targets_page_lists_whom_to_chase_for_a_unit(served: Path) -> None:  # noqa: F811
    mart = read_mart("mart_target_chase_list", path=served)
    at = open_page("targets.py", flt_unit="U02")
    assert_clean(at)
    expanders = [e.label for e in at.expander]
    for tid in CHASE:
        assert any(label.startswith(f"{tid} ") for label in expanders), tid
        shown = chase_table(at, tid)
        expected = mart.filter((pl.col("target_id") == tid) & (pl.col("unit_code") == "U02"))
        assert _rows(shown) == _rows(expected)
    # the demo's 店子镇 misses something under T8 (an empty comparison would prove nothing)
    assert chase_table(at, "T8").height > 0
    # all units: T13 lists the departments too
    at.sidebar.selectbox(key="flt_unit").select("全部").run()
    t13 = chase_table(at, "T13")
    assert "区直部门" in t13["subject_type"].to_list()
    assert _rows(t13) == _rows(mart.filter(pl.col("target_id") == "T13"))


def test_a_unit_account_sees_only_its_own_lists(
    served: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = open_page("targets.py", zhiben_account=auth.Account("u03", auth.ROLE_UNIT, "U03"))
    assert_clean(at)
    at.sidebar.selectbox(key="flt_unit").select("全部").run()  # even with all units chosen …
    mart = read_mart("mart_target_chase_list", path=served)
    seen = 0
    for tid in CHASE:
        shown = chase_table(at, tid)
        seen += shown.height
        assert set(shown["unit_code"].to_list()) <= {"U03"}
        expected = mart.filter((pl.col("target_id") == tid) & (pl.col("unit_code") == "U03"))
        assert _rows(shown) == _rows(expected)
    assert seen > 0
    # … and the query itself holds no other unit's row, nor a department's
    rows = queries.target_chase_list(served, units=("U03",))
    assert set(rows["unit_code"].to_list()) == {"U03"}


# ------------------------------------------------------------------ 举报 page


def test_reports_page_shows_the_handling_loop(served: Path) -> None:  # noqa: F811
    from zhiben.app_logic import report_handling as rh

    at = open_page("reports.py", flt_unit="U02")
    assert_clean(at)
    assert [t.value for t in at.title] == ["举报处理"]
    assert len(at.download_button) == len(at.dataframe) == 3
    at.radio(key="rp_period").set_value("全部").run()
    assert_clean(at)
    as_of = queries.build_info(served).as_of_date
    mart = read_mart("fct_reports", path=served).filter(pl.col("unit_code") == "U02")
    total = rh.handling_loop(mart, as_of).row(0, named=True)
    metrics = {m.label: m.value for m in at.metric}
    for stage, name in rh.STAGES.items():
        assert metrics[name] == f"{total[stage]:,}", name
    assert total["received"] > 0 and total["overdue_unverified"] + total["overdue_unanswered"] > 0
    by_unit = _data(at.dataframe[1])
    assert by_unit["unit_name"].to_list() == ["店子镇"]
    overdue = _data(at.dataframe[2])
    assert sorted(overdue["report_id"]) == sorted(rh.overdue_reports(mart, as_of)["report_id"])
    # no column of any table names a reporter
    for df in at.dataframe:
        assert not [c for c in _data(df).columns if "reporter" in c or "举报人" in c]


def test_reports_page_for_a_unit_account(
    served: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = open_page("reports.py", zhiben_account=auth.Account("u03", auth.ROLE_UNIT, "U03"))
    at.sidebar.selectbox(key="flt_unit").select("全部").run()
    at.radio(key="rp_period").set_value("全部").run()
    assert_clean(at)
    assert _data(at.dataframe[1])["unit_name"].to_list() == ["西集镇"]
    assert set(_data(at.dataframe[2])["unit_code"].to_list()) <= {"U03"}
