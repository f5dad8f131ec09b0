"""The engine that runs the dbt project (SPEC §11): DuckDB (default, in the build file) or Spark
(dbt-spark, `method: session`, local mode; a cluster through a profile, docs/SPARK.md).

On Spark the build is: the loader lands the raw rows in the build file as always → the raw rows
as Parquet (:func:`export_raw`) → `dbt build --target spark` (the project's `source` macro
reads source `raw` from those files, macros/engines/raw_relations.sql; the marts are Parquet
tables in the run's Spark warehouse) → :func:`import_marts` copies those Parquet marts into schema `marts`
of the build file → the usual publish. The served file stays one DuckDB file; the app does not
know which engine built it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

ENGINES = ("duckdb", "spark")

#: the environment the `spark` target of profiles.yml reads
SPARK_DIR_ENV = "ZHIBEN_SPARK_DIR"
RAW_PARQUET_ENV = "ZHIBEN_RAW_PARQUET"


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


def spark_env(work_dir: Path) -> dict[str, str]:
    spark_dir, raw = spark_dirs(work_dir)
    return {SPARK_DIR_ENV: str(spark_dir), RAW_PARQUET_ENV: str(raw)}


def reset_spark_dir(work_dir: Path) -> None:
    shutil.rmtree(spark_dirs(work_dir)[0], ignore_errors=True)


def export_raw(build_db: Path, out_dir: Path) -> list[str]:
    """THE one place that gives Spark its raw rows: every table of schema `raw` of the build file
    as `<out_dir>/<table>/part-0.parquet` (the layout `spark__raw_relation` in
    macros/engines/raw_relations.sql reads).
    When the loader writes the Parquet lake itself, this becomes "point RAW_PARQUET_ENV at the
    lake" and the copy goes away. Timestamps stay without time zone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(build_db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' order by table_name"
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
