"""File discovery, decoding and reading of a raw drop (SPEC §3).

Every ``*.csv`` / ``*.xlsx`` under ``<raw>/<extract>/`` is read, in sorted path order, all cells as
text. Anything that makes a whole file unreadable raises :class:`ExtractFileError` — the caller
stops the build before anything is written. That includes a file beyond the limits below (size,
header, columns, line length; XLSX decompressed size and used range), checked before any row is
read so that a hostile file cannot make the reader allocate without bound. A CSV row that cannot
be read as a row (a field count unlike the header's, a quoted field holding a line break) is kept
with no value and a reason (`_reason`), for the quarantine.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from zhiben.contract import EXTRACTS, LOAD_ORDER, Extract

EXTENSIONS = (".csv", ".xlsx")

# Limits of what a raw file may be (README "Pointing it at real extracts"): checked before any
# row is read, a file beyond them is rejected as a whole (exit 2, the file named).
#: bytes of one CSV or XLSX file
MAX_FILE_BYTES = 1 << 30
#: bytes of a CSV header line
MAX_HEADER_BYTES = 16 * 1024
#: columns of a header (CSV) or of a sheet's used range (XLSX)
MAX_COLUMNS = 128
#: header names that are blank / not in the contract
MAX_BLANK_HEADERS = 16
MAX_UNKNOWN_HEADERS = 64
#: bytes of one physical CSV line
MAX_LINE_BYTES = 1 << 20
#: XLSX: decompressed bytes of all members together (and of the first sheet), a member's
#: compression ratio (beyond 1 MiB), the cells of the first sheet's used range (rows × columns)
XLSX_MAX_UNCOMPRESSED = 512 << 20
XLSX_MAX_RATIO = 200
XLSX_MAX_CELLS = 20_000_000
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
    #: `_line` (physical line where the row starts / sheet row, header = 1), one String column
    #: per contract column and `_reason`: NULL, or the quarantine reason of a row that could not
    #: be read as a row (`wrong_field_count`, `multiline_field`; its contract columns are NULL)
    frame: pl.DataFrame
    #: what the build should say about the file (no value of any row)
    warnings: list[str] = field(default_factory=list)
    #: a file of a mapped source system (`zhiben.ingest.sources`): contract column name → the
    #: file's own column name, which its quarantine rows report; empty for a contract-shaped file
    own_names: dict[str, str] = field(default_factory=dict)
    #: the optional columns of SPEC §10.1 this file does not have (unknown, not empty, there)
    absent: tuple[str, ...] = ()

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
    """Contract column name → position in the file's header; raises on a missing required one,
    a contract column named twice, and a header too wide or with too many blank / unknown names
    (all before any row is read)."""
    if len(names) > MAX_COLUMNS:
        raise ExtractFileError(
            rel,
            f"表头有 {len(names)} 列，超过上限 {MAX_COLUMNS} 列",
            f"the header has {len(names)} columns, more than the limit of {MAX_COLUMNS}",
        )
    keys = [header_key(n) for n in names]
    known = {header_key(c.zh) for c in extract.columns}
    blank = sum(1 for k in keys if not k)
    unknown = sum(1 for k in keys if k and k not in known)
    if blank > MAX_BLANK_HEADERS or unknown > MAX_UNKNOWN_HEADERS:
        raise ExtractFileError(
            rel,
            f"表头有 {blank} 个空列名、{unknown} 个未知列名（上限 {MAX_BLANK_HEADERS} / "
            f"{MAX_UNKNOWN_HEADERS}）",
            f"the header has {blank} blank and {unknown} unknown column names (limits "
            f"{MAX_BLANK_HEADERS} / {MAX_UNKNOWN_HEADERS})",
        )
    pos: dict[str, int] = {}
    for col in extract.columns:
        zh = header_key(col.zh)
        n = keys.count(zh)
        if n > 1:
            raise ExtractFileError(
                rel,
                f"列「{col.zh}」在表头中出现了 {n} 次",
                f"column '{col.zh}' ({col.name}) appears {n} times in the header",
            )
        if n == 1:
            pos[col.name] = keys.index(zh)
        elif col.header_required:
            raise ExtractFileError(
                rel,
                f"缺少必需列「{col.zh}」",
                f"required column '{col.zh}' ({col.name}) is missing",
            )
    return pos


def _check_size(path: Path, rel: str) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ExtractFileError(
            rel,
            f"文件大小 {size / 2**20:.0f} MiB，超过上限 {MAX_FILE_BYTES // 2**20} MiB",
            f"the file is {size / 2**20:.0f} MiB, more than the limit of "
            f"{MAX_FILE_BYTES // 2**20} MiB",
        )


def _check_first_line(path: Path, rel: str) -> None:
    """The header line is bounded: read at most MAX_HEADER_BYTES + 1 bytes to find its end."""
    with open(path, "rb") as f:
        head = f.read(MAX_HEADER_BYTES + 1)
    m = re.search(rb"[\r\n]", head)
    if (m.start() if m else len(head)) > MAX_HEADER_BYTES:
        raise ExtractFileError(
            rel,
            f"表头行超过 {MAX_HEADER_BYTES // 1024} KiB",
            f"the header line is longer than {MAX_HEADER_BYTES // 1024} KiB",
        )


def _line_ends(data: bytes) -> bytes:
    """A CR not followed by LF is a line end (old Mac "CSV (Macintosh)" exports): every line end
    becomes LF. CRLF-only files are left as they are (each line's trailing CR is dropped later)."""
    if b"\r" not in data or re.search(rb"\r(?!\n)", data) is None:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


_STEP = 64 * 2**20  # bytes scanned at a time (the temporary arrays stay small)


def _newlines(data: bytes) -> np.ndarray:
    """Byte positions of every LF."""
    arr = np.frombuffer(data, dtype=np.uint8)
    parts = [
        np.flatnonzero(arr[start : start + _STEP] == 10) + start
        for start in range(0, len(arr), _STEP)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _longest_line(data: bytes, nl: np.ndarray) -> tuple[int, int]:
    """(length in bytes, 1-based number) of the longest physical line (`nl`: the LF positions)."""
    gaps = np.diff(nl, prepend=-1) - 1
    last = len(data) - (int(nl[-1]) if len(nl) else -1) - 1
    if len(gaps) and int(gaps.max()) >= last:
        i = int(gaps.argmax())
        return int(gaps[i]), i + 1
    return last, len(nl) + 1


def _header_names(data: bytes, rel: str) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    try:
        header = next(csv.reader([first], strict=True), []) if first.strip() else []
    except csv.Error as e:
        raise ExtractFileError(
            rel, "表头行格式错误（引号不配对？）", f"malformed header line (unbalanced quote?): {e}"
        ) from None
    if not header:
        raise ExtractFileError(rel, "文件为空或缺少表头行", "empty file or no header row")
    return header


def _csv_prelude(
    path: Path, rel: str, extract: Extract, check_nfkc: bool
) -> tuple[bytes, np.ndarray, str, bool, int, dict[str, int]]:
    """The file-level checks of a CSV, in order of cost: size, header line length, encoding,
    header names, balanced quotes, line length. Returns (UTF-8 data with LF line ends, the LF
    positions, encoding, NFKC-clean, header width, contract column positions)."""
    _check_size(path, rel)
    _check_first_line(path, rel)
    data, encoding, clean = _decode(path.read_bytes(), rel, check_nfkc=check_nfkc)
    data = _line_ends(data)
    header = _header_names(data, rel)
    pos = _header_positions(header, extract, rel)
    if data.count(b'"') % 2:
        raise ExtractFileError(
            rel,
            "CSV 格式错误（引号不配对）",
            "malformed CSV: unbalanced quotes",
        )
    nl = _newlines(data)
    longest, at = _longest_line(data, nl)
    if longest > MAX_LINE_BYTES:
        raise ExtractFileError(
            rel,
            f"第 {at} 行长 {longest // 1024} KiB，超过上限 {MAX_LINE_BYTES // 1024} KiB",
            f"line {at} is {longest // 1024} KiB long, more than the limit of "
            f"{MAX_LINE_BYTES // 1024} KiB",
        )
    return data, nl, encoding, clean, len(header), pos


def check_csv(path: Path, rel: str, extract: Extract) -> None:
    """The file-level checks without building rows."""
    _csv_prelude(path, rel, extract, check_nfkc=False)


@dataclass
class _Rows:
    """The data rows of a CSV: one per record that is not blank."""

    cells: list[pl.Series]  # `width` String columns
    lines: pl.Series  # physical line where the record starts (header = 1)
    reasons: pl.Series  # NULL, `wrong_field_count` or `multiline_field`


def _per_line(data: bytes, nl: np.ndarray, n_lines: int, byte: int) -> np.ndarray:
    """How many times `byte` occurs on each physical line: the occurrences before each line end
    (a binary search of the line ends among them), differenced."""
    arr = np.frombuffer(data, dtype=np.uint8)
    before = np.zeros(len(nl) + 1, dtype=np.int64)  # occurrences before each LF, and in all
    for start in range(0, len(arr), _STEP):
        pos = np.flatnonzero(arr[start : start + _STEP] == byte) + start
        if pos.size:
            before[:-1] += np.searchsorted(pos, nl)
            before[-1] += pos.size
    return np.diff(before, prepend=0)[:n_lines]


#: a CSV line of fields each quoted whole (a quote inside doubled) or without any quote
_QUOTED_FIELD = r'"(?:[^"]|"")*"'
_REGULAR_LINE = rf'^(?:{_QUOTED_FIELD}|[^",]*)(?:,(?:{_QUOTED_FIELD}|[^",]*))*$'


def _physical_lines(data: bytes, nl: np.ndarray, rows: np.ndarray) -> pl.Series:
    """The text of data rows `rows` (row r is physical line r + 1), without a trailing CR."""
    starts = nl[rows] + 1
    after = rows + 1
    ends = np.where(after < len(nl), nl[np.minimum(after, len(nl) - 1)], len(data))
    raw = [data[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    return pl.Series(raw, dtype=pl.Binary).cast(pl.String).str.strip_suffix("\r")


def _csv_fast(data: bytes, nl: np.ndarray, width: int) -> _Rows | None:
    """Vectorised, when every record is one physical line (no quoted field spans lines): polars
    reads the lines without quoting, the field count of a line is its commas + 1; the few lines
    holding a quote go through the csv module one by one (values and count). Returns None when a
    quoted field spans lines (the exact path takes over)."""
    n_lines = len(nl) + (0 if data.endswith(b"\n") or not data else 1)
    n_rows = max(n_lines - 1, 0)
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        raw = pl.read_csv(
            data,
            has_header=False,
            skip_lines=1,
            quote_char=None,
            schema=schema,
            truncate_ragged_lines=True,
            missing_columns="insert",
            extra_columns="ignore",
            raise_if_empty=False,
        )
    except Exception:  # polars' parse errors: the exact path decides
        return None
    if raw.height != n_rows:
        return None
    counts = _per_line(data, nl, n_lines, ord(","))[1:] + 1
    quoted = np.flatnonzero(_per_line(data, nl, n_lines, ord('"'))[1:])
    cols = raw.get_columns()
    del raw
    if quoted.size:
        lines = _physical_lines(data, nl, quoted)
        # a line whose every field is either quoted whole (quotes inside doubled) or holds no
        # quote at all reads the same in every CSV parser: polars reads those at once (an export
        # quoting every field, or every empty one, is all such lines; the csv module one by one
        # took 8× the time of an unquoted file)
        regular = (
            lines.str.contains(_REGULAR_LINE)
            & (lines.str.replace_all(_QUOTED_FIELD, "").str.count_matches(",") + 1 == width)
        ).to_numpy()
        if regular.any():
            good = quoted[regular]
            parsed = pl.read_csv(
                "\n".join(lines.filter(pl.Series(regular)).to_list()).encode("utf-8"),
                has_header=False,
                quote_char='"',
                schema=schema,
                raise_if_empty=False,
            )
            if parsed.height != good.size:  # not expected of such lines: the exact path decides
                return None
            idx = pl.Series(good, dtype=pl.Int64)
            # the csv module's cells: every field a string, empty ones too
            cols = [c.scatter(idx, parsed.to_series(i).fill_null("")) for i, c in enumerate(cols)]
            counts[good] = width
        rest = quoted[~regular]
        recs: list[list[str]] = []
        for line in lines.filter(pl.Series(~regular)):
            try:
                recs.append(next(csv.reader([line], strict=True)))
            except (csv.Error, StopIteration):  # a quoted field going on into the next line
                return None
        if recs:
            idx = pl.Series(rest, dtype=pl.Int64)
            counts[rest] = [len(rec) for rec in recs]
            cols = [
                c.scatter(idx, [rec[i] if i < len(rec) else None for rec in recs])
                for i, c in enumerate(cols)
            ]
    count = pl.Series("n", counts)
    frame = pl.DataFrame(cols) if cols else pl.DataFrame({"c0": pl.Series([], dtype=pl.String)})
    blank = frame.select(
        pl.all_horizontal(pl.all().str.strip_chars().fill_null("").eq("")).alias("b")
    ).to_series()
    keep = ~(blank & (count <= width))
    reasons = pl.select(
        pl.when(pl.lit(count) != width).then(pl.lit("wrong_field_count", dtype=pl.String))
    ).to_series()
    line_no = pl.int_range(2, n_rows + 2, dtype=pl.Int32, eager=True)
    return _Rows(
        [c.filter(keep) for c in frame.get_columns()],
        line_no.filter(keep),
        reasons.filter(keep).alias("_reason"),
    )


def _looks_like_rows(value: str, width: int) -> bool:
    """A multi-line field one of whose later lines has a whole row's delimiters."""
    return any(line.count(",") >= max(width - 1, 1) for line in value.split("\n")[1:])


def _csv_exact(data: bytes, rel: str, width: int) -> _Rows:
    """The csv module over the whole file: exact physical start line per record. A record with a
    field spanning lines keeps no value (`multiline_field`); one whose field holds lines of a
    row's shape means a stray quote swallowed rows: the file is rejected."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
    recs: list[list[str] | None] = []
    lines: list[int] = []
    reasons: list[str | None] = []
    try:
        next(reader, None)
        prev = reader.line_num
        for rec in reader:
            start, prev = prev + 1, reader.line_num
            if all(not f.strip() for f in rec):
                continue  # a blank line
            if prev > start:
                if any("\n" in f and _looks_like_rows(f, width) for f in rec):
                    raise ExtractFileError(
                        rel,
                        f"第 {start}–{prev} 行：引号内的字段跨行且含有形如数据行的内容"
                        "（疑似引号错位吞掉了后续行）",
                        f"lines {start}-{prev}: a quoted field spans lines holding what looks "
                        "like whole rows (a stray quote swallowing the rows after it?)",
                    )
                recs.append(None)
                reasons.append("multiline_field")
            elif len(rec) != width:
                recs.append(None)
                reasons.append("wrong_field_count")
            else:
                recs.append(rec)
                reasons.append(None)
            lines.append(start)
    except csv.Error as e:
        raise ExtractFileError(
            rel,
            f"CSV 格式错误（第 {reader.line_num} 行附近，引号不配对？）",
            f"malformed CSV near line {reader.line_num} (unbalanced quote?): {e}",
        ) from None
    cells = [
        pl.Series(f"c{i}", [r[i] if r is not None else None for r in recs], dtype=pl.String)
        for i in range(width)
    ]
    return _Rows(
        cells,
        pl.Series("_line", lines, dtype=pl.Int32),
        pl.Series("_reason", reasons, dtype=pl.String),
    )


def _row_warnings(rel: str, reasons: pl.Series, lines: pl.Series) -> list[str]:
    out = []
    for code, zh, en in (
        ("wrong_field_count", "字段数与表头不符", "a field count unlike the header's"),
        ("multiline_field", "字段内含换行", "a field holding a line break"),
    ):
        at = lines.filter(reasons == code)
        if at.len():
            first = ", ".join(str(x) for x in at.head(5).to_list())
            out.append(
                f"{rel}: {at.len()} 行{zh}，整行隔离、不保留任何值（第 {first} 行…） / "
                f"{at.len()} rows with {en} quarantined whole, no value kept (lines {first}…)"
            )
    return out


def read_csv(path: Path, rel: str, extract: Extract) -> RawFile:
    data, nl, encoding, clean, width, pos = _csv_prelude(path, rel, extract, check_nfkc=True)
    rows = _csv_fast(data, nl, width)
    del nl
    if rows is None:
        rows = _csv_exact(data, rel, width)
    del data
    bad = rows.reasons.is_not_null()
    any_bad = bool(bad.any())
    cols = [rows.lines.alias("_line")]
    for col in extract.columns:
        if col.name in pos and not any_bad:
            cols.append(rows.cells[pos[col.name]].alias(col.name))
        elif col.name in pos:  # an unreadable row keeps no value
            s = rows.cells[pos[col.name]]
            cols.append(
                pl.select(pl.when(pl.lit(bad)).then(None).otherwise(pl.lit(s)))
                .to_series()
                .cast(pl.String)
                .alias(col.name)
            )
        else:
            cols.append(
                pl.repeat(None, rows.lines.len(), dtype=pl.String, eager=True).alias(col.name)
            )
    cols.append(rows.reasons.alias("_reason"))
    frame = pl.DataFrame(cols)
    warnings = _row_warnings(rel, rows.reasons, rows.lines)
    return RawFile(
        extract.name, rel, encoding, clean, frame, warnings, absent=_absent(extract, pos)
    )


def _absent(extract: Extract, pos: dict[str, int]) -> tuple[str, ...]:
    return tuple(c.name for c in extract.columns if c.unknown_when_absent and c.name not in pos)


_EXCEL_EPOCH_DAYS = 25569  # 1970-01-01 as an Excel (1900 system) serial


def _excel_serials(e: pl.Expr, kind: str) -> pl.Expr:
    """Excel date serials (as text) → ISO text; other values unchanged."""
    is_serial = e.str.contains(r"^\d+(\.\d+)?$")
    micros = ((e.cast(pl.Float64, strict=False) - _EXCEL_EPOCH_DAYS) * 86_400).round(0) * 1_000_000
    ts = micros.cast(pl.Int64, strict=False).cast(pl.Datetime("us"))
    fmt = "%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S"
    return pl.when(is_serial).then(ts.dt.strftime(fmt)).otherwise(e)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass
class _SheetScan:
    """What the first sheet's XML says before any cell is read."""

    max_row: int = 0
    max_col: int = 0
    #: sheet row of the first cell with content (the header row); 1 when none
    first_row: int = 0
    merged: int = 0
    uncached_formulas: int = 0


_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,4})(\d{1,8})"[^>]*?(/?)>')
_ANY_CELL = re.compile(rb"<c[\s/>]")
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d{1,8})"')
_ANY_ROW = re.compile(rb"<row[\s/>]")
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{0,4})(\d{0,8})(?::([A-Z]{1,4})(\d{1,8}))?"')
_UNCACHED = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
_MERGE = re.compile(rb"<mergeCell\b")


