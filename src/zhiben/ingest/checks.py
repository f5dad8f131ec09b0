"""Vectorised (polars) check characters: GB 32100-2015 credit codes, GB 11643 ID numbers."""

from __future__ import annotations

import polars as pl

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_RE = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_NUMBER_RE = r"^\d{17}[\dX]$"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def credit_code_ok(e: pl.Expr) -> pl.Expr:
    """True when `e` (upper-cased) has the GB 32100 format and check character; null stays null."""
    value = {c: i for i, c in enumerate(CREDIT_CODE_CHARS)}
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(_CC_WEIGHTS):
        total = (
            total + e.str.slice(i, 1).replace_strict(value, default=None, return_dtype=pl.Int64) * w
        )
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(CREDIT_CODE_CHARS)), default=None, return_dtype=pl.String
    )
    return e.str.contains(CREDIT_CODE_RE) & (e.str.slice(17, 1) == expected).fill_null(False)


def id_number_ok(e: pl.Expr) -> pl.Expr:
    """True when `e` (upper-cased) is an 18-char resident ID: 17 digits, a valid birth date
    (1900–2099) and the GB 11643 check character — as `zhiben.codes.is_valid_id_number`."""
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(_ID_WEIGHTS):
        total = total + e.str.slice(i, 1).cast(pl.Int64, strict=False) * w
    expected = (total % 11).replace_strict(
        dict(enumerate(_ID_CHECK)), default=None, return_dtype=pl.String
    )
    born = e.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    born_ok = born.dt.year().is_between(1900, 2099).fill_null(False)
    return (
        e.str.contains(ID_NUMBER_RE) & born_ok & (e.str.slice(17, 1) == expected).fill_null(False)
    )
