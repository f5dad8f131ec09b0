"""Shared helpers of the generator: scales, the calendar, random streams, sampling, formatting.

Days are integers (days since 1970-01-01), times are integers (seconds since 1970-01-01, naive
local time). Everything random comes from ``numpy.random.Generator`` streams derived from the
seed and a fixed stream number per module, so one module's changes do not shift another's data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

EPOCH = date(1970, 1, 1)
DAY = 86_400
START = date(2023, 1, 1)
#: GB 6441-2025 replaces GB 6441-1986 from this date
GB2025_FROM = date(2026, 7, 1)

#: number of enterprises per scale; every other volume scales with it
SCALES: dict[str, int] = {"tiny": 100, "district": 2_000, "city": 20_000, "province": 200_000}

#: 春节 (Spring Festival) dates: fewer records around them
SPRING_FESTIVAL = (date(2023, 1, 22), date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17))

# stream numbers (never reuse one)
S_WORLD, S_PEOPLE, S_HAZARDS, S_ACCIDENTS, S_INSPECTIONS, S_PENALTIES = 1, 2, 3, 4, 5, 6
S_TRAINING, S_DRILLS, S_REPORTS, S_DIRTY = 7, 8, 9, 10


def day_of(d: date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def project_dir() -> Path:
    env = os.environ.get("ZHIBEN_PROJECT_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3]


def rng_for(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(stream)])


@dataclass
class Calendar:
    """The data period 2023-01-01 → as_of and its per-day weights."""

    as_of: date
    start: date = START
    d0: int = field(init=False)
    d1: int = field(init=False)

    def __post_init__(self) -> None:
        self.d0 = day_of(self.start)
        self.d1 = day_of(self.as_of)

    @property
    def end_ts(self) -> int:
        """Last second of the as-of day."""
        return (self.d1 + 1) * DAY - 1

    @cached_property
    def days(self) -> np.ndarray:
        return np.arange(self.d0, self.d1 + 1, dtype=np.int64)

    @cached_property
    def months(self) -> list[str]:
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.as_of.year, self.as_of.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @cached_property
    def _ymd(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = self.days.astype("datetime64[D]")
        y = d.astype("datetime64[Y]").astype(np.int64) + 1970
        m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        dow = (self.days + 3) % 7  # 0 = Monday
        return y, m, dow

    def weights(self, kind: str = "activity") -> np.ndarray:
        """Per-day weights: seasonality (春节 low; June 安全生产月 and year end high)."""
        _, m, dow = self._ymd
        w = np.ones(len(self.days))
        if kind == "inspections":
            month_f = {1: 0.7, 2: 0.55, 6: 1.9, 11: 1.35, 12: 1.6}
            weekend = 0.08
        elif kind == "drills":
            month_f = {1: 0.5, 2: 0.4, 6: 2.2, 11: 1.4, 12: 1.0}
            weekend = 0.3
        else:
            month_f = {1: 0.75, 2: 0.65, 6: 1.35, 11: 1.1, 12: 1.2}
            weekend = 0.35
        for mm, f in month_f.items():
            w[m == mm] *= f
        w[dow >= 5] *= weekend
        for sf in SPRING_FESTIVAL:
            k = day_of(sf)
            near = np.abs(self.days - k) <= 7
            w[near] *= 0.15
        return w

    def sampler(self, kind: str = "activity") -> DaySampler:
        return DaySampler(self, self.weights(kind))


class DaySampler:
    """Samples days inside per-row windows [lo, hi] with the calendar's day weights."""

    def __init__(self, cal: Calendar, w: np.ndarray) -> None:
        self.cal = cal
        self.cdf = np.concatenate([[0.0], np.cumsum(w)])

    def mass(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Weight of each window (in 'average days')."""
        lo_i = np.clip(np.asarray(lo) - self.cal.d0, 0, len(self.cdf) - 1)
        hi_i = np.clip(np.asarray(hi) - self.cal.d0 + 1, 0, len(self.cdf) - 1)
        return np.maximum(self.cdf[hi_i] - self.cdf[lo_i], 0.0)

    def sample(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo_i = np.clip(np.asarray(lo) - self.cal.d0, 0, len(self.cdf) - 2)
        hi_i = np.clip(np.asarray(hi) - self.cal.d0 + 1, 1, len(self.cdf) - 1)
        a, b = self.cdf[lo_i], self.cdf[hi_i]
        u = a + rng.random(len(a)) * (b - a)
        idx = np.searchsorted(self.cdf, u, side="right") - 1
        idx = np.clip(idx, lo_i, hi_i - 1)
        return idx + self.cal.d0


def work_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """A timestamp during office hours (08:00–18:00) on each day."""
    return np.asarray(days, dtype=np.int64) * DAY + 8 * 3600 + rng.integers(0, 10 * 3600, len(days))


def choice(rng: np.random.Generator, values, n: int, p=None) -> np.ndarray:
    """Index-based choice (works for strings); p is normalised."""
    values = np.asarray(values)
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return values[rng.choice(len(values), size=n, p=p)]


# ---------------------------------------------------------------- formatting (to text columns)


def _date_table(lo: int, hi: int) -> pl.Series:
    return pl.Series(np.arange(lo, hi + 1, dtype=np.int32)).cast(pl.Date).dt.to_string("%Y-%m-%d")


_TIME_TABLE: pl.Series | None = None


def _time_table() -> pl.Series:
    global _TIME_TABLE
    if _TIME_TABLE is None:
        sec = np.arange(86_400)
        _TIME_TABLE = (
            pl.DataFrame({"h": sec // 3600, "m": sec // 60 % 60, "s": sec % 60})
            .select(
                pl.format(
                    " {}:{}:{}",
                    pl.col("h").cast(pl.String).str.zfill(2),
                    pl.col("m").cast(pl.String).str.zfill(2),
                    pl.col("s").cast(pl.String).str.zfill(2),
                )
            )
            .to_series()
        )
    return _TIME_TABLE


def fmt_date(days, mask=None) -> pl.Series:
    """Days → 'YYYY-MM-DD' text; masked-out (mask False) → null."""
    d = np.asarray(days, dtype=np.int64)
    keep = np.ones(len(d), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if not keep.any():
        return pl.Series([None] * len(d), dtype=pl.String)
    lo, hi = int(d[keep].min()), int(d[keep].max())
    s = _date_table(lo, hi).gather(np.where(keep, d, lo) - lo)
    return _mask(s, mask)


def fmt_ts(secs, mask=None) -> pl.Series:
    """Seconds → 'YYYY-MM-DD HH:MM:SS' text."""
    t = np.asarray(secs, dtype=np.int64)
    if len(t) == 0:
        return _mask(pl.Series([], dtype=pl.String), mask)
    days = t // DAY
    lo, hi = int(days.min()), int(days.max())
    s = _date_table(lo, hi).gather(days - lo) + _time_table().gather(t - days * DAY)
    return _mask(s, mask)


def fmt_num(values, mask=None, decimals: int | None = None) -> pl.Series:
    v = np.asarray(values)
    if decimals is None:
        s = pl.Series(v.astype(np.int64)).cast(pl.String)
    else:
        s = pl.Series(np.round(v.astype(float), decimals)).cast(pl.String)
    return _mask(s, mask)


def fmt_bool(values) -> pl.Series:
    return pl.Series(np.where(np.asarray(values, dtype=bool), "是", "否"))


def text(values, mask=None) -> pl.Series:
    v = np.asarray(values)
    if v.dtype == object:
        s = pl.Series([None if x is None else str(x) for x in v.tolist()], dtype=pl.String)
    else:
        s = pl.Series(v.astype(str), dtype=pl.String)
    return _mask(s, mask)


def _mask(s: pl.Series, mask) -> pl.Series:
    if mask is None:
        return s
    m = pl.Series(np.asarray(mask, dtype=bool))
    return pl.select(pl.when(m).then(s).otherwise(pl.lit(None, dtype=pl.String))).to_series()


def choice_idx(rng: np.random.Generator, k: int, n: int, p=None) -> np.ndarray:
    """Like :func:`choice` (same random draws) but returns indices."""
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return rng.choice(k, size=n, p=p)


def lookup(values, idx, mask=None) -> pl.Series:
    """values[idx] as a text column, built by polars (fast, no numpy unicode arrays)."""
    s = pl.Series(list(values), dtype=pl.String).gather(np.asarray(idx, dtype=np.int64))
    return _mask(s, mask)


def make_ids(prefix: str, year: np.ndarray, number: np.ndarray, width: int) -> pl.Series:
    """'<prefix><year><number zero-padded to width>'."""
    df = pl.DataFrame(
        {"y": np.asarray(year, dtype=np.int64), "n": np.asarray(number, dtype=np.int64)}
    )
    return df.select(
        (
            pl.lit(prefix)
            + pl.col("y").cast(pl.String)
            + pl.col("n").cast(pl.String).str.zfill(width)
        ).alias("id")
    ).to_series()


class Sequencer:
    """1-based running numbers per group that continue across calls (chunks)."""

    def __init__(self) -> None:
        self.last: dict[int, int] = {}

    def number(self, group: np.ndarray) -> np.ndarray:
        group = np.asarray(group, dtype=np.int64)
        order = np.argsort(group, kind="stable")
        g = group[order]
        starts = (
            np.concatenate([[0], np.flatnonzero(g[1:] != g[:-1]) + 1])
            if len(g)
            else np.zeros(0, int)
        )
        counts = np.diff(np.concatenate([starts, [len(g)]]))
        offsets = np.asarray([self.last.get(int(g[s]), 0) for s in starts], dtype=np.int64)
        run = np.arange(len(g)) - np.repeat(starts, counts) + 1 + np.repeat(offsets, counts)
        for s, c, o in zip(starts, counts, offsets, strict=True):
            self.last[int(g[s])] = int(o + c)
        out = np.empty(len(g), dtype=np.int64)
        out[order] = run
        return out