def _first_sheet(zf: zipfile.ZipFile, rel: str) -> str:
    """The member holding the workbook's first sheet (workbook order, as the reader loads it)."""
    names = set(zf.namelist())
    try:
        wb = zf.read("xl/workbook.xml")[:1_000_000]
        rels = zf.read("xl/_rels/workbook.xml.rels")[:1_000_000]
        m = re.search(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"', wb)
        if m:
            for r in re.finditer(rb"<Relationship\b[^>]*>", rels):
                tag = r.group(0)
                if re.search(rb'\bId="' + re.escape(m.group(1)) + rb'"', tag):
                    t = re.search(rb'\bTarget="([^"]+)"', tag)
                    if t:
                        target = t.group(1).decode("utf-8")
                        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                        if path in names:
                            return path
    except KeyError:
        pass
    sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))
    if not sheets:
        raise ExtractFileError(rel, "XLSX 中没有工作表", "the XLSX holds no worksheet")
    return sheets[0]


def _xlsx_guard(path: Path, rel: str) -> _SheetScan:
    """Bound an XLSX before the reader allocates anything: the file size, the zip members'
    decompressed size and ratio, and the first sheet's used range (its `<dimension>` and every
    cell position, streamed) — a 16 KB file with one cell at XFD1048576 would otherwise make
    the reader allocate the whole 1,048,576 × 16,384 grid."""
    _check_size(path, rel)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ExtractFileError(
            rel, "XLSX 无法读取（不是有效的 zip）", f"XLSX cannot be read: {e}"
        ) from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > XLSX_MAX_UNCOMPRESSED:
            raise ExtractFileError(
                rel,
                f"XLSX 解压后 {total / 2**20:.0f} MiB，超过上限 {XLSX_MAX_UNCOMPRESSED // 2**20} MiB",
                f"the XLSX decompresses to {total / 2**20:.0f} MiB, more than the limit of "
                f"{XLSX_MAX_UNCOMPRESSED // 2**20} MiB",
            )
        for i in infos:
            if i.file_size > 2**20 and i.file_size > XLSX_MAX_RATIO * max(i.compress_size, 1):
                raise ExtractFileError(
                    rel,
                    f"XLSX 成员 {i.filename} 压缩比超过 {XLSX_MAX_RATIO}:1（疑似解压炸弹）",
                    f"XLSX member {i.filename} compresses more than {XLSX_MAX_RATIO}:1 "
                    "(a decompression bomb?)",
                )
        scan = _scan_sheet(zf, _first_sheet(zf, rel), rel)
    cells = scan.max_row * scan.max_col
    if scan.max_col > MAX_COLUMNS or cells > XLSX_MAX_CELLS:
        raise ExtractFileError(
            rel,
            f"工作表范围 {scan.max_row} 行 × {scan.max_col} 列超过上限（{MAX_COLUMNS} 列，"
            f"{XLSX_MAX_CELLS:,} 个单元格）",
            f"the sheet's used range, {scan.max_row} rows × {scan.max_col} columns, is beyond "
            f"the limits ({MAX_COLUMNS} columns, {XLSX_MAX_CELLS:,} cells)",
        )
    return scan


