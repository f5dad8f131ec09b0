"""安全培训 (training): principals' course, managers' exam, special-operation certificates,
工伤预防 training and all-staff training."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import polars as pl

from zhiben.generate import people
from zhiben.generate.common import (
    S_TRAINING,
    Sequencer,
    choice,
    day_of,
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

#: per unit (U01 … U11): share of principals trained (most, not all)
UNIT_COVERAGE = (0.93, 0.9, 0.86, 0.9, 0.8, 0.88, 0.84, 0.76, 0.82, 0.9, 0.95)
SPECIAL = {
    "非煤矿山": ("金属非金属矿山安全作业", "电工作业", "焊接与热切割作业"),
    "危险化学品": ("危险化学品安全作业", "电工作业"),
    "烟花爆竹": ("烟花爆竹安全作业",),
    "民爆": ("烟花爆竹安全作业", "电工作业"),
    "工贸": (
        "电工作业",
        "焊接与热切割作业",
        "高处作业",
        "制冷与空调作业",
        "冶金（有色）生产安全作业",
    ),
    "建筑施工": ("高处作业", "电工作业", "焊接与热切割作业"),
    "燃气": ("电工作业", "焊接与热切割作业"),
    "特种设备": ("电工作业", "焊接与热切割作业"),
}


def generate_training(w: World, seed: int, seqs: Sequencer | None = None) -> pl.DataFrame:
    rng = w.rng(seed, S_TRAINING)
    prng = w.rng(seed, S_TRAINING * 100 + 1)
    seqs = seqs or Sequencer()
    cal, s = w.cal, w.seeds
    samp = cal.sampler("activity")
    d2024 = max(day_of(date(2024, 1, 1)), cal.d0)
    parts: list[dict] = []

    # 1. 主要负责人专题培训 (since 2024): most principals of active enterprises
    cov = np.asarray(UNIT_COVERAGE + (0.85,) * 20)[w.unit]
    lo = np.maximum(w.active_from, d2024)
    hi = w.active_to
    ok = (rng.random(w.n) < cov) & (lo <= hi)
    e = np.flatnonzero(ok)
    day = samp.sample(rng, lo[e], hi[e])
    result = np.where(rng.random(len(e)) < 0.92, "合格", "不合格")
    # those who failed pass a retake 1–3 months later (if that is before as_of)
    fail = np.flatnonzero(result == "不合格")
    retake = day[fail] + rng.integers(30, 90, len(fail))
    rk = retake <= cal.d1
    e_all = np.concatenate([e, e[fail][rk]])
    d_all = np.concatenate([day, retake[rk]])
    r_all = np.concatenate([result, np.full(int(rk.sum()), "合格")])
    # a few took it in 2023 already (before the plan: does not count)
    e23 = np.flatnonzero((rng.random(w.n) < 0.08) & (w.active_from < day_of(date(2023, 12, 1))))
    d23 = rng.integers(
        np.maximum(w.active_from[e23], cal.d0), min(day_of(date(2023, 12, 31)), cal.d1) + 1
    )
    e_all = np.concatenate([e_all, e23])
    d_all = np.concatenate([d_all, d23])
    r_all = np.concatenate([r_all, np.full(len(e23), "合格")])
    parts.append(
        dict(
            ent=e_all,
            day=d_all,
            id=w.principal_id[e_all],
            name=w.principal_name[e_all],
            role=np.full(len(e_all), "主要负责人"),
            type=np.full(len(e_all), "主要负责人专题培训"),
            special=np.full(len(e_all), None, dtype=object),
            hours=choice(rng, [16, 24, 32], len(e_all)),
            result=r_all,
            cert=np.full(len(e_all), None, dtype=object),
            valid=np.full(len(e_all), -1),
        )
    )

    # 2. 安全管理人员考核: 1–2 managers per enterprise
    k = np.where(w.high_risk, 2, 1) * (rng.random(w.n) < 0.75)
    e = np.repeat(np.arange(w.n), k)
    e = e[w.active_from[e] <= w.active_to[e]]
    day = samp.sample(rng, w.active_from[e], w.active_to[e])
    parts.append(
        _people(
            prng,
            e,
            day,
            "安全生产管理人员",
            "安全管理人员考核",
            None,
            choice(rng, [24, 32, 48], len(e)),
            np.where(rng.random(len(e)) < 0.9, "合格", "不合格"),
            None,
            None,
        )
    )

    # 3. 特种作业操作证 (valid 6 years; a 复审 row keeps the original validity)
    inds = np.asarray(s.industry_names)[w.industry]
    has_sp = np.isin(inds, list(SPECIAL))
    k = np.where(
        has_sp,
        rng.poisson(np.asarray((4.0, 2.5, 1.2))[w.size]),
        (rng.random(w.n) < 0.25).astype(int),
    )
    e = np.repeat(np.arange(w.n), k)
    e = e[w.active_from[e] <= w.active_to[e]]
    day = samp.sample(rng, w.active_from[e], w.active_to[e])
    sp = np.empty(len(e), dtype=object)
    for nm in np.unique(inds[e]):
        sel = np.flatnonzero(inds[e] == nm)
        opts = SPECIAL.get(str(nm), ("电工作业",))
        sp[sel] = np.asarray(opts)[rng.integers(0, len(opts), len(sel))]
    review = rng.random(len(e)) < 0.3
    valid = np.where(review, day + rng.integers(200, 3 * 365, len(e)), _plus_years(day, 6))
    # some certificates expire within 90 days of as_of
    m = max(3, round(20 * w.mult))
    exp_e = (
        rng.choice(np.flatnonzero(w.active_at_end), m)
        if w.active_at_end.any()
        else np.zeros(0, int)
    )
    exp_valid = cal.d1 + rng.integers(5, 88, m)
    exp_day = np.maximum(exp_valid - 3 * 365 + rng.integers(-60, 60, m), cal.d0)
    exp_day = np.minimum(exp_day, cal.d1)
    e = np.concatenate([e, exp_e])
    day = np.concatenate([day, exp_day])
    valid = np.concatenate([valid, exp_valid])
    sp_exp = np.asarray([SPECIAL.get(str(x), ("电工作业",))[0] for x in inds[exp_e]], dtype=object)
    sp = np.concatenate([sp, sp_exp])
    res = np.where(rng.random(len(e)) < 0.94, "合格", "不合格")
    p = _people(
        prng,
        e,
        day,
        "特种作业人员",
        "特种作业操作证",
        sp,
        choice(rng, [16, 24, 40], len(e)),
        res,
        "T",
        valid,
    )
    p["valid"] = np.where(res == "合格", p["valid"], -1)
    p["cert"] = np.where(res == "合格", p["cert"], None)
    parts.append(p)

    # 4. 工伤预防能力提升培训: a few thousand people, 2024–2025 mostly
    m = round(3500 * w.mult)
    e = rng.integers(0, w.n, m)
    lo = np.full(m, d2024)
    hi = np.minimum(np.where(rng.random(m) < 0.85, day_of(date(2025, 12, 31)), cal.d1), cal.d1)
    okm = lo <= hi
    e, lo, hi = e[okm], lo[okm], hi[okm]
    day = samp.sample(rng, lo, hi)
    parts.append(
        _people(
            prng,
            e,
            day,
            "其他从业人员",
            "工伤预防能力提升培训",
            None,
            np.full(len(e), 8),
            np.where(rng.random(len(e)) < 0.95, "合格", "不合格"),
            None,
            None,
        )
    )

    # 5. 全员安全培训
    m = round(11000 * w.mult)
    e = rng.integers(0, w.n, m)
    e = e[w.active_from[e] <= w.active_to[e]]
    day = samp.sample(rng, w.active_from[e], w.active_to[e])
    parts.append(
        _people(
            prng,
            e,
            day,
            "其他从业人员",
            "全员安全培训",
            None,
            choice(rng, [4, 8, 12, 20], len(e)),
            choice(rng, ["合格", "未考核", "不合格"], len(e), [0.6, 0.37, 0.03]),
            None,
            None,
        )
    )

    cols = {k2: np.concatenate([p[k2] for p in parts]) for k2 in parts[0]}
    # everyone but the principals: one pool of distinct people (sequence numbers 300–999)
    new = np.flatnonzero(np.asarray([x is None for x in cols["id"]]))
    cols["id"][new] = people.id_numbers(prng, len(new), *w.person_seq_range()).to_numpy()
    cols["name"][new] = people.names(prng, len(new)).to_numpy()
    has_cert = np.asarray([x is not None for x in cols["cert"]])
    cols["cert"][has_cert] = np.char.add("T", cols["id"][has_cert].astype(str))
    order = np.argsort(cols["day"], kind="stable")
    cols = {k2: v[order] for k2, v in cols.items()}
    day = cols["day"]
    year = _year(day)
    tid = make_ids("PX", year, seqs.number(year), 7)
    ts = work_time(rng, day + rng.integers(0, 4, len(day)))  # entered a few days later
    df = pl.DataFrame(
        {
            "training_id": tid,
            "id_number": text(cols["id"]),
            "person_name": text(cols["name"]),
            "credit_code": w.code_series.gather(cols["ent"]),
            "person_role": cols["role"].astype(str),
            "training_type": cols["type"].astype(str),
            "special_work_type": text(cols["special"]),
            "training_date": fmt_date(day),
            "hours": fmt_num(cols["hours"]),
            "exam_result": cols["result"].astype(str),
            "certificate_no": text(cols["cert"]),
            "certificate_valid_until": fmt_date(np.maximum(cols["valid"], 0), cols["valid"] >= 0),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    ).filter(pl.Series(ts <= cal.end_ts))
    log.info("training: %d rows", df.height)
    return df


def _people(rng, ent, day, role, ttype, special, hours, result, cert_prefix, valid) -> dict:
    m = len(ent)
    ids = np.full(m, None, dtype=object)  # filled from one pool of people later
    names = np.full(m, None, dtype=object)
    return dict(
        ent=ent,
        day=day,
        id=ids,
        name=names,
        role=np.full(m, role),
        type=np.full(m, ttype),
        special=special if special is not None else np.full(m, None, dtype=object),
        hours=np.asarray(hours),
        result=np.asarray(result),
        cert=np.full(m, cert_prefix if cert_prefix else None, dtype=object),
        valid=np.asarray(valid) if valid is not None else np.full(m, -1),
    )


def _plus_years(days: np.ndarray, years: int) -> np.ndarray:
    d = np.asarray(days, dtype="datetime64[D]")
    y = d.astype("datetime64[Y]")
    offset = d - y.astype("datetime64[D]")
    return ((y + years).astype("datetime64[D]") + offset).astype(np.int64)
