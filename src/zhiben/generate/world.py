"""The enterprises (企业台账): static attributes, their change history, and the world facts the
other extracts draw on (who is active when, who leads what)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl

from zhiben.codes import CREDIT_CHARSET, ORG_WEIGHTS, credit_check_chars_np
from zhiben.generate import people
from zhiben.generate.common import (
    S_WORLD,
    SCALES,
    Calendar,
    day_of,
    fmt_bool,
    fmt_ts,
    rng_for,
    work_time,
)
from zhiben.generate.seeds import Seeds

log = logging.getLogger("zhiben.generate")

#: share of enterprises per unit (U01 … U11): 山城街道 and 开发区 big, 水泉/冯卯 small
UNIT_SHARE = (0.19, 0.09, 0.08, 0.08, 0.07, 0.07, 0.07, 0.035, 0.035, 0.075, 0.2)
#: share of enterprises per industry (seed order): 非煤矿山 and 工贸 many, 危险化学品 few
INDUSTRY_SHARE = {
    "危险化学品": 0.018,
    "非煤矿山": 0.10,
    "工贸": 0.36,
    "烟花爆竹": 0.006,
    "民爆": 0.004,
    "建筑施工": 0.09,
    "交通运输": 0.08,
    "燃气": 0.015,
    "消防": 0.07,
    "特种设备": 0.035,
    "水利": 0.012,
    "农业机械": 0.02,
    "文化旅游": 0.04,
    "教育": 0.03,
    "医疗卫生": 0.03,
    "其他": 0.05,
}
#: mines are in the mountain towns, factories in the 开发区 and 山城
INDUSTRY_UNIT_BIAS = {
    "非煤矿山": (0.2, 1.5, 1.3, 1.2, 2.0, 1.4, 2.0, 2.2, 2.0, 1.3, 0.1),
    "工贸": (1.0, 0.9, 0.9, 0.9, 0.7, 0.9, 0.7, 0.6, 0.6, 0.9, 1.8),
    "危险化学品": (0.6, 0.5, 0.5, 0.5, 0.3, 0.5, 0.3, 0.2, 0.2, 0.5, 3.5),
    "文化旅游": (1.0, 0.8, 0.8, 0.8, 2.0, 0.8, 2.2, 1.5, 1.2, 0.8, 0.3),
}
NAME_PREFIX = ("枣庄市山亭区", "山亭区", "枣庄", "枣庄市")
BRAND_CHARS = list(
    "鑫源泰丰华兴盛达恒信宏远昌隆金石山亭翼云岭泉东方正大汇通宝利新联合众荣福祥瑞安康博"
)
SUFFIX = {
    "危险化学品": ("化工有限公司", "加油站", "化学品经营有限公司", "新材料有限公司"),
    "非煤矿山": ("石料厂", "矿业有限公司", "采石有限公司", "建材矿业有限公司"),
    "工贸": (
        "机械制造有限公司",
        "建材有限公司",
        "纺织有限公司",
        "食品有限公司",
        "商贸有限公司",
        "木业有限公司",
        "铸造有限公司",
        "水泥制品厂",
    ),
    "烟花爆竹": ("烟花爆竹批发有限公司", "烟花爆竹零售点"),
    "民爆": ("民爆器材有限公司", "爆破工程有限公司"),
    "建筑施工": ("建筑工程有限公司", "建设集团有限公司", "建筑安装工程有限公司"),
    "交通运输": ("运输有限公司", "物流有限公司", "公交有限公司", "客运有限公司"),
    "燃气": ("燃气有限公司", "液化气站", "天然气有限公司"),
    "消防": ("商场", "宾馆", "超市有限公司", "酒店有限公司", "养老院"),
    "特种设备": ("电梯工程有限公司", "起重设备有限公司", "锅炉安装有限公司"),
    "水利": ("水利工程有限公司", "水库管理处", "供水有限公司"),
    "农业机械": ("农机专业合作社", "农机服务有限公司"),
    "文化旅游": ("旅游开发有限公司", "景区管理有限公司", "农家乐"),
    "教育": ("学校", "幼儿园", "培训学校"),
    "医疗卫生": ("医院", "卫生院", "诊所"),
    "其他": ("物业管理有限公司", "农业开发有限公司", "电子商务有限公司", "养殖场"),
}
LEVEL_ORDER = ("一级", "二级", "三级", "小微达标", "未达标")


@dataclass
class World:
    """Per-enterprise arrays (index = enterprise number) used by every fact generator."""

    seeds: Seeds
    cal: Calendar
    scale: str
    n: int
    credit_code: np.ndarray  # str
    name: np.ndarray  # str
    unit: np.ndarray  # int index into seeds.unit_*
    industry: np.ndarray  # int index into seeds.industry_*
    size: np.ndarray  # int 0 规上 / 1 规下 / 2 小微
    high_risk: np.ndarray  # bool
    active_from: np.ndarray  # day
    active_to: np.ndarray  # day (last day operating; as_of when still 在营)
    active_at_end: np.ndarray  # bool (在营 at as_of)
    principal_id: np.ndarray  # str, the current (final) principal
    principal_name: np.ndarray  # str
    versions: pl.DataFrame  # the enterprises extract rows (text) + _ts
    #: large scales generate facts chunk by chunk of enterprises (chunk 0 … n_chunks-1)
    chunk: int = 0
    n_chunks: int = 1

    def subset(self, idx: np.ndarray, chunk: int, n_chunks: int) -> World:
        """The enterprises ``idx`` as a world of their own (for chunked generation)."""
        arrays = {
            k: getattr(self, k)[idx]
            for k in (
                "credit_code",
                "name",
                "unit",
                "industry",
                "size",
                "high_risk",
                "active_from",
                "active_to",
                "active_at_end",
                "principal_id",
                "principal_name",
            )
        }
        return replace(self, n=len(idx), chunk=chunk, n_chunks=n_chunks, **arrays)

    def rng(self, seed: int, stream: int) -> np.random.Generator:
        """The random stream of a module for this chunk."""
        if self.chunk == 0:
            return rng_for(seed, stream)
        return np.random.default_rng([int(seed), int(stream), int(self.chunk)])

    def person_seq_range(self) -> tuple[int, int]:
        """ID-number sequence range for new people of this chunk (disjoint across chunks;
        principals use 001–299)."""
        width = 700 // self.n_chunks
        lo = 300 + self.chunk * width
        return lo, lo + width - 1

    @property
    def code_series(self) -> pl.Series:
        return pl.Series(self.credit_code, dtype=pl.String)

    @property
    def mult(self) -> float:
        """Volume multiplier against the district scale."""
        return self.n / SCALES["district"]

    def unit_name(self, idx: np.ndarray) -> np.ndarray:
        return np.asarray(self.seeds.unit_names)[idx]

    def industry_name(self, idx: np.ndarray) -> np.ndarray:
        return np.asarray(self.seeds.industry_names)[idx]

    def lead_dept(self, industry_idx: np.ndarray) -> np.ndarray:
        return np.asarray(self.seeds.industry_lead)[industry_idx]


def credit_codes(rng: np.random.Generator, n: int, individual: np.ndarray) -> np.ndarray:
    """n distinct valid 统一社会信用代码 (91/92 + 3704xx + organisation code + check)."""
    body = rng.choice(10**8, size=n, replace=False)
    digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10  # (n, 8)
    org = (digits @ np.asarray(ORG_WEIGHTS)) % 11
    org_check = (11 - org) % 11  # 10 → X ('X' index in charset = 30)
    org_idx = np.where(org_check == 10, CREDIT_CHARSET.index("X"), org_check)
    region = np.where(rng.random(n) < 0.9, 370406, 370400)
    region_d = (region[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    head = np.stack([np.full(n, 9), np.where(individual, 2, 1)], axis=1)
    first17 = np.concatenate([head, region_d, digits, org_idx[:, None]], axis=1)
    check = credit_check_chars_np(first17)
    full = np.concatenate([first17, check[:, None]], axis=1)
    table = np.frombuffer(CREDIT_CHARSET.encode("ascii"), dtype=np.uint8)
    return table[full].view("S18").ravel().astype(str)


def build_world(seeds: Seeds, cal: Calendar, scale: str, seed: int) -> World:
    rng = rng_for(seed, S_WORLD)
    n = SCALES[scale]
    ind_names = seeds.industry_names
    n_units = len(seeds.unit_names)

    # -- where and what
    unit_share = np.asarray(UNIT_SHARE[:n_units], dtype=float)
    if len(unit_share) < n_units:
        unit_share = np.concatenate([unit_share, np.full(n_units - len(unit_share), 0.05)])
    industry = rng.choice(
        len(ind_names), n, p=_norm([INDUSTRY_SHARE.get(x, 0.02) for x in ind_names])
    )
    unit = np.empty(n, dtype=np.int64)
    for i, name in enumerate(ind_names):
        sel = np.flatnonzero(industry == i)
        bias = np.asarray(INDUSTRY_UNIT_BIAS.get(name, (1.0,) * 11)[:n_units], dtype=float)
        if len(bias) < n_units:
            bias = np.concatenate([bias, np.ones(n_units - len(bias))])
        unit[sel] = rng.choice(n_units, len(sel), p=_norm(unit_share * bias))
    size = rng.choice(3, n, p=[0.18, 0.32, 0.50])
    mine = np.isin(industry, [_idx(ind_names, "非煤矿山"), _idx(ind_names, "民爆")])
    size[mine] = rng.choice(3, int(mine.sum()), p=[0.1, 0.5, 0.4])
    high_risk = np.asarray(seeds.industry_high_risk)[industry]
    mhs_p = np.zeros(len(ind_names))
    for nm, p in (
        ("危险化学品", 0.4),
        ("非煤矿山", 0.08),
        ("烟花爆竹", 0.3),
        ("燃气", 0.3),
        ("民爆", 0.5),
    ):
        if nm in ind_names:
            mhs_p[ind_names.index(nm)] = p
    major_source = rng.random(n) < mhs_p[industry]

    individual = (size == 2) & (rng.random(n) < 0.15)
    codes = credit_codes(rng, n, individual)
    prefix = np.asarray(NAME_PREFIX)[rng.integers(0, len(NAME_PREFIX), n)]
    b1 = np.asarray(BRAND_CHARS)[rng.integers(0, len(BRAND_CHARS), n)]
    b2 = np.asarray(BRAND_CHARS)[rng.integers(0, len(BRAND_CHARS), n)]
    suffix = np.empty(n, dtype=object)
    for i, nm in enumerate(ind_names):
        sel = np.flatnonzero(industry == i)
        opts = SUFFIX.get(nm, SUFFIX["其他"])
        suffix[sel] = np.asarray(opts)[rng.integers(0, len(opts), len(sel))]
    town_short = np.asarray([u.removesuffix("街道").removesuffix("镇") for u in seeds.unit_names])
    town_short = np.where(np.asarray(seeds.unit_names) == "山亭经济开发区", "", town_short)
    use_town = rng.random(n) < 0.3
    name = np.char.add(
        np.char.add(prefix, np.where(use_town, town_short[unit], "")),
        np.char.add(np.char.add(b1, b2), suffix.astype(str)),
    )

    # -- standardization level
    level = rng.choice(5, n, p=[0.01, 0.12, 0.42, 0.25, 0.20])
    level[size == 2] = rng.choice(5, int((size == 2).sum()), p=[0.0, 0.02, 0.18, 0.55, 0.25])
    level[mine] = rng.choice(5, int(mine.sum()), p=[0.04, 0.46, 0.34, 0.0, 0.16])

    # -- lifecycle
    d0, d1 = cal.d0, cal.d1
    new = rng.random(n) < 0.14
    created = np.where(new, rng.integers(d0 + 31, max(d1, d0 + 32), n), d0)
    created = np.minimum(created, d1)
    t_first = np.where(new, created, d0 + rng.integers(2, 25, n))
    t_first = np.minimum(t_first, d1)

    ev_rows: list[dict[str, np.ndarray]] = []

    def event(sel: np.ndarray, day: np.ndarray, **cols: np.ndarray) -> None:
        ok = day <= d1
        ev_rows.append({"i": sel[ok], "day": day[ok], **{k: v[ok] for k, v in cols.items()}})

    status_final = np.zeros(n, dtype=np.int64)  # 0 在营 1 停产 2 关闭
    active_to = np.full(n, d1, dtype=np.int64)
    # status changes
    change = np.flatnonzero(rng.random(n) < 0.11)
    t1 = created[change] + 120 + rng.integers(0, 1200, len(change))
    to = np.where(rng.random(len(change)) < 0.6, 1, 2)
    to[mine[change] & (rng.random(len(change)) < 0.5)] = 1
    event(change, t1, status=to)
    ok1 = t1 <= d1
    status_final[change[ok1]] = to[ok1]
    active_to[change[ok1]] = t1[ok1]
    back = ok1 & (to == 1)
    t2 = t1 + 60 + rng.integers(0, 300, len(change))
    r = rng.random(len(change))
    resume = back & (r < 0.45) & (t2 <= d1)
    close = back & (r >= 0.45) & (r < 0.65) & (t2 <= d1)
    event(change[resume], t2[resume], status=np.zeros(int(resume.sum()), dtype=np.int64))
    event(change[close], t2[close], status=np.full(int(close.sum()), 2))
    status_final[change[resume]] = 0
    active_to[change[resume]] = d1
    status_final[change[close]] = 2

    # standardization upgrades: 非煤矿山/民爆 to 二级 in 2024–2025 (most, not all)
    up = np.flatnonzero(mine & (level >= 2) & (rng.random(n) < 0.85))
    tu = rng.integers(day_of(date(2024, 3, 1)), day_of(date(2025, 11, 30)), len(up))
    tu = np.maximum(tu, created[up] + 30)
    event(up, tu, level=np.full(len(up), 1))
    other = np.flatnonzero(~mine & (level >= 2) & (level <= 3) & (rng.random(n) < 0.06))
    to_l = np.where(level[other] == 2, 1, 2)
    event(other, created[other] + 200 + rng.integers(0, 900, len(other)), level=to_l)

    # principal changes (during 2023)
    rng_p = rng_for(seed, S_WORLD * 100 + 1)
    pchg = np.flatnonzero((rng.random(n) < 0.06) & (created < day_of(date(2023, 10, 1))))
    n_people = n + len(pchg)
    pid = people.id_numbers(rng_p, n_people, 1, 299).to_numpy()
    pname = people.names(rng_p, n_people).to_numpy()
    pphone = people.mobiles(rng_p, n_people).to_numpy()
    tp = np.minimum(
        created[pchg] + 30 + rng.integers(0, 240, len(pchg)), day_of(date(2023, 12, 20))
    )
    new_pi = n + np.arange(len(pchg))
    event(pchg, tp, person=new_pi)
    principal = np.arange(n)
    principal[pchg[tp <= d1]] = new_pi[tp <= d1]

    # phone number changes (a few)
    phchg = np.flatnonzero(rng.random(n) < 0.04)
    tph = created[phchg] + 60 + rng.integers(0, 1000, len(phchg))
    rng_ph = rng_for(seed, S_WORLD * 100 + 2)
    event(phchg, tph, phone=people.mobiles(rng_ph, len(phchg)).to_numpy())

    # -- versions: initial rows + events, forward-filled
    base = pl.DataFrame(
        {
            "i": np.arange(n),
            "day": t_first,
            "status": np.zeros(n, dtype=np.int64),
            "level": level,
            "person": np.arange(n),
            "phone": pphone[:n],
            "k": np.zeros(n, dtype=np.int64),
        }
    )
    frames = [base]
    for k, ev in enumerate(ev_rows, start=1):
        m = len(ev["i"])
        if m == 0:
            continue
        frames.append(
            pl.DataFrame(
                {
                    "i": ev["i"].astype(np.int64),
                    "day": ev["day"].astype(np.int64),
                    "status": ev.get("status", np.full(m, -1)).astype(np.int64),
                    "level": ev.get("level", np.full(m, -1)).astype(np.int64),
                    "person": ev.get("person", np.full(m, -1)).astype(np.int64),
                    "phone": ev["phone"] if "phone" in ev else np.full(m, None, dtype=object),
                    "k": np.full(m, k, dtype=np.int64),
                },
                schema=base.schema,
            )
        )
    v = pl.concat(frames).with_columns(
        [pl.when(pl.col(c) >= 0).then(pl.col(c)) for c in ("status", "level", "person")]
    )
    v = v.with_columns(
        pl.when(pl.col("status") >= 0).then(pl.col("status")).alias("status"),
        pl.when(pl.col("level") >= 0).then(pl.col("level")).alias("level"),
        pl.when(pl.col("person") >= 0).then(pl.col("person")).alias("person"),
    ).sort("i", "day", "k")
    v = v.with_columns(pl.col("status", "level", "person", "phone").forward_fill().over("i"))
    # one row per enterprise and day (events on the same day merge into the last one)
    v = v.group_by("i", "day", maintain_order=True).last()
    # a phone change of the principal comes with the principal
    ii = v["i"].to_numpy()
    person = v["person"].to_numpy()
    day = v["day"].to_numpy()
    ts = work_time(rng, day)
    # strictly increasing per enterprise
    ts = _strictly_increasing(ii, ts)
    keep = ts <= cal.end_ts
    v = v.with_columns(pl.Series("_ts", ts)).filter(pl.Series(keep))
    ii, person = v["i"].to_numpy(), v["person"].to_numpy()
    phone_col = v["phone"].to_numpy()
    phone_col = np.where(person >= n, pphone[np.minimum(person, n_people - 1)], phone_col)

    status_names = np.asarray(["在营", "停产", "关闭"])
    scale_names = np.asarray(["规上", "规下", "小微"])
    versions = pl.DataFrame(
        {
            "credit_code": codes[ii],
            "enterprise_name": name[ii],
            "town": np.asarray(seeds.unit_names)[unit[ii]],
            "industry": np.asarray(ind_names)[industry[ii]],
            "scale": scale_names[size[ii]],
            "is_high_risk": fmt_bool(high_risk[ii]),
            "has_major_hazard_source": fmt_bool(major_source[ii]),
            "standardization_level": np.asarray(LEVEL_ORDER)[v["level"].to_numpy()],
            "operating_status": status_names[v["status"].to_numpy()],
            "principal_name": pname[person],
            "principal_id_number": pid[person],
            "phone": phone_col,
            "updated_at": fmt_ts(v["_ts"].to_numpy()),
            "_ts": v["_ts"].to_numpy(),
        }
    )
    log.info("enterprises: %d enterprises, %d versions", n, versions.height)
    return World(
        seeds=seeds,
        cal=cal,
        scale=scale,
        n=n,
        credit_code=codes,
        name=name,
        unit=unit,
        industry=industry,
        size=size,
        high_risk=high_risk,
        active_from=created,
        active_to=np.where(status_final == 0, d1, active_to),
        active_at_end=status_final == 0,
        principal_id=pid[principal],
        principal_name=pname[principal],
        versions=versions,
    )


def _strictly_increasing(group: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Within runs of equal ``group`` (sorted), make ``ts`` strictly increasing (≥ +60 s)."""
    ts = ts.astype(np.int64).copy()
    if len(ts) < 2:
        return ts
    same = np.concatenate([[False], group[1:] == group[:-1]])
    # iterate a few times: runs are short (≤ 6 versions)
    for _ in range(8):
        prev = np.concatenate([[0], ts[:-1]])
        bad = same & (ts <= prev)
        if not bad.any():
            break
        ts[bad] = prev[bad] + 60 + (ts[bad] % 600)
    return ts


def _norm(p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return p / p.sum()


def _idx(names: list[str], name: str) -> int:
    return names.index(name) if name in names else -1
