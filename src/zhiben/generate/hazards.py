"""隐患排查治理台账 (hazards): a ledger re-exported monthly, one row per status change."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import polars as pl

from zhiben import contract
from zhiben.generate.common import (
    S_HAZARDS,
    Sequencer,
    choice,
    choice_idx,
    day_of,
    fmt_bool,
    fmt_date,
    fmt_num,
    fmt_ts,
    lookup,
    make_ids,
    work_time,
)
from zhiben.generate.world import World

log = logging.getLogger("zhiben.generate")

#: hazards per enterprise per month at the district scale (by industry; default 0.3)
RATE = {
    "危险化学品": 1.2,
    "非煤矿山": 0.95,
    "工贸": 0.47,
    "烟花爆竹": 0.8,
    "民爆": 0.8,
    "建筑施工": 0.65,
    "燃气": 0.8,
}
SIZE_F = (1.5, 1.0, 0.6)
#: per unit (U01 … U11): yearly trend of the on-time rectification probability (improving > 0)
UNIT_TREND = (0.04, 0.03, -0.02, 0.03, -0.03, 0.02, 0.01, -0.04, 0.0, 0.03, 0.05)
SOURCES = ("企业自查", "部门检查", "执法检查", "专家排查", "群众举报", "督查暗访")
SOURCE_P = (0.45, 0.2, 0.15, 0.1, 0.04, 0.06)
CAMPAIGNS = contract.CAMPAIGNS  # the generator draws from the contract's values, in this order
CAMPAIGN_P = (0.09, 0.08, 0.09, 0.05, 0.69)
DESCRIPTIONS = {
    "违规电气焊和违规施工": (
        "动火作业未办理审批手续",
        "电焊作业人员无证上岗",
        "动火作业现场未清理可燃物",
    ),
    "有限空间": (
        "有限空间作业未执行先通风、再检测、后作业",
        "有限空间未设置安全警示标识",
        "有限空间作业未配备监护人员",
    ),
    "预防高处坠落": ("高处作业未系挂安全带", "临边洞口防护栏杆缺失", "脚手架未按规定设置防护网"),
    "外包施工": (
        "外包单位未签订安全生产管理协议",
        "外包作业人员未进行安全培训",
        "对外包单位未统一协调管理",
    ),
    "基础管理": (
        "安全生产责任制未落实到岗位",
        "应急预案未按规定组织演练",
        "未建立隐患排查治理台账",
        "从业人员安全培训记录不全",
        "安全管理人员未取得考核合格证明",
    ),
    "现场管理": (
        "配电箱未设置漏电保护装置",
        "消防通道被占用堵塞",
        "设备传动部位防护罩缺失",
        "灭火器压力不足未及时更换",
        "危险作业场所安全警示标志缺失",
        "边坡存在浮石未及时清理",
        "特种设备未按期检验",
        "物料堆放超高",
    ),
}
SUPERVISION = ("区级", "市级", "省级")


def generate_hazards(w: World, seed: int, seqs: Sequencer | None = None) -> pl.DataFrame:
    rng = w.rng(seed, S_HAZARDS)
    seqs = seqs or Sequencer()
    cal = w.cal
    s = w.seeds
    samp = cal.sampler("activity")

    # -- ordinary hazards: Poisson per enterprise over its active window
    rate = (
        np.asarray([RATE.get(x, 0.45) for x in s.industry_names])[w.industry]
        * np.asarray(SIZE_F)[w.size]
    )
    mass = samp.mass(w.active_from, w.active_to) / 30.4
    counts = rng.poisson(rate * mass)
    ent = np.repeat(np.arange(w.n), counts)
    found = samp.sample(rng, w.active_from[ent], w.active_to[ent])
    n = len(ent)
    year = _year(found)
    ind_name = np.asarray(s.industry_names)[w.industry[ent]]
    p_major = np.where(
        np.isin(ind_name, ["非煤矿山", "危险化学品", "烟花爆竹", "民爆", "燃气"]), 0.05, 0.02
    )
    p_major = p_major * np.select([year == 2023, year == 2024, year == 2025], [1.3, 0.9, 0.7], 0.55)
    major = rng.random(n) < p_major

    deadline_days = np.where(
        major,
        rng.integers(30, 121, n),
        choice(rng, [3, 7, 10, 15, 30, 60], n, [0.1, 0.3, 0.15, 0.2, 0.2, 0.05]),
    )
    deadline = found + deadline_days
    # rectification: on time with a unit/year dependent probability
    trend = np.asarray(UNIT_TREND + (0.0,) * 20)[w.unit[ent]]
    p_on = np.clip(0.82 + trend * (year - 2023) + np.where(major, 0.05, 0.0), 0.5, 0.98)
    on_time = rng.random(n) < p_on
    rect = np.where(
        on_time,
        found + (rng.random(n) * (deadline_days + 1)).astype(np.int64),
        deadline + 1 + rng.integers(0, 75, n),
    )
    never = rng.random(n) < np.where(major, 0.0, 0.012)
    # 2023 stock of major hazards: mostly rectified during 2024, a couple still open
    stock = major & (year == 2023)
    r24 = rng.integers(day_of(date(2024, 1, 5)), day_of(date(2024, 12, 20)), n)
    rect = np.where(stock & (rng.random(n) < 0.85), np.maximum(r24, found + 20), rect)
    stock_idx = np.flatnonzero(stock)
    n_open_stock = min(len(stock_idx), max(1, round(2 * w.mult)))
    if n_open_stock:
        never[rng.choice(stock_idx, n_open_stock, replace=False)] = True
    hz = {
        "ent": ent,
        "found": found,
        "deadline": deadline,
        "rect": np.where(never, 10**7, rect),
        "major": major,
        "planted": np.zeros(n, dtype=bool),
    }

    # -- planted: open, overdue, listed major hazards in every escalation band at as_of
    bands = ((1, 30), (31, 60), (61, 90), (91, 400))
    k = max(1, round(2 * w.mult))
    active = np.flatnonzero(w.active_at_end & (w.active_from < cal.d1 - 500))
    if len(active) == 0:
        active = np.arange(w.n)
    pe, pf, pd = [], [], []
    for lo, hi in bands:
        od = rng.integers(lo, hi + 1, k)
        dl = cal.d1 - od
        fd = np.maximum(dl - rng.integers(30, 120, k), cal.d0)
        dl = np.maximum(dl, fd)
        pe.append(rng.choice(active, k))
        pf.append(fd)
        pd.append(dl)
    pe, pf, pd = np.concatenate(pe), np.concatenate(pf), np.concatenate(pd)
    for key, val in (
        ("ent", pe),
        ("found", pf),
        ("deadline", pd),
        ("rect", np.full(len(pe), 10**7)),
        ("major", np.ones(len(pe), dtype=bool)),
        ("planted", np.ones(len(pe), dtype=bool)),
    ):
        hz[key] = np.concatenate([hz[key], val])

    # -- order by found date, ids by year
    order = np.lexsort((hz["ent"], hz["found"]))
    hz = {k2: v[order] for k2, v in hz.items()}
    n = len(hz["ent"])
    ent, found, deadline, rect, major = (
        hz["ent"],
        hz["found"],
        hz["deadline"],
        hz["rect"],
        hz["major"],
    )
    year = _year(found)
    hid = make_ids("YH", year, seqs.number(year), 6)

    listed = major & ((rng.random(n) < 0.7) | hz["planted"])
    sup = choice_idx(rng, len(SUPERVISION), n, [0.6, 0.32, 0.08])
    source = choice_idx(rng, len(SOURCES), n, SOURCE_P)
    campaign = choice_idx(rng, len(CAMPAIGNS), n, CAMPAIGN_P)
    category = np.where(rng.random(n) < 0.4, 0, 1)  # 基础管理 / 现场管理
    # descriptions: one flat list; by campaign, or by category when there is none
    desc_keys = list(DESCRIPTIONS)
    flat = [d for k in desc_keys for d in DESCRIPTIONS[k]]
    first = np.cumsum([0] + [len(DESCRIPTIONS[k]) for k in desc_keys])[:-1]
    sizes = np.asarray([len(DESCRIPTIONS[k]) for k in desc_keys])
    key = np.where(
        campaign == CAMPAIGNS.index("无"),
        desc_keys.index("基础管理") + category,
        np.asarray([desc_keys.index(c) if c in desc_keys else 0 for c in CAMPAIGNS])[campaign],
    )
    desc = first[key] + (rng.random(n) * sizes[key]).astype(np.int64)
    desc = np.where(major, desc + len(flat), desc)
    flat = flat + ["【重大】" + d for d in flat]
    funds = np.where(major, rng.uniform(5, 200, n), rng.uniform(0.02, 1.5, n))
    funds_has = rng.random(n) < 0.8
    lead = w.lead_dept(w.industry[ent])
    other_depts = [
        i
        for i, nm in enumerate(w.seeds.dept_names)
        if nm in ("区应急管理局", "区消防救援大队", "区市场监督管理局")
    ]
    dept = np.where(
        rng.random(n) < 0.88, lead, np.asarray(other_depts)[choice_idx(rng, len(other_depts), n)]
    )
    town_empty = rng.random(n) < 0.02

    # -- versions: 未整改 at found; 整改中 in between; 已整改 at rect; 已销号 later
    rectified = rect <= cal.d1
    mid = found + np.maximum(1, (rect - found) // 3)
    has_mid = (rect - found >= 3) | ~rectified
    mid = np.where(rectified, mid, found + rng.integers(1, 20, n))
    closes = rectified & (rng.random(n) < np.where(major, 0.95, 0.7))
    closed = rect + rng.integers(2, 25, n)
    vi = [np.arange(n)] * 4
    vday = [found, mid, rect, closed]
    vok = [
        np.ones(n, dtype=bool),
        has_mid & (mid <= cal.d1),
        rectified,
        closes & (closed <= cal.d1),
    ]
    status_names = ("未整改", "整改中", "已整改", "已销号")
    rows_i, rows_v, rows_day = [], [], []
    for v in range(4):
        sel = np.flatnonzero(vok[v])
        rows_i.append(vi[v][sel])
        rows_v.append(np.full(len(sel), v))
        rows_day.append(vday[v][sel])
    ri = np.concatenate(rows_i)
    rv = np.concatenate(rows_v)
    rday = np.concatenate(rows_day)
    o = np.lexsort((rv, ri))
    ri, rv, rday = ri[o], rv[o], rday[o]
    ts = work_time(rng, rday)
    ts = _increasing(ri, ts)
    keep = ts <= cal.end_ts
    ri, rv, ts = ri[keep], rv[keep], ts[keep]

    e = ent[ri]
    ind_keep = ~town_empty[ri] | (rng.random(len(ri)) < 0.5)
    df = pl.DataFrame(
        {
            "hazard_id": hid.gather(ri),
            "credit_code": w.code_series.gather(e),
            "town": lookup(w.seeds.unit_names, w.unit[e], ~town_empty[ri]),
            "industry": lookup(w.seeds.industry_names, w.industry[e], ind_keep),
            "source": lookup(SOURCES, source[ri]),
            "level": lookup(("一般隐患", "重大隐患"), major[ri].astype(np.int64)),
            "category": lookup(("基础管理", "现场管理"), category[ri]),
            "campaign": lookup(CAMPAIGNS, campaign[ri]),
            "description": lookup(flat, desc[ri]),
            "found_date": fmt_date(found[ri]),
            "deadline": fmt_date(deadline[ri]),
            "status": lookup(status_names, rv),
            "rectified_date": fmt_date(np.minimum(rect[ri], 10**6), rv >= 2),
            "closed_date": fmt_date(closed[ri], rv == 3),
            "is_listed_supervision": fmt_bool(listed[ri]),
            "supervision_level": lookup(SUPERVISION, sup[ri], listed[ri]),
            "funds_10k_yuan": fmt_num(funds[ri], funds_has[ri] & (rv >= 1), decimals=2),
            "department": lookup(w.seeds.dept_names, dept[ri]),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    )
    log.info("hazards: %d hazards (%d major), %d versions", n, int(major.sum()), df.height)
    return df


def pick_in_group(rng: np.random.Generator, keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted key, a random index i with keys[i] == key (-1 when there is none)."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    lo = np.searchsorted(sk, wanted, side="left")
    hi = np.searchsorted(sk, wanted, side="right")
    cnt = hi - lo
    pos = lo + (rng.random(len(wanted)) * np.maximum(cnt, 1)).astype(np.int64)
    return np.where(cnt > 0, order[np.minimum(pos, len(order) - 1)], -1)


def _year(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _seq_within(group: np.ndarray) -> np.ndarray:
    """0-based running number within each value of ``group`` (in array order)."""
    order = np.argsort(group, kind="stable")
    g = group[order]
    start = np.concatenate([[0], np.flatnonzero(g[1:] != g[:-1]) + 1])
    counts = np.diff(np.concatenate([start, [len(g)]]))
    run = np.arange(len(g)) - np.repeat(start, counts)
    out = np.empty(len(g), dtype=np.int64)
    out[order] = run
    return out


def _increasing(group: np.ndarray, ts: np.ndarray) -> np.ndarray:
    ts = ts.astype(np.int64).copy()
    same = np.concatenate([[False], group[1:] == group[:-1]])
    for _ in range(10):
        prev = np.concatenate([[0], ts[:-1]])
        bad = same & (ts <= prev)
        if not bad.any():
            break
        ts[bad] = prev[bad] + 300 + ts[bad] % 3600
    return ts
