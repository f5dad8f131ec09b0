"""The engine that runs the dbt project (SPEC §11): DuckDB (default, in the build file) or Spark
(dbt-spark, `method: session`, local mode; a cluster through a profile, docs/SPARK.md).

On Spark the build is: the loader writes the lake and lands its small tables in the build file as
always → those small tables as Parquet (:func:`export_raw`) → `dbt build --target spark` (the
project's `source` macro reads each extract from the lake's Parquet entries directly and the
loader's tables from those files, macros/engines/raw_relations.sql; the marts are Parquet tables
in the run's Spark warehouse) → :func:`import_marts` copies those Parquet marts into schema `marts`
of the build file → the usual publish. The served file stays one DuckDB file; the app does not
know which engine built it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

ENGINES = ("duckdb", "spark")

#: the environment the `spark` target of profiles.yml reads
SPARK_DIR_ENV = "ZHIBEN_SPARK_DIR"
RAW_PARQUET_ENV = "ZHIBEN_RAW_PARQUET"
LAKE_DIR_ENV = "ZHIBEN_LAKE_DIR"
LAKE_COLUMNS_ENV = "ZHIBEN_LAKE_COLUMNS"


#: the JVM's own console lines (log4j `yy/MM/dd HH:mm:ss LEVEL …`, the JDK's `WARNING: …`):
#: Spark's start-up chatter, not dbt's outcome — kept out of the build's progress and warnings
_JVM_LINE = re.compile(
    r"^\s*(\d\d/\d\d/\d\d \d\d:\d\d:\d\d |WARNING: |Setting (default|Spark) log level)"
)


def without_jvm_lines(on_line: Callable[[str], None]) -> Callable[[str], None]:
    def filtered(line: str) -> None:
        if not _JVM_LINE.match(line):
            on_line(line)

    return filtered


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"未知引擎 (engine) {engine!r}: {' / '.join(ENGINES)}")
    return engine


def spark_dirs(work_dir: Path) -> tuple[Path, Path]:
    """(the run's Spark folder, the raw Parquet folder inside it) under the build's work dir."""
    spark_dir = work_dir / "spark"
    return spark_dir, spark_dir / "raw"


def lake_columns() -> dict[str, list[str]]:
    """Per extract, the columns of its view `raw.<extract>` after `_file, _line, _read_seq`
    (zhiben.ingest.land.lake_view_sql: every landed column not starting with `_`), in order —
    what `spark__raw_relation` selects from the extract's lake entries. From the contract, so
    known before the loader runs (dbt starts parsing beside it)."""
    from zhiben.contract import EXTRACTS
    from zhiben.ingest.land import landed_select

    out: dict[str, list[str]] = {}
    for extract in EXTRACTS:
        names = [item.rpartition(" AS ")[2].strip('"') for item in landed_select(extract)[1]]
        out[extract] = [n for n in names if not n.startswith("_")]
    return out


def spark_env(work_dir: Path) -> dict[str, str]:
    """The environment of the `spark` target: its folder, the loader's tables as Parquet, the
    lake (the build's `WarehousePaths.lake_dir`) and each extract's columns."""
    spark_dir, raw = spark_dirs(work_dir)
    return {
        SPARK_DIR_ENV: str(spark_dir),
        RAW_PARQUET_ENV: str(raw),
        LAKE_DIR_ENV: str(work_dir / "lake"),
        LAKE_COLUMNS_ENV: json.dumps(lake_columns(), sort_keys=True),
    }


def reset_spark_dir(work_dir: Path) -> None:
    shutil.rmtree(spark_dirs(work_dir)[0], ignore_errors=True)


def export_raw(build_db: Path, out_dir: Path) -> list[str]:
    """The loader's own tables of schema `raw` (lake_entries, lake_dropped, quarantine,
    load_reconciliation, build_info: every BASE TABLE; small — no extract's rows) as
    `<out_dir>/<table>/part-0.parquet`, the layout `spark__raw_relation`
    (macros/engines/raw_relations.sql) reads. The extracts (views over the lake in the build
    file) are not copied: Spark reads their lake entries itself. Timestamps stay without zone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(build_db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        for table in tables:
            (out_dir / table).mkdir(exist_ok=True)
            target = str(out_dir / table / "part-0.parquet").replace("'", "''")
            con.execute(f"copy raw.\"{table}\" to '{target}' (format parquet)")
    return tables


def spark_marts_dir(work_dir: Path) -> Path:
    """Where the Spark run left schema `marts` (one Parquet folder per table)."""
    return spark_dirs(work_dir)[0] / "warehouse" / "marts.db"


def import_marts(marts_dir: Path, build_db: Path, schema: str = "marts") -> list[str]:
    """Copy Spark's Parquet marts into `schema` of the build file (then published as a DuckDB
    build's would be). Column order and types as Spark wrote them."""
    tables = sorted(p.name for p in marts_dir.iterdir() if p.is_dir())
    if not tables:
        raise RuntimeError(f"Spark 没有写出任何 marts 表: {marts_dir}")
    with duckdb.connect(str(build_db)) as con:
        con.execute(f'create schema if not exists "{schema}"')
        for table in tables:
            files = str(marts_dir / table / "*.parquet").replace("'", "''")
            con.execute(
                f'create or replace table "{schema}"."{table}" as '
                f"select * from read_parquet('{files}')"
            )
        con.execute("checkpoint")
    return tables
