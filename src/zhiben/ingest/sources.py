"""Source-system mappings as data (SPEC §10.1): ``sources/<system>.yml``.

A mapping says how one system's export becomes this contract: its own headers → contract
columns, its value codes, its date formats, its area hierarchy → 所属镇街, its record state →
是否删除, and which files it applies to (a folder and / or a header signature). It is validated
against the contract when loaded: an unknown target column or an unmapped required column is an
error naming the mapping file and line (:class:`SourceMappingError`, a whole-file rejection).

A mapped file is read with its own headers, turned into contract columns here (the reader /
normaliser boundary), and then validated like any other file; its quarantine rows name the
file's own columns (`RawFile.own_names`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from zhiben.contract import EXTRACTS, Column, Extract
from zhiben.ingest.read import ExtractFileError, header_key
from zhiben.paths import PROJECT_DIR

#: separates the area columns of a mapped file inside its 所属镇街 cell until the normaliser
#: resolves them through the seed aliases (`resolve_area_path`); a control character no export
#: holds
AREA_SEP = "\x1f"

_TOP_KEYS = {"system", "title", "encoding", "tables"}
_TABLE_KEYS = {
    "table",
    "extract",
    "match",
    "columns",
    "area",
    "area_above_town",
    "values",
    "dates",
    "constants",
    "generate_when",
}
_ENCODINGS = {"auto", "utf-8", "utf-8-sig", "gb18030", "xlsx"}


def sources_dir() -> Path:
    return Path(os.environ.get("ZHIBEN_SOURCES_DIR", PROJECT_DIR / "sources"))


class SourceMappingError(ExtractFileError):
    """A mapping file that does not fit the contract: the build stops as for a rejected file
    (`zhiben build` exits 2 naming the mapping file and line)."""

    def __init__(self, file: str, line: int | None, zh: str, en: str):
        at = f"第 {line} 行：" if line else ""
        at_en = f" line {line}:" if line else ""
        self.file, self.line, self.zh, self.en = file, line, zh, en
        Exception.__init__(self, f"映射文件 {file} {at}{zh} / mapping {file}{at_en} {en}")


@dataclass(frozen=True)
class Table:
    """One table of a source system, mapped onto one extract."""

    system: str
    table: str
    extract: str
    file: str  # the mapping file, for messages
    #: contract column name → the export's header
    columns: dict[str, str]
    area: tuple[str, ...] = ()
    area_above_town: tuple[str, ...] = ()
    #: contract column name → {export code: contract value}
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: contract column name → strptime format
    dates: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    match_folder: str | None = None
    match_headers: tuple[str, ...] = ()
    #: for `zhiben generate --shape`: contract column name → the values a record must have
    generate_when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    encoding: str = "auto"

    @property
    def headers(self) -> list[str]:
        """Every header of the export this table reads, in mapping order, once."""
        out: list[str] = []
        for h in (*self.columns.values(), *self.area, *self.match_headers):
            if h not in out:
                out.append(h)
        return out

    def own_names(self) -> dict[str, str]:
        """Contract column name → how the export names it (for quarantine and messages)."""
        out = dict(self.columns)
        if self.area:
            out["town"] = "/".join(self.area)
        return out

    def reader_extract(self, extract: Extract) -> Extract:
        """A stand-in extract whose columns are the export's headers (all text), so that the
        reader's file checks (encoding, limits, header) run unchanged on the file as it is."""
        required = {
            h
            for name, h in self.columns.items()
            if extract.column(name).required or extract.column(name).kind == "key"
        }
        cols = tuple(
            Column(h, f"_src{i}", "text", header_required=h in required or h in self.area)
            for i, h in enumerate(self.headers)
        )
        return Extract(extract.name, extract.zh, "_src0", cols)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.Node, file: str, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise SourceMappingError(
            file, _line(node), f"{what}应为键值对", f"{what}: expected a mapping"
        )
    return node.value


