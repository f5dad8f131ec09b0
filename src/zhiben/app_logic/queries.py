"""Page queries of the leaders' app on the served warehouse (dims, facts, marts only).

Each query is declared `@shared` (reference data, rankings, aggregates: every account reads them
whole) or `@records` (record-level rows: called with the `units` the account may see, and read
through a connection whose record-level tables hold only those units' rows) — see
`zhiben.app_logic.connection`; the app calls no other function. Each call opens one short-lived
read-only connection, so a `zhiben build` can swap the file at any time; the Streamlit layer caches
the results keyed on the file's fingerprint. The builder is `zhiben.app_logic.query_builder`,
period arithmetic `zhiben.periods`."""

from __future__ import annotations

from datetime import date

import polars as pl

from zhiben.app_logic.connection import Reader, records, shared
from zhiben.app_logic.query_builder import and_where, select_named, where_clause
from zhiben.periods import quarter_range, year_to_date
from zhiben.warehouse import BuildInfo, read_build_info

# ------------------------------------------------------------------ reference data


@shared
def available_tables(reader: Reader) -> set[str]:
    """Names of the tables in the served file."""
    return reader.tables


@shared
def table_columns(reader: Reader, table: str) -> list[str]:
    return reader.columns(table)


@shared
def units(reader: Reader) -> pl.DataFrame:
    return reader.frame("select unit_code, unit_name from dim_unit order by sort_order, unit_code")


@shared
def industries(reader: Reader) -> pl.DataFrame:
    return reader.frame(
        "select industry_code, industry_name from dim_industry order by sort_order, industry_code"
    )


@shared
def departments(reader: Reader) -> pl.DataFrame:
    return reader.frame(
        "select department_code, department_name from dim_department order by department_code"
    )


@shared
def build_info(reader: Reader) -> BuildInfo:
    """The as-of date D and the build time (`zhiben.warehouse.read_build_info`)."""
    return read_build_info(reader.con)


@shared
def quarters(reader: Reader) -> list[str]:
    """Quarters the marts cover, newest first (`YYYYQn`)."""
    found = reader.frame(
        "select quarter from mart_quarterly_evaluation "
        "union select quarter from mart_enforcement "
        "union select quarter from mart_region_industry_stats"
    )["quarter"]
    return sorted((q for q in found if q), reverse=True)


# ------------------------------------------------------------------ marts by page


@shared
def region_industry(
    reader: Reader,
    *,
    quarter: str | list[str] | None = None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_region_industry_stats",
        quarter=quarter,
        unit_code=unit_code,
        industry_code=industry_code,
        order_by="t.quarter, t.unit_code, t.industry_code",
    )


@shared
def region_industry_quarterly(
    reader: Reader, *, unit_code: str | None = None, industry_code: str | None = None
) -> pl.DataFrame:
    """Quarter totals of every metric of mart_region_industry_stats (for trends and KPIs)."""
    types = reader.frame("select * from mart_region_industry_stats limit 0").schema
    metrics = [
        c
        for c, dtype in types.items()
        if c != "year" and not c.endswith(("_code", "_name")) and dtype.is_numeric()
    ]
    where, params = where_clause(
        {"unit_code": unit_code, "industry_code": industry_code}, list(types)
    )
    sums = ", ".join(f"sum({c}) as {c}" for c in metrics)
    return reader.frame(
        f"select t.quarter, {sums} from mart_region_industry_stats t{where} "
        "group by t.quarter order by t.quarter",
        params,
    )


@records
def major_hazard_ledger(
    reader: Reader, *, unit_code: str | None = None, industry_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_major_hazard_ledger",
        unit_code=unit_code,
        industry_code=industry_code,
        order_by="t.overdue_days desc nulls last, t.found_date desc",
    )


@shared
def accident_trend(
    reader: Reader, *, year: int | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_accident_trend",
        year=year,
        unit_code=unit_code,
        order_by="t.year, t.unit_code",
    )


def _period_filter(column: str, quarter: str | None, year: int | None) -> tuple[list[str], list]:
    if quarter is not None:
        start, end = quarter_range(quarter)
        return [f"cast(t.{column} as date) between ? and ?"], [start, end]
    if year is not None:
        return [f"year(t.{column}) = ?"], [year]
    return [], []


