"""Connection plumbing of the app's queries: the served file's identity, short-lived read-only
connections with the file's schema at hand, and the record-level restriction.

`Reader` is what a page query reads through. Opened for record-level rows of some units
(`units` not None), every record-level table (`zhiben.auth.is_detail_table`: facts, ledgers,
quarantine) is shadowed in that connection by a temporary view of the same name holding only
those units' rows — whatever SQL the query writes, it cannot see other units' records."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from zhiben import auth
from zhiben.warehouse import connect, warehouse_path

__all__ = ["Fingerprint", "Reader", "fingerprint", "open_reader", "warehouse_path"]

#: (path, inode, mtime_ns, size) of the served file; None when it does not exist
Fingerprint = tuple[str, int, int, int] | None

#: table → columns of each recent file version (fingerprint): one catalogue query per build, not
#: several per page (information_schema costs tens of ms a call)
_SCHEMAS: dict[Fingerprint, dict[str, list[str]]] = {}


def fingerprint(path: str | Path | None = None) -> Fingerprint:
    """Identity of the served file's current version: a new build swapped in changes it."""
    p = warehouse_path(path)
    try:
        s = os.stat(p)
    except FileNotFoundError:
        return None
    return (str(p), s.st_ino, s.st_mtime_ns, s.st_size)


def _tidy(df: pl.DataFrame) -> pl.DataFrame:
    """Decimals (DuckDB sums, HUGEINT counts) as Int64 / Float64, which every consumer handles."""
    casts = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64))
    return df.with_columns(casts) if casts else df


@dataclass(frozen=True)
class Reader:
    """One open read-only connection, its file's schema, and whose records it may read:
    `units` None = every unit's (a 领导, or a query of aggregates), else only those units'."""

    con: duckdb.DuckDBPyConnection
    schema: dict[str, list[str]]
    units: tuple[str, ...] | None
    is_record_level: bool

    @property
    def tables(self) -> set[str]:
        return set(self.schema)

    def columns(self, table: str) -> list[str]:
        """The table's columns; a KeyError for a table the served file does not have."""
        return list(self.schema[table])

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
        return _tidy(self.con.execute(sql, list(params)).pl())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql, list(params)).fetchone()[0]


def _schema(con: duckdb.DuckDBPyConnection, fp: Fingerprint) -> dict[str, list[str]]:
    schema = _SCHEMAS.get(fp)
    if schema is None:
        schema = {}
        for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main' "
            "order by table_name, column_index"
        ).fetchall():
            schema.setdefault(table, []).append(column)
        if len(_SCHEMAS) > 8:
            _SCHEMAS.clear()
        _SCHEMAS[fp] = schema
    return schema


def _restrict(con: duckdb.DuckDBPyConnection, schema: dict[str, list[str]], units: Sequence[str]):
    """Shadow each record-level table with a temporary view of the units' rows (none when the
    table has no unit_code: whose rows they are cannot be told)."""
    database = con.execute("select current_database()").fetchone()[0]
    allowed = ", ".join("'" + u.replace("'", "''") + "'" for u in units)
    for table, columns in schema.items():
        if not auth.is_detail_table(table):
            continue
        keep = f"unit_code in ({allowed})" if allowed and "unit_code" in columns else "false"
        con.execute(
            f'create temp view "{table}" as select * from "{database}".main."{table}" where {keep}'
        )


@contextmanager
def open_reader(
    path: str | Path | None, *, units: Sequence[str] | None, record_level: bool
) -> Iterator[Reader]:
    """A `Reader` on a short-lived read-only connection (`zhiben.warehouse.connect`).
    record_level with units: the record-level tables hold only those units' rows."""
    fp = fingerprint(path)
    with connect(path) as con:
        schema = _schema(con, fp)
        scope = None if units is None else tuple(units)
        if record_level and scope is not None:
            _restrict(con, schema, scope)
        yield Reader(con, schema, scope if record_level else None, record_level)


# ------------------------------------------------------------------ how a page query is declared

#: the two kinds of page query (the `access` attribute of each)
RECORDS = "records"
SHARED = "shared"


def records(fn):
    """Declare a query of record-level rows (facts, ledgers, quarantine). It is called as
    `fn(path, *, units, **filters)`: `units` is required — None for every unit (a 领导), else
    the units whose records the caller may see — and the query body reads through a `Reader`
    whose record-level tables hold only those units' rows."""

    @functools.wraps(fn)
    def run(path: str | Path | None, *, units: Sequence[str] | None, **kwargs: Any):
        with open_reader(path, units=units, record_level=True) as reader:
            return fn(reader, **kwargs)

    run.access = RECORDS
    return run


def shared(fn):
    """Declare a query every account reads whole: reference data, rankings, aggregates (counts,
    never record-level rows: `query_builder.select_named` refuses a record-level table in it)."""

    @functools.wraps(fn)
    def run(path: str | Path | None = None, *args: Any, **kwargs: Any):
        with open_reader(path, units=None, record_level=False) as reader:
            return fn(reader, *args, **kwargs)

    run.access = SHARED
    return run


def access_of(fn) -> str:
    """RECORDS or SHARED; a TypeError for a function declared as neither (the app calls none)."""
    kind = getattr(fn, "access", None)
    if kind not in (RECORDS, SHARED):
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} is not a declared page query")
    return kind
