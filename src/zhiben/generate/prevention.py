"""Phase-2 prevention data (SPEC §10.1, issue 16): the enterprises' risk attributes (the optional
columns), the hazards' supervision and closing verification, 监测预警系统接入 (monitoring) and
企业自查记录 (self_inspections).

Every draw here comes from streams of its own (S_PREVENTION …), so the phase-1 extracts keep
their values; the optional columns are added beside them. Planted facts (every scale):
- 西集镇's 油气储存 enterprises miss 紧急切断 at its 2024-12-31 deadline (connected later or never);
- high-risk enterprises of 山城街道 skip a month of 主要负责人-led self-inspection (PLANTED_SKIP);
- 重大隐患 closed (已销号) without 三方现场核验;
- an open overdue 重大隐患 escalated below its band (only 函告 recorded while 通报 or more is due).
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import polars as pl

from zhiben.generate.common import (
    DAY,
    Sequencer,
    choice_idx,
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

#: random streams of this module (apart from phase 1's 1 … 10)
S_PREVENTION, S_MONITORING, S_SELF_INSPECTIONS, S_SUPERVISION = 1601, 1602, 1603, 1604
#: the town whose 油气储存 enterprises miss 紧急切断 at the deadline
PLANTED_TOWN = "西集镇"
#: the town whose high-risk enterprises skip a month of self-inspection
PLANTED_SKIP_TOWN = "山城街道"

RISK_LEVELS = ("低风险", "一般风险", "较大风险", "重大风险")
LEADERS = ("主要负责人", "分管负责人", "安全管理人员", "其他")
BANDS = ("函告", "通报", "约谈", "曝光")
#: the escalation bands' first overdue day (seed escalation_bands)
BAND_START = (1, 31, 61, 91)
#: the systems and due dates of seed monitoring_requirements
SYSTEMS = {
    "R1": ("边坡在线监测", date(2024, 6, 30)),
    "R2": ("粉尘涉爆监测", date(2024, 12, 31)),
    "R3": ("视频监控", date(2024, 12, 31)),
    "R4": ("气体检测报警", date(2024, 12, 31)),
    "R5": ("紧急切断", date(2024, 12, 31)),
    "R6": ("重大危险源监测", date(2025, 12, 31)),
    "R7": ("粉尘涉爆监测", date(2025, 12, 31)),
    "R8": ("电力监测", date(2026, 12, 31)),
    "R9": ("智慧工地", date(2025, 12, 31)),
}


def _rng(w: World, seed: int, stream: int) -> np.random.Generator:
    return w.rng(seed, stream)


def attributes(w: World, seed: int) -> dict[str, np.ndarray]:
    """Per enterprise (static): the risk attributes of SPEC §10.1."""
    rng = _rng(w, seed, S_PREVENTION)
    ind = np.asarray(w.seeds.industry_names)[w.industry]
    n = w.n
    trade = ind == "工贸"
    chem = ind == "危险化学品"
    confined = rng.random(n) < np.where(trade, 0.35, 0.1)
    dust = rng.random(n) < np.where(trade, 0.15, 0.01)
    dust_workers = np.where(dust, rng.integers(3, 40, n), 0)
    ammonia = rng.random(n) < np.where(trade, 0.06, 0.0)
    oil = rng.random(n) < np.select([chem, ind == "燃气", ind == "交通运输"], [0.5, 0.5, 0.05], 0)
    # the planted town holds at least two 油气储存 enterprises active at the end (every scale)
    town = np.asarray(w.seeds.unit_names)[w.unit]
    cand = np.flatnonzero(
        (town == PLANTED_TOWN) & w.active_at_end & (w.active_from < day_of(date(2024, 6, 1)))
    )
    if len(cand) and int((oil[cand]).sum()) < 2:
        pref = cand[np.argsort(~np.isin(ind[cand], ["危险化学品", "燃气"]), kind="stable")]
        oil[pref[:2]] = True
    slope = np.where(ind == "非煤矿山", np.round(rng.uniform(20, 180, n), 1), np.nan)
    p_risk = np.where(chem[:, None], [[0.3, 0.5, 0.15, 0.05]], [[0.5, 0.4, 0.08, 0.02]])
    risk = (rng.random(n)[:, None] > np.cumsum(p_risk, axis=1)).sum(axis=1)
    cert_age = rng.integers(30, 900, n)
    return {
        "confined": confined,
        "dust": dust,
        "dust_workers": dust_workers,
        "ammonia": ammonia,
        "oil": oil,
        "slope": slope,
        "risk": np.minimum(risk, 3),
        "cert_age": cert_age,
    }


def enterprise_versions(w: World, attrs: dict[str, np.ndarray]) -> pl.DataFrame:
    """world.versions with the optional columns (the same on every version; 标准化取证日期 some
    time before the version when the level is 三级 or better)."""
    v = w.versions
    idx = pl.Series(w.credit_code).to_frame("credit_code").with_row_index("_i")
    i = v.select("credit_code").join(idx, on="credit_code", how="left")["_i"].to_numpy()
    day = v["_ts"].to_numpy() // DAY
    certified = v["standardization_level"].is_in(["一级", "二级", "三级"]).to_numpy()
    slope = attrs["slope"][i]
    return v.with_columns(
        fmt_bool(attrs["confined"][i]).alias("is_confined_space"),
        fmt_bool(attrs["dust"][i]).alias("is_explosive_dust"),
        fmt_num(attrs["dust_workers"][i]).alias("dust_workers"),
        fmt_bool(attrs["ammonia"][i]).alias("is_ammonia_refrigeration"),
        fmt_bool(attrs["oil"][i]).alias("is_oil_gas_storage"),
        fmt_num(np.nan_to_num(slope), ~np.isnan(slope), decimals=1).alias("open_pit_slope_m"),
        text(np.asarray(RISK_LEVELS)[attrs["risk"][i]]).alias("risk_level"),
        fmt_date(day - attrs["cert_age"][i], certified).alias("standardization_date"),
    )


def _major_source(w: World) -> np.ndarray:
    last = w.versions.group_by("credit_code").agg(pl.col("has_major_hazard_source").last())
    m = dict(
        zip(last["credit_code"].to_list(), last["has_major_hazard_source"].to_list(), strict=True)
    )
    return np.asarray([m.get(c) == "是" for c in w.credit_code])


def populations(w: World, attrs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Who each requirement R1 … R9 covers (SPEC §10.2), by the attributes."""
    ind = np.asarray(w.seeds.industry_names)[w.industry]
    return {
        "R1": (ind == "非煤矿山") & (np.nan_to_num(attrs["slope"]) >= 100),
        "R2": attrs["dust"] & (attrs["dust_workers"] >= 10),
        "R3": attrs["oil"],
        "R4": attrs["oil"],
        "R5": attrs["oil"],
        "R6": (ind == "危险化学品") & _major_source(w),
        "R7": attrs["dust"],
        "R8": np.isin(ind, ["危险化学品", "非煤矿山"]) | ((ind == "工贸") & (w.size == 0)),
        "R9": ind == "建筑施工",
    }