def _scan_sheet(zf: zipfile.ZipFile, member: str, rel: str) -> _SheetScan:
    scan = _SheetScan()
    first: int | None = None
    seen = 0
    carry = b""
    try:
        with zf.open(member) as f:
            while True:
                chunk = f.read(2**20)
                seen += len(chunk)
                if seen > XLSX_MAX_UNCOMPRESSED:
                    raise ExtractFileError(
                        rel,
                        f"工作表解压后超过 {XLSX_MAX_UNCOMPRESSED // 2**20} MiB",
                        f"the sheet decompresses to more than {XLSX_MAX_UNCOMPRESSED // 2**20} MiB",
                    )
                buf = carry + chunk
                if chunk:  # only whole tags: keep what follows the last '>'
                    cut = buf.rfind(b">") + 1
                    buf, carry = buf[:cut], buf[cut:]
                    if len(carry) > 2**20:
                        raise ExtractFileError(rel, "工作表 XML 格式错误", "malformed sheet XML")
                if seen == len(chunk) or scan.max_row == 0:
                    d = _DIMENSION.search(buf)
                    if d:
                        for letters, digits in ((d.group(1), d.group(2)), (d.group(3), d.group(4))):
                            if letters:
                                scan.max_col = max(scan.max_col, _col_index(letters))
                            if digits:
                                scan.max_row = max(scan.max_row, int(digits))
                cells = _CELL.findall(buf)
                if len(cells) != len(_ANY_CELL.findall(buf)) or len(_ROW.findall(buf)) != len(
                    _ANY_ROW.findall(buf)
                ):
                    raise ExtractFileError(
                        rel,
                        "工作表中有不带位置（r 属性）的单元格或行",
                        "the sheet has cells or rows without a position (r attribute)",
                    )
                if cells:
                    scan.max_col = max(
                        scan.max_col, max(_col_index(x) for x in {c[0] for c in cells})
                    )
                    rows = [int(c[1]) for c in cells]
                    scan.max_row = max(scan.max_row, max(rows))
                    filled = [int(c[1]) for c in cells if not c[2]]
                    if filled:
                        low = min(filled)
                        first = low if first is None else min(first, low)
                for r in _ROW.findall(buf):
                    scan.max_row = max(scan.max_row, int(r))
                scan.merged += len(_MERGE.findall(buf))
                scan.uncached_formulas += len(_UNCACHED.findall(buf))
                if not chunk:
                    break
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as e:
        raise ExtractFileError(
            rel, "XLSX 无法读取（zip 损坏）", f"XLSX cannot be read: {e}"
        ) from None
    scan.first_row = first or 1
    return scan