@records
def accidents(
    reader: Reader,
    *,
    year: int | None = None,
    quarter: str | None = None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> pl.DataFrame:
    """fct_accidents rows of a year or a quarter (by when they occurred)."""
    extra, params = _period_filter("occurred_at", quarter, year)
    return select_named(
        reader,
        "fct_accidents",
        unit_code=unit_code,
        industry_code=industry_code,
        extra_where=" and ".join(extra) or None,
        extra_params=params,
        order_by="t.occurred_at desc",
    )


@shared
def enforcement(
    reader: Reader, *, quarter: str | list[str] | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_enforcement",
        quarter=quarter,
        unit_code=unit_code,
        order_by="t.quarter, t.unit_code",
    )


@shared
def enforcement_by_department(
    reader: Reader, *, quarter: str | list[str] | None = None
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_enforcement_by_department",
        quarter=quarter,
        order_by="t.quarter, t.department_code",
    )


@shared
def inspections_by(
    reader: Reader,
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
    cols = reader.columns("fct_inspections")
    where, params = where_clause({"unit_code": unit_code, "industry_code": industry_code}, cols)
    extra, p2 = _period_filter("inspection_date", quarter, year)
    if extra:
        where = and_where(where, " and ".join(extra))
        params += p2
    return reader.frame(
        f"select coalesce(t.{by}, '无') as {by}, count(*) as inspections, "
        f"sum(t.hazards_found) as hazards_found from fct_inspections t{where} "
        "group by 1 order by 2 desc",
        params,
    )


@shared
def hazards_by_campaign(
    reader: Reader, *, unit_code: str | None = None, industry_code: str | None = None
) -> pl.DataFrame:
    """Hazards of the 四项整治 campaigns by quarter found (all levels, 重大, open overdue now)."""
    cols = reader.columns("fct_hazards")
    where, params = where_clause({"unit_code": unit_code, "industry_code": industry_code}, cols)
    where = and_where(where, "t.campaign is not null and t.campaign <> '无'")
    return reader.frame(
        "select t.quarter, t.campaign, "
        "count(*) as hazards_found, count_if(t.is_major) as major_hazards_found, "
        "count_if(t.is_rectified) as hazards_rectified, count_if(t.is_overdue) as open_overdue "
        f"from fct_hazards t{where} group by all order by 1, 2",
        params,
    )


@records
def penalties(
    reader: Reader, *, quarter: str | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    extra, params = _period_filter("decided_date", quarter, None)
    return select_named(
        reader,
        "fct_penalties",
        unit_code=unit_code,
        extra_where=" and ".join(extra) or None,
        extra_params=params,
        order_by="t.decided_date desc",
    )


@shared
def training_coverage(
    reader: Reader, *, year: int | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_training_coverage",
        year=year,
        unit_code=unit_code,
        order_by="t.year, t.unit_code",
    )


@shared
def quarterly_evaluation(reader: Reader, *, quarter: str | None = None) -> pl.DataFrame:
    return select_named(
        reader, "mart_quarterly_evaluation", quarter=quarter, order_by="t.quarter, t.rank"
    )


@shared
def quarterly_evaluation_by_department(
    reader: Reader, *, quarter: str | None = None
) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_quarterly_evaluation_by_department",
        quarter=quarter,
        is_ranked=True,  # a department that leads nothing and owns no record is not ranked
        order_by="t.quarter, t.rank",
    )


@shared
def evaluation_method(reader: Reader) -> pl.DataFrame:
    """mart_evaluation_method: indicators, weights, deductions, veto (the seeds as served)."""
    return reader.frame("select * from mart_evaluation_method order by scope desc, sort_order")


@shared
def evaluation_weights(reader: Reader, variant: str = "unit") -> dict[str, float]:
    """Indicator (`i1` …) → weight of the unit or department variant, from mart_evaluation_method."""
    rows = reader.frame(
        "select item_id, weight from mart_evaluation_method "
        "where scope = ? and item_type = 'indicator' order by sort_order",
        [variant],
    )
    return {str(r["item_id"]).lower(): float(r["weight"]) for r in rows.iter_rows(named=True)}


@shared
def accident_trend_region(reader: Reader) -> pl.DataFrame:
    """The region's yearly 双下降."""
    return reader.frame("select * from mart_accident_trend_region order by year")


@shared
def monthly_dispatch(reader: Reader, *, unit_code: str | None = None) -> pl.DataFrame:
    """mart_monthly_dispatch (月调度: month × unit, every month) with the units' names."""
    return select_named(
        reader, "mart_monthly_dispatch", unit_code=unit_code, order_by="t.month, t.unit_code"
    )


@shared
def target_progress(reader: Reader) -> pl.DataFrame:
    df = select_named(reader, "mart_target_progress")
    return df.sort(pl.col("target_id").str.slice(1).cast(pl.Int32, strict=False))


@shared
def target_milestones(reader: Reader, *, target_id: str | None = None) -> pl.DataFrame:
    return select_named(
        reader,
        "mart_target_milestones",
        target_id=target_id,
        order_by="t.target_id, t.milestone_date",
    )


@records
def reports(reader: Reader, *, unit_code: str | None = None) -> pl.DataFrame:
    """fct_reports rows (举报: no reporter field exists in the warehouse)."""
    return select_named(
        reader, "fct_reports", unit_code=unit_code, order_by="t.received_date, t.report_id"
    )


#: the coverage targets with a 督办清单 (mart_target_chase_list), in the plan's order
CHASE_TARGETS = ("T6", "T8", "T9", "T12", "T13", "T14", "T15")


@records
def target_chase_list(
    reader: Reader, *, target_id: str | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    """督办清单: what is missing behind the coverage targets (departments' rows: leaders only)."""
    return select_named(
        reader,
        "mart_target_chase_list",
        target_id=target_id,
        unit_code=unit_code,
        order_by="t.target_id, t.unit_code nulls last, t.subject_type, t.subject_id",
    )


@shared
def load_reconciliation(reader: Reader) -> pl.DataFrame:
    return select_named(reader, "mart_load_reconciliation", order_by="t.extract, t.file")


@records
def quarantine(reader: Reader) -> pl.DataFrame:
    return select_named(reader, "mart_quarantine", order_by="t.extract, t.file, t.line")


@shared
def run_history(reader: Reader, last: int = 30) -> pl.DataFrame:
    """`zhiben build` run history (mart_build_runs), newest first."""
    df = reader.frame(f"select * from mart_build_runs order by started_at desc limit {int(last)}")
    return df.with_columns(
        pl.col(c).dt.replace_time_zone(None)
        for c, t in df.schema.items()
        if isinstance(t, pl.Datetime) and t.time_zone
    )


@shared
def year_to_date_kpis(
    reader: Reader,
    *,
    quarter: str,
    as_of: date | None,
    unit_code: str | None = None,
    industry_code: str | None = None,
) -> dict[str, tuple[int | float | None, int | float | None]]:
    """metric → (this year so far, the same span a year before), from the facts, like for like
    (`zhiben.periods.year_to_date`): hazards found / 重大 / rectified, inspections, penalty
    cases, fines."""
    span = year_to_date(quarter, as_of)
    plans = {
        "hazards_found": ("fct_hazards", "found_date", "count(*)"),
        "major_hazards_found": ("fct_hazards", "found_date", "count_if(t.is_major)"),
        "hazards_rectified": ("fct_hazards", "rectified_date", "count_if(t.is_rectified)"),
        "inspections": ("fct_inspections", "inspection_date", "count(*)"),
        "penalty_cases": ("fct_penalties", "decided_date", "count(*)"),
        "fines_yuan": ("fct_penalties", "decided_date", "sum(t.fines_yuan)"),
    }
    out: dict[str, tuple[int | float | None, int | float | None]] = {}
    for metric, (table, day, agg) in plans.items():
        where, params = where_clause(
            {"unit_code": unit_code, "industry_code": industry_code}, reader.columns(table)
        )
        sql = f"select {agg} from {table} t{and_where(where, f't.{day} between ? and ?')}"
        kind = float if metric == "fines_yuan" else int
        cur = reader.scalar(sql, [*params, span.start, span.end])
        prev = reader.scalar(sql, [*params, span.prev_start, span.prev_end])
        out[metric] = (None if cur is None else kind(cur), None if prev is None else kind(prev))
    return out


# ------------------------------------------------------------------ prevention (issue 16)


@shared
def monitoring_coverage(
    reader: Reader, *, requirement_id: str | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    """技防覆盖: requirement × unit × measured date (the region's rows have no unit)."""
    return select_named(
        reader,
        "mart_monitoring_coverage",
        requirement_id=requirement_id,
        unit_code=unit_code,
        order_by="t.requirement_id, t.measured_on, t.unit_code nulls first",
    )


@shared
def self_inspection(
    reader: Reader, *, quarter: str | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    """主要负责人带队自查: quarter × unit."""
    return select_named(
        reader,
        "mart_self_inspection",
        quarter=quarter,
        unit_code=unit_code,
        order_by="t.quarter, t.unit_code",
    )
