"""Vectorised normalisation and parsing of a raw extract (polars expressions, no per-row Python).

For every contract column ``c`` the normalised frame holds
- ``c``      the normalised text (invisible characters — zero-width, bidi controls, soft hyphen … —
             removed, NFKC, trimmed of any Unicode blank, empty → NULL; credit codes and ID numbers
             upper-cased; enum / seed values in their canonical spelling; in every non-PII column,
             ID numbers and mobile numbers inside the text replaced by ``contract.PII_MASK``),
- ``c__v``   the typed value (date, datetime, int, decimal, bool columns),
- ``c__ok``  whether the non-empty text parses / passes its format check (NULL when empty),
- ``c__range_ok``  (int, decimal) the parsed value is finite and within the column's
             ``max_value`` (NULL when empty or unreadable),
- ``c__chars_ok`` / ``c__script_ok``  (columns with a ``charset``: keys) only allowed characters /
             no letters of several scripts (NULL when empty).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from zhiben.codes import is_valid_id_number
from zhiben.contract import BOOL_FALSE, BOOL_TRUE, PII_MASK, Column, Extract, deletion_keeps
from zhiben.ingest.checks import credit_code_ok, id_number_ok
from zhiben.ingest.refdata import RefData
from zhiben.ingest.sources import resolve_area_path

DATE_RE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|T)(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?$"
)
INT_RE = r"^[+-]?\d+(\.0*)?$"
DECIMAL_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
#: the only commas a number may hold: thousands separators, every group of 3 digits (1,234.5);
#: anything else with a comma (1,5 · 12,34,567 · ,5) is `bad_number`, never read as 15
GROUPED_RE = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"

#: invisible characters removed from all text: format characters (zero-width spaces and joiners,
#: bidi embeddings / overrides / isolates U+202A–U+202E, U+2066–U+2069, U+FEFF, U+00AD, the
#: Unicode tags …), the combining grapheme joiner and the Hangul fillers
INVISIBLE_RE = r"[\p{Cf}\x{034F}\x{115F}\x{1160}\x{3164}\x{FFA0}]"

#: text that may hold an ID number or a mobile number (polars regex, no look-around; ASCII classes:
#: Unicode \d and \s made it 20x slower): a cheap filter; the exact masking (`mask_pii`) runs on
#: the few values it lets through
PII_CANDIDATE_RE = (
    r"(?:^|[^0-9])(?:(?:86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}|[0-9]{17}[0-9Xx])"
    r"(?:[^0-9]|$)"
)
_PHONE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")

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
    """Invisible characters out + NFKC + trim + empty → NULL, fast: NFKC only runs on the values
    that may change, among the rows at positions `candidates` (the rows of files that are not
    NFKC-clean; None = none)."""
    name = s.name
    invisible = s.str.contains(INVISIBLE_RE).fill_null(False)
    if invisible.any():
        idx = invisible.arg_true()
        s = s.scatter(idx, s.gather(idx).str.replace_all(INVISIBLE_RE, ""))
    s = s.str.strip_chars(BLANKS)
    if candidates is not None and len(candidates):
        sub = s.gather(candidates)
        need = sub.str.contains(_MAYBE_NOT_NFKC).fill_null(False)
        if need.any():
            idx = candidates.filter(need)
            fixed = (
                s.gather(idx)
                .str.normalize("NFKC")
                .str.replace_all(INVISIBLE_RE, "")
                .str.strip_chars(BLANKS)
            )
            s = s.scatter(idx, fixed)
    return pl.select(
        pl.when(s.str.len_bytes() == 0).then(None).otherwise(s).alias(name)
    ).to_series()


def mask_pii(value: str) -> str:
    """`value` with every ID number (17 digits + a valid GB 11643 check character and birth date)
    and every mainland mobile number (1[3-9] + 9 digits, optionally +86 and separated 3-4-4)
    replaced by PII_MASK."""

    def id_number(m: re.Match[str]) -> str:
        return PII_MASK if is_valid_id_number(m.group(0).upper()) else m.group(0)

    return _PHONE.sub(PII_MASK, _ID_NUMBER.sub(id_number, value))


def mask_pii_series(s: pl.Series, credit_codes: bool = False) -> pl.Series:
    """:func:`mask_pii` on the values of `s` that may hold PII (few: a regex finds them).
    `credit_codes`: a column of credit codes, whose valid codes are left as they are."""
    hit = s.str.contains(PII_CANDIDATE_RE).fill_null(False)
    if credit_codes and hit.any():  # all-digit credit codes are candidates: check them at once
        valid = map_unique(s, lambda u: pl.select(credit_code_ok(pl.lit(u))).to_series())
        hit = hit & ~valid.fill_null(False)
    if not hit.any():
        return s
    idx = hit.arg_true()
    masked = [mask_pii(v) for v in s.gather(idx).to_list()]
    return s.scatter(idx, pl.Series(masked, dtype=pl.String))


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
        elif k == "town":  # the area columns of a mapped source system (zhiben.ingest.sources)
            t = resolve_area_path(t, ref.town_to_unit)
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
        if k not in ("pii", "pii_id"):
            t = mask_pii_series(t, credit_codes=k == "credit_code")
        out.append(t)
    return pl.DataFrame(out)


def _number(col: Column, t: pl.Expr) -> list[pl.Expr]:
    """``__v``, ``__ok`` and ``__range_ok`` of an int / decimal column. Empty: ``__v`` 0 (int) or
    NULL (decimal). Unreadable (incl. a comma that is not a thousands separator): ``__ok`` false.
    Readable but not finite (400 nines) or beyond ``max_value`` (a 20-digit count): ``__range_ok``
    false — and ``__v`` NULL in both cases, never a wrapped or clamped number."""
    c = col.name
    s = pl.when(t.str.contains(GROUPED_RE)).then(t.str.replace_all(",", "")).otherwise(t)
    f = s.cast(pl.Float64, strict=False)
    # (a Unicode digit other than 0-9 matches \d but does not cast: unreadable, not out of range)
    good = s.str.contains(INT_RE if col.kind == "int" else DECIMAL_RE) & f.is_not_null()
    in_range = f.is_finite()
    if col.max_value is not None:
        in_range = in_range & (f.abs() <= col.max_value)
    in_range = in_range.fill_null(False)
    value = f.cast(pl.Int64, strict=False) if col.kind == "int" else f
    v = pl.when(good & in_range).then(value)
    if col.kind == "int":
        v = pl.when(t.is_null()).then(0).otherwise(v)
    return [
        v.alias(f"{c}__v"),
        _ok(t, good).alias(f"{c}__ok"),
        pl.when(good.fill_null(False)).then(in_range).alias(f"{c}__range_ok"),
    ]


#: a letter of neither the Latin nor the Han script (Cyrillic, Greek, kana …)
_OTHER_SCRIPT = r"[\p{L}&&[^\p{Latin}\p{Han}]]"


def _key_chars(col: Column, t: pl.Expr) -> list[pl.Expr]:
    """``__script_ok`` (no letter of another script beside Latin / Han letters: a Cyrillic Н in
    YН2026…) and ``__chars_ok`` (only the column's `charset`; NULL when the script rule fails)."""
    c = col.name
    mixed = t.str.contains(_OTHER_SCRIPT) & t.str.contains(r"[\p{Latin}\p{Han}]")
    chars = t.str.contains(f"^[{col.charset}]+$")
    return [
        _ok(t, ~mixed).alias(f"{c}__script_ok"),
        pl.when(t.is_null() | mixed).then(None).otherwise(chars).alias(f"{c}__chars_ok"),
    ]


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
                t.str.split(col.sep)
                .list.eval(pl.element().str.strip_chars().replace(canon))
                .list.eval(pl.element().filter(pl.element() != ""))
            )
            exprs.append(
                pl.when(t.is_null()).then(None).otherwise(parts.list.join(col.sep)).alias(c)
            )
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
        elif k in ("int", "decimal"):
            exprs += _number(col, t)
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
        if col.charset is not None:
            exprs += _key_chars(col, t)
    out = texts.with_columns(series) if series else texts
    return out.with_columns(exprs) if exprs else out


