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
from zhiben.periods import like_for_like, quarter_range, year_to_date
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
CHASE_TARGETS = ("T6", "T8", "T9", "T12", "T13", "T14", "T15", "T18")


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


@records
def plan_tasks(reader: Reader, *, owner_code: str | None = None) -> pl.DataFrame:
    """挂图作战: mart_plan_tasks (task × owner as of D; a unit account: its own rows)."""
    return select_named(
        reader,
        "mart_plan_tasks",
        owner_code=owner_code,
        order_by="t.due_date, t.task_id, t.owner_sort_order",
    )


@records
def plan_task_reports(reader: Reader, *, task_id: str | None = None) -> pl.DataFrame:
    """A task's report versions (fct_plan_task_reports; a unit account: its own rows)."""
    return select_named(
        reader,
        "fct_plan_task_reports",
        task_id=task_id,
        order_by="t.task_id, t.owner_code, t.version_no",
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


# ------------------------------------------------------------------ early warning, data quality


@shared
def target_forecast(
    reader: Reader, *, target_id: str | None = None, unit_code: str | None = None
) -> pl.DataFrame:
    """mart_target_forecast (预警): per target the region's row first, then each unit's."""
    return select_named(
        reader,
        "mart_target_forecast",
        target_id=target_id,
        unit_code=unit_code,
        order_by="t.target_id, t.unit_code nulls first",
    )


@records
def unit_data_quality(reader: Reader, *, unit_code: str | None = None) -> pl.DataFrame:
    """mart_unit_data_quality (数据质量 per reporting unit and extract); a unit account: its own."""
    return select_named(
        reader,
        "mart_unit_data_quality",
        unit_code=unit_code,
        order_by="t.unit_code nulls last, t.extract",
    )


# ------------------------------------------------------------------ drill-through
# From a score or a target figure to the records behind it. Each returns the same columns
# (DRILL_COLUMNS): the record's kind, key, unit, enterprise, date, a short detail and whether it
# counts in the figure's numerator (is_counted) — the rows the mart counted, as the tests check
# against mart_quarterly_evaluation's and mart_target_milestones' counts.

#: the drill-through rows' columns, in order
DRILL_COLUMNS = (
    "record_type",
    "record_id",
    "unit_code",
    "credit_code",
    "enterprise_name",
    "record_date",
    "detail",
    "is_counted",
)

#: what a score of the unit ranking can be drilled into: indicator or deduction → what is listed
EVALUATION_DRILL_ITEMS: dict[str, str] = {
    "I1": "截至季末已发现的重大隐患(计入=季末前已整改)",
    "I2": "整改期限在本季度的隐患(计入=按期整改)",
    "I3": "本季度发现的隐患",
    "I4": "本季度行政处罚(计入)与执法检查",
    "I5": "本年迄今及上年同期事故(计入=本年)",
    "I6": "季末在营企业(计入=主要负责人已培训合格)",
    "I7": "本年迄今企业演练(计入=“四不”演练)",
    "deduction_major_accidents": "本季度较大事故",
    "deduction_concealed": "本季度瞒报谎报事故",
    "deduction_listed_overdue": "季末挂牌督办且逾期未整改的重大隐患",
}

_HAZARD_ROW = (
    "'隐患' as record_type, t.hazard_id as record_id, t.unit_code, t.credit_code,"
    " e.enterprise_name, t.found_date as record_date,"
    " concat(t.level, ' · ', t.status, ' · 期限 ', coalesce(cast(t.deadline as varchar), '无'),"
    " ' · 整改 ', coalesce(cast(t.rectified_date as varchar), '未整改')) as detail"
)
_ACCIDENT_ROW = (
    "'事故' as record_type, t.accident_id as record_id, t.unit_code, t.credit_code,"
    " e.enterprise_name, t.occurred_date as record_date,"
    " concat(t.grade, ' · ', t.accident_type, ' · 死亡(含失踪) ', cast(t.deaths as varchar))"
    " as detail"
)
_DRILL_ROW = (
    "'演练' as record_type, t.drill_id as record_id, t.unit_code, t.credit_code,"
    " e.enterprise_name, t.drill_date as record_date,"
    " concat(t.drill_type, case when t.is_four_no then ' · 四不' else '' end) as detail"
)
_ENTERPRISE_JOIN = "left join dim_enterprise e on e.credit_code = t.credit_code"


def _drill(reader: Reader, parts: list[tuple[str, str, str, list]]) -> pl.DataFrame:
    """Union of (row select, table, where, params) parts, with is_counted in each select."""
    sqls, params = [], []
    for select, table, where, ps in parts:
        sqls.append(f"select {select} from {table} t {_ENTERPRISE_JOIN} where {where}")
        params.extend(ps)
    cols = ", ".join(DRILL_COLUMNS)
    sql = f"select {cols} from ({' union all '.join(sqls)}) order by record_date, record_id"
    df = reader.frame(sql, params)
    return df.select(DRILL_COLUMNS)


def _unit_where(unit_code: str | None) -> tuple[str, list]:
    return ("t.unit_code = ?", [unit_code]) if unit_code else ("true", [])


def _seed_parameter(name: str) -> str:
    """A value of seed target_parameters (the one place it lives), as text."""
    from zhiben.paths import SEEDS_DIR

    table = pl.read_csv(SEEDS_DIR / "target_parameters.csv", infer_schema=False)
    return table.filter(pl.col("parameter_name") == name)["parameter_value"].item()


@records
def evaluation_records(
    reader: Reader, *, quarter: str, item: str, unit_code: str | None = None
) -> pl.DataFrame:
    """The records behind one score of the unit ranking (EVALUATION_DRILL_ITEMS) for a quarter
    and a unit, by SPEC §7's definitions (macros/evaluation, macros/rules): e.g. I1 for 店子镇
    lists its 重大隐患 found by the quarter's end, is_counted = rectified by then."""
    if item not in EVALUATION_DRILL_ITEMS:
        raise KeyError(f"no drill-through for {item!r}")
    row = reader.frame(
        "select quarter_start, evaluated_as_of from mart_quarterly_evaluation"
        " where quarter = ? limit 1",
        [quarter],
    )
    if row.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(DRILL_COLUMNS, pl.String))
    qs, pe = row["quarter_start"][0], row["evaluated_as_of"][0]
    span = year_to_date(quarter, pe)
    unit, up = _unit_where(unit_code)
    rectified_by_pe = "coalesce(t.is_rectified and t.rectified_date <= ?, false)"
    if item == "I1":
        parts = [
            (
                f"{_HAZARD_ROW}, {rectified_by_pe} as is_counted",
                "fct_hazards",
                f"{unit} and t.is_major and t.found_date <= ?",
                [pe, *up, pe],
            )
        ]
    elif item == "I2":
        parts = [
            (
                f"{_HAZARD_ROW}, coalesce(t.rectified_on_time, false) as is_counted",
                "fct_hazards",
                f"{unit} and t.found_date <= ? and t.deadline between ? and ?",
                [*up, pe, qs, pe],
            )
        ]
    elif item == "I3":
        parts = [
            (
                f"{_HAZARD_ROW}, true as is_counted",
                "fct_hazards",
                f"{unit} and t.found_date between ? and ?",
                [*up, qs, pe],
            )
        ]
    elif item == "I4":
        parts = [
            (
                "'行政处罚' as record_type, t.penalty_id as record_id, t.unit_code, t.credit_code,"
                " e.enterprise_name, t.decided_date as record_date,"
                " concat(t.department_code, ' · ', t.penalty_kinds) as detail,"
                " true as is_counted",
                "fct_penalties",
                f"{unit} and t.quarter = ?",
                [*up, quarter],
            ),
            (
                "'执法检查' as record_type, t.inspection_id as record_id, t.unit_code,"
                " t.credit_code, e.enterprise_name, t.inspection_date as record_date,"
                " concat(t.department_code, ' · ', t.method) as detail, false as is_counted",
                "fct_inspections",
                f"{unit} and t.quarter = ?",
                [*up, quarter],
            ),
        ]
    elif item == "I5":
        parts = [
            (
                f"{_ACCIDENT_ROW}, t.occurred_date >= ? as is_counted",
                "fct_accidents",
                f"{unit} and (t.occurred_date between ? and ? or t.occurred_date between ? and ?)",
                [span.start, *up, span.start, span.end, span.prev_start, span.prev_end],
            )
        ]
    elif item == "I6":
        parts = [
            (
                "'企业' as record_type, t.credit_code as record_id, t.unit_code, t.credit_code,"
                " e.enterprise_name, cast(? as date) as record_date,"
                " case when t.is_principal_trained then '主要负责人已培训合格'"
                " else '主要负责人未经专题培训合格' end as detail,"
                " t.is_principal_trained as is_counted",
                "mart_evaluation_enterprises",
                f"{unit} and t.quarter = ?",
                [pe, *up, quarter],
            )
        ]
    elif item == "I7":
        from_year = int(_seed_parameter("four_no_excludes_comprehensive_from_year"))
        parts = [
            (
                f"{_DRILL_ROW}, t.is_four_no as is_counted",
                "fct_drills",
                f"{unit} and t.is_enterprise_drill and t.drill_date between ? and ?"
                " and not (year(t.drill_date) >= ? and t.drill_type = '综合演练')",
                [*up, span.start, span.end, from_year],
            )
        ]
    elif item == "deduction_major_accidents":
        grade = reader.scalar(
            "select accident_grade from mart_evaluation_method"
            " where scope = 'unit' and item_id = 'deduction_major_accidents'"
        )
        parts = [
            (
                f"{_ACCIDENT_ROW}, true as is_counted",
                "fct_accidents",
                f"{unit} and t.occurred_date between ? and ? and t.grade = ?",
                [*up, qs, pe, grade],
            )
        ]
    elif item == "deduction_concealed":
        parts = [
            (
                f"{_ACCIDENT_ROW}, true as is_counted",
                "fct_accidents",
                f"{unit} and t.occurred_date between ? and ? and t.is_concealed",
                [*up, qs, pe],
            )
        ]
    else:  # deduction_listed_overdue: listed 重大隐患 open and overdue at the quarter's end
        parts = [
            (
                f"{_HAZARD_ROW}, true as is_counted",
                "fct_hazards",
                f"{unit} and t.is_major and t.is_listed_supervision and t.found_date <= ?"
                f" and not {rectified_by_pe} and t.deadline < ?",
                [*up, pe, pe, pe],
            )
        ]
    return _drill(reader, parts)


