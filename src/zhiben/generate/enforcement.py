"""监管执法检查 (inspections) and 行政处罚 (penalties)."""

from __future__ import annotations

import logging

import numpy as np
import polars as pl

from zhiben.contract import INSPECTION_METHODS
from zhiben.generate.common import (
    S_INSPECTIONS,
    S_PENALTIES,
    Sequencer,
    choice,
    fmt_bool,
    fmt_date,
    fmt_num,
    fmt_ts,
    lookup,
    make_ids,
    rng_for,
    text,
    work_time,
)
from zhiben.generate.hazards import CAMPAIGNS, _year
from zhiben.generate.world import World

log = logging.getLogger("zhiben.generate")

#: method shares per year (order of INSPECTION_METHODS: 四不两直 双随机 明查暗访 异地交叉执法 非现场执法 日常检查)
METHOD_P = {
    2023: (0.14, 0.22, 0.08, 0.04, 0.02, 0.50),
    2024: (0.17, 0.22, 0.08, 0.05, 0.06, 0.42),
    2025: (0.19, 0.22, 0.08, 0.05, 0.12, 0.34),
    2026: (0.20, 0.22, 0.08, 0.05, 0.18, 0.27),
}
#: units without any 非现场执法 capability in 2026 (T11 is "most but not all")
NO_REMOTE_2026 = ("水泉镇", "冯卯镇")
PENALTY_KINDS_P = (
    ("罚款", 0.62),
    ("警告;罚款", 0.14),
    ("警告", 0.08),
    ("罚款;责令停产停业整顿", 0.07),
    ("罚款;没收违法所得", 0.03),
    ("罚款;暂扣许可证", 0.02),
    ("责令停止建设或施工;罚款", 0.03),
    ("罚款;吊销许可证", 0.01),
)


