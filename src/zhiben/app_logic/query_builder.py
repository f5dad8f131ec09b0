"""The query builder of the app: `where` clauses of column = value filters and `select *` with the
unit / industry / department names joined from the dims. A filter on a column the table does not
have is an error (a renamed column fails loudly instead of silently dropping a filter)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from zhiben import auth
from zhiben.app_logic.connection import Reader

_NAME_DIMS = (
    ("unit_code", "unit_name", "dim_unit"),
    ("industry_code", "industry_name", "dim_industry"),
    ("department_code", "department_name", "dim_department"),
)


def where_clause(
    filters: dict[str, Any], columns: Sequence[str], alias: str = "t"
) -> tuple[str, list]:
    """` where …` of column = value / IN list (None values skipped), and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for column, value in filters.items():
        if value is None:
            continue
        if column not in columns:
            raise KeyError(f"no column {column!r} to filter on (columns: {', '.join(columns)})")
        if isinstance(value, (list, tuple, set)):
            values = list(value)
            parts.append(
                f"{alias}.{column} in ({', '.join('?' * len(values))})" if values else "false"
            )
            params.extend(values)
        else:
            parts.append(f"{alias}.{column} = ?")
            params.append(value)
    return (" where " + " and ".join(parts) if parts else ""), params


def and_where(where: str, condition: str) -> str:
    return where + (" and " if where else " where ") + condition


def select_named(
    reader: Reader,
    table: str,
    *,
    order_by: str | None = None,
    extra_where: str | None = None,
    extra_params: Sequence[Any] = (),
    **filters: Any,
) -> pl.DataFrame:
    """`select *` from a table filtered by column = value, with unit / industry / department names
    joined from the dims where the table has only the codes. A record-level table only in a
    query declared `@records` (its reader holds only the rows the caller may see)."""
    if auth.is_detail_table(table) and not reader.is_record_level:
        raise PermissionError(f"{table} holds record-level rows: read it in a @records query")
    cols = reader.columns(table)
    joins, names = [], {}
    for i, (code, name, dim) in enumerate(_NAME_DIMS):
        if code in cols and name not in cols:
            joins.append(f"left join {dim} d{i} on d{i}.{code} = t.{code}")
            names[code] = f"d{i}.{name}"
    # each joined name right after its code
    select = ", ".join(
        part for c in cols for part in (f't."{c}"', names.get(c)) if part is not None
    )
    where, params = where_clause(filters, cols)
    if extra_where:
        where = and_where(where, extra_where)
        params += list(extra_params)
    sql = f"select {select} from {table} t {' '.join(joins)}{where}"
    if order_by:
        sql += f" order by {order_by}"
    return reader.frame(sql, params)