def _scalar(node: yaml.Node, file: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise SourceMappingError(
            file, _line(node), f"{what}应为单个值", f"{what}: expected a value"
        )
    return str(node.value).strip()


def _list(node: yaml.Node, file: str, what: str) -> list[str]:
    if not isinstance(node, yaml.SequenceNode):
        raise SourceMappingError(file, _line(node), f"{what}应为列表", f"{what}: expected a list")
    return [_scalar(v, file, what) for v in node.value]


def load_mapping(path: Path) -> list[Table]:
    """Parse and validate one mapping file against the contract."""
    file = path.name if path.parent == sources_dir() else str(path)
    file = f"sources/{file}" if path.parent == sources_dir() else file
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        raise SourceMappingError(
            file, line + 1 if line is not None else None, "YAML 格式错误", f"malformed YAML: {e}"
        ) from None
    if root is None:
        raise SourceMappingError(file, None, "文件为空", "empty file")
    top = {_scalar(k, file, "键"): (k, v) for k, v in _mapping(root, file, "映射文件")}
    for key, (k, _v) in top.items():
        if key not in _TOP_KEYS:
            raise SourceMappingError(
                file, _line(k), f"未知的设置项「{key}」", f"unknown setting '{key}'"
            )
    for key in ("system", "tables"):
        if key not in top:
            raise SourceMappingError(file, None, f"缺少「{key}」", f"'{key}' is missing")
    system = _scalar(top["system"][1], file, "system")
    encoding = _scalar(top["encoding"][1], file, "encoding") if "encoding" in top else "auto"
    if encoding not in _ENCODINGS:
        raise SourceMappingError(
            file,
            _line(top["encoding"][1]),
            f"未知的编码「{encoding}」（可用：{' / '.join(sorted(_ENCODINGS))}）",
            f"unknown encoding '{encoding}'",
        )
    tables_node = top["tables"][1]
    if not isinstance(tables_node, yaml.SequenceNode) or not tables_node.value:
        raise SourceMappingError(
            file, _line(tables_node), "tables 应为非空列表", "tables: expected a non-empty list"
        )
    return [_table(t, file, system, encoding) for t in tables_node.value]


def _table(node: yaml.Node, file: str, system: str, encoding: str) -> Table:
    items = {_scalar(k, file, "键"): (k, v) for k, v in _mapping(node, file, "表")}
    for key, (k, _v) in items.items():
        if key not in _TABLE_KEYS:
            raise SourceMappingError(
                file, _line(k), f"未知的设置项「{key}」", f"unknown setting '{key}'"
            )
    name = _scalar(items["table"][1], file, "table") if "table" in items else "?"
    if "extract" not in items:
        raise SourceMappingError(
            file, _line(node), f"表 {name} 缺少 extract", f"table {name}: 'extract' is missing"
        )
    extract_name = _scalar(items["extract"][1], file, "extract")
    if extract_name not in EXTRACTS:
        raise SourceMappingError(
            file,
            _line(items["extract"][1]),
            f"未知的数据集「{extract_name}」（可用：{'、'.join(EXTRACTS)}）",
            f"unknown extract '{extract_name}'",
        )
    extract = EXTRACTS[extract_name]
    by_zh = extract.by_zh

    def target(k: yaml.Node, what: str) -> str:
        zh = _scalar(k, file, what)
        if zh not in by_zh:
            raise SourceMappingError(
                file,
                _line(k),
                f"表 {name}：目标列「{zh}」不是 {extract_name}（{extract.zh}）的约定列",
                f"table {name}: target column '{zh}' is not a column of {extract_name}",
            )
        return by_zh[zh].name

    columns: dict[str, str] = {}
    if "columns" in items:
        for k, v in _mapping(items["columns"][1], file, "columns"):
            columns[target(k, "columns")] = _scalar(v, file, "columns")
    area = tuple(_list(items["area"][1], file, "area")) if "area" in items else ()
    if area and "town" not in {c.name for c in extract.columns}:
        raise SourceMappingError(
            file,
            _line(items["area"][0]),
            f"表 {name}：{extract_name} 没有 所属镇街 列，不能映射区域列",
            f"table {name}: {extract_name} has no town column",
        )
    if area and "town" in columns:
        raise SourceMappingError(
            file,
            _line(items["area"][0]),
            f"表 {name}：所属镇街 既由 columns 又由 area 映射",
            f"table {name}: town mapped by both columns and area",
        )
    values: dict[str, dict[str, str]] = {}
    if "values" in items:
        for k, v in _mapping(items["values"][1], file, "values"):
            values[target(k, "values")] = {
                _scalar(a, file, "values"): _scalar(b, file, "values")
                for a, b in _mapping(v, file, "values")
            }
    dates: dict[str, str] = {}
    if "dates" in items:
        for k, v in _mapping(items["dates"][1], file, "dates"):
            col = target(k, "dates")
            if extract.column(col).kind not in ("date", "datetime"):
                raise SourceMappingError(
                    file,
                    _line(k),
                    f"表 {name}：「{_scalar(k, file, 'dates')}」不是日期列",
                    f"table {name}: {col} is not a date column",
                )
            fmt = _scalar(v, file, "dates")
            try:
                dt.datetime(2024, 3, 5, 9, 8, 7).strftime(fmt)
            except ValueError:
                raise SourceMappingError(
                    file, _line(v), f"日期格式「{fmt}」无效", f"invalid date format '{fmt}'"
                ) from None
            dates[col] = fmt
    constants: dict[str, str] = {}
    if "constants" in items:
        for k, v in _mapping(items["constants"][1], file, "constants"):
            constants[target(k, "constants")] = _scalar(v, file, "constants")
    generate_when: dict[str, tuple[str, ...]] = {}
    if "generate_when" in items:
        for k, v in _mapping(items["generate_when"][1], file, "generate_when"):
            generate_when[target(k, "generate_when")] = tuple(_list(v, file, "generate_when"))
    mapped = set(columns) | set(constants) | ({"town"} if area else set())
    for col in extract.columns:
        if (col.required or col.kind == "key") and col.name not in mapped:
            raise SourceMappingError(
                file,
                _line(items["columns"][0] if "columns" in items else node),
                f"表 {name}：必填列「{col.zh}」没有映射（columns / area / constants 都没有给出）",
                f"table {name}: required column '{col.zh}' ({col.name}) is not mapped",
            )
    folder: str | None = None
    headers: tuple[str, ...] = ()
    if "match" in items:
        for k, v in _mapping(items["match"][1], file, "match"):
            key = _scalar(k, file, "match")
            if key == "folder":
                folder = _scalar(v, file, "match.folder").strip("/")
            elif key == "headers":
                headers = tuple(_list(v, file, "match.headers"))
            else:
                raise SourceMappingError(
                    file, _line(k), f"match 只能是 folder 或 headers，不是「{key}」",
                    f"match: unknown key '{key}'",
                )  # fmt: skip
    if folder is None and not headers:
        raise SourceMappingError(
            file,
            _line(node),
            f"表 {name}：缺少 match（folder 或 headers），无法判断哪些文件适用",
            f"table {name}: no match (folder or headers)",
        )
    return Table(
        system,
        name,
        extract_name,
        file,
        columns,
        area,
        tuple(_list(items["area_above_town"][1], file, "area_above_town"))
        if "area_above_town" in items
        else (),
        values,
        dates,
        constants,
        folder,
        headers,
        generate_when,
        encoding,
    )


@lru_cache(maxsize=8)
def _load_all(directory: str, stamp: tuple) -> tuple[Table, ...]:
    tables: list[Table] = []
    for path in sorted(Path(directory).glob("*.yml")):
        tables += load_mapping(path)
    return tuple(tables)


def all_tables() -> tuple[Table, ...]:
    """Every table of every mapping in `sources_dir()` (validated; cached by mtime)."""
    d = sources_dir()
    if not d.is_dir():
        return ()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(d.glob("*.yml")))
    return _load_all(str(d), stamp)


