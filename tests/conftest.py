"""Shared fixtures: ONE demo drop and ONE demo warehouse built per test session.

The demo is the district scale with every kind of dirty input, as of a fixed date, so results are
reproducible. Set ZHIBEN_TEST_DEMO_DIR to a folder to keep (and on later runs reuse) the drop and the
warehouse between runs while developing; CI always builds afresh."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("ZHIBEN_PII_SALT", "zhiben-test-salt")

from zhiben.config import apply_offline_env  # noqa: E402

apply_offline_env()

DEMO_AS_OF = date(2026, 11, 28)
DEMO_SEED = 42
#: the tiny drops below: as of the demo's date, one seed
TINY_AS_OF = DEMO_AS_OF
TINY_SEED = 7
REPO = Path(__file__).resolve().parents[1]


def _demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keep = os.environ.get("ZHIBEN_TEST_DEMO_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def demo_drop(demo_dir: Path) -> Path:
    """The district-scale dirty raw drop (with `_planted.json`)."""
    from zhiben.generate import generate

    raw = demo_dir / "raw"
    if not (raw / "_planted.json").exists():
        generate(raw, scale="district", seed=DEMO_SEED, dirty=True, as_of=DEMO_AS_OF)
    return raw


@pytest.fixture(scope="session")
def demo_warehouse(demo_drop: Path, demo_dir: Path) -> Path:
    """The served warehouse built from the demo drop (path to the .duckdb file)."""
    from zhiben.build import build

    served = demo_dir / "warehouse.duckdb"
    if not served.exists():
        build(demo_drop, served, progress=lambda _msg: None)
    return served


@pytest.fixture(scope="session")
def demo_build_db(demo_warehouse: Path) -> Path:
    """The private build file (schema raw, staging …) of the demo build."""
    builds = sorted((demo_warehouse.parent / ".zhiben-build").glob("build-*.duckdb"))
    assert builds, "the demo build left no build file"
    return builds[-1]


# The tiny drops and their warehouses, built once per session and shared by the modules that
# build the same input (same drop, same D, same options). Read them; a test that writes to a
# warehouse takes its own copy (fixtures.warehouses.copy_warehouse), a test that changes a drop
# copies the drop first.


@pytest.fixture(scope="session")
def tiny_dirty_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny dirty drop (every kind of bad row), seed 7, as of 2026-11-28."""
    from zhiben.generate import generate

    raw = tmp_path_factory.mktemp("tiny_dirty") / "raw"
    generate(raw, scale="tiny", seed=TINY_SEED, dirty=True, as_of=TINY_AS_OF)
    return raw


@pytest.fixture(scope="session")
def tiny_dirty_warehouse(tiny_dirty_drop: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`zhiben.build` of the tiny dirty drop on DuckDB, D read from the drop (test_spark's DuckDB
    side, test_catalog's site, test_lake_batches' default build, test_lake's clean build); the
    served file, alone in its folder with `.zhiben-build`."""
    from zhiben.build import build

    served = tmp_path_factory.mktemp("tiny_dirty_wh") / "warehouse.duckdb"
    build(tiny_dirty_drop, served, progress=lambda _m: None)
    return served


@pytest.fixture(scope="session")
def tiny_clean_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny clean drop (no bad row), seed 7, as of 2026-11-28."""
    from zhiben.generate import generate

    raw = tmp_path_factory.mktemp("tiny_clean") / "raw"
    generate(raw, scale="tiny", seed=TINY_SEED, dirty=False, as_of=TINY_AS_OF)
    return raw


@pytest.fixture(scope="session")
def tiny_clean_warehouse(tiny_clean_drop: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`zhiben.build` of the tiny clean drop on DuckDB as of 2026-11-28 (test_phase1_unchanged's
    full drop, test_bench's warehouse, test_build_files' first build, test_sources' contract
    shape); the served file, alone in its folder with `.zhiben-build`."""
    from zhiben.build import build

    served = tmp_path_factory.mktemp("tiny_clean_wh") / "warehouse.duckdb"
    build(tiny_clean_drop, served, as_of=TINY_AS_OF, progress=lambda _m: None)
    return served
