"""The loader: read → normalise → validate (great-expectations) → fold → land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import polars as pl

from zhiben.contract import (
    CLOCK_TOLERANCE,
    EXTRACTS,
    LOAD_ORDER,
    PLAUSIBLE_FROM,
    PLAUSIBLE_UNTIL,
    REASONS,
    Extract,
)
from zhiben.ingest.gx_worker import GxWorker
from zhiben.ingest.land import QUARANTINE_SCHEMA, RECONCILIATION_SCHEMA, Lander
from zhiben.ingest.normalise import normalise
from zhiben.ingest.read import ExtractFileError, RawFile, check_all, ignored_folders, read_file
from zhiben.ingest.refdata import RefData
from zhiben.ingest.suites import context_checks, rules_for, validate
from zhiben.publish import remove_duckdb_file
from zhiben.validation_report import summarise_extract

#: the date that places a row in a month (quarantine `month`); `updated_at` where unreadable
MAIN_DATE = {
    "enterprises": "updated_at",
    "hazards": "found_date",
    "accidents": "occurred_at",
    "inspections": "inspection_date",
    "penalties": "decided_date",
    "training": "training_date",
    "drills": "drill_date",
    "reports": "received_date",
    "monitoring": "connected_date",
    "self_inspections": "inspection_date",
}
TYPED = ("date", "datetime", "int", "decimal", "bool")
MAX_WARNINGS_PER_EXTRACT = 20
#: rows of raw text normalised at a time
NORMALISE_BATCH_ROWS = 500_000


@dataclass(frozen=True)
class FileCount:
    extract: str
    file: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_folded: int


@dataclass
class IngestResult:
    as_of: dt.date
    max_updated_at: dt.datetime | None
    files: list[FileCount]
    warnings: list[str] = field(default_factory=list)
    #: seconds: check (pass 1: every file's encoding / header); read and normalise (pass 2:
    #: parsing and normalising, in the read-ahead thread, overlapping the rest); read_wait (the
    #: time the loader waited for it); validate (context + GX + folding + quarantine, of which
    #: `gx_setup` (waiting for the GX worker's import) and `gx`, `gx:<extract>`); land; total
    timings: dict[str, float] = field(default_factory=dict)
    #: per extract, the results of its great-expectations suite (zhiben.validation_report)
    validation: list[dict] = field(default_factory=list)

    @property
    def extracts(self) -> dict[str, dict[str, int]]:
        """Counts per extract: read, loaded, quarantined, folded, files."""
        out = {
            e: {"files": 0, "read": 0, "loaded": 0, "quarantined": 0, "folded": 0}
            for e in LOAD_ORDER
        }
        for f in self.files:
            d = out[f.extract]
            d["files"] += 1
            d["read"] += f.rows_read
            d["loaded"] += f.rows_loaded
            d["quarantined"] += f.rows_quarantined
            d["folded"] += f.rows_folded
        return out


def _empty_frame(extract: Extract) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "_file": pl.String(),
        "_line": pl.Int32(),
        "_read_seq": pl.Int64(),
        "_nfkc_dirty": pl.Boolean(),
        "_reason": pl.String(),
        "_absent": pl.String(),
    }
    schema.update({c.name: pl.String() for c in extract.columns})
    return pl.DataFrame(schema=schema)


def _tag(rf: RawFile, start_seq: int) -> pl.DataFrame:
    """A file's rows with `_file`, `_read_seq` (from `start_seq` + 1) and the NFKC flag."""
    h = rf.frame.height
    cols = [
        "_file",
        "_line",
        "_read_seq",
        "_nfkc_dirty",
        "_reason",
        "_absent",
        *(c.name for c in EXTRACTS[rf.extract].columns),
    ]
    # `,a,b,`: the optional columns (SPEC §10.1) the file lacks, NULL when it lacks none
    absent = f",{','.join(rf.absent)}," if rf.absent else None
    return rf.frame.with_columns(
        pl.lit(absent, dtype=pl.String).alias("_absent"),
        pl.lit(rf.file, dtype=pl.String).alias("_file"),
        pl.int_range(start_seq + 1, start_seq + 1 + h, dtype=pl.Int64).alias("_read_seq"),
        pl.lit(not rf.nfkc_clean).alias("_nfkc_dirty"),
    ).select(cols)


