"""月调度 (zhiben.monthly): month-over-month / year-over-year change, the region's trend and the
units that worsened, on a small hand-made frame with known answers."""

from __future__ import annotations

import polars as pl
import pytest

from zhiben import monthly, periods
from zhiben.app_logic.labels import label


def _rows() -> pl.DataFrame:
    # (month, unit, major_overdue_at_month_end, accidents, hazards_found)
    data = [
        ("2025-11", "U01", 1, 0, 10),
        ("2025-11", "U02", 0, 2, 5),
        ("2026-10", "U01", 3, 1, 7),
        ("2026-10", "U02", 2, 1, 9),
        ("2026-11", "U01", 5, 1, 4),
        ("2026-11", "U02", 2, 0, 9),
        ("2026-11", "U03", 0, 0, 1),  # U03 appears only now: no month to compare with
    ]
    frame = pl.DataFrame(
        data,
        schema=["month", "unit_code", "major_overdue_at_month_end", "accidents", "hazards_found"],
        orient="row",
    )
    return frame.with_columns(
        pl.col("unit_code")
        .replace_strict({"U01": "山城街道", "U02": "店子镇", "U03": "西集镇"})
        .alias("unit_name")
    )


METRICS = ("major_overdue_at_month_end", "accidents", "hazards_found")


def test_shift_month() -> None:
    assert periods.shift_month("2026-01", -1) == "2025-12"
    assert periods.shift_month("2026-11", -12) == "2025-11"
    assert periods.shift_month("2025-12", 1) == "2026-01"
    assert periods.shift_month("2024-03", -14) == "2023-01"
    with pytest.raises(ValueError):
        periods.shift_month("2026-13", 1)


def test_month_changes_known_answer() -> None:
    out = monthly.month_changes(_rows(), "2026-11", METRICS)
    assert out["unit_code"].to_list() == ["U01", "U02", "U03"]
    assert out["unit_name"].to_list() == ["山城街道", "店子镇", "西集镇"]
    assert out["major_overdue_at_month_end"].to_list() == [5, 2, 0]
    assert out["major_overdue_at_month_end_mom"].to_list() == [2, 0, None]
    assert out["major_overdue_at_month_end_yoy"].to_list() == [4, 2, None]
    assert out["accidents_mom"].to_list() == [0, -1, None]
    assert out["accidents_yoy"].to_list() == [1, -2, None]
    assert out["hazards_found_mom"].to_list() == [-3, 0, None]
    assert out["hazards_found_yoy"].to_list() == [-6, 4, None]
    # a month with no month before in the frame: every change is NULL
    first = monthly.month_changes(_rows(), "2025-11", METRICS)
    assert first["accidents_mom"].null_count() == first.height == 2


def test_region_trend_sums_units_over_twelve_months() -> None:
    trend = monthly.region_trend(_rows(), "2026-11")
    # 2025-11 is 12 months back from 2026-11 → outside the 12-month window (2025-12 … 2026-11)
    assert trend["month"].to_list() == ["2026-10", "2026-11"]
    assert trend["major_overdue_at_month_end"].to_list() == [5, 7]
    assert trend["accidents"].to_list() == [2, 1]
    assert monthly.region_trend(_rows(), "2026-11", months=13)["month"][0] == "2025-11"


def test_worsened_units() -> None:
    out = monthly.worsened(monthly.month_changes(_rows(), "2026-11", METRICS))
    # only U01 has more overdue 重大隐患 than the month before; nobody has more accidents
    assert out["unit_code"].to_list() == ["U01"]
    assert out["worsened_on"].to_list() == [f"{label('major_overdue_at_month_end')} +2"]
    # October has no September rows in the frame: a change that is NULL is not a worsening
    assert monthly.worsened(monthly.month_changes(_rows(), "2026-10", METRICS)).is_empty()


def test_change_labels() -> None:
    assert label("accidents_mom") == "事故起数环比"
    assert label("major_overdue_at_month_end_yoy") == "月末重大隐患逾期同比"
