"""Read access to the served warehouse, for the app, the notebooks and the exports.

Every call opens a short-lived read-only connection: `zhiben build` swaps the file in with
`os.replace`, so a new connection always sees the latest finished build and never blocks it.

>>> from zhiben.warehouse import query, read_mart
>>> query("select unit_code, unit_name from dim_unit order by 1")          # doctest: +SKIP
>>> read_mart("mart_enforcement", quarter="2026Q3", unit_code=["U01", "U02"])  # doctest: +SKIP
>>> marts()        # every dim / fct / mart with its row count and description  # doctest: +SKIP
>>> as_of_date()   # the build's as-of date D (periods: zhiben.periods)           # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from zhiben.paths import DEFAULT_WAREHOUSE, PROJECT_DIR

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def warehouse_path(path: str | Path | None = None) -> Path:
    """The served file: the argument, else $ZHIBEN_WAREHOUSE, else data/warehouse.duckdb."""
    return Path(path or os.environ.get("ZHIBEN_WAREHOUSE") or DEFAULT_WAREHOUSE)


@contextmanager
def connect(path: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed on exit."""
    p = warehouse_path(path)
    if not p.exists():
        raise FileNotFoundError(f"仓库文件不存在: {p} (先运行 `zhiben build`)")
    con = duckdb.connect(str(p), read_only=True)
    try:
        yield con
    finally:
        con.close()


def query(
    sql: str, params: Sequence[Any] | None = None, *, path: str | Path | None = None
) -> pl.DataFrame:
    """Run SQL on the served warehouse and return a polars DataFrame."""
    with connect(path) as con:
        return con.execute(sql, params or []).pl()


def tables(path: str | Path | None = None) -> list[str]:
    with connect(path) as con:
        return [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables order by 1"
            ).fetchall()
        ]


def read_mart(
    name: str, *, path: str | Path | None = None, order_by: str | None = None, **filters: Any
) -> pl.DataFrame:
    """Read a dim, fact or mart, filtered by column = value (a list or tuple means IN).

    `read_mart("mart_quarterly_evaluation", quarter="2026Q3", order_by="rank")`"""
    for ident in (name, *filters, *([order_by] if order_by else [])):
        if not _IDENT.match(ident):
            raise ValueError(f"not a column or table name: {ident!r}")
    where, params = [], []
    for column, value in filters.items():
        if isinstance(value, (list, tuple, set)):
            values = list(value)
            where.append(f"{column} in ({', '.join('?' * len(values))})" if values else "false")
            params.extend(values)
        else:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"select * from {name}"
    if where:
        sql += " where " + " and ".join(where)
    if order_by:
        sql += f" order by {order_by}"
    return query(sql, params, path=path)


@dataclass(frozen=True)
class BuildInfo:
    """The served build: its as-of date D, when it was built, and the rest of its row."""

    as_of_date: date
    built_at: datetime
    details: dict[str, Any]


def build_info(path: str | Path | None = None) -> BuildInfo:
    """The served build's row of `mart_build_info` — the one place a reader learns D."""
    with connect(path) as con:
        return read_build_info(con)


def read_build_info(con: duckdb.DuckDBPyConnection) -> BuildInfo:
    """`build_info` on an open connection to the served file."""
    rows = con.execute("select * from mart_build_info").pl().to_dicts()
    if len(rows) != 1 or rows[0]["as_of_date"] is None:
        raise LookupError(f"mart_build_info 应恰有一行截止日期, 实有 {len(rows)} 行")
    row = rows[0]
    return BuildInfo(row["as_of_date"], row["built_at"], row)


def as_of_date(path: str | Path | None = None) -> date:
    """The as-of date D of the served build: every "open / overdue / so far" figure is as of it."""
    return build_info(path).as_of_date


_DOCS_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.S)
_DOC_REF = re.compile(r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}")


def _model_descriptions(models_dir: Path) -> dict[str, str]:
    """name → description of every model documented in the dbt project's yml files
    (`{{ doc('…') }}` references resolved from the project's docs blocks)."""
    import yaml

    blocks: dict[str, str] = {}
    for md in sorted(models_dir.rglob("*.md")):
        try:
            blocks.update(
                (m[1], m[2].strip()) for m in _DOCS_BLOCK.finditer(md.read_text(encoding="utf-8"))
            )
        except OSError:
            continue
    out: dict[str, str] = {}
    for yml in sorted(models_dir.rglob("*.yml")):
        try:
            doc = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for model in doc.get("models") or []:
            if isinstance(model, dict) and model.get("name"):
                text = _DOC_REF.sub(
                    lambda m: blocks.get(m[1], m[0]), str(model.get("description") or "")
                )
                out[model["name"]] = " ".join(_DOC_REF.sub("", text).split())
    return out


def marts(path: str | Path | None = None) -> pl.DataFrame:
    """Every table of the served warehouse (dims, facts, marts): name, kind, rows, columns and
    the description from the dbt project's yml files (empty when undocumented)."""
    with connect(path) as con:
        rows = con.execute(
            """
            select t.table_name, count(c.column_name)
            from duckdb_tables() t
            join duckdb_columns() c using (database_name, schema_name, table_name)
            where t.database_name = current_database() and t.schema_name = 'main'
            group by all order by 1
            """
        ).fetchall()
        counts = {
            name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name, _ in rows
        }
    docs = _model_descriptions(PROJECT_DIR / "models")
    kinds = {"dim": "维度 dim", "fct": "事实 fct", "mart": "集市 mart"}
    return pl.DataFrame(
        {
            "name": [r[0] for r in rows],
            "kind": [kinds.get(r[0].split("_", 1)[0], "其他") for r in rows],
            "rows": [counts[r[0]] for r in rows],
            "columns": [r[1] for r in rows],
            "description": [docs.get(r[0], "") for r in rows],
        },
        schema={
            "name": pl.String,
            "kind": pl.String,
            "rows": pl.Int64,
            "columns": pl.Int64,
            "description": pl.String,
        },
    )