#: the targets whose figure can be drilled into its records (T8, T9, T12, T13: their 督办清单,
#: the subjects not yet meeting the target); the others' figures are not counts of records
TARGET_DRILL_TARGETS = ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T11", "T12", "T13")


@records
def target_records(
    reader: Reader,
    *,
    target_id: str,
    milestone_date: date | None = None,
    unit_code: str | None = None,
) -> pl.DataFrame:
    """The records behind a target's figure at a milestone (default: the one now worked towards,
    else the last), by SPEC §6's definitions: T1 the 存量 重大隐患 (is_counted = rectified by the
    date), T2 the 重大隐患 found in the year so far and the same span before (is_counted = this
    year), T3 the 重大隐患 open and overdue at the date, T4 the accidents (this year / before), T5
    the liability accidents of grade 较大 or worse in the year, T6 the 四不-eligible 企业 drills of the
    year (is_counted = 四不), T7 the passed 工伤预防能力提升培训 since the training start (is_counted =
    each person's first), T11 the units' own 非现场执法 inspections of the year; T8, T9, T12, T13
    their 督办清单 (the subjects not meeting it)."""
    if target_id not in TARGET_DRILL_TARGETS:
        raise KeyError(f"no drill-through for {target_id!r}")
    ms = reader.frame(
        "select milestone_date, evaluation_date, is_next from mart_target_milestones"
        " where target_id = ? and (is_passed or is_next) order by milestone_date",
        [target_id],
    )
    if milestone_date is not None:
        ms = ms.filter(pl.col("milestone_date") == milestone_date)
    elif ms["is_next"].any():
        ms = ms.filter(pl.col("is_next"))
    if ms.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(DRILL_COLUMNS, pl.String))
    e = ms["evaluation_date"][-1]
    unit, up = _unit_where(unit_code)
    year_start = date(e.year, 1, 1)
    rectified_by_e = "coalesce(t.is_rectified and t.rectified_date <= ?, false)"
    if target_id in ("T8", "T9", "T12", "T13"):
        # the list is of the milestone now worked towards only
        where, params = where_clause(
            {"target_id": target_id, "unit_code": unit_code, "milestone_date": milestone_date},
            ["target_id", "unit_code", "milestone_date"],
        )
        return reader.frame(
            "select t.subject_type as record_type, t.subject_id as record_id, t.unit_code,"
            " null as credit_code, t.subject_name as enterprise_name,"
            " t.milestone_date as record_date, t.missing_item as detail, false as is_counted"
            f" from mart_target_chase_list t{where}"
            " order by t.unit_code nulls last, t.subject_type, t.subject_id",
            params,
        ).select(DRILL_COLUMNS)
    if target_id == "T1":
        parts = [
            (
                f"{_HAZARD_ROW}, {rectified_by_e} as is_counted",
                "fct_hazards",
                f"{unit} and t.is_major and t.is_stock_2023",
                [e, *up],
            )
        ]
    elif target_id in ("T2", "T4"):
        span = like_for_like(e)
        row, table, day, only = (
            (_HAZARD_ROW, "fct_hazards", "t.found_date", "t.is_major")
            if target_id == "T2"
            else (_ACCIDENT_ROW, "fct_accidents", "t.occurred_date", "true")
        )
        parts = [
            (
                f"{row}, {day} >= ? as is_counted",
                table,
                f"{unit} and {only} and ({day} between ? and ? or {day} between ? and ?)",
                [span.start, *up, span.start, span.end, span.prev_start, span.prev_end],
            )
        ]
    elif target_id == "T3":
        parts = [
            (
                f"{_HAZARD_ROW}, true as is_counted",
                "fct_hazards",
                f"{unit} and t.is_major and t.found_date <= ? and not {rectified_by_e}"
                " and t.deadline < ?",
                [*up, e, e, e],
            )
        ]
    elif target_id == "T5":
        parts = [
            (
                f"{_ACCIDENT_ROW}, true as is_counted",
                "fct_accidents",
                f"{unit} and t.is_liability and t.is_larger_or_above"
                " and t.occurred_date between ? and ?",
                [*up, year_start, e],
            )
        ]
    elif target_id == "T7":  # is_counted: each person's first passed training (distinct people)
        since = _seed_parameter("training_since_date")
        parts = [
            (
                "'培训' as record_type, t.training_id as record_id, t.unit_code, t.credit_code,"
                " e.enterprise_name, t.training_date as record_date,"
                " concat(t.training_type, ' · ', t.exam_result) as detail,"
                " row_number() over (partition by t.person_key"
                " order by t.training_date, t.training_id) = 1 as is_counted",
                "fct_training",
                f"{unit} and t.training_type = '工伤预防能力提升培训' and t.is_passed"
                " and t.training_date between cast(? as date) and ?",
                [*up, since, e],
            )
        ]
    elif target_id == "T11":  # the units' OWN 非现场执法 inspections of the year, by the unit
        own, op = ("t.enforcing_unit_code = ?", [unit_code]) if unit_code else ("true", [])
        parts = [
            (
                "'执法检查' as record_type, t.inspection_id as record_id,"
                " t.enforcing_unit_code as unit_code, t.credit_code, e.enterprise_name,"
                " t.inspection_date as record_date, concat(t.method, ' · 本镇街执法') as detail,"
                " true as is_counted",
                "fct_inspections",
                f"{own} and t.is_non_site and t.enforcing_unit_code is not null"
                " and t.inspection_date between ? and ?",
                [*op, year_start, e],
            )
        ]
    else:  # T6
        from_year = int(_seed_parameter("four_no_excludes_comprehensive_from_year"))
        parts = [
            (
                f"{_DRILL_ROW}, t.is_four_no as is_counted",
                "fct_drills",
                f"{unit} and t.is_enterprise_drill and t.drill_date between ? and ?"
                " and not (year(t.drill_date) >= ? and t.drill_type = '综合演练')",
                [*up, year_start, e, from_year],
            )
        ]
    return _drill(reader, parts)


