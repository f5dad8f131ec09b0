"""The lake (SPEC §11): a build reuses the entries of unchanged files and reads only new or changed
ones, and its marts equal a build from scratch of the same drop, value for value.

A tiny dirty drop (every kind of bad row) is built with some files held back; then the held-back
files arrive (new files), one month is re-exported with other content and one file vanishes; the
second build runs on the same warehouse (incremental) and is compared with a clean build of the
final drop in a new warehouse."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fixtures.warehouses import table_difference

from zhiben import history
from zhiben.contract import LOAD_ORDER
from zhiben.paths import SEEDS_DIR, WarehousePaths

AS_OF = date(2026, 11, 28)
#: held back from the first build: the newest file of these extracts (they "arrive" later)
NEW_FILES_OF = ("hazards", "inspections", "reports")
#: the extract of the re-exported month, and the one a file vanishes from
REEXPORTED_OF = "inspections"
VANISHED_OF = "drills"
#: mart tables that describe the builds themselves (run ids, clocks), not the data
BUILD_RECORDS = {"mart_build_runs", "mart_build_run_extracts"}


def _files(raw: Path, extract: str) -> list[Path]:
    return sorted((raw / extract).glob("*.csv"), key=lambda p: p.relative_to(raw).as_posix())


def _plain_utf8(path: Path) -> bool:
    """A CSV whose every physical line is one row (no quoted field): safe to edit by lines."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return '"' not in text and "\r" not in text and len(text.splitlines()) > 4


def _reexport(path: Path) -> None:
    """The month's file exported again, other content: its last row gone, its first row twice."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    path.write_text("\n".join([header, *rows[:-1], rows[0]]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def lake_builds(tmp_path_factory):
    from zhiben.build import build
    from zhiben.generate import generate

    root = tmp_path_factory.mktemp("lake")
    full = root / "full"
    generate(full, scale="tiny", seed=11, dirty=True, as_of=AS_OF)

    # the first drop: the full one without the newest file of a few extracts
    drop = root / "drop"
    shutil.copytree(full, drop)
    held = [_files(drop, e)[-1] for e in NEW_FILES_OF]
    for p in held:
        p.unlink()
    incremental = root / "inc" / "warehouse.duckdb"
    build(drop, incremental, progress=lambda _m: None)
    first = history.read(WarehousePaths(incremental).history_file)[-1]

    # a day later: the held-back files arrive, a month is re-exported, a file vanishes
    for p in held:
        shutil.copy2(full / p.relative_to(drop), p)
    month = next(p for p in _files(drop, REEXPORTED_OF)[:-1] if _plain_utf8(p))
    _reexport(month)
    vanished = _files(drop, VANISHED_OF)[0]
    vanished.unlink()
    changed = {p.relative_to(drop).as_posix() for p in [*held, month]}
    result = build(drop, incremental, progress=lambda _m: None)
    second = history.read(WarehousePaths(incremental).history_file)[-1]

    clean = root / "clean" / "warehouse.duckdb"
    clean_result = build(drop, clean, progress=lambda _m: None)
    return {
        "drop": drop,
        "first": first,
        "second": second,
        "incremental": incremental,
        "clean": clean,
        "result": result,
        "clean_result": clean_result,
        "changed": changed,
        "vanished": vanished.relative_to(drop).as_posix(),
    }


def test_second_build_reads_only_the_changed_files(lake_builds):
    first, second = lake_builds["first"]["lake"], lake_builds["second"]["lake"]
    assert first["files_reused"] == 0 and first["files_read"] == first["files"]
    # the held-back files and the re-exported month, nothing else
    assert second["files_read"] == len(lake_builds["changed"]) == len(NEW_FILES_OF) + 1
    assert second["files_reused"] == second["files"] - second["files_read"]
    # one file less than the first build's, plus the new ones
    assert second["files"] == first["files"] - 1 + len(NEW_FILES_OF)
    with duckdb.connect(str(lake_builds["result"].build_db), read_only=True) as con:
        reread = {
            r[0]
            for r in con.execute("select file from raw.lake_entries where not reused").fetchall()
        }
    assert reread == lake_builds["changed"]


def test_every_mart_equals_a_clean_build(lake_builds):
    con = duckdb.connect()
    con.execute(f"attach '{lake_builds['incremental']}' as inc (read_only)")
    con.execute(f"attach '{lake_builds['clean']}' as clean (read_only)")
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'inc'"
        ).fetchall()
    }
    clean_tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'clean'"
        ).fetchall()
    }
    assert tables == clean_tables and len(tables) > 25
    for table in sorted(tables - BUILD_RECORDS):
        types_inc = con.execute(f'describe inc."{table}"').fetchall()
        types_clean = con.execute(f'describe clean."{table}"').fetchall()
        assert [t[:2] for t in types_inc] == [t[:2] for t in types_clean], table
        rows, only_inc, only_clean = table_difference(con, "inc", "clean", table)
        (clean_rows,) = con.execute(f'select count(*) from clean."{table}"').fetchone()
        assert (rows, only_inc, only_clean) == (clean_rows, 0, 0), table
    # the data the check is about: the drop's rows and its quarantine reached the marts
    assert con.execute("select count(*) from inc.fct_hazards").fetchone()[0] > 1000
    assert con.execute("select count(*) from inc.mart_quarantine").fetchone()[0] > 10


def test_raw_relations_and_reconciliation_equal_a_clean_build(lake_builds):
    """Per file: rows read = loaded + quarantined + folded, the same numbers as from scratch; the
    raw views, the quarantine and `_read_seq` equal too (a reused entry and a re-read file give
    the same numbers)."""
    con = duckdb.connect()
    con.execute(f"attach '{lake_builds['result'].build_db}' as inc (read_only)")
    con.execute(f"attach '{lake_builds['clean_result'].build_db}' as clean (read_only)")
    recon = con.execute(
        "select file, rows_read, rows_loaded, rows_quarantined, rows_folded "
        "from inc.raw.load_reconciliation order by file"
    ).fetchall()
    assert (
        recon
        == con.execute(
            "select file, rows_read, rows_loaded, rows_quarantined, rows_folded "
            "from clean.raw.load_reconciliation order by file"
        ).fetchall()
    )
    assert all(r[1] == r[2] + r[3] + r[4] for r in recon)
    assert sum(r[4] for r in recon) > 0 and sum(r[3] for r in recon) > 0
    assert lake_builds["vanished"] not in {r[0] for r in recon}
    for table in ("quarantine", "hazards", "enterprises", "drills", "training", "penalties"):
        rows, only_inc, only_clean = table_difference(con, "inc.raw", "clean.raw", table)
        assert rows > 0 and (only_inc, only_clean) == (0, 0), table


def test_the_lake_holds_only_the_files_of_the_last_build(lake_builds):
    """The vanished file's entry is pruned; the lake's entries are exactly the drop's files."""
    lake_dir = WarehousePaths(lake_builds["incremental"]).lake_dir
    metas = [p for p in lake_dir.glob("*/*/meta.json") if not p.parts[-3].startswith("_")]
    drop = lake_builds["drop"]
    files = {
        p.relative_to(drop).as_posix()
        for p in drop.rglob("*")
        if p.is_file() and p.relative_to(drop).parts[0] in LOAD_ORDER
    }
    held = {json.loads(p.read_text(encoding="utf-8"))["file"] for p in metas}
    assert held == files
    assert lake_builds["vanished"] not in held
    assert lake_builds["second"]["lake"]["bytes"] > 0


