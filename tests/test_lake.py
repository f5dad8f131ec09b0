"""The lake (SPEC §11): a build reuses the entries of unchanged files and reads only new or changed
ones, and its marts equal a build from scratch of the same drop, value for value.

The final drop is the session's tiny dirty drop (every kind of bad row), and the clean build of it
the session's (conftest `tiny_dirty_drop`, `tiny_dirty_warehouse`; both read only). The first
night's drop, a copy, differs from it: some files held back, one month as first exported (other
content), one file more (records exported by mistake, gone by the next night). The first build
runs on it; the second, on the same warehouse (incremental), reads the final drop: the held-back
files arrive (new files), the month is re-exported, the extra file has vanished. The lake keys an
entry by the file's path relative to the drop, so the second night's drop may lie in another
folder; being the clean build's folder, `raw_dir` in the marts is the same."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from fixtures.warehouses import table_difference

from zhiben import history
from zhiben.contract import LOAD_ORDER
from zhiben.paths import SEEDS_DIR, WarehousePaths

#: held back from the first build: the newest file of these extracts (they "arrive" later)
NEW_FILES_OF = ("hazards", "inspections", "reports")
#: the extract of the re-exported month, and the one a file vanishes from (its key column)
REEXPORTED_OF = "inspections"
VANISHED_OF, VANISHED_KEY = "drills", "演练编号"
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


def _other_records(path: Path, key: str, dest: Path) -> None:
    """A file of `path`'s shape whose rows are other records: each `key` value changed."""
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    k = header.split(",").index(key)
    out = []
    for line in rows:
        fields = line.split(",")
        fields[k] = "X" + fields[k][1:]
        out.append(",".join(fields))
    dest.write_text("\n".join([header, *out]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def lake_builds(tiny_dirty_drop, tiny_dirty_warehouse, tmp_path_factory):
    from zhiben.build import build

    root = tmp_path_factory.mktemp("lake")
    final = tiny_dirty_drop

    # the first night's drop: without the newest file of a few extracts, one month as first
    # exported, one file more
    drop = root / "drop"
    shutil.copytree(final, drop)
    held = [_files(drop, e)[-1] for e in NEW_FILES_OF]
    for p in held:
        p.unlink()
    month = next(p for p in _files(final, REEXPORTED_OF)[:-1] if _plain_utf8(p))
    month = month.relative_to(final)
    _reexport(drop / month)
    source = next(
        p
        for p in _files(drop, VANISHED_OF)
        if _plain_utf8(p) and VANISHED_KEY in p.read_text(encoding="utf-8").split("\n", 1)[0]
    )
    vanished = source.with_name(f"{source.stem}_extra{source.suffix}")
    _other_records(source, VANISHED_KEY, vanished)
    incremental = root / "inc" / "warehouse.duckdb"
    build(drop, incremental, progress=lambda _m: None)
    first = history.read(WarehousePaths(incremental).history_file)[-1]

    # a day later (the final drop): the held-back files arrive, the month is re-exported, the
    # extra file has vanished
    changed = {p.relative_to(drop).as_posix() for p in held} | {month.as_posix()}
    result = build(final, incremental, progress=lambda _m: None)
    second = history.read(WarehousePaths(incremental).history_file)[-1]

    clean = tiny_dirty_warehouse
    (clean_build_db,) = WarehousePaths(clean).work_dir.glob("build-*.duckdb")
    return {
        "drop": final,
        "first": first,
        "second": second,
        "incremental": incremental,
        "clean": clean,
        "result": result,
        "clean_build_db": clean_build_db,
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
    con.execute(f"attach '{lake_builds['clean_build_db']}' as clean (read_only)")
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
