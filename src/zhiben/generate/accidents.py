"""生产安全事故 (accidents): reported, later closed by the investigation report's approval."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import polars as pl

from zhiben.generate.common import (
    GB2025_FROM,
    S_ACCIDENTS,
    choice,
    day_of,
    fmt_bool,
    fmt_date,
    fmt_num,
    fmt_ts,
    rng_for,
    text,
)
from zhiben.generate.hazards import _seq_within, _year, pick_in_group
from zhiben.generate.world import World

log = logging.getLogger("zhiben.generate")

#: accidents per unit per year at district scale in 2023, and the yearly factor (improving < 1)
UNIT_RATE = (6.0, 2.5, 2.2, 2.2, 2.0, 2.0, 2.0, 1.2, 1.2, 2.0, 5.0)
UNIT_FACTOR = (0.8, 0.85, 1.1, 0.8, 1.05, 0.85, 0.9, 1.2, 1.0, 0.8, 0.75)
INDUSTRY_P = {
    "交通运输": 0.34,
    "建筑施工": 0.16,
    "工贸": 0.2,
    "非煤矿山": 0.1,
    "危险化学品": 0.02,
    "燃气": 0.02,
    "消防": 0.04,
    "特种设备": 0.03,
    "其他": 0.04,
    "农业机械": 0.03,
    "水利": 0.02,
}
TYPES_1986 = {
    "交通运输": ("车辆伤害",),
    "建筑施工": ("高处坠落", "物体打击", "坍塌", "起重伤害", "触电"),
    "工贸": ("机械伤害", "物体打击", "起重伤害", "灼烫", "触电", "中毒和窒息", "车辆伤害"),
    "非煤矿山": ("坍塌", "冒顶片帮", "高处坠落", "物体打击", "放炮", "机械伤害", "车辆伤害"),
    "危险化学品": ("中毒和窒息", "火灾", "容器爆炸", "灼烫"),
    "燃气": ("其它爆炸", "火灾", "中毒和窒息"),
    "消防": ("火灾",),
    "特种设备": ("起重伤害", "锅炉爆炸", "容器爆炸"),
    "水利": ("淹溺", "坍塌"),
    "农业机械": ("车辆伤害", "机械伤害"),
    "民爆": ("火药爆炸", "放炮"),
    "烟花爆竹": ("火药爆炸", "火灾"),
}
#: GB 6441-1986 → GB 6441-2025 names
TO_2025 = {
    "车辆伤害": "道路(轨道)车辆致害",
    "机械伤害": "机械致害",
    "起重伤害": "起重致害",
    "冒顶片帮": "坍塌",
    "透水": "水害",
    "放炮": "民用爆炸物品爆炸",
    "火药爆炸": "烟花爆竹爆炸",
    "瓦斯爆炸": "可燃气体爆炸",
    "锅炉爆炸": "容器爆炸",
    "其它爆炸": "可燃气体爆炸",
    "中毒和窒息": "中毒",
    "其它伤害": "其他事故",
}


def generate_accidents(w: World, seed: int) -> pl.DataFrame:
    rng = rng_for(seed, S_ACCIDENTS)
    cal, s = w.cal, w.seeds
    samp = cal.sampler("activity")
    n_units = len(s.unit_names)
    rate = np.asarray(UNIT_RATE + (2.0,) * 20)[:n_units] * w.mult
    fac = np.asarray(UNIT_FACTOR + (1.0,) * 20)[:n_units]
    units, days = [], []
    for y in range(cal.start.year, cal.as_of.year + 1):
        lo = max(day_of(date(y, 1, 1)), cal.d0)
        hi = min(day_of(date(y, 12, 31)), cal.d1)
        share = (
            samp.mass(np.array([lo]), np.array([hi]))[0]
            / samp.mass(np.array([day_of(date(y, 1, 1))]), np.array([day_of(date(y, 12, 31))]))[0]
        )
        for u in range(n_units):
            lam = rate[u] * fac[u] ** (y - 2023) * share
            # less noisy than Poisson, so that a unit's trend shows through
            if lam >= 3:
                k = max(0, int(round(lam + rng.normal(0.0, 0.45 * np.sqrt(lam)))))
            else:
                k = int(rng.poisson(lam))
            units.append(np.full(k, u))
            days.append(samp.sample(rng, np.full(k, lo), np.full(k, hi)))
    unit = np.concatenate(units).astype(np.int64)
    day = np.concatenate(days).astype(np.int64)
    if len(unit) == 0:  # tiny drops: at least one accident
        unit = np.zeros(1, dtype=np.int64)
        day = samp.sample(rng, np.array([cal.d0]), np.array([cal.d1])).astype(np.int64)
    n = len(unit)
    inds = list(INDUSTRY_P)
    ind_name = choice(rng, inds, n, list(INDUSTRY_P.values()))
    deaths = choice(rng, [0, 1, 2], n, [0.45, 0.5, 0.05])
    missing = np.zeros(n, dtype=np.int64)
    serious = choice(rng, [0, 1, 2, 3], n, [0.45, 0.4, 0.1, 0.05])
    minor = choice(rng, [0, 1, 2, 3, 4], n, [0.4, 0.3, 0.15, 0.1, 0.05])
    loss = np.round(rng.lognormal(3.5, 1.0, n), 1)
    liability = rng.random(n) < 0.8
    liability[ind_name == "交通运输"] = rng.random(int((ind_name == "交通运输").sum())) < 0.3

    # planted: one 较大 accident (deaths incl. missing 3–9) in a mine
    big_day = min(day_of(date(2024, 8, 17)), cal.d1 - 20)
    if big_day > cal.d0 and n > 0:
        i = int(np.argmin(np.abs(day - big_day)))
        day[i] = big_day
        unit[i] = s.unit_names.index("北庄镇") if "北庄镇" in s.unit_names else 0
        ind_name[i] = "非煤矿山"
        deaths[i], missing[i], serious[i], loss[i] = 3, 1, 2, 860.0
        liability[i] = True
    time = day * 86400 + rng.integers(6 * 3600, 22 * 3600, n)
    occurred = time

    # the enterprise: one in the unit and industry, if any (road accidents often none)
    code = np.full(n, None, dtype=object)
    ind_idx = np.asarray([s.industry_names.index(x) for x in ind_name], dtype=np.int64)
    pick = pick_in_group(rng, w.unit * 1000 + w.industry, unit * 1000 + ind_idx)
    has = (pick >= 0) & ~((ind_name == "交通运输") & (rng.random(n) < 0.5))
    code[has] = w.credit_code[pick[has]]

    # derived grade and the reported one (mostly consistent)
    d_all = deaths + missing
    grade = np.where((d_all >= 3) | (serious >= 10) | (loss >= 1000), "较大", "一般")
    reported_grade = grade.astype(object)
    reported_grade[rng.random(n) < 0.06] = None
    mism = (
        rng.choice(n, min(n, max(2, round(2 * w.mult))), replace=False) if n else np.array([], int)
    )
    for j, i in enumerate(mism):
        if j % 2 == 0:  # loss over 1000 万 but reported 一般
            loss[i] = 1000 + float(rng.integers(50, 900))
            grade[i] = "较大"
            reported_grade[i] = "一般"
        else:  # reported 较大 though below the thresholds
            reported_grade[i] = "较大" if grade[i] == "一般" else "一般"

    # reporting: within the hour mostly; a few late; a couple concealed (瞒报, found out days later)
    delay = rng.integers(8, 58, n) * 60
    late = rng.random(n) < 0.07
    delay[late] = rng.integers(61, 400, int(late.sum())) * 60
    concealed = np.zeros(n, dtype=bool)
    if n:
        cidx = rng.choice(n, min(n, max(2, round(2 * w.mult))), replace=False)
        concealed[cidx] = True
        delay[cidx] = rng.integers(3, 25, len(cidx)) * 86400
    reported = occurred + delay

    # investigation: approved within 75 days mostly; a few overdue without approval
    inv = day + rng.integers(35, 74, n)
    inv_late = rng.random(n) < 0.06
    inv[inv_late] = day[inv_late] + rng.integers(76, 110, int(inv_late.sum()))
    no_inv = np.zeros(n, dtype=bool)
    overdue_cand = np.flatnonzero(day + 75 < cal.d1 - 30)
    if len(overdue_cand):
        no_inv[
            rng.choice(
                overdue_cand, min(len(overdue_cand), max(3, round(3 * w.mult))), replace=False
            )
        ] = True
    inv_has = ~no_inv & (inv <= cal.d1)

    # types by standard
    typ = np.empty(n, dtype=object)
    for i in range(n):
        opts = TYPES_1986.get(ind_name[i], ("物体打击", "其它伤害", "淹溺", "触电"))
        t = opts[int(rng.integers(0, len(opts)))]
        if day[i] >= day_of(GB2025_FROM):
            t = TO_2025.get(t, t)
            if t == "中毒" and rng.random() < 0.4:
                t = "窒息"
            if t == "道路(轨道)车辆致害" and ind_name[i] != "交通运输":
                t = "厂(场)内车辆致害"
        typ[i] = t

    order = np.argsort(occurred, kind="stable")
    year = _year(day[order])
    seq = _seq_within(year)
    aid = np.char.add(np.char.add("SG", year.astype(str)), np.char.zfill((seq + 1).astype(str), 4))
    unit_names = w.unit_name(unit)
    desc = np.asarray(
        [
            f"{unit_names[i]}发生一起{typ[i]}事故，造成{deaths[i]}人死亡"
            + (f"、{missing[i]}人失踪" if missing[i] else "")
            + (f"、{serious[i]}人重伤" if serious[i] else "")
            for i in range(n)
        ],
        dtype=object,
    )

    # versions: v1 at the report, v2 at the approval
    v1_ts = reported + rng.integers(5, 240, n) * 60
    v2_ts = inv.astype(np.int64) * 86400 + rng.integers(9 * 3600, 17 * 3600, n)
    v2_ts = np.maximum(v2_ts, v1_ts + 3600)
    frames = []
    for ver, ts, has in ((1, v1_ts, np.ones(n, dtype=bool)), (2, v2_ts, inv_has)):
        sel = order[has[order] & (ts[order] <= cal.end_ts)]
        pos = np.flatnonzero(has[order] & (ts[order] <= cal.end_ts))
        frames.append(
            pl.DataFrame(
                {
                    "accident_id": aid[pos],
                    "occurred_at": fmt_ts(occurred[sel]),
                    "town": unit_names[sel],
                    "credit_code": text(code[sel]),
                    "industry": ind_name[sel],
                    "accident_type": typ[sel].astype(str),
                    "deaths_excl_missing": fmt_num(deaths[sel]),
                    "missing": fmt_num(missing[sel]),
                    "serious_injuries": fmt_num(serious[sel]),
                    "minor_injuries": fmt_num(minor[sel]),
                    "direct_loss_10k_yuan": fmt_num(loss[sel], decimals=1),
                    "grade_reported": text(reported_grade[sel]),
                    "is_liability": fmt_bool(liability[sel]),
                    "is_concealed": fmt_bool(concealed[sel]),
                    "reported_at": fmt_ts(reported[sel]),
                    "investigation_closed_date": fmt_date(inv[sel], np.full(len(sel), ver == 2)),
                    "description": desc[sel].astype(str),
                    "updated_at": fmt_ts(ts[sel]),
                    "_ts": ts[sel],
                }
            )
        )
    df = pl.concat(frames).sort("_ts", maintain_order=True)
    log.info("accidents: %d accidents, %d versions", n, df.height)
    return df
