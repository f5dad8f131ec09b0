"""SPEC §11: the same dbt project on the second engine. The tiny dirty drop built by `zhiben.build`
on DuckDB (the session's shared build, conftest `tiny_dirty_warehouse`) and on Spark (dbt-spark,
session method, local mode): every mart of the two served files equal — every row, every column,
the same column types; floats within 1e-9 relative.

Spark reads the extracts from the lake's Parquet entries (macros/engines/raw_relations.sql): the
Spark warehouse's lake is the one an earlier night left (one hazards month exported again later),
so the Spark build reuses entries it did not write and its lake holds a stale entry of the same
file name, which it must not read. That warehouse starts as a copy of the session's DuckDB build
(its lake, its run) whose entry of the month is the one of its first export: written by the loader
(`zhiben.ingest`) over the earlier drop on the copied lake, which reads that one file only.

Costs one Spark build (JVM start + ~190 dbt nodes on local[2]: a few minutes on 2 shared cores)
and one loader run over one file; the DuckDB build is shared (with test_catalog and others)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import pytest
from fixtures.warehouses import copy_warehouse

from zhiben import history
from zhiben.config import pii_salt
from zhiben.engines import export_raw, lake_columns, spark_dirs
from zhiben.paths import SEEDS_DIR, WarehousePaths

#: differ between any two builds, whatever the engine: when the loader ran / dbt ran, and the
#: run history
RUN_DEPENDENT_COLUMNS = {("mart_build_info", "built_at"), ("mart_build_info", "transformed_at")}
RUN_HISTORY_TABLES = {"mart_build_runs", "mart_build_run_extracts"}

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")


@pytest.fixture(scope="module")
def served_pair(
    tiny_dirty_drop: Path, tiny_dirty_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The DuckDB side is the session's build of the tiny dirty drop (conftest
    `tiny_dirty_warehouse`: `zhiben.build`, D from the drop); the Spark side builds the same drop."""
    from zhiben.build import build
    from zhiben.ingest import ingest

    root = tmp_path_factory.mktemp("engines")
    on_spark = copy_warehouse(tiny_dirty_warehouse, root / "spark")
    lake_dir = WarehousePaths(on_spark).lake_dir
    # the Spark warehouse's lake as an earlier night left it: the same drop but one hazards month
    # as first exported (its first row missing)
    earlier = root / "earlier"
    shutil.copytree(tiny_dirty_drop, earlier)
    month = _plain_utf8_file(earlier / "hazards")
    lines = month.read_text(encoding="utf-8").splitlines()
    month.write_text("\n".join([lines[0], *lines[2:]]) + "\n", encoding="utf-8")
    rel = month.relative_to(earlier).as_posix()
    (entry,) = [
        meta.parent
        for meta in (lake_dir / "hazards").glob("*/meta.json")
        if json.loads(meta.read_text(encoding="utf-8"))["file"] == rel
    ]
    shutil.rmtree(entry)  # the month as exported again: not in the lake the night before
    night_before = ingest(
        earlier,
        root / "earlier.duckdb",
        seeds_dir=SEEDS_DIR,
        salt=pii_salt(),
        lake_dir=lake_dir,
        progress=lambda _m: None,
    )
    assert night_before.lake["files_read"] == 1  # the month as first exported, nothing else
    build(tiny_dirty_drop, on_spark, progress=lambda _m: None, engine="spark")
    return tiny_dirty_warehouse, on_spark


def _plain_utf8_file(folder: Path) -> Path:
    """A CSV of `folder` whose every physical line is one row: safe to edit by lines."""
    for path in sorted(folder.glob("*.csv")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if '"' not in text and "\r" not in text and len(text.splitlines()) > 4:
            return path
    raise AssertionError(f"no plain UTF-8 CSV in {folder}")


def _schema(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'main' order by table_name, ordinal_position",
        [db],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        out.setdefault(table, []).append((column, kind))
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def test_every_mart_equal_on_duckdb_and_spark(served_pair: tuple[Path, Path]) -> None:
    on_duckdb, on_spark = served_pair
    with duckdb.connect() as con:
        con.execute(f"attach '{on_duckdb}' as d (read_only)")
        con.execute(f"attach '{on_spark}' as s (read_only)")
        schema_d, schema_s = _schema(con, "d"), _schema(con, "s")
        assert set(schema_d) == set(schema_s)
        assert len(schema_d) > 20  # dims, facts, marts: all of them published
        compared_rows = 0
        for table in sorted(set(schema_d) - RUN_HISTORY_TABLES):
            assert schema_s[table] == schema_d[table], f"{table}: columns or types differ"
            columns = [c for c, _ in schema_d[table] if (table, c) not in RUN_DEPENDENT_COLUMNS]
            select = ", ".join(f'"{c}"' for c in columns)
            rows_d = sorted(con.execute(f'select {select} from d."{table}"').fetchall(), key=repr)
            rows_s = sorted(con.execute(f'select {select} from s."{table}"').fetchall(), key=repr)
            assert len(rows_s) == len(rows_d), f"{table}: {len(rows_s)} rows vs {len(rows_d)}"
            for row_d, row_s in zip(rows_d, rows_s, strict=True):
                for column, a, b in zip(columns, row_d, row_s, strict=True):
                    assert _same(a, b), f"{table}.{column}: DuckDB {a!r} vs Spark {b!r}"
            compared_rows += len(rows_d)
    assert compared_rows > 1000  # a known-non-trivial drop, not two empty files


def test_spark_build_leaves_no_spark_files(served_pair: tuple[Path, Path]) -> None:
    """The Spark warehouse and the exported raw rows are working files of one build only."""
    _, on_spark = served_pair
    assert not spark_dirs(on_spark.parent / ".zhiben-build")[0].exists()


def test_spark_build_read_the_lake_an_earlier_build_wrote(served_pair: tuple[Path, Path]) -> None:
    """The Spark build reused every entry but the re-exported month's (so the marts above, equal,
    came from entries Spark did not write, beside a stale entry of the same file)."""
    _, on_spark = served_pair
    earlier, spark_run = history.read(WarehousePaths(on_spark).history_file)[-2:]
    assert earlier["status"] == spark_run["status"] == "success"
    assert spark_run["lake"]["files_read"] == 1
    assert spark_run["lake"]["files_reused"] == spark_run["lake"]["files"] - 1 > 300


def test_spark_reads_the_extracts_from_the_lake_not_from_a_copy(
    served_pair: tuple[Path, Path], tmp_path: Path
) -> None:
    """`spark__raw_relation` selects, per extract, `_file, _line, _read_seq` and the columns of
    `lake_columns()`: exactly the build file's view `raw.<extract>` over the lake. Only the
    loader's own tables are exported for Spark, none of the extracts' rows."""
    on_duckdb, _ = served_pair
    build_db = sorted((on_duckdb.parent / ".zhiben-build").glob("build-*.duckdb"))[-1]
    with duckdb.connect(str(build_db), read_only=True) as con:
        views = {
            t: [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                    [t],
                ).fetchall()
            ]
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_type = 'VIEW'"
            ).fetchall()
        }
    columns = lake_columns()
    assert set(views) == set(columns) and "hazards" in columns
    for extract, cols in columns.items():
        assert views[extract] == ["_file", "_line", "_read_seq", *cols], extract
    exported = export_raw(build_db, tmp_path / "raw")
    assert set(exported) == {
        "build_info",
        "lake_dropped",
        "lake_entries",
        "lake_views",
        "load_reconciliation",
        "quarantine",
    }