def _load_xlsx(path: Path, rel: str, n_rows: int | None = None) -> pl.DataFrame:
    """The first sheet, every cell as text, without a header (row 0 is the header row)."""
    import fastexcel

    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(
            0, header_row=None, dtypes="string", n_rows=n_rows
        )
        return sheet.to_polars()
    except Exception as e:
        raise ExtractFileError(
            rel, f"XLSX 无法读取（{type(e).__name__}）", f"XLSX cannot be read: {e}"
        ) from None


def _xlsx_header(raw: pl.DataFrame) -> list[str]:
    return [str(v) if v is not None else "" for v in raw.row(0)] if raw.height else []


def check_xlsx(path: Path, rel: str, extract: Extract) -> None:
    _xlsx_guard(path, rel)
    _header_positions(_xlsx_header(_load_xlsx(path, rel, n_rows=1)), extract, rel)


def _select(raw: pl.DataFrame, pos: dict[str, int], extract: Extract, lines: pl.Series):
    cols = [pl.Series("_line", lines, dtype=pl.Int32)]
    for col in extract.columns:
        if col.name in pos:
            cols.append(raw.to_series(pos[col.name]).cast(pl.String).alias(col.name))
        else:
            cols.append(pl.repeat(None, raw.height, dtype=pl.String, eager=True).alias(col.name))
    cols.append(pl.repeat(None, raw.height, dtype=pl.String, eager=True).alias("_reason"))
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