def _task_columns(ref: RefData) -> list[pl.Expr]:
    """tasks (SPEC §10.1, §10.5): ``owner_code`` (a unit by name or alias, else a department by
    its seed name), the version key ``task_key`` (任务编号|owner code; the raw 责任单位 while it
    does not resolve) and the cross-row facts the suite checks (NULL = not applicable)."""
    owner = pl.col("owner")
    code = pl.coalesce(
        owner.replace_strict(ref.town_to_unit, default=None, return_dtype=pl.String),
        owner.replace_strict(ref.department_codes, default=None, return_dtype=pl.String),
    )
    pair = pl.concat_str([pl.col("task_id"), pl.lit("|"), code])
    known_task = pl.col("task_id").is_in(sorted(ref.task_ids))
    return [
        code.alias("owner_code"),
        pl.concat_str([pl.col("task_id"), pl.lit("|"), pl.coalesce(code, owner)]).alias("task_key"),
        pl.when(owner.is_not_null()).then(code.is_not_null()).alias("_owner_ok"),
        pl.when(known_task & code.is_not_null())
        .then(pair.is_in(sorted(ref.task_owner_pairs)))
        .alias("_owner_of_task_ok"),
        pl.when(pl.col("is_done__v").fill_null(False))
        .then(pl.col("completed_date").is_not_null())
        .alias("_completed_ok"),
        # 完成日期 with 是否完成 = 否 is ignored (SPEC §10.5): only a done row's date is checked
        pl.when(pl.col("is_done__v").fill_null(False))
        .then(pl.col("completed_date__v"))
        .alias("completed_date__if_done"),
        pl.col("updated_at__v").dt.date().alias("updated_at__date"),
    ]


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
    if extract.name == "tasks":
        extra += _task_columns(ref)
    if extract.name == "reports":
        extra.append(
            (pl.col("reporter_name").is_null() & pl.col("reporter_phone").is_null()).alias(
                "is_anonymous"
            )
        )
    n = n.with_columns(extra) if extra else n
    return blank_deletions(extract, _unknown_when_absent(extract, n, frame))


