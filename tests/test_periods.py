"""Period arithmetic of SPEC §9, defined once (zhiben.periods) for the app, notebooks and 通报."""

from __future__ import annotations

from datetime import date

import pytest

from zhiben import periods


def test_quarters():
    assert periods.quarter_range("2024Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert periods.quarter_range("2024Q4") == (date(2024, 10, 1), date(2024, 12, 31))
    assert periods.previous_quarter("2026Q1") == "2025Q4"
    assert periods.previous_quarter("2026Q3") == "2026Q2"
    assert periods.quarter_of(date(2026, 9, 30)) == "2026Q3"
    assert periods.quarter_of(date(2026, 10, 1)) == "2026Q4"
    assert periods.year_of("2025Q2") == 2025
    assert periods.quarters_to_date("2026Q3") == ["2026Q1", "2026Q2", "2026Q3"]
    with pytest.raises(ValueError, match="YYYYQn"):
        periods.quarter_range("2026-3")


def test_like_for_like():
    # the as-of year: Jan 1 → D against the same month-day a year before
    assert periods.year_span(2026, date(2026, 11, 28)) == (
        date(2026, 1, 1),
        date(2026, 11, 28),
        date(2025, 1, 1),
        date(2025, 11, 28),
    )
    # a finished year: whole against whole
    assert periods.year_span(2025, date(2026, 11, 28)) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        date(2024, 1, 1),
        date(2024, 12, 31),
    )
    # Feb 29 falls back to Feb 28
    assert periods.year_span(2028, date(2028, 2, 29)).prev_end == date(2027, 2, 28)
    # I5 / the overview: Jan 1 → the quarter's end, or D while the quarter runs
    assert periods.year_to_date("2026Q3", date(2026, 11, 28)).end == date(2026, 9, 30)
    assert periods.year_to_date("2026Q4", date(2026, 11, 28)).end == date(2026, 11, 28)