def read_xlsx(path: Path, rel: str, extract: Extract) -> RawFile:
    scan = _xlsx_guard(path, rel)
    raw = _load_xlsx(path, rel)
    pos = _header_positions(_xlsx_header(raw), extract, rel)
    raw = raw.slice(1).with_columns(pl.all().cast(pl.String))
    # the sheet row: the header is the first row with content (leading blank rows skipped)
    lines = pl.int_range(scan.first_row + 1, scan.first_row + 1 + raw.height, eager=True)
    frame = _select(raw, pos, extract, lines)
    frame = frame.with_columns(
        _excel_serials(pl.col(c.name).str.strip_chars(), c.kind).alias(c.name)
        for c in extract.columns
        if c.kind in ("date", "datetime")
    )
    warnings = []
    if scan.merged:
        warnings.append(
            f"{rel}: 首个工作表有 {scan.merged} 个合并单元格区域，区域内除左上角外的单元格按空值读取 / "
            f"{scan.merged} merged ranges: every cell but the top-left one reads as empty"
        )
    if scan.uncached_formulas:
        warnings.append(
            f"{rel}: 首个工作表有 {scan.uncached_formulas} 个公式单元格没有缓存的计算结果，按空值读取"
            f"（请在 Excel 中打开并保存后再导出） / {scan.uncached_formulas} formula cells without "
            "a cached value read as empty (open and save the file in Excel first)"
        )
    return RawFile(extract.name, rel, "xlsx", False, frame, warnings, absent=_absent(extract, pos))