def system_tables(system: str) -> list[Table]:
    tables = [t for t in all_tables() if t.system == system]
    if not tables:
        known = sorted({t.system for t in all_tables()})
        raise ValueError(f"没有数据源映射「{system}」（已有：{'、'.join(known) or '无'}）")
    return tables


def table_for(extract: str, rel: str, headers: list[str] | None) -> Table | None:
    """The mapping table that applies to the file `rel` (relative to the raw dir) of `extract`
    with these headers, or None (a contract-shaped file). Folder and header signature must both
    hold where both are given; two tables applying is an error."""
    keys = {header_key(h) for h in headers} if headers is not None else set()
    hits = []
    for t in all_tables():
        if t.extract != extract:
            continue
        if t.match_folder is not None and not rel.startswith(t.match_folder + "/"):
            continue
        if t.match_headers and not all(header_key(h) in keys for h in t.match_headers):
            continue
        hits.append(t)
    if len(hits) > 1:
        names = "、".join(f"{t.file}:{t.table}" for t in hits)
        raise ExtractFileError(
            rel, f"同时符合多个数据源映射（{names}）", f"matches several source mappings: {names}"
        )
    return hits[0] if hits else None


def to_contract(table: Table, extract: Extract, frame: pl.DataFrame, xlsx: bool) -> pl.DataFrame:
    """The reader's frame of a mapped file (``_line``, ``_src<i>`` per export header,
    ``_reason``) → the frame of a contract-shaped file (``_line``, every contract column as
    text, ``_reason``): codes mapped, dates reformatted, areas joined for the normaliser."""
    src = {h: f"_src{i}" for i, h in enumerate(table.headers)}
    present = set(frame.columns)

    def col(h: str) -> pl.Expr:
        c = src[h]
        return pl.col(c) if c in present else pl.lit(None, dtype=pl.String)

    exprs = [pl.col("_line")]
    for c in extract.columns:
        if c.name in table.constants:
            e = pl.when(pl.col("_reason").is_null()).then(pl.lit(table.constants[c.name]))
        elif c.name == "town" and table.area:
            parts = [col(h).fill_null("").str.strip_chars() for h in table.area]
            joined = pl.concat_str(parts, separator=AREA_SEP)
            empty = pl.all_horizontal([p == "" for p in parts])
            e = pl.when(empty).then(None).otherwise(joined)
        elif c.name in table.columns:
            e = col(table.columns[c.name])
            if c.name in table.dates:
                e = _reformat_date(e, table.dates[c.name], c.kind, xlsx)
            if c.name in table.values:
                stripped = e.str.strip_chars()
                mapping = table.values[c.name]
                e = (
                    pl.when(stripped.is_in(list(mapping)))
                    .then(stripped.replace_strict(mapping, default=None, return_dtype=pl.String))
                    .otherwise(e)
                )
        else:
            e = pl.lit(None, dtype=pl.String)
        exprs.append(e.cast(pl.String).alias(c.name))
    exprs.append(pl.col("_reason"))
    return frame.select(exprs)


