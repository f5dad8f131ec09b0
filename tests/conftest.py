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
