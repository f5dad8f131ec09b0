"""How numbers, shares and changes read in the 通报's text: one small module, known answers in
tests/test_report_docx.py.

>>> pct(0.1234), count(1234), rank_change(3), rank_change(-10), rank_change(0)
('12.3%', '1234', '上升3位', '下降10位', '持平')
>>> change(12, 10, "环比"), change(8, 10, "同比"), change(5, 5, "环比"), change(3, 0, "同比")
('环比上升20.0%', '同比下降20.0%', '环比持平', '同比增加3')
>>> cn_numeral(1), cn_numeral(10), cn_numeral(12), cn_numeral(20)
('一', '十', '十二', '二十')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

_DIGITS = "〇一二三四五六七八九"


def pct(share: float | None, digits: int = 1) -> str:
    """A share 0–1 as a percentage with `digits` decimals ('12.3%'); '—' without a value."""
    if share is None or share != share:
        return "—"
    return f"{share * 100:.{digits}f}%"


def count(n: float | None) -> str:
    """A count as written in the text: digits, no separators ('1234'); '—' without a value."""
    if n is None or n != n:
        return "—"
    return str(round(n))


def wan(yuan: float | None) -> str:
    """An amount in 元 written in 万元 with two decimals ('12.35' for 123,456 元)."""
    if yuan is None or yuan != yuan:
        return "—"
    return f"{yuan / 10_000:.2f}"


def score(x: float | None) -> str:
    """A score with two decimals ('87.35')."""
    if x is None or x != x:
        return "—"
    return f"{x:.2f}"


def rank_change(change: int | None) -> str:
    """Rank change (previous rank − rank, positive = moved up): '上升3位' / '下降10位' / '持平',
    '—' when the unit was not ranked the quarter before."""
    if change is None:
        return "—"
    if change > 0:
        return f"上升{change}位"
    if change < 0:
        return f"下降{-change}位"
    return "持平"


def change(current: float, previous: float | None, kind: str) -> str:
    """同比/环比 wording of a count against the comparison period: '环比上升20.0%',
    '同比下降20.0%', '环比持平'; against a previous 0 the difference itself ('同比增加3')."""
    if previous is None:
        return f"{kind}无可比数据"
    if current == previous:
        return f"{kind}持平"
    if previous == 0:
        return f"{kind}增加{count(current)}"
    rel = (current - previous) / previous
    word = "上升" if rel > 0 else "下降"
    return f"{kind}{word}{pct(abs(rel))}"


def cn_numeral(n: int) -> str:
    """1 … 99 in Chinese numerals, as headings count (一、十、十二、二十一)."""
    if not 0 < n < 100:
        raise ValueError(f"cn_numeral: 1 … 99, not {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def cn_date(d: date) -> str:
    """'2026年11月28日' (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def join(names: Sequence[str]) -> str:
    """Names joined with the enumeration comma: '冯卯镇、桑村镇、西集镇'."""
    return "、".join(names)
