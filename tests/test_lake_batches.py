"""The lake's per-file stage in bounded batches (issue 13, "streaming, bounded memory"): the new
files of an extract are read, validated and written to the lake a batch at a time (a row budget,
``ZHIBEN_LAKE_BATCH_ROWS``; a file is never split). A build with a tiny budget — many batches,
each its own great-expectations call — gives the same marts, quarantine and reconciliation as the
default build, byte for byte; so does the loader without its read-ahead thread.

The default build is the session's build of the tiny dirty drop (conftest `tiny_dirty_warehouse`:
the same drop, D read from the drop, the default budget, the test salt), read only; the forced
build reads the same drop folder (so `raw_dir` in the marts is the same) into a warehouse of its
own."""

from __future__ import annotations

import duckdb
import pytest
from fixtures.warehouses import table_difference

from zhiben import history
from zhiben.contract import LOAD_ORDER
from zhiben.paths import SEEDS_DIR, WarehousePaths

#: rows per batch in the forced build: the tiny drop's files hold tens to hundreds of rows, so
#: a batch is one file or a few
TINY_BUDGET = 120
#: mart tables that describe the builds themselves (run ids, clocks), not the data
BUILD_RECORDS = {"mart_build_runs", "mart_build_run_extracts"}


def _expected_batches(rows_per_file: dict[str, list[int]], budget: int) -> int:
    """The batches of the budget rule: files in path order, a batch closed once it holds
    `budget` rows or at the extract's last file."""
    n = 0
    for rows in rows_per_file.values():
        held = 0
        for i, r in enumerate(rows):
            held += r
            if held >= budget or i == len(rows) - 1:
                n += 1
                held = 0
    return n


@pytest.fixture(scope="module")
def batch_builds(tiny_dirty_drop, tiny_dirty_warehouse, tmp_path_factory):
    from zhiben.build import build

    default = tiny_dirty_warehouse
    batched = tmp_path_factory.mktemp("batches") / "batched" / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHIBEN_LAKE_BATCH_ROWS", str(TINY_BUDGET))
        batched_result = build(tiny_dirty_drop, batched, progress=lambda _m: None)
    (default_run,) = history.read(WarehousePaths(default).history_file)  # the one shared build
    (default_db,) = WarehousePaths(default).work_dir.glob("build-*.duckdb")
    return {
        "drop": tiny_dirty_drop,
        "default": default,
        "batched": batched,
        "default_db": default_db,
        "batched_db": batched_result.build_db,
        "default_run": default_run,
        "batched_run": history.read(WarehousePaths(batched).history_file)[-1],
    }


def test_the_budget_decides_the_batches(batch_builds):
    """The default budget: one batch per extract (the tiny drop is far below it); the tiny
    budget: exactly the batches the rule gives for the drop's files — many more."""
    with duckdb.connect(str(batch_builds["batched_db"]), read_only=True) as con:
        entries = con.execute(
            "select extract, file, rows from raw.lake_entries order by extract, file"
        ).fetchall()
    rows_per_file: dict[str, list[int]] = {}
    for extract, _file, rows in entries:
        rows_per_file.setdefault(extract, []).append(rows)
    assert set(rows_per_file) == set(LOAD_ORDER)
    assert max(max(r) for r in rows_per_file.values()) > TINY_BUDGET  # a file above the budget
    default_lake = batch_builds["default_run"]["lake"]
    batched_lake = batch_builds["batched_run"]["lake"]
    assert default_lake["batches"] == len(rows_per_file)
    expected = _expected_batches(rows_per_file, TINY_BUDGET)
    assert batched_lake["batches"] == expected
    assert expected > 3 * len(rows_per_file)
    assert batched_lake["files_read"] == default_lake["files_read"] == len(entries)


def test_every_mart_equals_the_default_build(batch_builds):
    con = duckdb.connect()
    con.execute(f"attach '{batch_builds['default']}' as dflt (read_only)")
    con.execute(f"attach '{batch_builds['batched']}' as btch (read_only)")

    def tables(catalog: str) -> set[str]:
        q = "select table_name from information_schema.tables where table_catalog = ?"
        return {r[0] for r in con.execute(q, [catalog]).fetchall()}

    names = tables("dflt")
    assert names == tables("btch") and len(names) > 25
    for table in sorted(names - BUILD_RECORDS):
        types_a = con.execute(f'describe dflt."{table}"').fetchall()
        types_b = con.execute(f'describe btch."{table}"').fetchall()
        assert [t[:2] for t in types_a] == [t[:2] for t in types_b], table
        rows, only_a, only_b = table_difference(con, "dflt", "btch", table)
        assert (only_a, only_b) == (0, 0), table
    assert con.execute("select count(*) from btch.fct_hazards").fetchone()[0] > 1000
    assert con.execute("select count(*) from btch.mart_quarantine").fetchone()[0] > 10


def _raw_equal(a_db, b_db) -> None:
    con = duckdb.connect()
    con.execute(f"attach '{a_db}' as a (read_only)")
    con.execute(f"attach '{b_db}' as b (read_only)")
    for table in ("quarantine", "load_reconciliation", *LOAD_ORDER):
        rows, only_a, only_b = table_difference(con, "a.raw", "b.raw", table)
        assert (only_a, only_b) == (0, 0), table
    # row order too: `_read_seq` of every raw row, the quarantine in its order
    for table in LOAD_ORDER:
        q = f"select _file, _line, _read_seq from {{}}.raw.{table} order by _read_seq"
        assert con.execute(q.format("a")).fetchall() == con.execute(q.format("b")).fetchall()
    q = "select * from {}.raw.quarantine"
    assert con.execute(q.format("a")).fetchall() == con.execute(q.format("b")).fetchall()


def test_raw_relations_equal_the_default_build(batch_builds):
    """The raw views, quarantine (in its order) and per-file reconciliation of the batched build
    equal the default build's."""
    _raw_equal(batch_builds["default_db"], batch_builds["batched_db"])


def test_the_loader_without_read_ahead_lands_the_same(batch_builds, tmp_path, monkeypatch):
    """Batches read in the loader's own thread (no read-ahead): the same raw relations as the
    default build."""
    from zhiben.ingest import ingest

    monkeypatch.setenv("ZHIBEN_LAKE_BATCH_ROWS", str(TINY_BUDGET))
    monkeypatch.setenv("ZHIBEN_LAKE_READ_AHEAD", "0")
    result = ingest(
        batch_builds["drop"],
        tmp_path / "inline.duckdb",
        seeds_dir=SEEDS_DIR,
        salt="zhiben-test-salt",
        lake_dir=tmp_path / "lake",
        progress=lambda _m: None,
    )
    assert result.lake["files_read"] == result.lake["files"]
    assert result.lake["batches"] == batch_builds["batched_run"]["lake"]["batches"]
    _raw_equal(batch_builds["default_db"], tmp_path / "inline.duckdb")
