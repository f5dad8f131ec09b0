"""Publishing: copy the dims, facts and marts of a finished build into a new served file and
swap it in atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from zhiben import history

#: the only schema of the build file whose tables reach the served file
PUBLISHED_SCHEMA = "marts"


def published_tables(build_db: Path) -> list[str]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [PUBLISHED_SCHEMA],
        ).fetchall()
    return [r[0] for r in rows]


def publish(
    build_db: Path, served: Path, build_runs: list[dict[str, Any]] | None = None
) -> list[str]:
    """Write the marts of `build_db` into a new file beside `served`, then os.replace it over
    `served`. Readers that already hold the old file keep reading it; new connections see the new
    one. A failure before the replace leaves `served` untouched.

    `build_runs` (the run history, `zhiben.history.read`) becomes `mart_build_runs` and
    `mart_build_run_extracts` in the new file."""
    tables = published_tables(build_db)
    if not tables:
        raise RuntimeError(f"构建文件中没有可发布的表 (schema {PUBLISHED_SCHEMA}): {build_db}")
    served.parent.mkdir(parents=True, exist_ok=True)
    tmp = served.with_name(f".{served.name}.new-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"attach '{build_db}' as build (read_only)")
            for table in tables:
                con.execute(
                    f'create table main."{table}" as select * from build.{PUBLISHED_SCHEMA}."{table}"'
                )
            con.execute("detach build")
            if build_runs is not None:
                tables += _write_build_runs(con, build_runs)
            con.execute("checkpoint")
        _fsync(tmp)
        os.replace(tmp, served)
        _fsync(served.parent)
    finally:
        remove_duckdb_file(tmp)  # with the WAL a failed write leaves
    return tables


def _write_build_runs(con: duckdb.DuckDBPyConnection, runs: list[dict[str, Any]]) -> list[str]:
    written = []
    for table, columns, rows in (
        ("mart_build_runs", history.RUN_COLUMNS, history.run_rows(runs)),
        ("mart_build_run_extracts", history.RUN_EXTRACT_COLUMNS, history.run_extract_rows(runs)),
    ):
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        con.execute(f'create or replace table main."{table}" ({cols})')
        if rows:
            marks = ", ".join("?" * len(columns))
            con.executemany(f'insert into main."{table}" values ({marks})', rows)
        written.append(table)
    return written


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def remove_duckdb_file(path: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, whichever exist."""
    path.unlink(missing_ok=True)
    _wal(path).unlink(missing_ok=True)


def rename_duckdb_file(src: Path, dst: Path) -> Path:
    """Rename a closed DuckDB file (and its write-ahead log, if any) within its folder."""
    os.replace(src, dst)
    if _wal(src).exists():
        os.replace(_wal(src), _wal(dst))
    return dst


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
