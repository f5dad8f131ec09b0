"""Vectorised normalisation and parsing of a raw extract (polars expressions, no per-row Python).

For every contract column ``c`` the normalised frame holds
- ``c``      the normalised text (NFKC, trimmed of any Unicode blank, empty → NULL; credit codes and
             ID numbers upper-cased; enum / seed values in their canonical spelling),
- ``c__v``   the typed value (date, datetime, int, decimal, bool columns),
- ``c__ok``  whether the non-empty text parses / passes its format check (NULL when empty).
"""

from __future__ import annotations

import unicodedata

import polars as pl

from zhiben.contract import BOOL_FALSE, BOOL_TRUE, Extract
from zhiben.ingest.checks import credit_code_ok, id_number_ok
from zhiben.ingest.refdata import RefData

_BLANKS = r"[\s\u200b\u200c\u200d\u2060\ufeff]"
_TRIM = rf"^{_BLANKS}+|{_BLANKS}+$"

DATE_RE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|T)(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?$"
)
INT_RE = r"^[+-]?\d+(\.0*)?$"
DECIMAL_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"

_TRUE = tuple({v.upper() for v in BOOL_TRUE})
_FALSE = tuple({v.upper() for v in BOOL_FALSE})


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip()


def norm_text(e: pl.Expr) -> pl.Expr:
    t = e.str.normalize("NFKC").str.replace_all(_TRIM, "")
    return pl.when(t == "").then(None).otherwise(t)


def parse_datetime(t: pl.Expr) -> pl.Expr:
    """Normalised text → Datetime(us); NULL when empty or unreadable (including 2024-02-30)."""
    g = t.str.extract_groups(DATE_RE)

    def part(i: int, default: str | None = None) -> pl.Expr:
        f = g.struct.field(str(i))
        if default is not None:
            f = (
                pl.when(f.is_null() & g.struct.field("1").is_not_null())
                .then(pl.lit(default))
                .otherwise(f)
            )
        return f.str.zfill(2)

    iso = pl.concat_str(
        [
            part(1),
            pl.lit("-"),
            part(2),
            pl.lit("-"),
            part(3),
            pl.lit(" "),
            part(4, "0"),
            pl.lit(":"),
            part(5, "0"),
            pl.lit(":"),
            part(6, "0"),
        ]
    )
    return iso.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")


def _ok(text: pl.Expr, good: pl.Expr) -> pl.Expr:
    return pl.when(text.is_null()).then(None).otherwise(good.fill_null(False))


def _canon(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    return {nfkc(v): v for v in values}


def column_exprs(extract: Extract, ref: RefData) -> list[pl.Expr]:
    """Expressions producing ``c``, ``c__v``, ``c__ok`` for every contract column."""
    out: list[pl.Expr] = []
    for col in extract.columns:
        c = col.name
        t = norm_text(pl.col(c))
        k = col.kind
        if k in ("credit_code", "pii_id"):
            t = t.str.to_uppercase()
            out.append(t.alias(c))
            check = credit_code_ok(t) if k == "credit_code" else id_number_ok(t)
            out.append(_ok(t, check).alias(f"{c}__ok"))
        elif k == "enum":
            out.append(t.replace(_canon(col.values)).alias(c))
        elif k == "enum_list":
            canon = _canon(col.values)
            parts = (
                t.str.split(";")
                .list.eval(pl.element().str.strip_chars().replace(canon))
                .list.eval(pl.element().filter(pl.element() != ""))
            )
            out.append(pl.when(t.is_null()).then(None).otherwise(parts.list.join(";")).alias(c))
            good = parts.list.eval(pl.element().is_in(list(col.values))).list.all()
            out.append(_ok(t, good).alias(f"{c}__ok"))
        elif k == "industry":
            out.append(t.replace(ref.industries).alias(c))
        elif k == "accident_type":
            out.append(t.replace(ref.accident_types).alias(c))
        elif k == "department":
            mapping = dict(ref.department_names)
            if extract.name in ("inspections", "penalties"):
                for alias, name in ref.town_to_unit_name.items():
                    mapping.setdefault(alias, name)
            out.append(t.replace(mapping).alias(c))
        elif k in ("date", "datetime"):
            out.append(t.alias(c))
            ts = parse_datetime(t)
            out.append((ts.dt.date() if k == "date" else ts).alias(f"{c}__v"))
            out.append(_ok(t, ts.is_not_null()).alias(f"{c}__ok"))
        elif k == "int":
            out.append(t.alias(c))
            s = t.str.replace_all(",", "")
            good = s.str.contains(INT_RE)
            v = (
                pl.when(t.is_null())
                .then(0)
                .when(good)
                .then(s.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False))
            )
            out.append(v.alias(f"{c}__v"))
            out.append(_ok(t, good).alias(f"{c}__ok"))
        elif k == "decimal":
            out.append(t.alias(c))
            s = t.str.replace_all(",", "")
            good = s.str.contains(DECIMAL_RE)
            out.append(pl.when(good).then(s.cast(pl.Float64, strict=False)).alias(f"{c}__v"))
            out.append(_ok(t, good).alias(f"{c}__ok"))
        elif k == "bool":
            out.append(t.alias(c))
            u = t.str.to_uppercase()
            v = (
                pl.when(t.is_null())
                .then(False)
                .when(u.is_in(_TRUE))
                .then(True)
                .when(u.is_in(_FALSE))
                .then(False)
            )
            out.append(v.alias(f"{c}__v"))
            out.append(_ok(t, v.is_not_null()).alias(f"{c}__ok"))
        else:  # text, key, town, pii
            out.append(t.alias(c))
    return out


def normalise(extract: Extract, frame: pl.DataFrame, ref: RefData) -> pl.DataFrame:
    """Raw text frame (``_file``, ``_line``, ``_read_seq`` + contract columns) → normalised frame."""
    n = frame.select(pl.col("_file", "_line", "_read_seq"), *column_exprs(extract, ref))
    cols = {c.name for c in extract.columns}
    extra: list[pl.Expr] = []
    if "town" in cols:
        extra.append(
            pl.col("town")
            .replace_strict(ref.town_to_unit, default=None, return_dtype=pl.String)
            .alias("unit_code")
        )
    if extract.name == "drills":
        org = pl.col("organiser_name")
        extra.append(
            pl.when(pl.col("organiser_type") != "企业")
            .then(org.replace_strict(ref.town_to_unit, default=None, return_dtype=pl.String))
            .alias("organiser_unit_code")
        )
        extra.append(
            pl.when(pl.col("organiser_type") != "企业")
            .then(org.replace_strict(ref.department_codes, default=None, return_dtype=pl.String))
            .alias("organiser_department_code")
        )
    if extract.name == "reports":
        extra.append(
            (pl.col("reporter_name").is_null() & pl.col("reporter_phone").is_null()).alias(
                "is_anonymous"
            )
        )
    return n.with_columns(extra) if extra else n
