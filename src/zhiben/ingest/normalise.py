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


#: Unicode White_Space plus zero-width blanks and the BOM
BLANKS = (
    " \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)
#: a value that may change under NFKC: anything beyond ASCII and the CJK unified ideographs
#: (which NFKC keeps; compatibility ideographs, full-width forms, U+3000 … it does not)
_MAYBE_NOT_NFKC = r"[^\x00-\x7F\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}]"


def norm_series(s: pl.Series, candidates: pl.Series | None) -> pl.Series:
    """NFKC + trim + empty → NULL, fast: NFKC only runs on the values that may change, among the
    rows at positions `candidates` (the rows of files that are not NFKC-clean; None = none)."""
    name = s.name
    s = s.str.strip_chars(BLANKS)
    if candidates is not None and len(candidates):
        sub = s.gather(candidates)
        need = sub.str.contains(_MAYBE_NOT_NFKC).fill_null(False)
        if need.any():
            idx = candidates.filter(need)
            fixed = s.gather(idx).str.normalize("NFKC").str.strip_chars(BLANKS)
            s = s.scatter(idx, fixed)
    return pl.select(
        pl.when(s.str.len_bytes() == 0).then(None).otherwise(s).alias(name)
    ).to_series()


def map_unique(s: pl.Series, fn) -> pl.Series:
    """Apply a costly vectorised `fn` (Series → Series) once per distinct non-null value."""
    u = s.drop_nulls().unique()
    if len(u) * 2 > len(s):
        return fn(s)
    r = fn(u)
    return s.replace_strict(u, r, default=None, return_dtype=r.dtype)


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
            part(1), pl.lit("-"), part(2), pl.lit("-"), part(3), pl.lit(" "),
            part(4, "0"), pl.lit(":"), part(5, "0"), pl.lit(":"), part(6, "0"),
        ]
    )  # fmt: skip
    return iso.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")


def parse_datetime_series(t: pl.Series) -> pl.Series:
    """Fast path for ``YYYY-MM-DD HH:MM:SS``; the general pattern only for the other values."""
    fast = t.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us", exact=True)
    left = fast.is_null() & t.is_not_null()
    if left.any():
        idx = left.arg_true()
        sub = pl.select(parse_datetime(pl.lit(t.gather(idx)))).to_series()
        fast = fast.scatter(idx, sub)
    return fast.alias(t.name)


def _ok(text: pl.Expr, good: pl.Expr) -> pl.Expr:
    return pl.when(text.is_null()).then(None).otherwise(good.fill_null(False))


def _canon(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    return {nfkc(v): v for v in values}


def _texts(extract: Extract, frame: pl.DataFrame, ref: RefData) -> pl.DataFrame:
    """Stage 1: the normalised (canonical) text of every contract column, materialised."""
    dirty = frame["_nfkc_dirty"] if "_nfkc_dirty" in frame.columns else None
    candidates = dirty.arg_true() if dirty is not None and dirty.any() else None
    out = []
    for col in extract.columns:
        t = norm_series(frame[col.name], candidates)
        k = col.kind
        if k in ("credit_code", "pii_id"):
            t = t.str.to_uppercase()
        elif k == "enum":
            t = t.replace(_canon(col.values))
        elif k == "industry":
            t = t.replace(ref.industries)
        elif k == "accident_type":
            t = t.replace(ref.accident_types)
        elif k == "department":
            mapping = dict(ref.department_names)
            if extract.name in ("inspections", "penalties"):
                for alias, name in ref.town_to_unit_name.items():
                    mapping.setdefault(alias, name)
            t = t.replace(mapping)
        out.append(t)
    return pl.DataFrame(out)


def _derived(extract: Extract, texts: pl.DataFrame) -> pl.DataFrame:
    """Stage 2: typed values and format checks from the materialised texts."""
    series: list[pl.Series] = []
    exprs: list[pl.Expr] = []
    for col in extract.columns:
        c, k = col.name, col.kind
        t = pl.col(c)
        if k in ("credit_code", "pii_id"):
            check = credit_code_ok if k == "credit_code" else id_number_ok
            ok = map_unique(
                texts[c], lambda u, check=check: pl.select(check(pl.lit(u))).to_series()
            )
            series.append(
                pl.select(_ok(pl.lit(texts[c]), pl.lit(ok))).to_series().alias(f"{c}__ok")
            )
        elif k == "enum_list":
            canon = _canon(col.values)
            parts = (
                t.str.split(";")
                .list.eval(pl.element().str.strip_chars().replace(canon))
                .list.eval(pl.element().filter(pl.element() != ""))
            )
            exprs.append(pl.when(t.is_null()).then(None).otherwise(parts.list.join(";")).alias(c))
            good = parts.list.eval(pl.element().is_in(list(col.values))).list.all()
            exprs.append(_ok(t, good).alias(f"{c}__ok"))
        elif k in ("date", "datetime"):
            ts = map_unique(texts[c], parse_datetime_series)
            v = ts.dt.date() if k == "date" else ts
            series.append(v.alias(f"{c}__v"))
            series.append(
                pl.select(_ok(pl.lit(texts[c]), pl.lit(ts.is_not_null())))
                .to_series()
                .alias(f"{c}__ok")
            )
        elif k == "int":
            s = t.str.replace_all(",", "")
            good = s.str.contains(INT_RE)
            v = (
                pl.when(t.is_null())
                .then(0)
                .when(good)
                .then(s.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False))
            )
            exprs += [v.alias(f"{c}__v"), _ok(t, good).alias(f"{c}__ok")]
        elif k == "decimal":
            s = t.str.replace_all(",", "")
            good = s.str.contains(DECIMAL_RE)
            exprs += [
                pl.when(good).then(s.cast(pl.Float64, strict=False)).alias(f"{c}__v"),
                _ok(t, good).alias(f"{c}__ok"),
            ]
        elif k == "bool":
            u = t.str.to_uppercase()
            v = (
                pl.when(t.is_null())
                .then(False)
                .when(u.is_in(_TRUE))
                .then(True)
                .when(u.is_in(_FALSE))
                .then(False)
            )
            exprs += [v.alias(f"{c}__v"), _ok(t, v.is_not_null()).alias(f"{c}__ok")]
    out = texts.with_columns(series) if series else texts
    return out.with_columns(exprs) if exprs else out


def normalise(extract: Extract, frame: pl.DataFrame, ref: RefData) -> pl.DataFrame:
    """Raw text frame (``_file``, ``_line``, ``_read_seq``, ``_nfkc_dirty`` + contract columns)
    → normalised frame."""
    n = pl.concat(
        [
            frame.select("_file", "_line", "_read_seq"),
            _derived(extract, _texts(extract, frame, ref)),
        ],
        how="horizontal",
    )
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
