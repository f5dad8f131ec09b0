"""The record-level restriction of the app's queries is structural (zhiben.app_logic.connection):
every page query is declared `@records` or `@shared`; a `@records` query reads through a
connection whose record-level tables hold only the caller's units' rows; a `@shared` one cannot
select record-level rows and returns no record keys."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from zhiben import auth, periods
from zhiben.app_logic import connection, queries
from zhiben.app_logic.query_builder import select_named

#: columns that identify a record (or a person's enterprise): never in a shared query's result
RECORD_KEYS = {
    "hazard_id",
    "accident_id",
    "inspection_id",
    "penalty_id",
    "training_id",
    "drill_id",
    "report_id",
    "credit_code",
    "enterprise_name",
    "record_key",
}


def _page_queries() -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(queries, inspect.isfunction)
        if fn.__module__ == queries.__name__ and not name.startswith("_")
    }


def _kwargs(name: str, as_of) -> dict:
    quarter = periods.quarter_of(as_of)
    return {
        "table_columns": {"table": "dim_unit"},
        "inspections_by": {"by": "method"},
        "year_to_date_kpis": {"quarter": quarter, "as_of": as_of},
        "accidents": {"year": as_of.year},
        "evaluation_records": {"quarter": quarter, "item": "I1"},
        "target_records": {"target_id": "T1"},
        "department_evaluation_records": {"quarter": quarter, "item": "I1"},
    }.get(name, {})


def test_every_public_function_of_queries_is_a_declared_page_query():
    found = _page_queries()
    assert len(found) >= 25
    undeclared = [n for n, fn in found.items() if getattr(fn, "access", None) is None]
    assert not undeclared, f"declare these @records or @shared: {undeclared}"
    assert {n for n, fn in found.items() if fn.access == connection.RECORDS} == {
        "major_hazard_ledger",
        "accidents",
        "penalties",
        "quarantine",
        "reports",
        "target_chase_list",
        "plan_tasks",
        "plan_task_reports",
        "unit_data_quality",
        "evaluation_records",
        "target_records",
        "department_evaluation_records",
    }
    with pytest.raises(TypeError):  # the app calls nothing else
        connection.access_of(periods.quarter_of)


def test_a_records_query_needs_to_be_told_whose_records():
    with pytest.raises(TypeError, match="units"):
        queries.major_hazard_ledger("/nonexistent.duckdb")


def test_records_queries_return_only_the_callers_units(demo_warehouse: Path):
    as_of = queries.build_info(demo_warehouse).as_of_date
    for name, fn in _page_queries().items():
        if fn.access != connection.RECORDS:
            continue
        everyone = fn(demo_warehouse, units=None, **_kwargs(name, as_of))
        mine = fn(demo_warehouse, units=("U03",), **_kwargs(name, as_of))
        assert everyone["unit_code"].n_unique() > 1, name
        assert mine.height > 0 and set(mine["unit_code"]) == {"U03"}, name
        assert mine.height == everyone.filter(everyone["unit_code"] == "U03").height, name
        if "unit_code" in inspect.signature(fn).parameters:  # asking for another unit's rows
            other = fn(demo_warehouse, units=("U03",), unit_code="U01", **_kwargs(name, as_of))
            assert other.height == 0, name


def test_any_sql_of_a_restricted_reader_sees_only_its_units(demo_warehouse: Path):
    """Whatever SQL a new record-level query writes, the reader shadows every record-level
    table: a query added under any name cannot read other units' records."""
    with connection.open_reader(demo_warehouse, units=("U05",), record_level=True) as reader:
        detail = sorted(t for t in reader.tables if auth.is_detail_table(t))
        assert {"fct_hazards", "mart_major_hazard_ledger", "mart_quarantine"} <= set(detail)
        for table in detail:
            units = reader.frame(f"select distinct unit_code from {table}")["unit_code"]
            assert units.to_list() == ["U05"], table
        # aggregates too: a count over fct_hazards is U05's count
        total = reader.scalar("select count(*) from fct_hazards")
    with connection.open_reader(demo_warehouse, units=None, record_level=True) as reader:
        assert reader.scalar("select count(distinct unit_code) from fct_hazards") == 11
        assert reader.scalar("select count(*) from fct_hazards where unit_code = 'U05'") == total


def test_shared_queries_read_no_record_rows(demo_warehouse: Path):
    with connection.open_reader(demo_warehouse, units=None, record_level=False) as reader:
        with pytest.raises(PermissionError):
            select_named(reader, "fct_hazards")
        with pytest.raises(PermissionError):
            select_named(reader, "mart_quarantine")
    as_of = queries.build_info(demo_warehouse).as_of_date
    for name, fn in _page_queries().items():
        if fn.access != connection.SHARED:
            continue
        result = fn(demo_warehouse, **_kwargs(name, as_of))
        columns = set(getattr(result, "columns", ()))
        assert not columns & RECORD_KEYS, (name, columns & RECORD_KEYS)


def test_a_renamed_column_fails_instead_of_vanishing(demo_warehouse: Path):
    """A filter on a column the table lacks is an error, not a silently dropped filter."""
    with (
        connection.open_reader(demo_warehouse, units=None, record_level=False) as reader,
        pytest.raises(KeyError, match="industry_code"),
    ):
        select_named(reader, "mart_enforcement", industry_code="I01")
