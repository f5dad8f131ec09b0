"""Queries of the leaders' app on the served warehouse (dims, facts, marts only).

Every function takes the served file's path first and opens one short-lived read-only connection
(`zhiben.warehouse.connect`), so a `zhiben build` can swap the file at any time. The Streamlit layer
caches the results keyed on `fingerprint(path)` (inode, mtime, size): a swapped-in file is a new key,
so the app shows the new build at once. Unit, industry and department names are joined from the dims
where a mart carries only the codes."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from zhiben.warehouse import connect, warehouse_path

#: (path, inode, mtime_ns, size) of the served file; None when it does not exist
Fingerprint = tuple[str, int, int, int] | None

#: functions returning record-level rows (facts, ledgers, quarantine): the app limits them to
#: what the logged-in account may see (`zhiben.auth.filter_detail`)
DETAIL_QUERIES = frozenset({"major_hazard_ledger", "accidents", "penalties", "quarantine"})

_NAME_DIMS = (
    ("unit_code", "unit_name", "dim_unit"),
    ("industry_code", "industry_name", "dim_industry"),
    ("department_code", "department_name", "dim_department"),
)


def fingerprint(path: str | Path | None = None) -> Fingerprint:
    """Identity of the served file's current version: a new build swapped in changes it."""
    p = warehouse_path(path)
    try:
        s = os.stat(p)
    except FileNotFoundError:
        return None
    return (str(p), s.st_ino, s.st_mtime_ns, s.st_size)


# ------------------------------------------------------------------ plumbing


#: table → columns of each recent file version (fingerprint): one catalogue query per build, not
#: several per page (information_schema costs tens of ms a call)
_SCHEMAS: dict[Fingerprint, dict[str, list[str]]] = {}
#: the schema of each open connection (by id, removed on close)
_OPEN: dict[int, dict[str, list[str]]] = {}


@contextmanager
def _connect(path: str | Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`zhiben.warehouse.connect` (read-only, short-lived), with the file's schema at hand."""
    fp = fingerprint(path)
    with connect(path) as con:
        schema = _SCHEMAS.get(fp)
        if schema is None:
            schema = {}
            for table, column in con.execute(
                "select table_name, column_name from duckdb_columns() "
                "where schema_name = 'main' order by table_name, column_index"
            ).fetchall():
                schema.setdefault(table, []).append(column)
            if len(_SCHEMAS) > 8:
                _SCHEMAS.clear()
            _SCHEMAS[fp] = schema
        _OPEN[id(con)] = schema
        try:
            yield con
        finally:
            _OPEN.pop(id(con), None)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return set(_OPEN[id(con)])


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return list(_OPEN[id(con)].get(table, []))


def _tidy(df: pl.DataFrame) -> pl.DataFrame:
    """Decimals (DuckDB sums, HUGEINT counts) as Int64 / Float64, which every consumer handles."""
    casts = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64))
    return df.with_columns(casts) if casts else df


