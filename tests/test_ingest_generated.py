"""zhiben.ingest on generated drops: every planted bad row lands in quarantine with its reason,
every planted duplicate folds, every planted deletion loads, every file balances; the broken
file stops the load."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from zhiben import history
from zhiben.contract import EXTRACTS, LOAD_ORDER
from zhiben.ingest import ExtractFileError, ingest
from zhiben.paths import WarehousePaths

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
AS_OF = date(2026, 11, 28)

generate_mod = pytest.importorskip("zhiben.generate")


def check_planted(raw: Path, db: Path) -> None:
    planted = json.loads((raw / "_planted.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = set(
            con.execute(
                "select file, line, column_name, reason_code from raw.quarantine"
            ).fetchall()
        )
        for p in planted["quarantine"]:
            assert (p["file"], p["line"], p["column"], p["reason_code"]) in q, p
        planted_rows = {(p["file"], p["line"]) for p in planted["quarantine"]}
        unplanted = {(f, line, c, r) for f, line, c, r in q if (f, line) not in planted_rows}
        assert not unplanted, sorted(unplanted)[:10]
        loaded: set[tuple[str, int]] = set()
        for t in LOAD_ORDER:
            loaded |= set(con.execute(f"select _file, _line from raw.{t}").fetchall())
        for p in planted["folded"]:
            assert (p["file"], p["line"]) not in loaded, p
            assert (p["file"], p["line"]) not in planted_rows, p
        # deletions (SPEC §10.1): the deletion rows and the restoring versions load
        assert {p["extract"] for p in planted["deletions"]} == {"hazards", "reports"}
        for p in planted["deletions"]:
            key = EXTRACTS[p["extract"]].key
            got = con.execute(
                f"select {key}, is_deleted from raw.{p['extract']} where _file = ? and _line = ?",
                [p["file"], p["line"]],
            ).fetchall()
            assert got == [(p["record_key"], p["kind"] == "delete")], p
        rec = con.execute(
            "select file, rows_read, rows_loaded, rows_quarantined, rows_folded "
            "from raw.load_reconciliation"
        ).fetchall()
        assert rec
        for f, r, lo, qu, fo in rec:
            assert r == lo + qu + fo, f
        assert sum(r[4] for r in rec) == len(planted["folded"])
        assert sum(r[3] for r in rec) == len(planted_rows)
    finally:
        con.close()


def test_tiny_dirty_drop(tiny_dirty_drop, tiny_dirty_warehouse):
    """The session's tiny dirty drop, seed 7, as of AS_OF (conftest `tiny_dirty_drop`), as the
    session's build loaded it (`zhiben.build` runs zhiben.ingest; conftest `tiny_dirty_warehouse`,
    its kept build file)."""
    (db,) = WarehousePaths(tiny_dirty_warehouse).work_dir.glob("build-*.duckdb")
    check_planted(tiny_dirty_drop, db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select max(as_of_date) from raw.build_info").fetchone()[0] <= AS_OF


def test_district_dirty_drop(demo_drop, demo_warehouse, demo_build_db):
    """The session's district demo drop (conftest `demo_drop`), as the session's demo build loaded
    it (conftest `demo_build_db`)."""
    check_planted(demo_drop, demo_build_db)
    # the drop plants equal-更新时间 versions: the loader warns (its warnings, in the run history)
    (run,) = history.read(WarehousePaths(demo_warehouse).history_file, last=1)
    assert [w for w in run["warnings"] if w.startswith("警告 / warning:")]


def test_broken_file_stops_the_load(tmp_path):
    raw = tmp_path / "raw"
    generate_mod.generate(raw, scale="tiny", seed=7, dirty=False, broken_file=True, as_of=AS_OF)
    db = tmp_path / "build.duckdb"
    with pytest.raises(ExtractFileError) as err:
        ingest(raw, db, seeds_dir=SEEDS, salt="s", progress=lambda _m: None)
    assert "hazards/hazards_broken.csv" in str(err.value) and "隐患编号" in str(err.value)
    assert not db.exists()