def _row_hash(columns: list[str], seed: int) -> pl.Expr:
    """A 64-bit hash of the row over `columns`: XOR of per-column hashes, each seeded apart."""
    h = pl.col(columns[0]).hash(seed)
    for i, c in enumerate(columns[1:], start=1):
        h = h ^ pl.col(c).hash(seed + 7919 * i)
    return h


def _repeated(h: pl.Series) -> pl.Series:
    """Mask of the rows whose value of `h` occurs more than once. Sort-based: `is_duplicated`
    groups by value and keeps a row list per group — gigabytes for 10 M distinct values."""
    s = h.sort()
    twice = s.filter(s == s.shift(1)).unique()
    return h.is_in(twice.implode())


def _folded(extract: Extract, n: pl.DataFrame) -> pl.Series:
    """`_idx` of the loadable rows that repeat an earlier loadable row in every contract column.

    A 64-bit hash of the row (`_h`, computed per batch by the reader) finds the candidates (a
    hash set of integers); the exact comparison runs on those only (a row-encoded hash table of
    every column of a 10 M-row extract would not fit)."""
    keys = _fold_key(extract)
    h = n.select("_idx", "_bad", pl.col("_h").alias("h")).filter(~pl.col("_bad"))
    candidates = h.filter(_repeated(h["h"]))["_idx"]
    if candidates.len() == 0:
        return pl.Series("_idx", [], dtype=n.schema["_idx"])
    sub = n.select("_idx", *keys).filter(pl.col("_idx").is_in(candidates.implode()))
    return sub.filter(~pl.struct(keys).is_first_distinct())["_idx"]


def _fold_key(extract: Extract) -> list[str]:
    return [f"{c.name}__v" if c.kind in TYPED else c.name for c in extract.columns]


class _Context:
    """What later extracts need from earlier ones, and the build's clock."""

    def __init__(self, clock: dt.datetime | None = None) -> None:
        #: the latest plausible event date-time: the build's own clock + the tolerance
        self.latest = (clock or dt.datetime.now()) + CLOCK_TOLERANCE
        self.enterprise_state = pl.DataFrame(
            schema={"credit_code": pl.String, "_ent_unit": pl.String, "_ent_industry": pl.String}
        )
        self.enterprise_codes = pl.Series("c", [], dtype=pl.String)
        self.inspection_ids = pl.Series("i", [], dtype=pl.String)


