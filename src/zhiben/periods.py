"""Period arithmetic of SPEC §9, once for every Python reader (the app, the notebooks, the 通报).

Keys: `quarter` 'YYYYQn', `year` an integer. Like for like: for the as-of year, Jan 1 → D against
Jan 1 → the same month-day a year before (Feb 29 → Feb 28); for a finished year, the whole year
against the whole year before. The as-of date D itself is read from the served warehouse by
`zhiben.warehouse.as_of_date` / `build_info` only (the dbt side: macros/periods.sql).

>>> quarter_range("2026Q3")
(datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
>>> previous_quarter("2026Q1")
'2025Q4'
>>> year_to_date("2026Q4", as_of=date(2026, 11, 28))
Span(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 11, 28), prev_start=datetime.date(2025, 1, 1), prev_end=datetime.date(2025, 11, 28))
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


class Span(NamedTuple):
    """A period and the same calendar span a year before (SPEC §9 like for like)."""

    start: date
    end: date
    prev_start: date
    prev_end: date


def parse_quarter(quarter: str) -> tuple[int, int]:
    """'YYYYQn' → (year, n); a ValueError in Chinese and English otherwise."""
    m = _QUARTER.match(quarter or "")
    if not m:
        raise ValueError(f"季度格式应为 YYYYQn (如 2026Q3) / quarter must be YYYYQn: {quarter!r}")
    return int(m[1]), int(m[2])


def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def year_of(quarter: str) -> int:
    return parse_quarter(quarter)[0]


def quarter_range(quarter: str) -> tuple[date, date]:
    """First and last day of `YYYYQn`."""
    y, q = parse_quarter(quarter)
    start = date(y, 3 * q - 2, 1)
    next_start = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
    return start, next_start - timedelta(days=1)


def previous_quarter(quarter: str) -> str:
    y, q = parse_quarter(quarter)
    return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"


def quarters_to_date(quarter: str) -> list[str]:
    """The year's quarters from Q1 up to `quarter` (a year-to-date grid)."""
    y, q = parse_quarter(quarter)
    return [f"{y}Q{i}" for i in range(1, q + 1)]


def same_day_a_year_before(d: date) -> date:
    """The same month-day a year before; Feb 29 falls back to Feb 28."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return date(d.year - 1, 2, 28)


def like_for_like(end: date) -> Span:
    """Jan 1 → `end`, and Jan 1 → the same month-day a year before."""
    return Span(date(end.year, 1, 1), end, date(end.year - 1, 1, 1), same_day_a_year_before(end))


def period_end(end: date, as_of: date | None) -> date:
    """A period's end, or D when the period is still running (SPEC §9: evaluated as of D)."""
    return as_of if as_of is not None and as_of < end else end


def year_span(year: int, as_of: date | None) -> Span:
    """A year like for like: the as-of year Jan 1 → D, a finished year whole."""
    return like_for_like(period_end(date(year, 12, 31), as_of))


def year_to_date(quarter: str, as_of: date | None) -> Span:
    """Jan 1 → the quarter's end (or D when the quarter is still running), like for like (I5)."""
    return like_for_like(period_end(quarter_range(quarter)[1], as_of))


_CN_QUARTER = "一二三四"


def is_provisional(end: date, as_of: date) -> bool:
    """A period whose last day is after D is not yet over: its figures are provisional (SPEC §10.4)."""
    return end > as_of


def quarter_title(quarter: str, as_of: date, *, long: bool = False) -> str:
    """How a quarter reads everywhere (pages, charts, sheets, documents), SPEC §10.4:
    '2026Q3' (or '2026年第三季度' with long=True) for an ended quarter, and
    '2026Q4（暂定，截至12月4日）' for one not yet ended as of D.

    >>> quarter_title("2026Q4", date(2026, 12, 4))
    '2026Q4（暂定，截至12月4日）'
    >>> quarter_title("2026Q3", date(2026, 12, 4), long=True)
    '2026年第三季度'
    """
    y, q = parse_quarter(quarter)
    text = f"{y}年第{_CN_QUARTER[q - 1]}季度" if long else quarter
    if is_provisional(quarter_range(quarter)[1], as_of):
        text += f"（暂定，截至{as_of.month}月{as_of.day}日）"
    return text


def last_full_quarter(as_of: date) -> str:
    """The last quarter ended on or before D (the ranking page's and `zhiben report`'s default).

    >>> last_full_quarter(date(2026, 12, 4)), last_full_quarter(date(2026, 12, 31))
    ('2026Q3', '2026Q4')
    """
    q = quarter_of(as_of)
    return q if quarter_range(q)[1] <= as_of else previous_quarter(q)


def month_range(month: str) -> tuple[date, date]:
    """First and last day of 'YYYY-MM'."""
    m = re.match(r"^(\d{4})-(\d{2})$", month or "")
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"月份格式应为 YYYY-MM (如 2026-11) / month must be YYYY-MM: {month!r}")
    y, mo = int(m[1]), int(m[2])
    nxt = date(y + 1, 1, 1) if mo == 12 else date(y, mo + 1, 1)
    return date(y, mo, 1), nxt - timedelta(days=1)


def month_title(month: str, as_of: date) -> str:
    """'2026年11月', or '2026年12月（暂定，截至12月4日）' for a month not yet ended as of D."""
    start, end = month_range(month)
    text = f"{start.year}年{start.month}月"
    if is_provisional(end, as_of):
        text += f"（暂定，截至{as_of.month}月{as_of.day}日）"
    return text


def month_of(d: date) -> str:
    """'YYYY-MM' of a date (the month key of `mart_monthly_dispatch`)."""
    return f"{d.year}-{d.month:02d}"


def shift_month(month: str, months: int) -> str:
    """The month `months` after 'YYYY-MM' (negative: before).

    >>> shift_month("2026-01", -1), shift_month("2026-11", -12), shift_month("2025-12", 1)
    ('2025-12', '2025-11', '2026-01')
    """
    start, _ = month_range(month)
    index = start.year * 12 + start.month - 1 + months
    return f"{index // 12}-{index % 12 + 1:02d}"