def blank_deletions(extract: Extract, n: pl.DataFrame) -> pl.DataFrame:
    """SPEC §10.5: a deletion row (是否删除 = 是) keeps only its key, 更新时间 and 是否删除; every
    other value (text, typed, checks, derived columns) becomes NULL, so it is neither validated
    (the failures on those columns are dropped, `suites.validate`) nor landed. A malformed
    是否删除 (`is_deleted__v` NULL) deletes nothing: the row is validated whole and quarantined."""
    if "is_deleted__v" not in n.columns or not n["is_deleted__v"].any():
        return n
    keep = {"_file", "_line", "_read_seq", "_nfkc_dirty"}
    for c in deletion_keeps(extract):
        keep |= {c, *(x for x in n.columns if x.startswith(f"{c}__"))}
    deleted = pl.col("is_deleted__v")
    return n.with_columns(
        pl.when(deleted).then(None).otherwise(pl.col(c)).alias(c)
        for c in n.columns
        if c not in keep
    )


def _unknown_when_absent(extract: Extract, n: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """The optional columns of SPEC §10.1 in rows of a file without them: typed values NULL
    (unknown — an empty cell in a file WITH the column reads as 否 / 0 as before), and
    ``is_<column>_known`` = whether the row's file has the column (for text columns, where an
    empty cell and an absent column are both NULL)."""
    cols = [c for c in extract.columns if c.unknown_when_absent]
    if not cols:
        return n
    marks = frame["_absent"] if "_absent" in frame.columns else None
    exprs = []
    for col in cols:
        if marks is None:
            absent = pl.repeat(False, n.height, eager=True)
        else:
            absent = marks.str.contains(f",{col.name},", literal=True).fill_null(False)
        exprs.append(pl.lit(~absent).alias(f"is_{col.name}_known"))
        if f"{col.name}__v" in n.columns:
            exprs.append(
                pl.when(pl.lit(absent))
                .then(None)
                .otherwise(pl.col(f"{col.name}__v"))
                .alias(f"{col.name}__v")
            )
    return n.with_columns(exprs)
