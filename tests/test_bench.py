"""The benchmark's baselines compute the warehouse's numbers (issue 8): on a small CLEAN drop, the
floor script (bench/floor.sql) and the pandas pipeline agree with the built marts column by column,
so neither can drift silently from the dbt models. No timing assertions."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `bench/` sits at the repo root, beside src/
    sys.path.insert(0, str(REPO))

from bench.agree import compare_floor, compare_parquet  # noqa: E402
from bench.floor import run_floor  # noqa: E402

AS_OF = date(2026, 11, 28)

#: SPEC §5 columns every baseline must reproduce (besides the keys)
REQUIRED = {
    "fct_hazards": {
        "credit_code", "unit_code", "industry_code", "level", "source", "campaign",
        "found_date", "deadline", "status", "rectified_date", "closed_date", "is_major",
        "is_rectified", "is_overdue", "overdue_days", "rectified_on_time", "is_stock_2023",
        "is_listed_supervision",
    },
    "mart_region_industry_stats": {
        "hazards_found", "major_hazards_found", "hazards_rectified",
        "open_overdue_at_quarter_end", "accidents", "deaths", "inspections", "penalty_cases",
        "fines_yuan",
    },
    "mart_quarterly_evaluation": {
        *(f"i{i}_value" for i in range(1, 8)), *(f"i{i}_score" for i in range(1, 8)),
        "deductions", "total_score", "rank", "prev_rank", "rank_change", "veto",
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def clean_build(tiny_clean_drop: Path, tiny_clean_warehouse: Path) -> tuple[Path, Path]:
    """A tiny clean drop and the warehouse built from it as of AS_OF: the session's shared build
    (conftest `tiny_clean_drop`, `tiny_clean_warehouse`); both only read here."""
    return tiny_clean_drop, tiny_clean_warehouse


@pytest.mark.slow
def test_floor_agrees_with_the_warehouse(clean_build: tuple[Path, Path], tmp_path: Path) -> None:
    raw, served = clean_build
    floor_db = tmp_path / "floor.duckdb"
    run_floor(raw, AS_OF, floor_db)
    for a in compare_floor(floor_db, served):
        assert a.rows_warehouse > 0, a.summary()
        assert a.ok, a.summary()
        assert REQUIRED[a.output] <= set(a.agree), (a.output, REQUIRED[a.output] - set(a.agree))


@pytest.mark.slow
def test_pandas_pipeline_agrees_with_the_warehouse(
    clean_build: tuple[Path, Path], tmp_path: Path
) -> None:
    from bench.pandas_pipeline import run

    raw, served = clean_build
    for name, df in run(raw, AS_OF).items():
        df.to_parquet(tmp_path / f"{name}.parquet", index=False)
    for a in compare_parquet(tmp_path, served):
        assert a.rows_warehouse > 0, a.summary()
        assert a.ok, a.summary()
        assert REQUIRED[a.output] <= set(a.agree), (a.output, REQUIRED[a.output] - set(a.agree))
