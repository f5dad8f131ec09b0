"""dbt's own tests outside the production build.

- Every dbt unit test (`unit_tests:` in models/**/*.yml) runs here: `zhiben build` leaves them out
  (`--exclude-resource-type unit_test`; they check the models' SQL on fixed inputs, not the
  data), so `make test` is where they run and can fail.

It runs dbt on a COPY of the demo build file (the demo build is left as it is)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from zhiben.build import DBT_BUILD_ARGS
from zhiben.dbt import run_dbt


@pytest.fixture()
def build_copy(demo_build_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "build.duckdb"
    shutil.copyfile(demo_build_db, copy)
    return copy


def _as_of(build_db: Path) -> date:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return con.execute("select max(as_of_date) from raw.build_info").fetchone()[0]


def _results(target: Path) -> list[dict]:
    return json.loads((target / "run_results.json").read_text())["results"]


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
