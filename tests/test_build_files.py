"""The build's working file, with real builds of a tiny generated drop: one fixed path per
warehouse (so dbt parses partially from build to build, also when D changes), renamed
build-<run id>.duckdb after dbt, removed when left behind by a killed run, and removed when dbt
fails — the served file untouched. Heavier operational checks (kill -9, disk full, readers):
tests/test_ops.py."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import psutil
import pytest
from fixtures.warehouses import copy_warehouse

from zhiben import history
from zhiben.build import build
from zhiben.dbt import DbtError
from zhiben.paths import WarehousePaths

D1, D2 = date(2026, 11, 27), date(2026, 11, 28)


@pytest.fixture(scope="module")
def tiny_raw(tiny_clean_drop: Path) -> Path:
    """The session's tiny clean drop as of D2 (conftest `tiny_clean_drop`): read only here."""
    return tiny_clean_drop


def _as_of(served: Path) -> date:
    """D as dbt used it: the current quarter of the evaluation is evaluated as of D."""
    with duckdb.connect(str(served), read_only=True) as con:
        sql = "select max(evaluated_as_of) from mart_quarterly_evaluation"
        return con.execute(sql).fetchone()[0]


def test_fixed_path_partial_parse_and_leftovers(tiny_raw: Path, tmp_path: Path) -> None:
    served = tmp_path / "warehouse.duckdb"
    paths = WarehousePaths(served)
    first = build(tiny_raw, served, as_of=D1, progress=lambda _m: None)
    assert first.build_db.name.startswith("build-") and first.build_db.exists()
    assert not paths.build_file.exists() and _as_of(served) == D1
    log = paths.dbt_log_dir / "dbt.log"
    seen = log.stat().st_size
    # what a killed run leaves: the working file, its WAL, a stamped file
    paths.build_file.write_bytes(b"half written")
    paths.build_file.with_name("build.duckdb.wal").write_bytes(b"wal")
    (paths.work_dir / "build-20000101-000000-1.duckdb").write_bytes(b"killed run")

    second = build(tiny_raw, served, as_of=D2, progress=lambda _m: None)
    # a new D reached dbt (in the environment), and dbt parsed partially all the same
    assert _as_of(served) == D2
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(seen)
        tail = f.read()
    assert "Partial parsing enabled" in tail, tail[-3000:]
    assert "Unable to do partial parsing" not in tail
    # the leftovers are gone; only the last successful build file is kept
    assert sorted(p.name for p in paths.work_dir.glob("build*")) == [second.build_db.name]


def test_dbt_dying_fails_the_build_and_leaves_the_served_file(
    tiny_raw: Path, tiny_clean_warehouse: Path, tmp_path: Path
) -> None:
    # the good build before: a copy of the session's build of the same drop as of D2
    served = copy_warehouse(tiny_clean_warehouse, tmp_path / "wh")
    paths = WarehousePaths(served)
    assert _as_of(served) == D2
    (ok_build_db,) = paths.work_dir.glob("build-*.duckdb")
    before = served.read_bytes()

    def kill_dbt() -> None:  # as the OOM killer would, once dbt runs the nodes
        time.sleep(1.0)
        for p in psutil.Process().children(recursive=True):
            if "_warm_main" in " ".join(p.cmdline()):
                p.kill()

    def progress(message: str) -> None:
        if message.startswith("[2/3]"):
            threading.Thread(target=kill_dbt, daemon=True).start()

    with pytest.raises(DbtError):
        build(tiny_raw, served, as_of=D2, progress=progress)
    assert served.read_bytes() == before
    assert not paths.build_file.exists()
    assert sorted(p.name for p in paths.work_dir.glob("build*.duckdb")) == [ok_build_db.name]
    assert history.read(paths.history_file)[-1]["status"] == "failed"


def test_a_rejected_file_stops_dbt_before_it_runs(tiny_raw: Path, tmp_path: Path) -> None:
    """dbt starts parsing beside the loader: a rejected file must not leave it behind."""
    import shutil

    from zhiben.ingest import ExtractFileError

    raw = tmp_path / "raw"
    shutil.copytree(tiny_raw, raw)
    victim = sorted((raw / "hazards").glob("*.csv"))[0]
    victim.write_bytes(victim.read_bytes() + b"\xff\xfe\n")
    with pytest.raises(ExtractFileError):
        build(raw, tmp_path / "warehouse.duckdb", progress=lambda _m: None)
    assert not any(
        "_warm_main" in " ".join(p.cmdline()) for p in psutil.Process().children(recursive=True)
    )
