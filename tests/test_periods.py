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


def test_provisional_titles_name_the_as_of_day() -> None:
    """SPEC §10.4: a quarter or month not yet ended reads '…（暂定，截至12月4日）'; an ended one plain."""
    d = date(2026, 12, 4)
    assert periods.quarter_title("2026Q4", d) == "2026Q4（暂定，截至12月4日）"
    assert periods.quarter_title("2026Q4", d, long=True) == "2026年第四季度（暂定，截至12月4日）"
    assert periods.quarter_title("2026Q3", d) == "2026Q3"
    assert periods.quarter_title("2026Q4", date(2026, 12, 31)) == "2026Q4"  # ends on D: ended
    assert periods.month_title("2026-12", d) == "2026年12月（暂定，截至12月4日）"
    assert periods.month_title("2026-11", d) == "2026年11月"
    assert periods.month_range("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    with pytest.raises(ValueError):
        periods.month_range("2026-13")


def test_last_full_quarter_is_the_default_ranking_quarter() -> None:
    assert periods.last_full_quarter(date(2026, 12, 4)) == "2026Q3"
    assert periods.last_full_quarter(date(2026, 9, 30)) == "2026Q3"
    assert periods.last_full_quarter(date(2026, 1, 1)) == "2025Q4"
