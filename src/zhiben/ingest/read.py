"""File discovery, decoding and reading of a raw drop (SPEC §3).

Every ``*.csv`` / ``*.xlsx`` under ``<raw>/<extract>/`` is read, in sorted path order, all cells as
text. Anything that makes a whole file unreadable raises :class:`ExtractFileError` — the caller
stops the build before anything is written.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from zhiben.contract import EXTRACTS, LOAD_ORDER, Extract

EXTENSIONS = (".csv", ".xlsx")
_BOM = b"\xef\xbb\xbf"


class ExtractFileError(Exception):
    """A raw file that cannot be read as a whole (encoding, format, missing required column)."""

    def __init__(self, file: str, zh: str, en: str):
        self.file = file
        self.zh = zh
        self.en = en
        super().__init__(f"文件 {file} 被整体拒收：{zh} / file {file} rejected: {en}")


@dataclass
class RawFile:
    extract: str
    file: str  # relative to the raw dir, '/'-separated
    encoding: str  # utf-8, utf-8-sig, gb18030, xlsx
    #: the whole file is NFKC-normalised already (normalisation may then skip NFKC)
    nfkc_clean: bool
    #: `_line` (physical line / sheet row, header = 1) and one String column per contract column
    frame: pl.DataFrame

    @property
    def rows_read(self) -> int:
        return self.frame.height


def header_key(name: object) -> str:
    return unicodedata.normalize("NFKC", str(name or "")).strip().strip("\ufeff\u200b").strip()


def discover(raw_dir: Path) -> dict[str, list[tuple[Path, str]]]:
    """Files per extract (sorted by relative path). Hidden files and folders are skipped."""
    out: dict[str, list[tuple[Path, str]]] = {}
    for extract in LOAD_ORDER:
        folder = raw_dir / extract
        files: list[tuple[Path, str]] = []
        if folder.is_dir():
            for p in folder.rglob("*"):
                rel_parts = p.relative_to(folder).parts
                if any(part.startswith(".") for part in rel_parts) or not p.is_file():
                    continue
                rel = p.relative_to(raw_dir).as_posix()
                if p.suffix.lower() not in EXTENSIONS:
                    raise ExtractFileError(
                        rel,
                        "不是 CSV 或 XLSX 文件",
                        "not a CSV or XLSX file",
                    )
                files.append((p, rel))
        files.sort(key=lambda t: t[1])
        out[extract] = files
    if not raw_dir.is_dir():
        raise ExtractFileError(
            str(raw_dir), "原始数据目录不存在", "the raw directory does not exist"
        )
    if not out["enterprises"]:
        raise ExtractFileError(
            "enterprises/",
            "企业台账（enterprises）目录缺失或没有任何文件",
            "the enterprises folder is missing or holds no file",
        )
    return out


def ignored_folders(raw_dir: Path) -> list[str]:
    """Non-hidden folders of the raw dir that are not extracts (not read)."""
    if not raw_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in raw_dir.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in LOAD_ORDER
    )


def _decode(data: bytes, rel: str, check_nfkc: bool = True) -> tuple[bytes, str, bool]:
    """Return the content as UTF-8 bytes without BOM, the encoding detected, and whether the text
    is NFKC-normalised already (False when not checked)."""

    def clean(text: str) -> bool:
        return check_nfkc and unicodedata.is_normalized("NFKC", text)

    if data.startswith(_BOM):
        body = data[len(_BOM) :]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ExtractFileError(
                rel,
                f"带 BOM 但不是有效的 UTF-8 编码（第 {e.start + 3} 字节）",
                f"has a UTF-8 BOM but is not valid UTF-8 (byte {e.start + 3})",
            ) from None
        return body, "utf-8-sig", clean(text)
    try:
        text = data.decode("utf-8")
        return data, "utf-8", clean(text)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise ExtractFileError(
            rel,
            f"文件编码无法识别（不是 UTF-8、UTF-8 BOM 或 GB18030/GBK，第 {e.start} 字节）",
            f"unknown encoding: neither UTF-8, UTF-8 with BOM nor GB18030/GBK (byte {e.start})",
        ) from None
    text = text.lstrip("\ufeff")
    return text.encode("utf-8"), "gb18030", clean(text)


def _header_positions(names: list[str], extract: Extract, rel: str) -> dict[str, int]:
    """Contract column name → position in the file's header; raises on a missing required one."""
    keys = [header_key(n) for n in names]
    pos: dict[str, int] = {}
    for col in extract.columns:
        zh = header_key(col.zh)
        if zh in keys:
            pos[col.name] = keys.index(zh)
        elif col.header_required:
            raise ExtractFileError(
                rel,
                f"缺少必需列「{col.zh}」",
                f"required column '{col.zh}' ({col.name}) is missing",
            )
    return pos


def _select(raw: pl.DataFrame, pos: dict[str, int], extract: Extract, lines: pl.Series):
    cols = [pl.Series("_line", lines, dtype=pl.Int32)]
    for col in extract.columns:
        if col.name in pos:
            cols.append(raw.to_series(pos[col.name]).cast(pl.String).alias(col.name))
        else:
            cols.append(pl.repeat(None, raw.height, dtype=pl.String, eager=True).alias(col.name))
    frame = pl.DataFrame(cols)
    # blank lines / rows whose every cell is blank are not rows
    if raw.width:
        blank = pl.all_horizontal(
            [pl.col(c).cast(pl.String).str.strip_chars().fill_null("").eq("") for c in raw.columns]
        )
        mask = raw.select(blank.alias("b")).to_series()
        if mask.any():
            frame = frame.filter(~mask)
    return frame