def test_a_changed_salt_invalidates_the_lake(lake_builds, tmp_path):
    from zhiben.ingest import ingest

    lake_dir = WarehousePaths(lake_builds["incremental"]).lake_dir
    same = ingest(
        lake_builds["drop"],
        tmp_path / "same.duckdb",
        seeds_dir=SEEDS_DIR,
        salt="zhiben-test-salt",
        lake_dir=lake_dir,
        progress=lambda _m: None,
    )
    assert same.lake["files_read"] == 0 and same.lake["files_reused"] == same.lake["files"]
    other = ingest(
        lake_builds["drop"],
        tmp_path / "other.duckdb",
        seeds_dir=SEEDS_DIR,
        salt="another-salt",
        lake_dir=lake_dir,
        progress=lambda _m: None,
    )
    assert other.lake["files_reused"] == 0 and other.lake["files_read"] == other.lake["files"]
    # the salt reaches the hashes: the two builds' ID hashes differ, their counts do not
    with (
        duckdb.connect(str(tmp_path / "same.duckdb"), read_only=True) as a,
        duckdb.connect(str(tmp_path / "other.duckdb"), read_only=True) as b,
    ):
        q = "select min(id_number_hash), count(*) from raw.training"
        ha, hb = a.execute(q).fetchone(), b.execute(q).fetchone()
    assert ha[1] == hb[1] > 0 and ha[0] != hb[0]
    # --full-refresh: every file read again, whatever the lake holds (the lake is rebuilt)
    again = ingest(
        lake_builds["drop"],
        tmp_path / "again.duckdb",
        seeds_dir=SEEDS_DIR,
        salt="another-salt",
        lake_dir=lake_dir,
        progress=lambda _m: None,
        full_refresh=True,
    )
    assert again.lake["files_reused"] == 0 and again.lake["files_read"] == again.lake["files"]
