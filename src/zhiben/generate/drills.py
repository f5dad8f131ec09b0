"""应急演练 (drills): enterprise drills (四不 share rising), 镇街 and 区直部门 drills."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import polars as pl

from zhiben.generate.common import (
    S_DRILLS,
    Sequencer,
    choice,
    day_of,
    fmt_bool,
    fmt_date,
    fmt_num,
    fmt_ts,
    make_ids,
    text,
    work_time,
)
from zhiben.generate.hazards import _year
from zhiben.generate.world import World

log = logging.getLogger("zhiben.generate")

FOUR_NO = {2023: 0.2, 2024: 0.35, 2025: 0.6, 2026: 0.85}


def generate_drills(w: World, seed: int, seqs: Sequencer | None = None) -> pl.DataFrame:
    rng = w.rng(seed, S_DRILLS)
    seqs = seqs or Sequencer()
    cal, s = w.cal, w.seeds
    samp = cal.sampler("drills")
    unit_names = np.asarray(s.unit_names)
    cols: dict[str, list] = {k: [] for k in ("kind", "ent", "org", "town", "day", "type")}

    def add(kind, ent, org, town, day, typ):
        for k, v in zip(cols, (kind, ent, org, town, day, typ), strict=True):
            cols[k].append(
                np.asarray(v, dtype=object)
                if k in ("org", "town", "type", "kind")
                else np.asarray(v)
            )

    for y in range(cal.start.year, cal.as_of.year + 1):
        ys, ye = max(day_of(date(y, 1, 1)), cal.d0), min(day_of(date(y, 12, 31)), cal.d1)
        hs = day_of(date(y, 7, 1))
        # evacuation drills: most enterprises each year, high-risk ones each half
        lo, hi = np.maximum(w.active_from, ys), np.minimum(w.active_to, ye)
        for a, b, who in (
            (ys, min(hs - 1, ye), w.high_risk),
            (max(hs, ys), ye, np.ones(w.n, bool)),
        ):
            if a > b:
                continue
            l2, h2 = np.maximum(lo, a), np.minimum(hi, b)
            p = np.where(w.high_risk, 0.88, 0.86)
            e = np.flatnonzero(who & (l2 <= h2) & (rng.random(w.n) < p))
            add(
                np.full(len(e), "企业"),
                e,
                np.full(len(e), None),
                np.full(len(e), None),
                samp.sample(rng, l2[e], h2[e]),
                np.full(len(e), "疏散逃生演练"),
            )
        # other enterprise drills
        k = rng.poisson(np.where(w.high_risk, 1.6, 0.5))
        e = np.repeat(np.arange(w.n), k)
        e = e[lo[e] <= hi[e]]
        typ = choice(rng, ["专项演练", "现场处置演练", "综合演练"], len(e), [0.45, 0.4, 0.15])
        add(
            np.full(len(e), "企业"),
            e,
            np.full(len(e), None),
            np.full(len(e), None),
            samp.sample(rng, lo[e], hi[e]),
            typ,
        )
        if ys > ye or w.chunk > 0:  # units and departments: once (in the first chunk)
            continue
        # 镇街 drills: 1–3 a year; most hold a 专项演练
        for nm in unit_names:
            m = int(rng.integers(1, 4))
            typ = choice(
                rng,
                ["专项演练", "综合演练", "疏散逃生演练", "现场处置演练"],
                m,
                [0.55, 0.25, 0.1, 0.1],
            )
            if rng.random() < 0.12:
                typ = np.where(typ == "专项演练", "综合演练", typ)
            elif rng.random() < 0.8 and "专项演练" not in typ:
                typ[0] = "专项演练"
            add(
                np.full(m, "镇街"),
                np.full(m, -1),
                np.full(m, nm),
                np.full(m, nm),
                samp.sample(rng, np.full(m, ys), np.full(m, ye)),
                typ,
            )
        # 区直部门 drills (区自然资源局 holds none)
        for nm in s.dept_names:
            if nm == "区自然资源局":
                continue
            m = int(rng.integers(1, 3))
            typ = choice(rng, ["专项演练", "综合演练", "现场处置演练"], m, [0.7, 0.2, 0.1])
            if rng.random() < 0.1:
                typ = np.where(typ == "专项演练", "现场处置演练", typ)
            town = np.where(rng.random(m) < 0.4, choice(rng, unit_names, m), None)
            add(
                np.full(m, "区直部门"),
                np.full(m, -1),
                np.full(m, nm),
                town,
                samp.sample(rng, np.full(m, ys), np.full(m, ye)),
                typ,
            )

    c = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.argsort(c["day"], kind="stable")
    c = {k: v[order] for k, v in c.items()}
    n = len(c["day"])
    day = c["day"].astype(np.int64)
    ent = c["ent"].astype(np.int64)
    is_ent = c["kind"] == "企业"
    year = _year(day)
    p4 = np.asarray([FOUR_NO.get(int(y), 0.85) for y in year])
    four = rng.random(n) < np.where(is_ent, p4, 0.3)
    four = np.where(is_ent & (c["type"] == "综合演练") & (year >= 2026), rng.random(n) < 0.3, four)
    e0 = np.maximum(ent, 0)
    size = w.size[e0]
    part = np.where(
        is_ent, rng.integers(8, 60, n) * np.asarray((4, 2, 1))[size], rng.integers(40, 400, n)
    )
    org = np.where(is_ent, w.name[e0], c["org"])
    town = np.where(is_ent, unit_names[w.unit[e0]], c["town"])
    did = make_ids("YL", year, seqs.number(year), 6)
    ts = work_time(rng, day + rng.integers(0, 3, n))
    df = pl.DataFrame(
        {
            "drill_id": did,
            "organiser_type": c["kind"].astype(str),
            "credit_code": text(np.where(is_ent, w.credit_code[e0], None)),
            "organiser_name": text(org),
            "town": text(town),
            "drill_date": fmt_date(day),
            "drill_type": c["type"].astype(str),
            "is_four_no": fmt_bool(four),
            "participants": fmt_num(part),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    ).filter(pl.Series(ts <= cal.end_ts))
    log.info("drills: %d rows", df.height)
    return df
