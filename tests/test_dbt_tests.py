"""dbt's own tests outside the production build.

- Every dbt unit test (`unit_tests:` in models/**/*.yml) runs here: `zhiben build` leaves them out
  (`--exclude-resource-type unit_test`; they check the models' SQL on fixed inputs, not the
  data), so `make test` is where they run and can fail.
- The merged per-model column test `columns_valid` (macros/columns_valid.sql) fails on planted
  bad data, for each of its checks (references included), and names the column, the check and
  the offending value.

Both run dbt on a COPY of the demo build file (the demo build is left as it is)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from zhiben.build import DBT_BUILD_ARGS
from zhiben.dbt import DbtError, run_dbt


@pytest.fixture()
def build_copy(demo_build_db: Path, tmp_path: Path) -> Path:
    # named build.duckdb like the file dbt built it as: its views name that catalog (`build.…`)
    copy = tmp_path / "build.duckdb"
    shutil.copyfile(demo_build_db, copy)
    return copy


def _as_of(build_db: Path) -> date:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return con.execute("select max(as_of_date) from raw.build_info").fetchone()[0]


def _results(target: Path) -> list[dict]:
    """The nodes dbt ran, without the on-run-start hook (the lake's views: an operation)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [r for r in results if not r["unique_id"].startswith("operation.")]


def test_production_build_leaves_unit_tests_out(demo_build_db: Path) -> None:
    assert DBT_BUILD_ARGS[0] == "build"
    assert "unit_test" in DBT_BUILD_ARGS[DBT_BUILD_ARGS.index("--exclude-resource-type") + 1 :]
    target = demo_build_db.parent / "target"
    kinds = {r["unique_id"].split(".")[0] for r in _results(target)}
    assert "unit_test" not in kinds and {"model", "test", "seed"} <= kinds


def test_every_unit_test_runs_and_passes(build_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    summary = run_dbt(
        build_copy,
        _as_of(build_copy),
        ("test", "--select", "test_type:unit"),
        target_dir=target,
        log_dir=tmp_path / "logs",
    )
    manifest = json.loads((target / "manifest.json").read_text())
    results = _results(target)
    assert len(manifest["unit_tests"]) >= 15
    assert sorted(r["unique_id"] for r in results) == sorted(manifest["unit_tests"])
    assert all(r["status"] == "pass" for r in results), results
    assert summary.passed == len(results) and summary.errored == 0


def test_columns_valid_fails_on_planted_bad_data(build_copy: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(build_copy)) as con:
        con.execute(
            "update marts.dim_enterprise set operating_status = '歇业' "
            "where credit_code = (select min(credit_code) from marts.dim_enterprise)"
        )
        con.execute(
            "update marts.dim_enterprise set unit_code = 'U99' "
            "where credit_code = (select min(credit_code) from marts.dim_enterprise)"
        )
        con.execute(
            "update marts.dim_enterprise set industry_code = null "
            "where credit_code = (select max(credit_code) from marts.dim_enterprise)"
        )
        duplicate = (
            "insert into marts.dim_enterprise select * from marts.dim_enterprise "
            "where credit_code = (select max(credit_code) from marts.dim_enterprise)"
        )
        # the contract's primary key refuses a duplicate; to plant one for the `unique` check,
        # the table is copied without its constraints first
        with pytest.raises(duckdb.ConstraintException):
            con.execute(duplicate)
        con.execute("create or replace table marts.dim_enterprise as from marts.dim_enterprise")
        con.execute(duplicate)
        con.execute(
            "update marts.mart_quarterly_evaluation set i1_value = 1.5 "
            "where (quarter, unit_code) = (select (min(quarter), min(unit_code)) "
            "from marts.mart_quarterly_evaluation)"
        )
    target = tmp_path / "target"
    with pytest.raises(DbtError):
        run_dbt(
            build_copy,
            _as_of(build_copy),
            (
                "test",
                "--select",
                "test_name:columns_valid,dim_enterprise",
                "test_name:columns_valid,mart_quarterly_evaluation",
            ),
            target_dir=target,
            log_dir=tmp_path / "logs",
        )
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    results = {nodes[r["unique_id"]]["attached_node"].split(".")[-1]: r for r in _results(target)}
    results = {
        k: v for k, v in results.items() if k in ("dim_enterprise", "mart_quarterly_evaluation")
    }
    assert len(results) == 2, results
    # dim_enterprise: one bad enum, one unknown unit, one NULL (the duplicated row carries it
    # twice), one duplicate
    assert results["dim_enterprise"]["status"] == "fail"
    assert results["dim_enterprise"]["failures"] == 5
    assert results["mart_quarterly_evaluation"]["status"] == "fail"
    assert results["mart_quarterly_evaluation"]["failures"] == 1

    # what the failing rows say: column, check, offending value
    with duckdb.connect(str(build_copy), read_only=True) as con:
        rows = {
            name: sorted(con.execute(r["compiled_code"]).fetchall(), key=str)
            for name, r in results.items()
        }
    enterprise_rows, evaluation_rows = rows["dim_enterprise"], rows["mart_quarterly_evaluation"]
    checks = sorted((column, check) for column, check, _value in enterprise_rows)
    assert checks == [
        ("credit_code", "unique"),
        ("industry_code", "not_null"),
        ("industry_code", "not_null"),
        ("operating_status", "accepted_values"),
        ("unit_code", "references dim_unit.unit_code"),
    ], enterprise_rows
    assert ("operating_status", "accepted_values", "歇业") in enterprise_rows
    assert ("unit_code", "references dim_unit.unit_code", "U99") in enterprise_rows
    assert evaluation_rows == [("i1_value", "in_range", "1.5")], evaluation_rows


def test_plan_task_seed_tests_fail_on_planted_bad_rows(build_copy: Path, tmp_path: Path) -> None:
    """The task ledger seeds' data tests (seeds/_analytics__seeds.yml and
    data_tests/seeds/assert_plan_task_seeds_consistent.sql) catch each kind of bad row."""
    with duckdb.connect(str(build_copy)) as con:
        task, other = con.execute(
            "select min(task_id), max(task_id) from seeds.plan_tasks"
        ).fetchone()
        # a task past the plan's end, with a measure but no quantity, and no owner
        con.execute(
            "insert into seeds.plan_tasks values ('二.99-1', '二.99', 'x', date '2027-01-31', null, '个')"
        )
        # a second row of an existing task_id, under another section, with a quantity of 0
        con.execute(
            "insert into seeds.plan_tasks values (?, '三.1', 'y', date '2025-06-30', 0, '个')",
            [task],
        )
        # an owner that is no code, a duplicated owner, an owner of an unknown task
        con.execute("insert into seeds.plan_task_owners values (?, 'D13')", [other])
        con.execute(
            "insert into seeds.plan_task_owners "
            "select task_id, owner from seeds.plan_task_owners where task_id = ? limit 1",
            [other],
        )
        con.execute("insert into seeds.plan_task_owners values ('二.100-1', 'U01')")
    target = tmp_path / "target"
    with pytest.raises(DbtError):
        run_dbt(
            build_copy,
            _as_of(build_copy),
            ("test", "--select", "plan_tasks", "plan_task_owners"),
            target_dir=target,
            log_dir=tmp_path / "logs",
        )
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    results = {nodes[r["unique_id"]]["name"]: r for r in _results(target)}
    assert len(results) == 4, sorted(results)
    assert all(r["status"] == "fail" for r in results.values()), results
    with duckdb.connect(str(build_copy), read_only=True) as con:
        found = {
            name: sorted(con.execute(r["compiled_code"]).fetchall(), key=str)
            for name, r in results.items()
        }
    by_prefix = {
        prefix: next(rows for name, rows in found.items() if name.startswith(prefix))
        for prefix in (
            "assert_plan_task_seeds_consistent",
            "columns_valid_plan_tasks",
            "columns_valid_plan_task_owners",
            "unique_combination_of_columns_plan_task_owners",
        )
    }
    assert sorted(
        (task_id, problem)
        for task_id, _owner, problem in by_prefix["assert_plan_task_seeds_consistent"]
    ) == sorted(
        [
            ("二.99-1", "task without owner"),
            ("二.99-1", "target_qty and measure not both given or both empty"),
            (other, "owner is not U*, a department or a unit"),
            (task, "target_qty not above 0"),
            (task, "task_id does not start with its section"),
        ]
    )
    assert sorted(by_prefix["columns_valid_plan_tasks"]) == [
        ("due_date", "in_range", "2027-01-31"),
        ("task_id", "unique", task),
    ]
    assert by_prefix["columns_valid_plan_task_owners"] == [
        ("task_id", "references plan_tasks.task_id", "二.100-1")
    ]
    assert [row[0] for row in by_prefix["unique_combination_of_columns_plan_task_owners"]] == [
        other
    ]