def generate_inspections(
    w: World, seed: int, seqs: Sequencer | None = None
) -> tuple[pl.DataFrame, dict]:
    rng = w.rng(seed, S_INSPECTIONS)
    seqs = seqs or Sequencer()
    cal, s = w.cal, w.seeds
    samp = cal.sampler("inspections")
    rate = 4.2 * np.where(w.high_risk, 2.0, 1.0) * np.asarray((1.4, 1.0, 0.7))[w.size]
    counts = rng.poisson(rate * samp.mass(w.active_from, w.active_to) / 365.25)
    ent = np.repeat(np.arange(w.n), counts)
    day = samp.sample(rng, w.active_from[ent], w.active_to[ent])
    order = np.lexsort((ent, day))
    ent, day = ent[order], day[order]
    n = len(ent)
    year = _year(day)
    unit = w.unit[ent]
    unit_names = np.asarray(s.unit_names)

    # enforcing body: the industry's lead department mostly, the town's own enforcement sometimes
    lead = w.lead_dept(w.industry[ent])
    dept_names = np.asarray(s.dept_names)
    others = np.asarray(
        [
            i
            for i, nm in enumerate(s.dept_names)
            if nm in ("区应急管理局", "区消防救援大队", "区市场监督管理局")
        ]
    )
    r = rng.random(n)
    body = np.where(
        r < 0.7,
        dept_names[lead],
        np.where(r < 0.9, unit_names[unit], dept_names[choice(rng, others, n)]),
    )

    method = np.empty(n, dtype=object)
    for y in np.unique(year):
        sel = np.flatnonzero(year == y)
        p = METHOD_P.get(int(y), METHOD_P[2026] if y > 2026 else METHOD_P[2023])
        method[sel] = choice(rng, INSPECTION_METHODS, len(sel), p)
    no_remote = (
        (year >= 2026) & np.isin(unit_names[unit], NO_REMOTE_2026) & (method == "非现场执法")
    )
    method[no_remote] = "日常检查"
    campaign = choice(rng, CAMPAIGNS, n, (0.08, 0.07, 0.08, 0.04, 0.73))
    found = rng.poisson(np.where(method == "非现场执法", 0.8, 1.6))
    major = rng.binomial(found, 0.03)

    # case opened; some unit-quarters enforce without a single penalty (零处罚)
    quarter = (
        year * 10
        + (np.asarray(day, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12)
        // 3
        + 1
    )
    uq = unit * 100000 + quarter
    # the same unit-quarters in every chunk
    zrng = rng_for(seed, S_INSPECTIONS * 100 + 7)
    quarters = np.asarray(
        [y * 10 + q for y in range(cal.start.year, cal.as_of.year + 1) for q in (1, 2, 3, 4)]
    )
    uqs = (np.arange(len(s.unit_names))[:, None] * 100000 + quarters[None, :]).ravel()
    zero_uq = uqs[zrng.random(len(uqs)) < 0.14]
    p_case = np.where(found > 0, 0.16, 0.02) + np.where(
        np.isin(method, ["四不两直", "明查暗访"]), 0.06, 0.0
    )
    case = (rng.random(n) < p_case) & ~np.isin(uq, zero_uq)
    iid = make_ids("JC", year, seqs.number(year), 7)
    ts = work_time(rng, day) + 3600  # entered after the visit
    keep = ts <= cal.end_ts
    ts = np.minimum(ts, cal.end_ts)
    town_empty = rng.random(n) < 0.02
    df = pl.DataFrame(
        {
            "inspection_id": iid,
            "inspection_date": fmt_date(day),
            "department": body.astype(str),
            "credit_code": w.code_series.gather(ent),
            "town": lookup(s.unit_names, unit, ~town_empty),
            "method": method.astype(str),
            "campaign": campaign,
            "hazards_found": fmt_num(found),
            "major_hazards_found": fmt_num(major),
            "case_opened": fmt_bool(case),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    ).filter(pl.Series(keep))
    log.info("inspections: %d rows (%d cases opened)", df.height, int(case.sum()))
    ctx = {
        "ent": ent,
        "day": day,
        "body": body,
        "case": case,
        "iid": iid,
        "zero_uq": zero_uq,
        "unit": unit,
    }
    return df, ctx


def generate_penalties(
    w: World, seed: int, ctx: dict, seqs: Sequencer | None = None
) -> pl.DataFrame:
    rng = w.rng(seed, S_PENALTIES)
    seqs = seqs or Sequencer()
    cal, s = w.cal, w.seeds
    unit_names = np.asarray(s.unit_names)
    dept_names = np.asarray(s.dept_names)
    # from cases: decided 7–45 days after the inspection (some still pending)
    ci = np.flatnonzero(ctx["case"] & (rng.random(len(ctx["case"])) < 0.92))
    ent = ctx["ent"][ci]
    day = ctx["day"][ci] + rng.integers(7, 46, len(ci))
    body = ctx["body"][ci]
    iid = ctx["iid"].gather(ci)
    # without an inspection (complaints, accidents …)
    m = int(round(len(ci) * 0.12))
    active = np.flatnonzero(w.active_to - w.active_from > 30)
    e2 = rng.choice(active, m) if m and len(active) else np.zeros(0, dtype=np.int64)
    d2 = rng.integers(w.active_from[e2], w.active_to[e2] + 1) if m else np.zeros(0, dtype=np.int64)
    y2 = _year(d2)
    q2 = (
        y2 * 10
        + (np.asarray(d2, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) // 3
        + 1
    )
    ok2 = ~np.isin(w.unit[e2] * 100000 + q2, ctx["zero_uq"])
    e2, d2 = e2[ok2], d2[ok2]
    b2 = dept_names[w.lead_dept(w.industry[e2])]
    ent = np.concatenate([ent, e2])
    day = np.concatenate([day, d2])
    body = np.concatenate([body, b2]).astype(str)
    iid = pl.concat([iid, pl.Series([None] * len(e2), dtype=pl.String)])
    # nothing decided in a zero-penalty unit-quarter (a case there ends without a penalty)
    yq = (
        _year(day) * 10
        + (np.asarray(day, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12)
        // 3
        + 1
    )
    keep = np.flatnonzero((day <= cal.d1) & ~np.isin(w.unit[ent] * 100000 + yq, ctx["zero_uq"]))
    ent, day, body, iid = ent[keep], day[keep], body[keep], iid.gather(keep)
    order = np.lexsort((ent, day))
    ent, day, body, iid = ent[order], day[order], body[order], iid.gather(order)
    n = len(ent)

    kinds = choice(rng, [k for k, _ in PENALTY_KINDS_P], n, [p for _, p in PENALTY_KINDS_P])
    fined = np.char.find(kinds.astype(str), "罚款") >= 0
    fine_e = np.where(fined, rng.integers(10, 300, n) * 1000, 0)
    fine_e = np.where(fined & (rng.random(n) < 0.05), rng.integers(300, 1000, n) * 1000, fine_e)
    double = fined & (rng.random(n) < 0.3)
    fine_p = np.where(double, rng.integers(2, 50, n) * 1000, 0)
    judiciary = rng.random(n) < 0.02

    # decision numbers: 山应急罚〔2024〕12号 (per issuing body and year)
    short = {nm: sh for nm, sh in zip(s.dept_names, s.dept_short, strict=True)}
    for nm in s.unit_names:
        short[nm] = nm.removesuffix("街道").removesuffix("镇").replace("山亭经济开发区", "开发区")
    bodies = sorted(short)  # a fixed list: numbers continue across chunks
    issuer = np.asarray([short[b] for b in bodies])
    body_idx = np.searchsorted(np.asarray(bodies), body)
    year = _year(day)
    seq = seqs.number(body_idx * 10000 + year) - 1
    pid = np.char.add(
        np.char.add(np.char.add(np.char.add("山", issuer[body_idx]), "罚〔"), year.astype(str)),
        np.char.add(np.char.add("〕", (seq + 1).astype(str)), "号"),
    )
    ts = work_time(rng, day)
    town_empty = rng.random(n) < 0.02
    df = pl.DataFrame(
        {
            "penalty_id": pid,
            "inspection_id": iid,
            "credit_code": w.code_series.gather(ent),
            "town": text(unit_names[w.unit[ent]], ~town_empty),
            "department": body,
            "decided_date": fmt_date(day),
            "penalty_kinds": kinds.astype(str),
            "fine_entity_yuan": fmt_num(fine_e),
            "fine_person_yuan": fmt_num(fine_p),
            "transferred_to_judiciary": fmt_bool(judiciary),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    ).filter(pl.Series(ts <= cal.end_ts))
    log.info(
        "penalties: %d rows (%d without inspection)", df.height, int(sum(x is None for x in iid))
    )
    return df