def _add_context(extract: Extract, n: pl.DataFrame, ctx: _Context) -> pl.DataFrame:
    cols = {c.name for c in extract.columns}
    name = extract.name
    if "credit_code" in cols and name != "enterprises":
        # a lookup expression, not a join: a join gathers every column of the extract (a copy of
        # it), and adding the joined columns to the chunked frame rechunks it (another)
        es = ctx.enterprise_state
        n = n.with_columns(
            pl.col("credit_code")
            .replace_strict(es["credit_code"], es[c], default=None, return_dtype=pl.String)
            .alias(c)
            for c in ("_ent_unit", "_ent_industry")
        )
    else:
        n = n.with_columns(
            pl.lit(None, dtype=pl.String).alias("_ent_unit"),
            pl.lit(None, dtype=pl.String).alias("_ent_industry"),
        )
    exprs: list[pl.Expr] = _plausible_dates(extract, ctx.latest)
    if extract.credit_code_must_exist:
        exprs.append(
            pl.when(pl.col("credit_code").is_null() | ~pl.col("credit_code__ok"))
            .then(None)
            .otherwise(pl.col("credit_code").is_in(ctx.enterprise_codes.implode()))
            .alias("credit_code__known")
        )
    if "town" in cols and name != "enterprises":
        unit_ok = pl.col("_ent_unit").is_not_null()
        applies = pl.col("town").is_null()
        if name == "drills":
            applies = applies & (pl.col("organiser_type") == "企业")
        exprs.append(pl.when(applies).then(unit_ok).alias("_unit_ok"))
    if "industry" in cols and name != "enterprises":
        exprs.append(
            pl.when(pl.col("industry").is_null())
            .then(pl.col("_ent_industry").is_not_null())
            .alias("_industry_ok")
        )
    if name == "hazards":
        exprs += [
            pl.when(pl.col("status").is_in(["已整改", "已销号"]))
            .then(pl.col("rectified_date").is_not_null())
            .alias("_rectified_ok"),
            pl.when(pl.col("status") == "已销号")
            .then(pl.col("closed_date").is_not_null())
            .alias("_closed_ok"),
            pl.col("updated_at__v").dt.date().alias("updated_at__date"),
        ]
    exprs += context_checks(extract)
    if name == "penalties":
        exprs.append(
            pl.when(pl.col("inspection_id").is_null())
            .then(None)
            .otherwise(pl.col("inspection_id").is_in(ctx.inspection_ids.implode()))
            .alias("inspection_id__known")
        )
    if name == "drills":
        exprs += [
            pl.when(pl.col("organiser_type") == "企业")
            .then(pl.col("credit_code").is_not_null())
            .alias("_credit_needed_ok"),
            pl.when(pl.col("organiser_type").is_in(["镇街", "区直部门"]))
            .then(
                pl.col("organiser_unit_code").is_not_null()
                | pl.col("organiser_department_code").is_not_null()
            )
            .alias("_organiser_ok"),
        ]
    return n.with_columns(exprs) if exprs else n


def _plausible_dates(extract: Extract, latest: dt.datetime) -> list[pl.Expr]:
    """``c__not_early`` / ``c__not_late`` of every date / date-time column (NULL when it has no
    value): not before PLAUSIBLE_FROM; not after `latest` (the clock + tolerance) — or, for the
    dates that may lie ahead (deadlines, validity dates), not after PLAUSIBLE_UNTIL."""
    exprs = []
    for col in extract.columns:
        if col.kind not in ("date", "datetime"):
            continue
        v = pl.col(f"{col.name}__v")
        if col.kind == "date":
            lo, hi = PLAUSIBLE_FROM, PLAUSIBLE_UNTIL if col.future_ok else latest.date()
        else:
            lo = dt.datetime.combine(PLAUSIBLE_FROM, dt.time())
            hi = dt.datetime.combine(PLAUSIBLE_UNTIL, dt.time.max) if col.future_ok else latest
        exprs += [
            (v >= lo).alias(f"{col.name}__not_early"),
            (v <= hi).alias(f"{col.name}__not_late"),
        ]
    return exprs


def _plausible(ts: pl.Expr, latest: dt.datetime) -> pl.Expr:
    """`ts` (a date-time) where it lies in the plausible window of events, else NULL."""
    return pl.when(ts.is_between(dt.datetime.combine(PLAUSIBLE_FROM, dt.time()), latest)).then(ts)


def _reader_failures(n: pl.DataFrame, failures: pl.DataFrame) -> pl.DataFrame:
    """A row the reader could not read as a row (`_reason`: a field count unlike the header's, a
    field spanning lines) has no value: its one failure is that reason, on no column, instead
    of the rules its NULL columns break."""
    unread = n.select("_idx", "_reason").filter(pl.col("_reason").is_not_null())
    if unread.height == 0:
        return failures
    rows = unread.select(
        pl.col("_idx").cast(failures.schema["_idx"]),
        pl.lit(None, dtype=pl.String).alias("column_name"),
        pl.col("_reason").alias("reason_code"),
    )
    kept = failures.filter(~pl.col("_idx").is_in(rows["_idx"].implode()))
    return pl.concat([kept, rows.select(failures.columns)]).sort("_idx", maintain_order=True)