def _pl(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    return _tidy(con.execute(sql, list(params)).pl())


def available_tables(path: str | Path | None = None) -> set[str]:
    """Names of the tables in the served file (empty when there is no file)."""
    try:
        with _connect(path) as con:
            return _tables(con)
    except FileNotFoundError:
        return set()


def table_columns(path: str | Path | None, table: str) -> list[str]:
    with _connect(path) as con:
        return _columns(con, table)


def _where(filters: dict[str, Any], columns: Sequence[str], alias: str = "t") -> tuple[str, list]:
    """`where` clause of column = value / IN list; None values and unknown columns are skipped."""
    parts: list[str] = []
    params: list[Any] = []
    for column, value in filters.items():
        if value is None or column not in columns:
            continue
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


def select_named(
    path: str | Path | None,
    table: str,
    *,
    order_by: str | None = None,
    extra_where: str | None = None,
    extra_params: Sequence[Any] = (),
    **filters: Any,
) -> pl.DataFrame:
    """`select *` from a table filtered by column = value, with unit / industry / department names
    joined from the dims where the table has only the codes. Filters on missing columns are ignored
    (a mart without `industry_code` is simply not filtered by industry)."""
    with _connect(path) as con:
        tables = _tables(con)
        cols = _columns(con, table)
        joins, names = [], {}
        for i, (code, name, dim) in enumerate(_NAME_DIMS):
            if code in cols and name not in cols and dim in tables and name in _columns(con, dim):
                joins.append(f"left join {dim} d{i} on d{i}.{code} = t.{code}")
                names[code] = f"d{i}.{name}"
        # each joined name right after its code
        select = ", ".join(
            part for c in cols for part in (f't."{c}"', names.get(c)) if part is not None
        )
        where, params = _where(filters, cols)
        if extra_where:
            where += (" and " if where else " where ") + extra_where
            params += list(extra_params)
        sql = f"select {select} from {table} t {' '.join(joins)}{where}"
        if order_by:
            sql += f" order by {order_by}"
        return _pl(con, sql, params)


# ------------------------------------------------------------------ reference data


def units(path: str | Path | None = None) -> pl.DataFrame:
    with _connect(path) as con:
        cols = _columns(con, "dim_unit")
        order = "sort_order, unit_code" if "sort_order" in cols else "unit_code"
        return con.execute(f"select unit_code, unit_name from dim_unit order by {order}").pl()


def industries(path: str | Path | None = None) -> pl.DataFrame:
    with _connect(path) as con:
        cols = _columns(con, "dim_industry")
        order = "sort_order, industry_code" if "sort_order" in cols else "industry_code"
        return con.execute(
            f"select industry_code, industry_name from dim_industry order by {order}"
        ).pl()


def departments(path: str | Path | None = None) -> pl.DataFrame:
    with _connect(path) as con:
        return con.execute(
            "select department_code, department_name from dim_department order by department_code"
        ).pl()


@dataclass(frozen=True)
class BuildInfo:
    as_of_date: date | None
    built_at: datetime | None
    details: dict[str, Any]


def build_info(path: str | Path | None = None) -> BuildInfo:
    """The as-of date D and the build time: from mart_build_info, else the file's mtime."""
    p = warehouse_path(path)
    with _connect(p) as con:
        if "mart_build_info" in _tables(con):
            df = con.execute("select * from mart_build_info").pl()
            if df.height:
                cols = df.columns
                row = (
                    df.sort("built_at", descending=True).row(0, named=True)
                    if ("built_at" in cols)
                    else df.row(0, named=True)
                )
                as_of = row.get("as_of_date")
                if isinstance(as_of, str):
                    as_of = date.fromisoformat(as_of[:10])
                if isinstance(as_of, datetime):
                    as_of = as_of.date()
                built = row.get("built_at") or datetime.fromtimestamp(p.stat().st_mtime)
                return BuildInfo(as_of, built, row)
    return BuildInfo(None, datetime.fromtimestamp(p.stat().st_mtime), {})


def quarters(path: str | Path | None = None) -> list[str]:
    """Quarters the marts cover, newest first (`YYYYQn`)."""
    with _connect(path) as con:
        tables = _tables(con)
        found: set[str] = set()
        for t in (
            "mart_quarterly_evaluation",
            "mart_enforcement",
            "mart_region_industry_stats",
        ):
            if t in tables and "quarter" in _columns(con, t):
                found |= {r[0] for r in con.execute(f"select distinct quarter from {t}").fetchall()}
    return sorted((q for q in found if q), reverse=True)


def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def year_of(quarter: str) -> int:
    return int(quarter[:4])


def quarter_range(quarter: str) -> tuple[date, date]:
    """First and last day of `YYYYQn`."""
    y, q = int(quarter[:4]), int(quarter[-1])
    start = date(y, 3 * q - 2, 1)
    end = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def previous_quarter(quarter: str) -> str:
    y, q = int(quarter[:4]), int(quarter[-1])
    return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"


# ------------------------------------------------------------------ marts by page


def region_industry(
    path: str | Path | None,
    *,
    quarter: str | list[str] | None = None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    return select_named(
        path,
        "mart_region_industry_stats",
        quarter=quarter,
        unit_code=unit_code,
        industry_code=industry_code,
        order_by="t.quarter, t.unit_code, t.industry_code",
    )


def region_industry_quarterly(
    path: str | Path | None,
    *,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    """Quarter totals of every metric of mart_region_industry_stats (for trends and KPIs)."""
    with _connect(path) as con:
        cols = _columns(con, "mart_region_industry_stats")
        types = con.execute("select * from mart_region_industry_stats limit 0").pl().schema
        metrics = [
            c
            for c in cols
            if c not in ("year",) and not c.endswith(("_code", "_name")) and types[c].is_numeric()
        ]
        where, params = _where({"unit_code": unit_code, "industry_code": industry_code}, cols)
        sums = ", ".join(f"sum({c}) as {c}" for c in metrics)
        return _pl(
            con,
            f"select t.quarter, {sums} from mart_region_industry_stats t{where} "
            "group by t.quarter order by t.quarter",
            params,
        )


def major_hazard_ledger(
    path: str | Path | None,
    *,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    return select_named(
        path,
        "mart_major_hazard_ledger",
        unit_code=unit_code,
        industry_code=industry_code,
        order_by="t.overdue_days desc nulls last, t.found_date desc",
    )


def accident_trend(
    path: str | Path | None, *, year: int | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        path, "mart_accident_trend", year=year, unit_code=unit_code, order_by="t.year, t.unit_code"
    )


def accidents(
    path: str | Path | None,
    *,
    year: int | None = None,
    quarter: str | None = None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    """fct_accidents rows (with the reporting group where the fact carries it)."""
    extra, params = [], []
    if year is not None:
        extra.append("year(t.occurred_at) = ?")
        params.append(year)
    if quarter is not None:
        start, end = quarter_range(quarter)
        extra.append("cast(t.occurred_at as date) between ? and ?")
        params += [start, end]
    return select_named(
        path,
        "fct_accidents",
        unit_code=unit_code,
        industry_code=industry_code,
        extra_where=" and ".join(extra) or None,
        extra_params=params,
        order_by="t.occurred_at desc",
    )


def enforcement(
    path: str | Path | None, *, quarter: str | list[str] | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        path,
        "mart_enforcement",
        quarter=quarter,
        unit_code=unit_code,
        order_by="t.quarter, t.unit_code",
    )


def enforcement_by_department(
    path: str | Path | None, *, quarter: str | list[str] | None = None
) -> pl.DataFrame:
    return select_named(
        path,
        "mart_enforcement_by_department",
        quarter=quarter,
        order_by="t.quarter, t.department_code",
    )


def _period_filter(column: str, quarter: str | None, year: int | None) -> tuple[list[str], list]:
    if quarter is not None:
        start, end = quarter_range(quarter)
        return [f"cast(t.{column} as date) between ? and ?"], [start, end]
    if year is not None:
        return [f"year(t.{column}) = ?"], [year]
    return [], []


def inspections_by(
    path: str | Path | None,
    by: str,
    *,
    quarter: str | None = None,
    year: int | None = None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    """fct_inspections counted by `by` (method or campaign) in a quarter or a year."""
    if by not in ("method", "campaign"):
        raise ValueError(by)
    with _connect(path) as con:
        cols = _columns(con, "fct_inspections")
        where, params = _where({"unit_code": unit_code, "industry_code": industry_code}, cols)
        extra, p2 = _period_filter("inspection_date", quarter, year)
        if extra:
            where += (" and " if where else " where ") + " and ".join(extra)
            params += p2
        hz = "sum(t.hazards_found)" if "hazards_found" in cols else "null"
        return _pl(
            con,
            f"select coalesce(t.{by}, '无') as {by}, count(*) as inspections, "
            f"{hz} as hazards_found from fct_inspections t{where} group by 1 order by 2 desc",
            params,
        )


def hazards_by_campaign(
    path: str | Path | None,
    *,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    """Hazards of the 四项整治 campaigns by quarter found (all levels, 重大, open overdue now)."""
    with _connect(path) as con:
        cols = _columns(con, "fct_hazards")
        where, params = _where({"unit_code": unit_code, "industry_code": industry_code}, cols)
        extra = "t.campaign is not null and t.campaign <> '无'"
        where += (" and " if where else " where ") + extra
        return _pl(
            con,
            "select concat(year(t.found_date), 'Q', quarter(t.found_date)) as quarter, t.campaign, "
            "count(*) as hazards_found, count_if(t.is_major) as major_hazards_found, "
            "count_if(t.is_rectified) as hazards_rectified, count_if(t.is_overdue) as open_overdue "
            f"from fct_hazards t{where} group by all order by 1, 2",
            params,
        )


def penalties(
    path: str | Path | None,
    *,
    quarter: str | None = None,
    unit_code: str | None = None,
) -> pl.DataFrame:
    extra, params = _period_filter("decided_date", quarter, None)
    return select_named(
        path,
        "fct_penalties",
        unit_code=unit_code,
        extra_where=" and ".join(extra) or None,
        extra_params=params,
        order_by="t.decided_date desc",
    )


def training_coverage(
    path: str | Path | None, *, year: int | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        path,
        "mart_training_coverage",
        year=year,
        unit_code=unit_code,
        order_by="t.year, t.unit_code",
    )


def quarterly_evaluation(path: str | Path | None, *, quarter: str | None = None) -> pl.DataFrame:
    return select_named(
        path, "mart_quarterly_evaluation", quarter=quarter, order_by="t.quarter, t.rank"
    )


def quarterly_evaluation_by_department(
    path: str | Path | None, *, quarter: str | None = None
) -> pl.DataFrame:
    return select_named(
        path,
        "mart_quarterly_evaluation_by_department",
        quarter=quarter,
        is_ranked=True,  # a department that leads nothing and owns no record is not ranked
        order_by="t.quarter, t.rank",
    )


def evaluation_weights(path: str | Path | None, variant: str = "unit") -> dict[str, float]:
    """Indicator (`i1` …) → weight, from mart_evaluation_method (the weights seed as served),
    else SPEC §7's defaults."""
    from zhiben.app_logic.labels import DEFAULT_DEPARTMENT_WEIGHTS, DEFAULT_UNIT_WEIGHTS

    default = DEFAULT_UNIT_WEIGHTS if variant == "unit" else DEFAULT_DEPARTMENT_WEIGHTS
    method = evaluation_method(path)
    if method.is_empty():
        return dict(default)
    rows = method.filter(
        (pl.col("scope") == variant)
        & (pl.col("item_type") == "indicator")
        & pl.col("weight").is_not_null()
    )
    weights = {str(r["item_id"]).lower(): float(r["weight"]) for r in rows.iter_rows(named=True)}
    return weights or dict(default)


def evaluation_method(path: str | Path | None) -> pl.DataFrame:
    """mart_evaluation_method (indicators, weights, deductions, veto) — empty when not served."""
    with _connect(path) as con:
        if "mart_evaluation_method" not in _tables(con):
            return pl.DataFrame()
        cols = _columns(con, "mart_evaluation_method")
        order = "scope desc, sort_order" if "sort_order" in cols else "scope desc, item_id"
        return _pl(con, f"select * from mart_evaluation_method order by {order}")


def accident_trend_region(path: str | Path | None) -> pl.DataFrame:
    """The region's yearly 双下降 (mart_accident_trend_region; else summed from the unit grain)."""
    with _connect(path) as con:
        if "mart_accident_trend_region" in _tables(con):
            return _pl(con, "select * from mart_accident_trend_region order by year")
        return (
            _pl(
                con,
                "select year, sum(accidents) as accidents, sum(deaths) as deaths, "
                "sum(prev_accidents) as prev_accidents, sum(prev_deaths) as prev_deaths "
                "from mart_accident_trend group by year order by year",
            )
            .with_columns(
                (
                    (pl.col("accidents") < pl.col("prev_accidents"))
                    | ((pl.col("accidents") == 0) & (pl.col("prev_accidents") == 0))
                ).alias("accidents_met"),
                (
                    (pl.col("deaths") < pl.col("prev_deaths"))
                    | ((pl.col("deaths") == 0) & (pl.col("prev_deaths") == 0))
                ).alias("deaths_met"),
            )
            .with_columns(
                (pl.col("accidents_met") & pl.col("deaths_met")).alias("is_double_decline")
            )
        )


def target_progress(path: str | Path | None) -> pl.DataFrame:
    df = select_named(path, "mart_target_progress")
    order = pl.col("target_id").str.slice(1).cast(pl.Int32, strict=False)
    return df.sort(order)


def target_milestones(path: str | Path | None, *, target_id: str | None = None) -> pl.DataFrame:
    return select_named(
        path,
        "mart_target_milestones",
        target_id=target_id,
        order_by="t.target_id, t.milestone_date",
    )


def load_reconciliation(path: str | Path | None) -> pl.DataFrame:
    return select_named(path, "mart_load_reconciliation", order_by="t.extract, t.file")


def quarantine(path: str | Path | None) -> pl.DataFrame:
    return select_named(path, "mart_quarantine", order_by="t.extract, t.file, t.line")


def run_history(path: str | Path | None, last: int = 30) -> pl.DataFrame:
    """`zhiben build` run history: mart_build_runs in the served file, else the JSON lines kept
    beside it (a warehouse published before the table existed)."""
    with _connect(path) as con:
        if "mart_build_runs" in _tables(con):
            df = _pl(
                con, f"select * from mart_build_runs order by started_at desc limit {int(last)}"
            )
            return df.with_columns(
                pl.col(c).dt.replace_time_zone(None)
                for c, t in df.schema.items()
                if isinstance(t, pl.Datetime) and t.time_zone
            )
    from zhiben import history
    from zhiben.paths import WarehousePaths

    runs = history.read(WarehousePaths(warehouse_path(path).resolve()).history_file, last=last)
    rows = [
        {
            "started_at": r.get("started_at"),
            "ended_at": r.get("ended_at"),
            "status": r.get("status"),
            "as_of_date": r.get("as_of_date"),
            "rows_read": sum(v.get("read", 0) for v in (r.get("rows") or {}).values()),
            "dbt_summary": r.get("dbt"),
            "error": (r.get("error") or "").splitlines()[0] if r.get("error") else None,
        }
        for r in reversed(runs)
    ]
    schema = {
        "started_at": pl.String,
        "ended_at": pl.String,
        "status": pl.String,
        "as_of_date": pl.String,
        "rows_read": pl.Int64,
        "dbt_summary": pl.String,
        "error": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def like_for_like_span(quarter: str, as_of: date | None) -> tuple[date, date, date, date]:
    """Jan 1 → the quarter's end (or D when the quarter is still running), and the same calendar
    span a year before (SPEC §9 like for like; Feb 29 falls back to Feb 28)."""
    _, end = quarter_range(quarter)
    if as_of is not None and as_of < end:
        end = as_of
    start = date(end.year, 1, 1)
    try:
        prev_end = end.replace(year=end.year - 1)
    except ValueError:
        prev_end = date(end.year - 1, 2, 28)
    return start, end, date(end.year - 1, 1, 1), prev_end


def year_to_date_kpis(
    path: str | Path | None,
    *,
    quarter: str,
    as_of: date | None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> dict[str, tuple[int | float | None, int | float | None]]:
    """metric → (this year so far, the same span a year before), from the facts, like for like:
    hazards found / 重大 / rectified, inspections, penalty cases, fines."""
    start, end, pstart, pend = like_for_like_span(quarter, as_of)
    plans = {
        "hazards_found": ("fct_hazards", "found_date", "count(*)"),
        "major_hazards_found": ("fct_hazards", "found_date", "count_if(t.is_major)"),
        "hazards_rectified": ("fct_hazards", "rectified_date", "count_if(t.is_rectified)"),
        "inspections": ("fct_inspections", "inspection_date", "count(*)"),
        "penalty_cases": ("fct_penalties", "decided_date", "count(*)"),
        "fines_yuan": ("fct_penalties", "decided_date", "sum(t.fines_yuan)"),
    }
    out: dict[str, tuple[int | float | None, int | float | None]] = {}
    with _connect(path) as con:
        tables = _tables(con)
        for metric, (table, day, agg) in plans.items():
            if table not in tables:
                continue
            cols = _columns(con, table)
            if day not in cols or (metric == "fines_yuan" and "fines_yuan" not in cols):
                continue
            where, params = _where({"unit_code": unit_code, "industry_code": industry_code}, cols)
            where += (" and " if where else " where ") + f"t.{day} between ? and ?"
            sql = f"select {agg} from {table} t{where}"
            cur = con.execute(sql, [*params, start, end]).fetchone()[0]
            prev = con.execute(sql, [*params, pstart, pend]).fetchone()[0]
            out[metric] = (
                None if cur is None else float(cur) if metric == "fines_yuan" else int(cur),
                None if prev is None else float(prev) if metric == "fines_yuan" else int(prev),
            )
    return out