def _csv_python(text: str, rel: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Slow path for files with quoted multi-line fields: exact physical start line per row.
    Strict: an unbalanced quote rejects the file instead of swallowing the rows after it."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = next(reader, [])
        prev = reader.line_num
        for rec in reader:
            lines.append(prev + 1)
            prev = reader.line_num
            rows.append(rec)
    except csv.Error as e:
        raise ExtractFileError(
            rel,
            f"CSV 格式错误（第 {reader.line_num} 行附近，引号不配对？）",
            f"malformed CSV near line {reader.line_num} (unbalanced quote?): {e}",
        ) from None
    return header, rows, lines


def _csv_header(data: bytes, rel: str) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    header = next(csv.reader([first]), []) if first.strip() else []
    if not header:
        raise ExtractFileError(rel, "文件为空或缺少表头行", "empty file or no header row")
    return header


def check_csv(path: Path, rel: str, extract: Extract) -> None:
    """The file-level checks without building rows: encoding, header, balanced quotes."""
    data, _encoding, _clean = _decode(path.read_bytes(), rel, check_nfkc=False)
    _header_positions(_csv_header(data, rel), extract, rel)
    if data.count(b'"') % 2:
        raise ExtractFileError(
            rel,
            "CSV 格式错误（引号不配对）",
            "malformed CSV: unbalanced quotes",
        )


def read_csv(path: Path, rel: str, extract: Extract) -> RawFile:
    data, encoding, clean = _decode(path.read_bytes(), rel)
    pos = _header_positions(_csv_header(data, rel), extract, rel)
    try:
        raw = pl.read_csv(
            data,
            has_header=True,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            quote_char='"',
        )
    except Exception as e:  # polars' parse errors
        raise ExtractFileError(
            rel, f"CSV 无法解析（{type(e).__name__}）", f"CSV cannot be parsed: {e}"
        ) from None
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if physical == raw.height + 1:
        lines = pl.int_range(2, raw.height + 2, eager=True)
    else:  # quoted fields span lines: count physical lines exactly
        header, rows, line_list = _csv_python(data.decode("utf-8"), rel)
        width = len(header)
        raw = (
            pl.DataFrame(
                [
                    pl.Series(f"c{i}", [r[i] if i < len(r) else None for r in rows], pl.String)
                    for i in range(width)
                ]
            )
            if rows
            else pl.DataFrame({f"c{i}": pl.Series([], dtype=pl.String) for i in range(width)})
        )
        lines = pl.Series(line_list, dtype=pl.Int32)
    return RawFile(extract.name, rel, encoding, clean, _select(raw, pos, extract, lines))


_EXCEL_EPOCH_DAYS = 25569  # 1970-01-01 as an Excel (1900 system) serial


def _excel_serials(e: pl.Expr, kind: str) -> pl.Expr:
    """Excel date serials (as text) → ISO text; other values unchanged."""
    is_serial = e.str.contains(r"^\d+(\.\d+)?$")
    micros = ((e.cast(pl.Float64, strict=False) - _EXCEL_EPOCH_DAYS) * 86_400).round(0) * 1_000_000
    ts = micros.cast(pl.Int64, strict=False).cast(pl.Datetime("us"))
    fmt = "%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S"
    return pl.when(is_serial).then(ts.dt.strftime(fmt)).otherwise(e)


def _load_xlsx(path: Path, rel: str, n_rows: int | None = None) -> pl.DataFrame:
    import fastexcel

    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(
            0, header_row=0, dtypes="string", n_rows=n_rows
        )
        return sheet.to_polars()
    except Exception as e:
        raise ExtractFileError(
            rel, f"XLSX 无法读取（{type(e).__name__}）", f"XLSX cannot be read: {e}"
        ) from None


def check_xlsx(path: Path, rel: str, extract: Extract) -> None:
    _header_positions(_load_xlsx(path, rel, n_rows=1).columns, extract, rel)


def read_xlsx(path: Path, rel: str, extract: Extract) -> RawFile:
    raw = _load_xlsx(path, rel)
    pos = _header_positions(raw.columns, extract, rel)
    raw = raw.with_columns(pl.all().cast(pl.String))
    lines = pl.int_range(2, raw.height + 2, eager=True)
    frame = _select(raw, pos, extract, lines)
    frame = frame.with_columns(
        _excel_serials(pl.col(c.name).str.strip_chars(), c.kind).alias(c.name)
        for c in extract.columns
        if c.kind in ("date", "datetime")
    )
    return RawFile(extract.name, rel, "xlsx", False, frame)


def read_file(path: Path, rel: str, extract: Extract) -> RawFile:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, rel, extract)
    return read_csv(path, rel, extract)


def check_file(path: Path, rel: str, extract: Extract) -> None:
    if path.suffix.lower() == ".xlsx":
        check_xlsx(path, rel, extract)
    else:
        check_csv(path, rel, extract)


def check_all(raw_dir: Path, progress=print) -> dict[str, list[tuple[Path, str]]]:
    """Pass 1: every file of the drop passes the file-level checks (encoding, format, required
    columns, balanced quotes) — raises on the first that does not — without keeping any rows."""
    found = discover(raw_dir)
    for extract, files in found.items():
        for path, rel in files:
            check_file(path, rel, EXTRACTS[extract])
        if files:
            progress(f"检查 {extract}: {len(files)} 个文件 / files")
    return found


def read_all(raw_dir: Path, progress=print) -> dict[str, list[RawFile]]:
    """Read every file of the drop into memory (tests, small drops)."""
    out: dict[str, list[RawFile]] = {}
    for extract, files in check_all(raw_dir, progress).items():
        out[extract] = [read_file(path, rel, EXTRACTS[extract]) for path, rel in files]
    return out
