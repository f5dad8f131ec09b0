"""安全生产举报 (reports): channels, anonymous reports, verification and feedback."""

from __future__ import annotations

import logging

import numpy as np
import polars as pl

from zhiben.contract import REPORT_CHANNELS
from zhiben.generate import people
from zhiben.generate.common import (
    S_REPORTS,
    choice,
    fmt_bool,
    fmt_date,
    fmt_num,
    fmt_ts,
    rng_for,
    text,
    work_time,
)
from zhiben.generate.hazards import _seq_within, _year
from zhiben.generate.world import World

log = logging.getLogger("zhiben.generate")


def generate_reports(w: World, seed: int) -> pl.DataFrame:
    rng = rng_for(seed, S_REPORTS)
    cal, s = w.cal, w.seeds
    samp = cal.sampler("activity")
    years = (cal.d1 - cal.d0 + 1) / 365.25
    n = max(1, int(rng.poisson(450 * w.mult * years)))
    day = np.sort(samp.sample(rng, np.full(n, cal.d0), np.full(n, cal.d1)))
    ent = rng.integers(0, w.n, n)
    has_ent = rng.random(n) < 0.8
    unit_names = np.asarray(s.unit_names)
    town = np.where(
        has_ent, unit_names[w.unit[ent]], unit_names[rng.integers(0, len(unit_names), n)]
    )
    channel = choice(rng, REPORT_CHANNELS, n, [0.35, 0.3, 0.2, 0.08, 0.07])
    anon = rng.random(n) < 0.25
    phone_only = ~anon & (rng.random(n) < 0.08)
    name = people.names(rng, n).to_numpy()
    phone = people.mobiles(rng, n).to_numpy()
    major = rng.random(n) < 0.05
    verif = choice(rng, ["查实", "部分查实", "不属实"], n, [0.38, 0.2, 0.42])
    vdays = rng.integers(5, 40, n)
    pending = (day + vdays > cal.d1) | (rng.random(n) < 0.012)
    verif = np.where(pending, "核查中", verif)
    fb = day + vdays + rng.integers(0, 10, n)
    has_fb = ~pending & ~anon & (rng.random(n) < 0.96) & (fb <= cal.d1)
    reward = np.where((verif == "查实") & (rng.random(n) < 0.3), rng.integers(2, 50, n) * 100, 0)
    reward = np.where((verif == "查实") & major, rng.integers(10, 100, n) * 100, reward)
    upd = np.where(has_fb, fb, np.where(pending, day, np.minimum(day + vdays, cal.d1)))
    ts = np.minimum(work_time(rng, upd), cal.end_ts)
    year = _year(day)
    seq = _seq_within(year)
    rid = np.char.add(np.char.add("JB", year.astype(str)), np.char.zfill((seq + 1).astype(str), 5))
    df = pl.DataFrame(
        {
            "report_id": rid,
            "received_date": fmt_date(day),
            "channel": channel,
            "town": town,
            "credit_code": text(np.where(has_ent, w.credit_code[ent], None)),
            "reporter_name": text(name, ~anon & ~phone_only),
            "reporter_phone": text(phone, ~anon),
            "involves_major_hazard": fmt_bool(major),
            "verification": verif,
            "feedback_date": fmt_date(fb, has_fb),
            "reward_yuan": fmt_num(reward),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    )
    log.info("reports: %d rows (%d anonymous)", df.height, int(anon.sum()))
    return df
