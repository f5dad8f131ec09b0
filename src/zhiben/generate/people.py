"""Fake but realistic people: Chinese names, mobile numbers, resident ID numbers (GB 11643)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from zhiben.codes import id_check_chars_np
from zhiben.generate.common import day_of

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔"
)
# rough frequency: the first ones are much more common
_SURNAME_P = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文辉玉梅林斌宇浩凯鹏飞俊峰波亮宁欣晨"
    "雪婷琳颖慧倩鑫鹏佳海燕春秋冬军广庆成德福贵荣昌兴旺振东方立新永生德宝庆山岭泉"
)
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "171",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
#: 370406 = 山亭区; some people are registered elsewhere in 枣庄 (市中/薛城/峄城/台儿庄/滕州)
REGIONS = ("370406", "370402", "370403", "370404", "370405", "370481")
_REGION_P = (0.8, 0.05, 0.04, 0.03, 0.02, 0.06)
BIRTH_FROM = day_of(date(1960, 1, 1))
BIRTH_TO = day_of(date(2002, 12, 31))


def names(rng: np.random.Generator, n: int) -> pl.Series:
    s = np.asarray(SURNAMES)[rng.choice(len(SURNAMES), n, p=_SURNAME_P / _SURNAME_P.sum())]
    g1 = np.asarray(GIVEN)[rng.integers(0, len(GIVEN), n)]
    g2 = np.asarray(GIVEN)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.7
    g2 = np.where(two, g2, "")
    return pl.Series(np.char.add(np.char.add(s, g1), g2), dtype=pl.String)


def mobiles(rng: np.random.Generator, n: int) -> pl.Series:
    pre = np.asarray(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    rest = pl.Series(rng.integers(0, 100_000_000, n)).cast(pl.String).str.zfill(8)
    return pl.Series(pre, dtype=pl.String) + rest


def id_numbers(rng: np.random.Generator, n: int, seq_from: int = 1, seq_to: int = 999) -> pl.Series:
    """n distinct resident ID numbers (born 1960–2002), valid check characters; the
    sequence part is in [seq_from, seq_to] (disjoint ranges give disjoint sets of people)."""
    span = BIRTH_TO - BIRTH_FROM + 1
    width = seq_to - seq_from + 1
    k = rng.choice(span * width, size=n, replace=False)
    born = BIRTH_FROM + k // width
    seq = k % width + seq_from
    region = np.asarray(REGIONS)[rng.choice(len(REGIONS), n, p=_REGION_P)]
    ymd = (np.asarray(born, dtype="datetime64[D]")).astype(str)  # 'YYYY-MM-DD'
    ymd = np.char.replace(ymd, "-", "")
    seq_s = np.char.zfill(seq.astype(str), 3)
    first17 = np.char.add(np.char.add(region, ymd), seq_s)
    digits = np.frombuffer(first17.astype("S17").tobytes(), dtype=np.uint8).reshape(n, 17) - 48
    check = id_check_chars_np(digits)
    full = np.concatenate([digits + 48, check[:, None]], axis=1).astype(np.uint8)
    return pl.Series(full.view("S18").ravel().astype(str), dtype=pl.String)