def file_headers(path: Path, rel: str) -> list[str]:
    """The header names of a CSV or XLSX file, read cheaply (the file-level limits first)."""
    if path.suffix.lower() == ".xlsx":
        _xlsx_guard(path, rel)
        return _xlsx_header(_load_xlsx(path, rel, n_rows=1))
    _check_size(path, rel)
    _check_first_line(path, rel)
    with open(path, "rb") as f:
        head = f.read(MAX_HEADER_BYTES + 1)
    first = re.split(rb"[\r\n]", head, maxsplit=1)[0]
    data, _enc, _clean = _decode(first, rel, check_nfkc=False)
    return _header_names(data, rel)


def source_table(path: Path, rel: str, extract: Extract):
    """The source mapping table that applies to the file, or None (`zhiben.ingest.sources`)."""
    from zhiben.ingest import sources

    if not any(t.extract == extract.name for t in sources.all_tables()):
        return None
    return sources.table_for(extract.name, rel, file_headers(path, rel))


def _read_as_is(path: Path, rel: str, extract: Extract) -> RawFile:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, rel, extract)
    return read_csv(path, rel, extract)


def read_file(path: Path, rel: str, extract: Extract) -> RawFile:
    table = source_table(path, rel, extract)
    if table is None:
        return _read_as_is(path, rel, extract)
    from zhiben.ingest.sources import to_contract

    rf = _read_as_is(path, rel, table.reader_extract(extract))
    xlsx = rf.encoding == "xlsx"
    frame = to_contract(table, extract, rf.frame, xlsx)
    if xlsx:
        frame = frame.with_columns(
            _excel_serials(pl.col(c.name).str.strip_chars(), c.kind).alias(c.name)
            for c in extract.columns
            if c.kind in ("date", "datetime")
        )
    warnings = list(rf.warnings)
    if table.encoding not in ("auto", rf.encoding):
        warnings.append(
            f"{rel}: 映射 {table.file} 约定编码 {table.encoding}，实际为 {rf.encoding} / "
            f"the mapping says {table.encoding}, the file is {rf.encoding}"
        )
    own = table.own_names()
    # an optional column (SPEC §10.1) the mapping does not fill is unknown, as in a file without it
    filled = set(own) | set(getattr(table, "constants", None) or {})
    absent = tuple(
        c.name for c in extract.columns if c.unknown_when_absent and c.name not in filled
    )
    return RawFile(
        extract.name,
        rel,
        rf.encoding,
        rf.nfkc_clean,
        frame,
        warnings,
        own_names=own,
        absent=absent,
    )


def check_file(path: Path, rel: str, extract: Extract) -> None:
    table = source_table(path, rel, extract)
    if table is not None:
        extract = table.reader_extract(extract)
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
