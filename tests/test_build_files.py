"""The build's working file: one fixed path per warehouse (so dbt parses partially from build to
build), renamed build-<run id>.duckdb after dbt, removed on failure and when left behind.

dbt and the loader are replaced by stand-ins here (no real build): what is checked is how
zhiben.build handles the files and what it hands to dbt. Real builds: tests/test_ops.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

import zhiben.build as build_mod
import zhiben.ingest
from zhiben.dbt import DbtError, DbtSummary
from zhiben.paths import WarehousePaths

AS_OF = date(2026, 11, 28)


def _fake_ingest(raw_dir: Path, build_db: Path, **_kwargs: object) -> None:
    assert not build_db.exists(), "the working build file must start empty"
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.build_info as select date '2026-11-28' as as_of_date, "
            "now()::timestamp as built_at, 'x' as raw_dir, null::timestamp as max_updated_at"
        )
        con.execute(
            "create table raw.load_reconciliation as select 'hazards' as extract, "
            "'hazards/a.csv' as file, 1 as rows_read, 1 as rows_loaded, 0 as rows_quarantined, "
            "0 as rows_folded"
        )


@pytest.fixture()
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    calls: dict[str, list] = {"dbt": [], "published": []}

    def fake_dbt(build_db: Path, as_of: date, args, **kwargs) -> DbtSummary:
        calls["dbt"].append((build_db, as_of, tuple(args), kwargs))
        if calls.get("fail_dbt"):
            raise DbtError("planted dbt failure")
        return DbtSummary(1, 0, 0, 0)

    def fake_publish(build_db: Path, served: Path, build_runs=None) -> list[str]:
        assert build_db.exists()
        calls["published"].append(build_db)
        served.write_bytes(b"served " + build_db.name.encode())
        return ["fct_x"]

    monkeypatch.setattr(zhiben.ingest, "ingest", _fake_ingest)
    monkeypatch.setattr(build_mod, "run_dbt", fake_dbt)
    monkeypatch.setattr(build_mod, "publish", fake_publish)
    monkeypatch.setenv("ZHIBEN_PII_SALT", "test")
    return calls


def test_dbt_sees_one_fixed_path_and_no_vars(tmp_path: Path, stand_ins: dict) -> None:
    served = tmp_path / "warehouse.duckdb"
    paths = WarehousePaths(served)
    for _ in range(2):
        result = build_mod.build(tmp_path, served, progress=lambda _m: None)
        assert result.build_db.name.startswith("build-") and result.build_db.exists()
        assert not paths.build_file.exists()
    (db1, d1, args1, kw1), (db2, _d2, args2, kw2) = stand_ins["dbt"]
    assert db1 == db2 == paths.build_file  # the same profile path: dbt parses partially
    assert d1 == AS_OF and kw1["as_of_in_env"] and kw2["as_of_in_env"]
    assert args1 == args2 == build_mod.DBT_BUILD_ARGS
    assert "--exclude-resource-type" in args1 and "unit_test" in args1
    # published from the renamed file; only the last successful build file is kept
    assert stand_ins["published"][-1] == result.build_db
    assert sorted(p.name for p in paths.work_dir.glob("build*.duckdb")) == [result.build_db.name]


def test_failed_dbt_removes_the_working_file_and_keeps_served(
    tmp_path: Path, stand_ins: dict
) -> None:
    served = tmp_path / "warehouse.duckdb"
    paths = WarehousePaths(served)
    ok = build_mod.build(tmp_path, served, progress=lambda _m: None)
    before = served.read_bytes()
    stand_ins["fail_dbt"] = True
    with pytest.raises(DbtError):
        build_mod.build(tmp_path, served, progress=lambda _m: None)
    assert served.read_bytes() == before
    assert not paths.build_file.exists()
    assert sorted(p.name for p in paths.work_dir.glob("build*.duckdb")) == [ok.build_db.name]


def test_leftover_working_file_is_removed_under_the_lock(tmp_path: Path, stand_ins: dict) -> None:
    served = tmp_path / "warehouse.duckdb"
    paths = WarehousePaths(served)
    paths.work_dir.mkdir(parents=True)
    # a killed run's working file, its WAL and a stray stamped file
    paths.build_file.write_bytes(b"half written")
    paths.build_file.with_name("build.duckdb.wal").write_bytes(b"wal")
    (paths.work_dir / "build-20000101-000000-1.duckdb").write_bytes(b"killed run")
    result = build_mod.build(tmp_path, served, progress=lambda _m: None)
    assert sorted(p.name for p in paths.work_dir.glob("build*")) == [result.build_db.name]
