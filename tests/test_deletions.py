"""Deletions (SPEC §10.1, §10.5): 是否删除 on every extract, end to end (loader → dbt → marts).

The story of the drop (as of 2024-12-31 unless said):
- 甲 (E1, 山城街道) lives on. A row of E1 with 是否删除 = 可能 is malformed: quarantined (bad_bool).
- 乙 (E2, 店子镇, 在营) is deleted on 2024-09-01: it leaves dim_enterprise and the active counts,
  but its hazard H3 (empty 所属镇街) keeps counting, in 店子镇 (U02), its last state before deletion
  (flagged is_known_enterprise = false, as it is no longer in dim_enterprise).
- E3 was never loaded: its deletion row loads and has no effect.
- H1, a 重大隐患 overdue since 2024-03-20, is deleted on 2024-08-01: it leaves fct_hazards, the
  major-hazard ledger and the overdue counts; a build as of 2024-07-31 still shows it.
- H2 is deleted on 2024-05-01 and restored on 2024-06-01 (已整改 on 2024-05-20).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from fixtures.hand_drop import dbt_child
from test_ingest import E1, E2, SALT, SEEDS, cc, row, write_csv

from zhiben.ingest import ingest

E3 = cc("91370406MA3C00003")
SELECT = (
    "+dim_enterprise",
    "+dim_unit",
    "+dim_industry",
    "+dim_department",
    "+fct_hazards",
    "+mart_major_hazard_ledger",
    "+mart_monthly_dispatch",
    "+mart_training_coverage",
    "+mart_load_reconciliation",
    "+mart_quarantine",
)


def deletion(extract: str, key: str, value: str, updated_at: str, flag: str = "是") -> dict:
    """A deletion row: the key, 更新时间 and 是否删除 only (every other cell empty)."""
    return {key: value, "更新时间": updated_at, "是否删除": flag}


def write_drop(raw: Path) -> None:
    ent_header = [*row("enterprises"), "是否删除"]
    write_csv(
        raw / "enterprises" / "e.csv",
        [
            row("enterprises"),
            row(
                "enterprises",
                **{"统一社会信用代码": E2, "企业名称": "乙公司", "所属镇街": "店子镇"},
            ),
            deletion("enterprises", "统一社会信用代码", E2, "2024-09-01 08:00"),
            deletion("enterprises", "统一社会信用代码", E3, "2024-02-01 08:00"),
            # malformed 是否删除: quarantined, whatever its other cells
            row("enterprises", **{"更新时间": "2024-10-01 08:00", "是否删除": "可能"}),
        ],
        header=ent_header,
    )
    haz_header = [*row("hazards"), "是否删除"]
    major = {"隐患等级": "重大隐患", "是否挂牌督办": "是", "督办级别": "区级"}
    h2 = {"隐患编号": "H2", "发现日期": "2024-04-01", "整改期限": "2024-04-30"}
    write_csv(
        raw / "hazards" / "h.csv",
        [
            row("hazards", **major),
            deletion("hazards", "隐患编号", "H1", "2024-08-01 09:00", flag="1"),
            row("hazards", **h2, **{"更新时间": "2024-04-02 09:00"}),
            deletion("hazards", "隐患编号", "H2", "2024-05-01 09:00", flag="Y"),
            row(
                "hazards",
                **h2,
                **{
                    "整改状态": "已整改",
                    "整改完成日期": "2024-05-20",
                    "更新时间": "2024-06-01 09:00",
                    "是否删除": "否",
                },
            ),
            row(
                "hazards",
                **{
                    "隐患编号": "H3",
                    "统一社会信用代码": E2,
                    "发现日期": "2024-02-01",
                    "整改期限": "2024-02-10",
                    "更新时间": "2024-02-02 09:00",
                },
            ),
        ],
        header=haz_header,
    )


def _build(raw: Path, tmp_path_factory, name: str, as_of: dt.date) -> duckdb.DuckDBPyConnection:
    db = tmp_path_factory.mktemp(name) / "build.duckdb"
    ingest(raw, db, seeds_dir=SEEDS, salt=SALT, as_of=as_of, progress=lambda _m: None)
    dbt_child(tmp_path_factory).build(
        db, as_of, ("build", "--select", *SELECT, "--indirect-selection", "cautious")
    )
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set search_path = 'marts,staging,raw'")
    return con


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("deletions") / "raw"
    write_drop(raw)
    return raw


@pytest.fixture(scope="module")
def at_year_end(drop, tmp_path_factory):
    con = _build(drop, tmp_path_factory, "d_2024_12_31", dt.date(2024, 12, 31))
    yield con
    con.close()


@pytest.fixture(scope="module")
def before_deletion(drop, tmp_path_factory):
    con = _build(drop, tmp_path_factory, "d_2024_07_31", dt.date(2024, 7, 31))
    yield con
    con.close()


def test_deletion_rows_load_and_malformed_flag_is_quarantined(at_year_end):
    con = at_year_end
    recon = dict(
        con.execute(
            "select extract, [rows_read, rows_loaded, rows_quarantined, rows_folded] "
            "from mart_load_reconciliation"
        ).fetchall()
    )
    # enterprises: 5 rows, the two deletions load, the malformed 是否删除 is quarantined
    assert recon["enterprises"] == [5, 4, 1, 0]
    assert recon["hazards"] == [6, 6, 0, 0]
    q = con.execute(
        "select extract, line, column_name, reason_code, value from mart_quarantine"
    ).fetchall()
    assert q == [("enterprises", 6, "is_deleted", "bad_bool", "可能")]
    # a deletion row keeps only its key and 更新时间
    kept = con.execute(
        "select credit_code, enterprise_name, unit_code, operating_status, is_deleted "
        "from raw.enterprises where is_deleted order by _read_seq"
    ).fetchall()
    assert kept == [(E2, None, None, None, True), (E3, None, None, None, True)]


def test_deleted_enterprise_leaves_dim_and_active_counts(at_year_end, before_deletion):
    assert at_year_end.execute("select credit_code from dim_enterprise").fetchall() == [(E1,)]
    assert sorted(
        before_deletion.execute("select credit_code from dim_enterprise").fetchall()
    ) == sorted([(E1,), (E2,)])
    active = (
        "select unit_code, active_enterprises from mart_training_coverage "
        "where year = 2024 and unit_code in ('U01', 'U02') order by unit_code"
    )
    assert at_year_end.execute(active).fetchall() == [("U01", 1), ("U02", 0)]
    assert before_deletion.execute(active).fetchall() == [("U01", 1), ("U02", 1)]


def test_fact_of_deleted_enterprise_keeps_counting_in_its_last_unit(at_year_end):
    assert at_year_end.execute(
        "select unit_code, is_known_enterprise from fct_hazards where hazard_id = 'H3'"
    ).fetchall() == [("U02", False)]  # not known: it left dim_enterprise


def test_deleted_overdue_major_hazard_leaves_ledger_and_counts(at_year_end, before_deletion):
    assert sorted(at_year_end.execute("select hazard_id from fct_hazards").fetchall()) == [
        ("H2",),
        ("H3",),
    ]
    assert at_year_end.execute("select count(*) from mart_major_hazard_ledger").fetchone() == (0,)
    # the build as of a date before the deletion still shows it, overdue
    assert before_deletion.execute(
        "select hazard_id, is_overdue from mart_major_hazard_ledger"
    ).fetchall() == [("H1", True)]
    overdue = (
        "select month, major_overdue_at_month_end from mart_monthly_dispatch "
        "where unit_code = 'U01' and month in ('2024-04', '2024-07', '2024-12') order by month"
    )
    # every period: the state as of D (SPEC §9) — deleted as of D, it is overdue in no month
    assert at_year_end.execute(overdue).fetchall() == [
        ("2024-04", 0),
        ("2024-07", 0),
        ("2024-12", 0),
    ]
    assert before_deletion.execute(overdue).fetchall()[:2] == [("2024-04", 1), ("2024-07", 1)]


def test_delete_then_restore(at_year_end):
    assert at_year_end.execute(
        "select status, rectified_date, is_rectified from fct_hazards where hazard_id = 'H2'"
    ).fetchall() == [("已整改", dt.date(2024, 5, 20), True)]


def test_unknown_key_deletion_has_no_effect(at_year_end):
    assert at_year_end.execute(
        f"select count(*) from dim_enterprise where credit_code = '{E3}'"
    ).fetchone() == (0,)


def test_history_keeps_the_deletion(at_year_end):
    versions = at_year_end.execute(
        "select updated_at, is_deleted, status from stg_raw__hazards where hazard_id = 'H2' "
        "order by updated_at"
    ).fetchall()
    assert [(v[1], v[2]) for v in versions] == [(False, "整改中"), (True, None), (False, "已整改")]