def _quarantine_rows(
    extract: Extract, n: pl.DataFrame, failures: pl.DataFrame, latest: dt.datetime
) -> pl.DataFrame:
    if failures.height == 0:
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    text_cols = [c.name for c in extract.columns if c.kind not in ("pii", "pii_id")]
    bad = n.filter(pl.col("_idx").is_in(failures["_idx"].unique().implode()))  # few rows
    main = MAIN_DATE[extract.name]
    main_ts = pl.col(f"{main}__v").cast(pl.Datetime("us"))
    unit = [pl.col("unit_code")] if "unit_code" in bad.columns else []
    if extract.name == "drills":
        unit.append(pl.col("organiser_unit_code"))
    unit.append(pl.col("_ent_unit"))
    rows = bad.select(
        "_idx",
        "_read_seq",
        pl.col("_file").alias("file"),
        pl.col("_line").alias("line"),
        pl.col(extract.key).alias("record_key"),
        pl.coalesce(unit).alias("unit_code"),
        # an implausible date (year 9999) places the row in no month
        pl.coalesce(_plausible(main_ts, latest), _plausible(pl.col("updated_at__v"), latest))
        .dt.strftime("%Y-%m")
        .alias("month"),
    )
    values = bad.select("_idx", *[pl.col(c).cast(pl.String) for c in text_cols]).unpivot(
        index="_idx", variable_name="column_name", value_name="value"
    )
    zh = {c.name: c.zh for c in extract.columns}
    q = (
        failures.with_row_index("_rule")
        .join(rows, on="_idx", how="left")
        .join(values, on=["_idx", "column_name"], how="left")
        .sort("_read_seq", "_rule")
        .with_columns(
            pl.lit(extract.name).alias("extract"),
            pl.col("column_name").replace_strict(zh, return_dtype=pl.String).alias("column_zh"),
            pl.col("reason_code").replace_strict(REASONS, return_dtype=pl.String).alias("reason"),
        )
    )
    return q.select(list(QUARANTINE_SCHEMA))


def _enterprise_state(loaded: pl.DataFrame, as_of: dt.date | None) -> pl.DataFrame:
    """Credit code → the enterprise's unit and industry as of D (latest version ≤ end of D;
    an enterprise whose every version is later takes its latest)."""
    v = loaded.select(
        "credit_code",
        "updated_at__v",
        "_read_seq",
        pl.col("unit_code").alias("_ent_unit"),
        pl.col("industry").alias("_ent_industry"),
    )
    if as_of is not None:
        end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
        v = v.with_columns((pl.col("updated_at__v") < end).alias("_in"))
    else:
        v = v.with_columns(pl.lit(True).alias("_in"))
    return (
        v.sort("_in", "updated_at__v", "_read_seq")
        .group_by("credit_code")
        .agg(pl.col("_ent_unit").last(), pl.col("_ent_industry").last())
    )


def _equal_version_warnings(extract: Extract, loaded: pl.DataFrame) -> list[str]:
    # only the few (key, updated_at) pairs that repeat are grouped (a group_by with a list per
    # group over every row of a 10 M-row extract cost gigabytes): a 64-bit hash of the pair finds
    # the candidates, the group_by below is exact
    key = extract.version_columns
    pair = loaded.select(_row_hash([*key, "updated_at__v"], 0x3C07)).to_series()
    repeats = loaded.filter(_repeated(pair))
    dup = (
        repeats.group_by(*key, "updated_at__v")
        .agg(pl.len().alias("n"), pl.col("_file").unique().sort().alias("files"))
        .filter(pl.col("n") > 1)
        .sort(*key, "updated_at__v")
    )
    if dup.height == 0:
        return []
    out = [
        f"{extract.name}: {dup.height} 条记录存在更新时间相同但内容不同的版本，以最后读取的为准 / "
        f"{dup.height} records have versions with equal updated_at and different content: "
        "the one read last wins"
    ]
    for row in dup.head(MAX_WARNINGS_PER_EXTRACT).iter_rows(named=True):
        out.append(
            f"{extract.name}: {'/'.join(f'{k}={row[k]}' for k in key)} "
            f"更新时间={row['updated_at__v']} "
            f"{row['n']} 个版本 / versions in {', '.join(row['files'])}: the one read last wins"
        )
    return out


