"""Check characters of Chinese identification codes, shared by the generator and the loader.

- 统一社会信用代码 (GB 32100-2015): 18 characters of ``0-9A-HJ-NPQRTUWXY``; the 18th is a check
  character over the first 17 (weights 3^i mod 31).
- 居民身份证号码 (GB 11643-1999): 17 digits and a check character (ISO 7064 MOD 11-2; ``X`` = 10).

Validators take an already normalised string (NFKC, trimmed, upper-cased) and return a bool.
The ``*_check_char`` helpers and the vectorised numpy variants are used by the generator.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARSET)}
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")

#: GB 11714 organisation code (positions 9-17 of the credit code) check weights
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(s: str | None) -> bool:
    """True when ``s`` is an 18-character 统一社会信用代码 with a correct check character."""
    if not isinstance(s, str) or not _CREDIT_RE.match(s):
        return False
    return credit_check_char(s[:17]) == s[17]


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_id_number(s: str | None) -> bool:
    """True when ``s`` is an 18-character resident ID number: 17 digits, a valid birth date
    (1900-01-01 … 2099-12-31) and a correct check character (``X`` upper-case)."""
    if not isinstance(s, str) or not _ID_RE.match(s):
        return False
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2099:
        return False
    return id_check_char(s[:17]) == s[17]


# ---------------------------------------------------------------- vectorised (generator)


def credit_check_chars_np(values: np.ndarray) -> np.ndarray:
    """Check-character indices (0..30) for an (n, 17) array of charset indices."""
    total = values.astype(np.int64) @ np.asarray(CREDIT_WEIGHTS, dtype=np.int64)
    return (31 - total % 31) % 31


def id_check_chars_np(digits: np.ndarray) -> np.ndarray:
    """Check characters (as ASCII codes) for an (n, 17) array of digits 0..9."""
    total = digits.astype(np.int64) @ np.asarray(ID_WEIGHTS, dtype=np.int64)
    table = np.frombuffer(ID_CHECK.encode("ascii"), dtype=np.uint8)
    return table[total % 11]


def ascii_rows_to_str(codes: np.ndarray) -> list[str]:
    """(n, k) uint8 ASCII codes → list of k-character strings."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    k = codes.shape[1]
    return [b.decode("ascii") for b in codes.view(f"S{k}").ravel()]
