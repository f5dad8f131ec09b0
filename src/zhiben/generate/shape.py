"""`zhiben generate --shape <system>`: the same generated drop, written as a source system
exports it (its tables, headers, codes, date formats, area columns, record state), by inverting
the system's mapping in ``sources/<system>.yml``. Loading it must give the same marts as the
contract-shaped drop of the same data (tests/test_sources.py).

Each record goes, with all its versions, to the first table of its extract whose mapping can
write every one of its values (and whose `generate_when` it meets); a file
``<extract>/<extract>_<month>.csv`` becomes ``<extract>/<TABLE>_<month>.csv`` per table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from zhiben.contract import EXTRACTS, Extract
from zhiben.ingest.sources import Table, system_tables


def _inverse(table: Table, column: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, value in table.values.get(column, {}).items():
        out.setdefault(value, []).append(code)
    return out


def _fits(table: Table, extract: Extract, rows: pl.DataFrame) -> pl.Series:
    """Per row: the table can write every non-empty value of it (and `generate_when` holds)."""
    ok = pl.repeat(True, rows.height, eager=True)
    for c in extract.columns:
        if c.zh not in rows.columns:
            continue
        # an empty cell ("" as the generator may write it) holds no value
        v = rows.select(pl.when(pl.col(c.zh) == "").then(None).otherwise(pl.col(c.zh))).to_series()
        mapped = (
            c.name in table.columns
            or c.name in table.constants
            or (c.name == "town" and table.area)
        )
        if not mapped:
            ok = ok & v.is_null()
        elif c.name in table.values:
            ok = ok & (v.is_null() | v.is_in(list(_inverse(table, c.name))))
        if c.name in table.generate_when:
            ok = ok & v.is_in(list(table.generate_when[c.name])).fill_null(False)
    return ok


def _format_date(v: str | None, fmt: str) -> str | None:
    if v is None:
        return None
    parsed = dt.datetime.fromisoformat(v)
    return parsed.strftime(fmt)


def _to_export(table: Table, extract: Extract, rows: pl.DataFrame, first: pl.Series):
    """Contract-shaped text rows → the table's own columns (`first`: the record's first version,
    for a record-state code such as insert / update)."""
    out: dict[str, pl.Series] = {}
    for c in extract.columns:
        v = (
            rows[c.zh]
            if c.zh in rows.columns
            else pl.repeat(None, rows.height, dtype=pl.String, eager=True)
        )
        if c.name == "town" and table.area:
            above = list(table.area_above_town)[: len(table.area) - 1]
            above += [""] * (len(table.area) - 1 - len(above))
            for h, fill in zip(table.area[:-1], above, strict=True):
                out[h] = pl.Series(h, [fill] * rows.height, dtype=pl.String)
            out[table.area[-1]] = v.alias(table.area[-1])
            continue
        if c.name not in table.columns:
            continue
        h = table.columns[c.name]
        if c.name == "is_deleted":
            v = v.fill_null("否")
        if c.name in table.dates:
            fmt = table.dates[c.name]
            v = pl.Series([_format_date(x, fmt) for x in v.to_list()], dtype=pl.String)
        if c.name in table.values:
            inv = _inverse(table, c.name)
            v = pl.Series(
                [
                    None if x is None or x == "" else inv[x][0] if f else inv[x][-1]
                    for x, f in zip(v.to_list(), first.to_list(), strict=True)
                ],
                dtype=pl.String,
            )
        out[h] = v.alias(h)
    return pl.DataFrame([out[h] for h in table.headers if h in out])


def reshape(out: Path, system: str) -> list[str]:
    """Rewrite the contract-shaped files of the extracts `system` maps into its own shape;
    returns the files written (relative to `out`)."""
    tables = system_tables(system)
    written: list[str] = []
    for extract_name in dict.fromkeys(t.extract for t in tables):
        extract = EXTRACTS[extract_name]
        mine = [t for t in tables if t.extract == extract_name]
        files = sorted((out / extract_name).glob(f"{extract_name}_*.csv"))
        frames = [
            pl.read_csv(p, infer_schema=False).with_columns(pl.lit(p.stem).alias("_stem"))
            for p in files
        ]
        if not frames:
            continue
        rows = pl.concat(frames, how="diagonal").with_row_index("_seq")
        key = extract.column(extract.key).zh
        first = rows[key].is_first_distinct()
        # a record goes, with all its versions, to the first table that can write them all
        choice = pl.repeat(None, rows.height, dtype=pl.String, eager=True)
        for t in mine:
            fits = pl.DataFrame({"k": rows[key], "f": _fits(t, extract, rows)})
            whole = fits.group_by("k").agg(pl.col("f").all())
            ok = rows[key].replace_strict(whole["k"], whole["f"], return_dtype=pl.Boolean)
            choice = pl.select(
                pl.when(pl.lit(choice).is_null() & pl.lit(ok)).then(pl.lit(t.table))
                .otherwise(pl.lit(choice))
            ).to_series()  # fmt: skip
        if choice.is_null().any():
            bad = rows.filter(choice.is_null())[key].head(3).to_list()
            raise ValueError(f"{system}: {extract_name} 记录 {bad} 无法写成任何一张表的格式")
        rows = rows.with_columns(choice.alias("_table"), first.alias("_first"))
        for p in files:
            p.unlink()
        for t in mine:
            part = rows.filter(pl.col("_table") == t.table)
            for stem in sorted(part["_stem"].unique().to_list()):
                month = stem.removeprefix(f"{extract_name}_")
                sub = part.filter(pl.col("_stem") == stem).sort("_seq")
                df = _to_export(t, extract, sub, sub["_first"])
                rel = f"{extract_name}/{t.table}_{month}.csv"
                data = df.write_csv()
                enc = "gb18030" if t.encoding == "gb18030" else "utf-8"
                (out / rel).write_bytes(data.encode(enc))
                written.append(rel)
    return written