def ingest(
    raw_dir: Path,
    build_db: Path,
    *,
    seeds_dir: Path,
    salt: str,
    as_of: dt.date | None = None,
    progress: Callable[[str], None] = print,
) -> IngestResult:
    """Read, validate and land a raw drop into schema `raw` of the (new) DuckDB file `build_db`.

    Raises :class:`ExtractFileError` when a file cannot be read as a whole — before anything is
    written (or, for a file found unreadable only while its rows are read, after removing the
    build file). See docs/ARCHITECTURE.md for the landed tables.
    """
    raw_dir, build_db = Path(raw_dir), Path(build_db)
    timings: dict[str, float] = {}
    t0 = perf_counter()
    # great-expectations runs in a child process that imports it (seconds) while we read
    with GxWorker() as gx:
        files = check_all(raw_dir, progress)
        timings["check"] = perf_counter() - t0

        t1 = perf_counter()
        ref = RefData.load(Path(seeds_dir))
        # every file is readable: only now is anything written
        lander = Lander(build_db, salt)
        try:
            state = _State(as_of)
            state.warnings += [
                f"{d}/ 不是约定的数据目录，已忽略 / {d}/ is not an extract folder: ignored"
                for d in ignored_folders(raw_dir)
            ]
            _load_extracts(files, ref, gx, lander, state, timings, progress)
            t2 = perf_counter()
            unbalanced = [
                f
                for f in state.files
                if f.rows_read != f.rows_loaded + f.rows_quarantined + f.rows_folded
            ]
            if unbalanced:  # never expected: a loader bug, not bad input
                raise RuntimeError(f"reconciliation does not balance: {unbalanced}")
            max_updated = state.max_updated
            as_of_date = as_of or (max_updated.date() if max_updated else dt.date.today())
            for w in state.warnings:
                progress(f"警告 / warning: {w}")
            quarantine = pl.concat(state.quarantine, how="vertical")
            reconciliation = pl.DataFrame(
                [f.__dict__ for f in state.files], schema=RECONCILIATION_SCHEMA
            )
            lander.finish(
                quarantine,
                reconciliation,
                {
                    "as_of_date": as_of_date,
                    "built_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    "raw_dir": str(raw_dir),
                    "max_updated_at": max_updated,
                },
            )
            timings["land"] = timings.get("land", 0.0) + perf_counter() - t2
        except ExtractFileError:
            # a file found unreadable while its rows were read (a stray quote swallowing rows,
            # malformed quoting): as if pass 1 had rejected it, the build file goes
            lander.close()
            remove_duckdb_file(build_db)
            raise
        finally:
            lander.close()
        timings["validate"] = perf_counter() - t1 - timings["land"] - timings["read_wait"]
        timings["total"] = perf_counter() - t0
        progress("入库完成 / landed: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
        return IngestResult(
            as_of_date, max_updated, state.files, state.warnings, timings, state.validation
        )


class _State:
    """What the extracts processed so far leave for the next ones and for the result."""

    def __init__(self, as_of: dt.date | None) -> None:
        self.as_of = as_of
        # the build's own clock (local time, like the drop's timestamps): nothing happened after
        self.ctx = _Context(dt.datetime.now())
        self.files: list[FileCount] = []
        self.warnings: list[str] = []
        self.quarantine: list[pl.DataFrame] = []
        #: per extract: its suite's results (zhiben.validation_report), for the report
        self.validation: list[dict] = []
        self.max_updated: dt.datetime | None = None


def _add_time(timings: dict[str, float], key: str, seconds: float) -> None:
    timings[key] = timings.get(key, 0.0) + seconds


@dataclass
class _Read:
    """One extract read and normalised (by the read-ahead thread)."""

    extract: Extract
    frame: pl.DataFrame  # normalised, with `_idx`
    files: list[tuple[str, int]]  # (file, rows read), in read order
    encodings: dict[str, int]
    warnings: list[str]


class _Reader:
    """Reads and normalises the extracts in load order; `_read_seq` runs on across them."""

    def __init__(self, files: dict[str, list[tuple[Path, str]]], ref: RefData, timings):
        self.files = files
        self.ref = ref
        self.timings = timings
        self.seq = 0

    def read(self, extract: Extract) -> _Read:
        tr = perf_counter()
        parts: list[pl.DataFrame] = []
        read_files: list[tuple[str, int]] = []
        encodings: dict[str, int] = {}
        warnings: list[str] = []
        t_norm = 0.0
        pending: list[pl.DataFrame] = []
        pending_rows = 0

        def flush() -> float:
            """Normalise the files read so far (batches: the raw text is freed as we go, and
            small files do not pay the per-call overhead one by one)."""
            tn = perf_counter()
            raw = pl.concat(pending, how="vertical")
            # rows the reader could not read as rows (their contract columns are NULL) keep
            # their reason beside the normalised columns
            part = normalise(extract, raw, self.ref).with_columns(raw["_reason"])
            del raw
            # one chunk per batch for every column, `_idx` included: columns chunked unlike the
            # rest make polars rechunk the whole extract later (a copy of it: GiBs at province)
            offset = sum(p.height for p in parts)
            part = part.rechunk().with_row_index("_idx", offset=offset)
            # the row hash that finds duplicate candidates, one batch at a time (over a whole
            # extract its per-column hashes took gigabytes at once)
            parts.append(part.with_columns(_row_hash(_fold_key(extract), 0x5A11).alias("_h")))
            pending.clear()
            return perf_counter() - tn

        for path, rel in self.files[extract.name]:
            rf = read_file(path, rel, extract)
            read_files.append((rel, rf.rows_read))
            encodings[rf.encoding] = encodings.get(rf.encoding, 0) + 1
            warnings += rf.warnings
            pending.append(_tag(rf, self.seq))
            self.seq += rf.rows_read
            pending_rows += rf.rows_read
            del rf
            if pending_rows >= NORMALISE_BATCH_ROWS:
                t_norm += flush()
                pending_rows = 0
        if pending:
            t_norm += flush()
        if not parts:
            frame = _empty_frame(extract)
            empty = normalise(extract, frame, self.ref).with_columns(frame["_reason"])
            empty = empty.with_row_index("_idx")
            parts.append(empty.with_columns(pl.lit(None, dtype=pl.UInt64).alias("_h")))
        n = pl.concat(parts, how="vertical", rechunk=False)
        _add_time(self.timings, "read", perf_counter() - tr - t_norm)
        _add_time(self.timings, "normalise", t_norm)
        return _Read(extract, n, read_files, encodings, warnings)


def _load_extracts(
    files: dict[str, list[tuple[Path, str]]],
    ref: RefData,
    gx: GxWorker,
    lander: Lander,
    state: _State,
    timings: dict[str, float],
    progress: Callable[[str], None],
) -> None:
    """All extracts in load order: one is read and normalised ahead, in a thread, while the last
    is validated, folded and landed."""
    reader = _Reader(files, ref, timings)
    with ThreadPoolExecutor(1, thread_name_prefix="zhiben-read") as pool:
        ahead = pool.submit(reader.read, EXTRACTS[LOAD_ORDER[0]])
        for i, _name in enumerate(LOAD_ORDER):
            tw = perf_counter()
            read = ahead.result()
            _add_time(timings, "read_wait", perf_counter() - tw)
            if i + 1 < len(LOAD_ORDER):
                ahead = pool.submit(reader.read, EXTRACTS[LOAD_ORDER[i + 1]])
            _process(read, ref, gx, lander, state, timings, progress)
            del read


def _process(
    read: _Read,
    ref: RefData,
    gx: GxWorker,
    lander: Lander,
    state: _State,
    timings: dict[str, float],
    progress: Callable[[str], None],
) -> None:
    """Validate, fold and land one extract."""
    extract, n, read_files = read.extract, read.frame, read.files
    name = extract.name
    if read_files:
        enc = ", ".join(f"{k} {v}" for k, v in sorted(read.encodings.items()))
        progress(f"读取 {name}: {len(read_files)} 个文件 / files, {n.height} 行 / rows ({enc})")
    tn = perf_counter()
    n = _add_context(extract, n, state.ctx)
    tg = perf_counter()
    _add_time(timings, "normalise", tg - tn)
    # the first time: what of the GX worker's import the reading did not hide (`gx_setup`)
    gx.wait_ready()
    tv = perf_counter()
    _add_time(timings, "gx_setup", tv - tg)
    rules = rules_for(extract, ref)
    failures = validate(gx, name, rules, n)
    timings[f"gx:{name}"] = perf_counter() - tv
    _add_time(timings, "gx", timings[f"gx:{name}"])
    failures = _reader_failures(n, failures)
    state.warnings += read.warnings

    n = n.with_columns(pl.col("_idx").is_in(failures["_idx"].unique().implode()).alias("_bad"))
    # identical rows fold: only loadable rows take part, the first read loads
    folded = _folded(extract, n)
    n = n.with_columns(pl.col("_idx").is_in(folded.implode()).alias("_folded"))
    n = n.with_columns((~pl.col("_bad") & ~pl.col("_folded")).alias("_load"))

    # select first: grouping the whole frame cost ~0.4 GiB per million rows
    counts = (
        n.select("_file", "_bad", "_folded", "_load")
        .group_by("_file")
        .agg(
            pl.len().alias("rows_read"),
            pl.col("_bad").sum().alias("rows_quarantined"),
            pl.col("_folded").sum().alias("rows_folded"),
            pl.col("_load").sum().alias("rows_loaded"),
        )
    )
    by_file = {r["_file"]: r for r in counts.iter_rows(named=True)}
    mine: list[FileCount] = []
    for file, rows_read in read_files:
        r = by_file.get(file)
        fc = FileCount(
            name,
            file,
            r["rows_read"] if r else 0,
            r["rows_loaded"] if r else 0,
            r["rows_quarantined"] if r else 0,
            r["rows_folded"] if r else 0,
        )
        assert fc.rows_read == rows_read, (fc, rows_read)
        assert fc.rows_read == fc.rows_loaded + fc.rows_quarantined + fc.rows_folded, fc
        mine.append(fc)
    state.files += mine
    state.quarantine.append(_quarantine_rows(extract, n, failures, state.ctx.latest))
    state.validation.append(summarise_extract(extract, rules, n.height, state.quarantine[-1]))

    keys = n.select(*extract.version_columns, "updated_at__v", "_file", "_read_seq", "_load")
    keys = keys.filter("_load")
    state.warnings += _equal_version_warnings(extract, keys)
    if keys.height:
        m = keys["updated_at__v"].max()
        if m is not None and (state.max_updated is None or m > state.max_updated):
            state.max_updated = m
    n_loaded = keys.height
    del keys
    if name == "enterprises":
        ents = n.select(
            "credit_code", "updated_at__v", "_read_seq", "unit_code", "industry", "_load"
        ).filter("_load")
        state.ctx.enterprise_state = _enterprise_state(ents, state.as_of)
        state.ctx.enterprise_codes = ents["credit_code"].unique()
    elif name == "inspections":
        state.ctx.inspection_ids = (
            n.select("inspection_id", "_load").filter("_load")["inspection_id"].unique()
        )

    tl = perf_counter()
    lander.extract(name, n, "_load")
    _add_time(timings, "land", perf_counter() - tl)
    progress(
        f"校验 {name}: 读取 {n.height}，入库 {n_loaded}，"
        f"隔离 {sum(f.rows_quarantined for f in mine)}，折叠重复 {sum(f.rows_folded for f in mine)}"
    )
