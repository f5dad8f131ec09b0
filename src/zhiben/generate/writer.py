"""Writing a raw drop: one folder per extract, one file per month, Chinese headers (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from zhiben.contract import EXTRACTS

#: how a file is written: "utf-8", "utf-8-sig" (BOM), "gb18030", or "xlsx"
Encoding = str


@dataclass
class OutFile:
    """One file of the drop: its rows as text columns with English names (contract order)."""

    rel: str  # '/'-separated, relative to the drop root
    extract: str
    df: pl.DataFrame
    encoding: Encoding = "utf-8"
    #: columns written as real Excel dates in XLSX files
    excel_dates: tuple[str, ...] = ()


def monthly_files(extract: str, df: pl.DataFrame, months: list[str]) -> list[OutFile]:
    """Split an extract's rows (with ``_ts``) into monthly files ``<extract>/<extract>_<YYYY-MM>.csv``
    by the month of 更新时间; every month of the period gets a file (header only when empty)."""
    # an optional column (SPEC §10.1) is written only when the generator made it
    cols = [c.name for c in EXTRACTS[extract].columns if c.header_required or c.name in df.columns]
    df = df.sort("_ts", maintain_order=True)
    ts = df["_ts"].to_numpy()
    starts = np.asarray([np.datetime64(f"{m}-01", "s").astype(np.int64) for m in months])
    bounds = np.searchsorted(ts, np.concatenate([starts, [np.iinfo(np.int64).max]]), side="left")
    body = df.select(cols)
    out = []
    for i, m in enumerate(months):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        out.append(OutFile(f"{extract}/{extract}_{m}.csv", extract, body.slice(lo, hi - lo)))
    return out


def write_file(root: Path, f: OutFile, append: bool = False) -> int:
    """Write one file (or append rows to it, without a header); returns the rows written."""
    path = root / f.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    zh = {c.name: c.zh for c in EXTRACTS[f.extract].columns}
    df = f.df.rename({k: v for k, v in zh.items() if k in f.df.columns})
    # an empty text cell is written empty, not as `""` (polars quotes an empty string): the
    # same cell to a reader, and the files stay plain rows of fields
    df = df.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )
    if append:
        if f.encoding == "xlsx":
            raise ValueError(f"cannot append to {f.rel}")
        enc = "utf-8" if f.encoding == "utf-8-sig" else f.encoding
        with path.open("ab") as fh:
            fh.write(df.write_csv(include_header=False).encode(enc))
        return df.height
    if f.encoding == "xlsx":
        _write_xlsx(path, f, df)
    elif f.encoding == "utf-8":
        df.write_csv(path)
    elif f.encoding == "utf-8-sig":
        df.write_csv(path, include_bom=True)
    else:
        data = df.write_csv()
        path.write_bytes(data.encode(f.encoding))
    return df.height


def _write_xlsx(path: Path, f: OutFile, df: pl.DataFrame) -> None:
    import datetime as dt

    import xlsxwriter

    kinds = {c.zh: c.kind for c in EXTRACTS[f.extract].columns}
    names = {c.zh: c.name for c in EXTRACTS[f.extract].columns}
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    # a fixed creation time keeps the bytes deterministic
    wb.set_properties({"created": dt.datetime(2023, 1, 1), "author": "zhiben generate"})
    ws = wb.add_worksheet(EXTRACTS[f.extract].zh)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for j, col in enumerate(df.columns):
        ws.write_string(0, j, col)
    columns = [df[c].to_list() for c in df.columns]
    as_date = [names.get(c) in f.excel_dates and kinds.get(c) == "date" for c in df.columns]
    as_number = [kinds.get(c) in ("int", "decimal") for c in df.columns]
    for i in range(df.height):
        for j, colv in enumerate(columns):
            v = colv[i]
            if v is None:
                continue
            if as_date[j] and _is_iso_date(v):
                ws.write_datetime(i + 1, j, dt.datetime.strptime(v, "%Y-%m-%d"), date_fmt)
            elif as_number[j] and _is_number(v):
                ws.write_number(i + 1, j, float(v))
            else:
                ws.write_string(i + 1, j, v)
    wb.close()


def _is_iso_date(v: str) -> bool:
    return (
        len(v) == 10
        and v[4] == "-"
        and v[7] == "-"
        and v[:4].isascii()
        and v.replace("-", "").isdigit()
    )


def _is_number(v: str) -> bool:
    try:
        return np.isfinite(float(v)) and v.isascii() and v.strip() == v
    except ValueError:
        return False


@dataclass
class WriteLog:
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)

    def add(self, f: OutFile, n: int) -> None:
        if f.rel not in self._seen:
            self._seen.add(f.rel)
            self.files.append(f.rel)
        self.rows[f.extract] = self.rows.get(f.extract, 0) + n
