"""Write the `raw` schema of the build file (docs/ARCHITECTURE.md, "The lake"): the extracts as views
over the lake's Parquet (zhiben.ingest.lake), the quarantine, the reconciliation, the build info."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from zhiben.contract import EXTRACTS
from zhiben.ingest.lake import write_parquet

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
    "tasks": ("owner_code",),
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


def _event_dates(extract: str) -> list[str]:
    """Date / date-time columns checked against the build's clock (not `future_ok`)."""
    return [
        c.name
        for c in EXTRACTS[extract].columns
        if c.kind in ("date", "datetime") and not c.future_ok
    ]


def lake_select(extract: str) -> tuple[list[str], str]:
    """(frame columns needed, SELECT … FROM arrow) of a lake entry's rows.parquet: `_file`,
    `_line`, the landed columns (TRY_CAST: quarantined rows are kept too), then the `_lk_`
    columns (zhiben.ingest.lake)."""
    ex = EXTRACTS[extract]
    need, sel = landed_select(extract)
    keep = [i for i, x in enumerate(sel) if not x.startswith('"_read_seq"')]
    need = [n for n in need if n != "_read_seq"]
    sel = [_try_cast(sel[i]) for i in keep]
    need += ["_lk_row", "_reason"]
    sel += ['"_lk_row"::BIGINT AS _lk_row', '"_reason"::VARCHAR AS _lk_reason']
    pii = [c.name for c in ex.columns if c.kind == "pii"]
    if pii:
        need += pii
        values = ", ".join(f"{_q(c)}::VARCHAR" for c in pii)
        sel.append(f"sha256($salt || to_json(list_value({values}))) AS _lk_pii")
    else:
        sel.append("NULL::VARCHAR AS _lk_pii")
    for c in _event_dates(extract):
        need.append(c)
        sel.append(f"{_q(c)}::VARCHAR AS {_q('_lk_' + c)}")
    if ex.key not in {c.name for c in ex.columns}:  # a derived version key (tasks: task_key)
        need.append(ex.key)
        sel.append(f"{_q(ex.key)}::VARCHAR AS {_q('_lk_' + ex.key)}")
    for c in ex.columns:
        if c.kind == "credit_code":
            need.append(f"{c.name}__ok")
            sel.append(f"{_q(c.name + '__ok')}::BOOLEAN AS {_q('_lk_' + c.name + '__ok')}")
    seen: set[str] = set()
    need = [n for n in need if not (n in seen or seen.add(n))]
    return need, f"SELECT {', '.join(sel)} FROM arrow"


def _try_cast(item: str) -> str:
    """`"x"::T AS y` → `TRY_CAST("x" AS T) AS y` (a quarantined row's value may not fit T)."""
    expr, sep, alias = item.rpartition(" AS ")
    if "::" not in expr or expr.startswith("CASE"):
        return item
    value, _, sql_type = expr.rpartition("::")
    return f"TRY_CAST({value} AS {sql_type}){sep}{alias}"


def lake_view_sql(extract: str, parquet_files: list[str]) -> str:
    """The view `raw.<extract>`: the loaded rows of the lake entries (every row of the listed
    files but those in `raw.lake_dropped`), `_read_seq` from the entry's place in the drop."""
    files = ", ".join("'" + f.replace("'", "''") + "'" for f in parquet_files)
    return (
        f"CREATE OR REPLACE VIEW raw.{extract} AS "
        "SELECT _file, _line, _read_seq, COLUMNS(c -> NOT starts_with(c, '_')) FROM ("
        "SELECT r.*, (e.seq_start + r._lk_row + 1)::BIGINT AS _read_seq "
        f"FROM read_parquet([{files}]) r "
        f"JOIN raw.lake_entries e ON e.extract = '{extract}' AND e.file = r._file) "
        "WHERE _read_seq NOT IN "
        f"(SELECT _read_seq FROM raw.lake_dropped WHERE extract = '{extract}')"
    )


class Lander:
    """Writes schema `raw` of the build file: the lake's entries, the rows each extract does not
    load, its view; then the quarantine, the reconciliation and the build info."""

    def __init__(self, build_db: Path, salt: str):
        self.salt = salt
        self.con = duckdb.connect(str(build_db), config={"memory_limit": LANDING_MEMORY_LIMIT})
        self.con.execute(f"SET disabled_compression_methods = '{BUILD_FILE_NO_COMPRESSION}'")
        self.con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        self.con.execute(
            "CREATE OR REPLACE TABLE raw.lake_entries (extract VARCHAR, file VARCHAR, "
            "path VARCHAR, seq_start BIGINT, rows BIGINT, reused BOOLEAN)"
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE raw.lake_dropped (extract VARCHAR, _read_seq BIGINT)"
        )
        self.con.execute("CREATE OR REPLACE TABLE raw.lake_views (extract VARCHAR, sql VARCHAR)")

    def write_schema_file(self, extract: str, path: Path, template: pl.DataFrame) -> None:
        """An empty rows.parquet of `extract` from the empty normalised frame `template` (the
        columns of the view and of the lake scan, whether or not the extract has a file)."""
        need, select = lake_select(extract)
        params = {"salt": self.salt} if "$salt" in select else None
        arrow = template.head(0).select(need).to_arrow()  # noqa: F841
        path.parent.mkdir(parents=True, exist_ok=True)
        # written as the entries are (polars), so that their schemas are alike
        schema = pl.from_arrow(self.con.execute(select, params).to_arrow_table())
        write_parquet(schema, path)

    def extract(
        self,
        extract: str,
        entries: list[tuple[str, str, int, int, bool]],
        schema_file: Path,
        dropped: pl.Series,
    ) -> None:
        """Record the extract's entries ((file, rows.parquet, seq_start, rows, reused)) and the
        `_read_seq` of its rows not loaded; create its view."""
        if entries:
            self.con.executemany(
                "INSERT INTO raw.lake_entries VALUES (?, ?, ?, ?, ?, ?)",
                [(extract, *e) for e in entries],
            )
        d = pl.DataFrame(  # noqa: F841 (DuckDB replacement scan)
            {"_read_seq": dropped.cast(pl.Int64)}
        ).to_arrow()
        self.con.execute(f"INSERT INTO raw.lake_dropped SELECT '{extract}', _read_seq FROM d")
        sql = lake_view_sql(extract, [str(schema_file), *(e[1] for e in entries)])
        self.con.execute(sql)
        self.con.execute("INSERT INTO raw.lake_views VALUES (?, ?)", [extract, sql])

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
