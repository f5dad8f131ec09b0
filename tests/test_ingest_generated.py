"""zhiben.ingest on generated drops: every planted bad row lands in quarantine with its reason,
every planted duplicate folds, every planted deletion loads, every file balances; the broken
file stops the load."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from zhiben.contract import EXTRACTS, LOAD_ORDER
from zhiben.ingest import ExtractFileError, ingest

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


def test_tiny_dirty_drop(tiny_dirty_drop, tmp_path):
    """The session's tiny dirty drop, seed 7, as of AS_OF (conftest `tiny_dirty_drop`)."""
    raw = tiny_dirty_drop
    db = tmp_path / "build.duckdb"
    result = ingest(raw, db, seeds_dir=SEEDS, salt="s", progress=lambda _m: None)
    check_planted(raw, db)
    assert result.as_of <= AS_OF


def test_district_dirty_drop(demo_drop, tmp_path):
    """The session's district demo drop (conftest `demo_drop`)."""
    db = tmp_path / "build.duckdb"
    result = ingest(demo_drop, db, seeds_dir=SEEDS, salt="s", progress=lambda _m: None)
    check_planted(demo_drop, db)
    assert result.warnings  # the drop plants equal-更新时间 versions


def test_broken_file_stops_the_load(tmp_path):
    raw = tmp_path / "raw"
    generate_mod.generate(raw, scale="tiny", seed=7, dirty=False, broken_file=True, as_of=AS_OF)
    db = tmp_path / "build.duckdb"
    with pytest.raises(ExtractFileError) as err:
        ingest(raw, db, seeds_dir=SEEDS, salt="s", progress=lambda _m: None)
    assert "hazards/hazards_broken.csv" in str(err.value) and "隐患编号" in str(err.value)
    assert not db.exists()
