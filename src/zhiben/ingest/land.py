"""Write the `raw` schema of the build file (docs/ARCHITECTURE.md, "Landed raw tables")."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from zhiben.contract import EXTRACTS

#: compression methods not used in the build file (DuckDB `disabled_compression_methods`)
BUILD_FILE_NO_COMPRESSION = "fsst,dictionary"
#: DuckDB memory while landing (it writes the rest to the build file)
LANDING_MEMORY_LIMIT = "2GB"

_SQL_TYPES = {
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "int": "INTEGER",
    "decimal": "DOUBLE",
    "bool": "BOOLEAN",
}

#: extra landed columns per extract (after the contract columns and `unit_code`)
EXTRA_COLUMNS = {
    "drills": ("organiser_unit_code", "organiser_department_code"),
    "reports": ("is_anonymous",),
    # SPEC §10.1 optional text columns: does the row's file have the column (else unknown)
    "hazards": ("is_supervision_measures_known", "is_verification_method_known"),
}

QUARANTINE_SCHEMA = {
    "extract": pl.String,
    "file": pl.String,
    "line": pl.Int32,
    "column_zh": pl.String,
    "column_name": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
    "value": pl.String,
    "record_key": pl.String,
    "unit_code": pl.String,
    "month": pl.String,
}

RECONCILIATION_SCHEMA = {
    "extract": pl.String,
    "file": pl.String,
    "rows_read": pl.Int32,
    "rows_loaded": pl.Int32,
    "rows_quarantined": pl.Int32,
    "rows_folded": pl.Int32,
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def landed_select(extract: str) -> tuple[list[str], list[str]]:
    """(frame columns needed, SQL select list) of the landed table `raw.<extract>`."""
    ex = EXTRACTS[extract]
    need = ["_file", "_line", "_read_seq"]
    sel = [
        '"_file"::VARCHAR AS _file',
        '"_line"::INTEGER AS _line',
        '"_read_seq"::BIGINT AS _read_seq',
    ]
    for c in ex.columns:
        if c.kind == "pii":
            continue
        if c.kind == "pii_id":
            need.append(c.name)
            sel.append(
                f"CASE WHEN {_q(c.name)} IS NULL THEN NULL "
                f"ELSE sha256($salt || {_q(c.name)}) END AS {_q(c.name + '_hash')}"
            )
        elif c.kind in _SQL_TYPES:
            need.append(f"{c.name}__v")
            sel.append(f"{_q(c.name + '__v')}::{_SQL_TYPES[c.kind]} AS {_q(c.name)}")
        else:
            need.append(c.name)
            sel.append(f"{_q(c.name)}::VARCHAR AS {_q(c.name)}")
            if c.kind == "town":  # the row's own resolved town, right after it
                need.append("unit_code")
                sel.append('"unit_code"::VARCHAR AS unit_code')
    for extra in EXTRA_COLUMNS.get(extract, ()):
        need.append(extra)
        sql_type = "BOOLEAN" if extra.startswith("is_") else "VARCHAR"
        sel.append(f"{_q(extra)}::{sql_type} AS {_q(extra)}")
    return need, sel


class Lander:
    """Writes schema `raw` of the build file, one extract at a time (so a drop never has to fit
    in memory twice), then the quarantine, the reconciliation and the build info."""

    def __init__(self, build_db: Path, salt: str):
        self.salt = salt
        # DuckDB's buffer pool would otherwise grow towards 80 % of RAM while an extract lands
        self.con = duckdb.connect(str(build_db), config={"memory_limit": LANDING_MEMORY_LIMIT})
        # the build file is private and short-lived: analysing strings for FSST / dictionary
        # compression made writing it ~6x slower (BENCH.md); the served file stays compressed
        self.con.execute(f"SET disabled_compression_methods = '{BUILD_FILE_NO_COMPRESSION}'")
        self.con.execute("CREATE SCHEMA IF NOT EXISTS raw")

    def extract(self, extract: str, frame: pl.DataFrame, mask: str, chunk_rows: int = 1_000_000):
        """Create `raw.<extract>` from the rows of `frame` where column `mask` is true, appending a
        slice at a time (an Arrow copy of the whole extract would double its memory)."""
        need, sel = landed_select(extract)
        params = {"salt": self.salt} if any("$salt" in x for x in sel) else None
        select = f"SELECT {', '.join(sel)} FROM arrow"
        arrow = frame.head(0).select(need).to_arrow()  # noqa: F841 (DuckDB replacement scan)
        self.con.execute(f"CREATE OR REPLACE TABLE raw.{extract} AS {select}", params)
        for offset in range(0, frame.height, chunk_rows):
            part = frame.slice(offset, chunk_rows).select(*need, mask).filter(mask).drop(mask)
            if part.height == 0:
                continue
            arrow = part.to_arrow()  # noqa: F841 (DuckDB replacement scan)
            self.con.execute(f"INSERT INTO raw.{extract} {select}", params)
            del part, arrow

    def finish(
        self, quarantine: pl.DataFrame, reconciliation: pl.DataFrame, build_info: dict
    ) -> None:
        con = self.con
        q = quarantine.select(  # noqa: F841
            [pl.col(k).cast(v) for k, v in QUARANTINE_SCHEMA.items()]
        ).to_arrow()
        con.execute("CREATE OR REPLACE TABLE raw.quarantine AS SELECT * FROM q")
        r = reconciliation.select(  # noqa: F841
            [pl.col(k).cast(v) for k, v in RECONCILIATION_SCHEMA.items()]
        ).to_arrow()
        con.execute("CREATE OR REPLACE TABLE raw.load_reconciliation AS SELECT * FROM r")
        con.execute(
            "CREATE OR REPLACE TABLE raw.build_info (as_of_date DATE, built_at TIMESTAMP, "
            "raw_dir VARCHAR, max_updated_at TIMESTAMP)"
        )
        con.execute(
            "INSERT INTO raw.build_info VALUES (?, ?, ?, ?)",
            [
                build_info["as_of_date"],
                build_info["built_at"],
                build_info["raw_dir"],
                build_info["max_updated_at"],
            ],
        )
        con.execute("CHECKPOINT")

    def close(self) -> None:
        self.con.close()