def _reformat_date(e: pl.Expr, fmt: str, kind: str, xlsx: bool) -> pl.Expr:
    """Text in the export's date format → ISO text; anything else unchanged (the contract's own
    formats, and Excel date serials in XLSX, are then read as usual)."""
    out = "%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S"
    parsed = e.str.strip_chars().str.strptime(pl.Datetime("us"), fmt, strict=False)
    return pl.when(parsed.is_not_null()).then(parsed.dt.strftime(out)).otherwise(e)


def resolve_area_path(t: pl.Series, town_to_unit: dict[str, str]) -> pl.Series:
    """所属镇街 cells holding a mapped file's area columns (joined by AREA_SEP, coarse → fine):
    the finest value the seed aliases resolve; else the town-level (last) value, or NULL."""
    has = t.str.contains(AREA_SEP, literal=True).fill_null(False)
    if not has.any():
        return t
    from zhiben.ingest.normalise import BLANKS, nfkc

    def pick(v: str) -> str | None:
        parts = [nfkc(p).strip(BLANKS) for p in v.split(AREA_SEP)]
        for p in reversed(parts):
            if p in town_to_unit:
                return p
        return parts[-1] or None

    idx = has.arg_true()
    picked = pl.Series([pick(v) for v in t.gather(idx).to_list()], dtype=pl.String)
    return t.scatter(idx, picked)


def own_column_names(quarantine: pl.DataFrame, own: dict[str, dict[str, str]]) -> pl.DataFrame:
    """Quarantine rows of mapped files name the file's own column (`column_zh`)."""
    if not own or quarantine.height == 0:
        return quarantine
    names = pl.DataFrame(
        [(f, c, h) for f, m in own.items() for c, h in m.items()],
        schema={"file": pl.String, "column_name": pl.String, "_own": pl.String},
        orient="row",
    )
    return (
        quarantine.join(names, on=["file", "column_name"], how="left", maintain_order="left")
        .with_columns(pl.coalesce("_own", "column_zh").alias("column_zh"))
        .drop("_own")
    )