def generate_monitoring(w: World, seed: int, attrs: dict[str, np.ndarray]) -> pl.DataFrame:
    """One record per enterprise × system: a version when it connected (是否联网 是), one when it
    was 停用; enterprises that never connected sometimes report 否."""
    rng = _rng(w, seed, S_MONITORING)
    cal = w.cal
    pops = populations(w, attrs)
    town = np.asarray(w.seeds.unit_names)[w.unit]
    systems: dict[str, tuple[np.ndarray, int]] = {}
    for rid, (system, due) in SYSTEMS.items():
        who = pops[rid]
        if system in systems:  # R2 and R7: one record, the earlier due date
            prev, prev_due = systems[system]
            systems[system] = (prev | who, min(prev_due, day_of(due)))
        else:
            systems[system] = (who, day_of(due))
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("e", "sys", "conn", "cday", "dday", "ts")}
    for system, (who, due) in systems.items():
        e = np.flatnonzero(who)
        m = len(e)
        if m == 0:
            continue
        on_time = rng.random(m) < 0.85
        start = np.maximum(w.active_from[e], cal.d0 + 180)
        cday = np.where(
            on_time,
            np.maximum(due - rng.integers(0, 500, m), start),
            due + rng.integers(1, 300, m),
        )
        if system == "紧急切断":  # planted: the town misses its deadline
            late = town[e] == PLANTED_TOWN
            cday = np.where(late, np.maximum(due + rng.integers(20, 120, m), cday), cday)
        stopped = rng.random(m) < 0.05
        dday = cday + rng.integers(30, 400, m)
        known = cday <= cal.d1
        # connected: the 接入 version; 停用 later (a second version)
        sel = known
        rows["e"].append(e[sel])
        rows["sys"].append(np.full(int(sel.sum()), system, dtype=object))
        rows["conn"].append(np.ones(int(sel.sum()), bool))
        rows["cday"].append(cday[sel])
        rows["dday"].append(np.full(int(sel.sum()), -1))
        rows["ts"].append(work_time(rng, cday[sel]))
        sel = known & stopped & (dday <= cal.d1)
        rows["e"].append(e[sel])
        rows["sys"].append(np.full(int(sel.sum()), system, dtype=object))
        rows["conn"].append(np.zeros(int(sel.sum()), bool))
        rows["cday"].append(cday[sel])
        rows["dday"].append(dday[sel])
        rows["ts"].append(work_time(rng, dday[sel]))
        # not connected by the as-of date: half report 否 (registered, never connected)
        sel = ~known & (rng.random(m) < 0.5)
        rday = np.minimum(due - rng.integers(0, 60, m), cal.d1)[sel]
        rday = np.maximum(rday, cal.d0)
        rows["e"].append(e[sel])
        rows["sys"].append(np.full(int(sel.sum()), system, dtype=object))
        rows["conn"].append(np.zeros(int(sel.sum()), bool))
        rows["cday"].append(np.full(int(sel.sum()), -1))
        rows["dday"].append(np.full(int(sel.sum()), -1))
        rows["ts"].append(work_time(rng, rday))
    c = {k: np.concatenate(v) if v else np.zeros(0) for k, v in rows.items()}
    e = c["e"].astype(np.int64)
    ts = c["ts"].astype(np.int64)
    cday, dday = c["cday"].astype(np.int64), c["dday"].astype(np.int64)
    df = pl.DataFrame(
        {
            "credit_code": w.code_series.gather(e),
            "system": pl.Series(c["sys"].astype(str), dtype=pl.String),
            "is_connected": fmt_bool(c["conn"]),
            "connected_date": fmt_date(np.maximum(cday, 0), cday >= 0),
            "disconnected_date": fmt_date(np.maximum(dday, 0), dday >= 0),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    ).filter(pl.col("_ts") <= cal.end_ts)
    log.info("monitoring: %d rows", df.height)
    return df


def planted_skip_month(w: World) -> tuple[int, int] | None:
    """The month (first day, last day) the planted high-risk enterprises skip: the last month
    that ended at least a month before the as-of date, from 2024 on."""
    a = w.cal.as_of
    y, m = (a.year, a.month - 2) if a.month > 2 else (a.year - 1, a.month + 10)
    if y < 2024:
        return None
    first = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return day_of(first), day_of(nxt) - 1


def generate_self_inspections(w: World, seed: int, seqs: Sequencer | None = None) -> pl.DataFrame:
    """Per enterprise and period (monthly for high-risk, else quarterly) from 2024: mostly one
    自查, mostly led by the 主要负责人."""
    rng = _rng(w, seed, S_SELF_INSPECTIONS)
    seqs = seqs or Sequencer()
    cal = w.cal
    town = np.asarray(w.seeds.unit_names)[w.unit]
    skip = planted_skip_month(w)
    parts_e, parts_day = [], []
    y, m = 2024, 1
    while date(y, m, 1) <= cal.as_of:
        for months, who in ((1, w.high_risk), (3, ~w.high_risk)):
            if (m - 1) % months:
                continue
            ny, nm = (y + (m + months - 1) // 12, (m + months - 1) % 12 + 1)
            lo, hi = day_of(date(y, m, 1)), day_of(date(ny, nm, 1)) - 1
            a = np.maximum(w.active_from, lo)
            b = np.minimum(np.minimum(w.active_to, hi), cal.d1)
            has = who & (a <= b) & (rng.random(w.n) < 0.93)
            if skip is not None and months == 1 and lo == skip[0]:
                has &= ~(town == PLANTED_SKIP_TOWN)
            e = np.flatnonzero(has)
            parts_e.append(e)
            parts_day.append(a[e] + (rng.random(len(e)) * (b[e] - a[e] + 1)).astype(np.int64))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    e = np.concatenate(parts_e) if parts_e else np.zeros(0, np.int64)
    day = np.concatenate(parts_day) if parts_day else np.zeros(0, np.int64)
    order = np.lexsort((e, day))
    e, day = e[order], day[order]
    n = len(e)
    led = choice_idx(rng, len(LEADERS), n, [0.86, 0.08, 0.05, 0.01])
    found = rng.poisson(1.4, n)
    major = np.minimum(rng.binomial(found, 0.03), found)
    ts = np.minimum(work_time(rng, day + rng.integers(0, 3, n)), cal.end_ts)
    ts = np.maximum(ts, day * DAY + 8 * 3600)
    year = _year(day)
    df = pl.DataFrame(
        {
            "self_inspection_id": make_ids("ZC", year, seqs.number(year), 6),
            "credit_code": w.code_series.gather(e),
            "inspection_date": fmt_date(day),
            "led_by": pl.Series(np.asarray(LEADERS)[led].astype(str), dtype=pl.String),
            "hazards_found": fmt_num(found),
            "major_hazards_found": fmt_num(major),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    ).filter(pl.col("_ts") <= cal.end_ts)
    log.info("self_inspections: %d rows", df.height)
    return df


def add_supervision(hazards: pl.DataFrame, w: World, seed: int) -> pl.DataFrame:
    """The hazards extract with 督办措施 / 督办日期 / 销号核验方式 / 核验日期: each open overdue
    重大隐患 gets a version on the day its current escalation band began, recording every band
    up to it (one planted hazard records only 函告 while 通报 or more is due); 已销号 重大隐患 are
    verified mostly by 三方现场核验 (a few, planted among them, by 部门核验 or 企业自验)."""
    rng = _rng(w, seed, S_SUPERVISION)
    cal = w.cal
    h = hazards.with_columns(
        pl.lit("").alias("supervision_measures"),
        pl.lit(None, dtype=pl.String).alias("supervision_date"),
        pl.lit("").alias("verification_method"),
        pl.lit(None, dtype=pl.String).alias("verified_date"),
    )
    # closing verification on the 已销号 versions of 重大隐患
    closed = (pl.col("status") == "已销号") & (pl.col("level") == "重大隐患")
    n = h.height
    method = choice_idx(rng, 3, n, [0.85, 0.1, 0.05])
    h = h.with_columns(pl.Series("_m", method))
    # at least one closure without 三方现场核验 (planted), when any major was closed
    first_closed = h.with_row_index("_r").filter(closed).select("_r").head(1)
    if first_closed.height and w.chunk == 0:
        h = h.with_columns(
            pl.when(pl.int_range(pl.len()) == first_closed.item())
            .then(1)
            .otherwise(pl.col("_m"))
            .alias("_m")
        )
    h = h.with_columns(
        pl.when(closed)
        .then(
            pl.col("_m").replace_strict(
                {0: "三方现场核验", 1: "部门核验", 2: "企业自验"}, return_dtype=pl.String
            )
        )
        .otherwise(pl.lit(""))
        .alias("verification_method"),
        pl.when(closed).then(pl.col("closed_date")).alias("verified_date"),
    ).drop("_m")
    # supervision: the last version of each open overdue 重大隐患 at the as-of date
    last = (
        h.with_row_index("_r")
        .sort("hazard_id", "_ts", maintain_order=True)
        .group_by("hazard_id", maintain_order=True)
        .last()
    )
    deadline_day = last.select(
        (pl.col("deadline").str.to_date(strict=False).cast(pl.Int64)).alias("d")
    )["d"].to_numpy()
    open_ = last["status"].is_in(["未整改", "整改中"]).to_numpy()
    major = (last["level"] == "重大隐患").to_numpy()
    overdue = np.where(
        np.isnan(deadline_day.astype(float)), -1, cal.d1 - np.nan_to_num(deadline_day)
    )
    sel = np.flatnonzero(open_ & major & (overdue >= 1))
    if len(sel) == 0:
        return h
    band = np.searchsorted(np.asarray(BAND_START), overdue[sel], side="right") - 1
    start_day = np.nan_to_num(deadline_day[sel]).astype(np.int64) + np.asarray(BAND_START)[band]
    taken = band.copy()
    behind = rng.random(len(sel)) < 0.1
    planted = np.flatnonzero(band >= 1)
    if len(planted) and w.chunk == 0:
        behind[planted[0]] = True
    taken = np.where(behind & (band >= 1), 0, taken)
    measures = ["、".join(BANDS[: t + 1]) for t in taken]
    prev_ts = last["_ts"].to_numpy()[sel]
    ts = np.maximum(work_time(rng, start_day), prev_ts + 60)
    extra = (
        last[sel]
        .drop("_r")
        .with_columns(
            pl.Series("supervision_measures", measures, dtype=pl.String),
            fmt_date(start_day).alias("supervision_date"),
            fmt_ts(ts).alias("updated_at"),
            pl.Series("_ts", ts),
        )
        .filter(pl.col("_ts") <= cal.end_ts)
    )
    return pl.concat([h, extra.select(h.columns)])
