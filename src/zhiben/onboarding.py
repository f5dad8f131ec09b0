"""`zhiben inspect FILE`: what the loader would make of one file, before anything is built.

For onboarding a new source system (README "Pointing it at real extracts"): the file's
encoding, which extract and which source mapping it falls under, each header and the contract
column it maps to (or none), the required columns that are missing, the value spellings that do
not map, and a sample of the rows that would be quarantined and why — in Chinese. The checks
are the loader's own (reader, normaliser, the great-expectations suite); only the rules that
read other files (orphans, the enterprise's unit) are left to the build.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from zhiben.contract import EXTRACTS, LOAD_ORDER, Extract
from zhiben.ingest.read import ExtractFileError, _decode, file_headers, header_key, read_file
from zhiben.ingest.sources import Table, all_tables, table_for

#: rules that read beyond the file: checked by the build, not here
CROSS_FILE_REASONS = {"orphan_credit_code", "orphan_inspection", "no_unit", "no_industry"}
#: reasons that mean "this spelling does not map"
SPELLING_REASONS = {
    "bad_enum",
    "bad_bool",
    "unknown_town",
    "unknown_industry",
    "unknown_department",
    "unknown_accident_type",
    "unknown_organiser",
}
SAMPLE_ROWS = 10


@dataclass
class Inspection:
    """What `inspect_file` found (`lines` is the report, in Chinese)."""

    lines: list[str] = field(default_factory=list)
    rejected: bool = False
    rows_read: int = 0
    rows_quarantined: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.rejected else 1 if self.rows_quarantined else 0


def _which_extract(path: Path, headers: list[str]) -> tuple[str | None, str]:
    """The extract a file belongs to, and why: a folder named after it, else the source mapping
    whose header signature it carries, else the contract whose column names it shares most."""
    for part in reversed(path.resolve().parent.parts):
        if part in EXTRACTS:
            return part, f"所在目录 {part}/"
    keys = {header_key(h) for h in headers}
    for t in all_tables():
        if t.match_headers and all(header_key(h) in keys for h in t.match_headers):
            return t.extract, f"表头符合数据源映射 {t.file} 的表 {t.table}"
    best = max(
        LOAD_ORDER, key=lambda e: len(keys & {header_key(c.zh) for c in EXTRACTS[e].columns})
    )
    shared = len(keys & {header_key(c.zh) for c in EXTRACTS[best].columns})
    if shared == 0:
        return None, "表头与任何数据集的约定列名都不相同"
    return best, f"与 {best} 的约定列名相同的最多（{shared} 列）"


def _rel(path: Path, extract: str) -> str:
    """The path relative to the raw folder (the part from the extract's folder on)."""
    parts = path.resolve().parts
    if extract in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index(extract)
        return "/".join(parts[i:])
    return f"{extract}/{path.name}"


def _encoding(path: Path) -> str:
    if path.suffix.lower() == ".xlsx":
        return "XLSX（Excel 工作簿，读取第一个工作表）"
    _data, enc, _clean = _decode(path.read_bytes(), path.name, check_nfkc=False)
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GB18030 / GBK"}[enc]


def _header_lines(headers: list[str], extract: Extract, table: Table | None) -> list[str]:
    by_key = {header_key(c.zh): c for c in extract.columns}
    by_name = {c.name: c for c in extract.columns}
    mapped: dict[str, str] = {}
    if table is not None:
        for name, h in table.columns.items():
            mapped[header_key(h)] = name
        for h in table.area:
            mapped[header_key(h)] = "town"
    out = ["表头（文件中的列名 → 约定列）："]
    candidates = [c.zh for c in extract.columns] + (list(table.headers) if table else [])
    for i, h in enumerate(headers, start=1):
        k = header_key(h)
        if table is not None and k in mapped:
            c = by_name[mapped[k]]
            area = (
                "（区域列，经种子别名表识别镇街）"
                if k in {header_key(a) for a in table.area}
                else ""
            )
            codes = "，代码按映射转换" if c.name in table.values else ""
            out.append(f"  {i:>2}. {h} → {c.zh}（{c.name}）{area}{codes}")
        elif table is None and k in by_key:
            c = by_key[k]
            out.append(f"  {i:>2}. {h} → {c.zh}（{c.name}）")
        elif not k:
            out.append(f"  {i:>2}. （空列名）→ 无，读取时忽略")
        else:
            near = difflib.get_close_matches(k, candidates, n=1, cutoff=0.5)
            hint = f"；是否应为「{near[0]}」？" if near and near[0] != k else ""
            out.append(f"  {i:>2}. {h} → 无：不是约定列名，读取时忽略{hint}")
    return out


def _missing(headers: list[str], extract: Extract, table: Table | None) -> list[str]:
    keys = [header_key(h) for h in headers]
    out = []
    reader = table.reader_extract(extract) if table is not None else extract
    own = {c.name: c for c in extract.columns}
    back = {h: name for name, h in table.columns.items()} if table is not None else {}
    for c in reader.columns:
        n = keys.count(header_key(c.zh))
        if n > 1:
            out.append(f"  列「{c.zh}」在表头中出现了 {n} 次")
        elif n == 0 and c.header_required:
            target = own[back[c.zh]].zh if c.zh in back else "所属镇街"
            what = f"（映射到 {target}）" if table is not None else f"（{c.name}）"
            out.append(f"  缺少必需列「{c.zh}」{what}")
    return out


def inspect_file(path: Path, extract_name: str | None = None) -> Inspection:
    """Explain `path` as the loader would load it."""
    path = Path(path)
    r = Inspection()
    say = r.lines.append
    say(f"文件：{path}")
    if not path.is_file():
        say("  文件不存在")
        r.rejected = True
        return r
    if path.suffix.lower() not in (".csv", ".xlsx"):
        say("  不是 CSV 或 XLSX 文件：构建时整个文件被拒收")
        r.rejected = True
        return r
    try:
        say(f"编码：{_encoding(path)}")
        headers = file_headers(path, path.name)
    except ExtractFileError as e:
        say(f"整个文件被拒收：{e.zh}")
        r.rejected = True
        return r
    why = "由 --extract 指定"
    if extract_name is None:
        extract_name, why = _which_extract(path, headers)
    if extract_name is None or extract_name not in EXTRACTS:
        say(f"数据集：无法判断（{why}）。请放到 <raw>/<数据集>/ 下，或用 --extract 指定")
        say(f"  可用的数据集：{'、'.join(LOAD_ORDER)}")
        r.rejected = True
        return r
    extract = EXTRACTS[extract_name]
    say(f"数据集：{extract_name}（{extract.zh}），依据：{why}")
    rel = _rel(path, extract_name)
    try:
        table = table_for(extract_name, rel, headers)
    except ExtractFileError as e:
        say(f"整个文件被拒收：{e.zh}")
        r.rejected = True
        return r
    if table is not None:
        say(f"数据源映射：{table.file} 的表 {table.table}（{table.system}），按映射读取")
    else:
        say("数据源映射：无（按约定的中文列名读取；若是某个系统的导出，请写 sources/<系统>.yml）")
    r.lines += _header_lines(headers, extract, table)
    missing = _missing(headers, extract, table)
    if missing:
        say("整个文件将被拒收（构建停止，不影响正在使用的数据）：")
        r.lines += missing
        r.rejected = True
        return r
    _rows(path, rel, extract, r)
    return r


def _rows(path: Path, rel: str, extract: Extract, r: Inspection) -> None:
    """Read, normalise and validate the rows as the loader does (rules of this file only)."""
    import datetime as dt

    from zhiben.ingest.normalise import normalise
    from zhiben.ingest.pipeline import (
        _add_context,
        _Context,
        _failure_values,
        _quarantine_rows,
        _reader_failures,
        _tag,
    )
    from zhiben.ingest.refdata import RefData
    from zhiben.ingest.sources import own_column_names
    from zhiben.ingest.suites import Validator, rules_for, validate
    from zhiben.paths import SEEDS_DIR

    say = r.lines.append
    try:
        rf = read_file(path, rel, extract)
    except ExtractFileError as e:
        say(f"整个文件被拒收：{e.zh}")
        r.rejected = True
        return
    r.rows_read = rf.frame.height
    ref = RefData.load(SEEDS_DIR)
    raw = _tag(rf, 0)  # as the loader tags a file's rows (`_absent`: optional columns it lacks)
    n = normalise(extract, raw, ref).with_columns(raw["_reason"]).with_row_index("_idx")
    ctx = _Context(dt.datetime.now())
    n = _add_context(extract, n, ctx)
    rules = [x for x in rules_for(extract, ref) if x.reason not in CROSS_FILE_REASONS]
    failures = _failure_values(
        extract, n, _reader_failures(n, validate(Validator(), extract.name, rules, n))
    )
    q = own_column_names(_quarantine_rows(extract, n, failures, ctx.latest), {rel: rf.own_names})
    r.rows_quarantined = q["line"].n_unique() if q.height else 0
    deleted = int(n["is_deleted__v"].fill_null(False).sum()) if "is_deleted__v" in n.columns else 0
    say(
        f"数据行：{r.rows_read} 行，其中将被隔离 {r.rows_quarantined} 行"
        + (f"，删除记录（是否删除 = 是）{deleted} 行" if deleted else "")
    )
    for w in rf.warnings:
        say(f"提示：{re.split(r' / ', w)[0]}")
    spell = (
        q.filter(pl.col("reason_code").is_in(list(SPELLING_REASONS)))
        .group_by("column_zh", "reason", "value")
        .agg(pl.len().alias("n"), pl.col("line").min().alias("first"))
        .sort("column_zh", "n", "value", descending=[False, True, False])
    )
    if spell.height:
        say("无法对应的取值（列：取值 × 行数，首次出现的行）：")
        for row in spell.head(30).iter_rows(named=True):
            say(
                f"  {row['column_zh']}：「{row['value']}」× {row['n']}（{row['reason']}，"
                f"第 {row['first']} 行起）"
            )
    if q.height:
        say(f"将被隔离的行（前 {SAMPLE_ROWS} 行的原因）：")
        sample_lines = q["line"].unique(maintain_order=True).head(SAMPLE_ROWS)
        for row in q.filter(pl.col("line").is_in(sample_lines.implode())).iter_rows(named=True):
            col = f"列「{row['column_zh']}」" if row["column_zh"] else "整行"
            value = f"（值「{row['value']}」）" if row["value"] is not None else ""
            say(f"  第 {row['line']} 行 {col}：{row['reason']}{value}")
    else:
        say("没有会被隔离的行。")
    say(
        "说明：与其他文件有关的检查（统一社会信用代码是否在企业台账中、检查编号是否存在、"
        "空的所属镇街能否取企业的）在构建时进行。"
    )