#: what a score of the department ranking can be drilled into
DEPARTMENT_DRILL_ITEMS: dict[str, str] = {
    k: EVALUATION_DRILL_ITEMS[k] for k in ("I1", "I2", "I4", "I5")
}


@records
def department_evaluation_records(
    reader: Reader, *, quarter: str, item: str, department_code: str | None = None
) -> pl.DataFrame:
    """The records behind one score of the department ranking (SPEC §7's department variant): a
    hazard, inspection or penalty by its department (attributed_department_code: its own
    department column, else the industry's lead), an accident by its industry's lead department;
    inspections and penalties of the departments' own enforcement only (not a unit's)."""
    if item not in DEPARTMENT_DRILL_ITEMS:
        raise KeyError(f"no drill-through for {item!r}")
    row = reader.frame(
        "select quarter_start, evaluated_as_of from mart_quarterly_evaluation_by_department"
        " where quarter = ? limit 1",
        [quarter],
    )
    if row.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(DRILL_COLUMNS, pl.String))
    qs, pe = row["quarter_start"][0], row["evaluated_as_of"][0]

    def scope(column: str) -> tuple[str, list]:
        return (f"t.{column} = ?", [department_code]) if department_code else ("true", [])

    dep, dp = scope("attributed_department_code")
    if item == "I1":
        parts = [
            (
                f"{_HAZARD_ROW}, coalesce(t.is_rectified and t.rectified_date <= ?, false)"
                " as is_counted",
                "fct_hazards",
                f"{dep} and t.is_major and t.found_date <= ?",
                [pe, *dp, pe],
            )
        ]
    elif item == "I2":
        parts = [
            (
                f"{_HAZARD_ROW}, coalesce(t.rectified_on_time, false) as is_counted",
                "fct_hazards",
                f"{dep} and t.found_date <= ? and t.deadline between ? and ?",
                [*dp, pe, qs, pe],
            )
        ]
    elif item == "I4":
        parts = [
            (
                "'行政处罚' as record_type, t.penalty_id as record_id, t.unit_code, t.credit_code,"
                " e.enterprise_name, t.decided_date as record_date,"
                " concat(t.department_code, ' · ', t.penalty_kinds) as detail,"
                " true as is_counted",
                "fct_penalties",
                f"{dep} and t.enforcing_unit_code is null and t.decided_date between ? and ?",
                [*dp, qs, pe],
            ),
            (
                "'执法检查' as record_type, t.inspection_id as record_id, t.unit_code,"
                " t.credit_code, e.enterprise_name, t.inspection_date as record_date,"
                " concat(t.department_code, ' · ', t.method) as detail, false as is_counted",
                "fct_inspections",
                f"{dep} and t.enforcing_unit_code is null and t.inspection_date between ? and ?",
                [*dp, qs, pe],
            ),
        ]
    else:  # I5
        span = year_to_date(quarter, pe)
        lead, lp = scope("lead_department_code")
        parts = [
            (
                f"{_ACCIDENT_ROW}, t.occurred_date >= ? as is_counted",
                "fct_accidents",
                f"{lead} and (t.occurred_date between ? and ? or t.occurred_date between ? and ?)",
                [span.start, *lp, span.start, span.end, span.prev_start, span.prev_end],
            )
        ]
    return _drill(reader, parts)


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
