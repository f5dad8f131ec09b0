"""The loader: read → normalise → validate (great-expectations) → fold → land."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable, Iterator
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
from zhiben.ingest import lake
from zhiben.ingest.gx_worker import GxWorker
from zhiben.ingest.land import QUARANTINE_SCHEMA, RECONCILIATION_SCHEMA, Lander, lake_select
from zhiben.ingest.normalise import normalise
from zhiben.ingest.read import (
    ExtractFileError,
    RawFile,
    check_file,
    discover,
    ignored_folders,
    read_file,
)
from zhiben.ingest.refdata import RefData
from zhiben.ingest.sources import own_column_names
from zhiben.ingest.suites import Rule, context_checks, rules_for, validate
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
    "tasks": "reported_date",
    "monitoring": "connected_date",
    "self_inspections": "inspection_date",
}
TYPED = ("date", "datetime", "int", "decimal", "bool")
MAX_WARNINGS_PER_EXTRACT = 20
#: rows of raw text normalised at a time
NORMALISE_BATCH_ROWS = 500_000
#: rows of new files validated and written to the lake at a time (a file is never split):
#: memory stays bounded by a batch whatever the drop's size (``ZHIBEN_LAKE_BATCH_ROWS``
#: overrides it)
LAKE_BATCH_ROWS = 1_000_000


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
    #: seconds: check (pass 1: every file's encoding / header); read and read_normalise (pass 2:
    #: parsing and normalising the new files, in the read-ahead thread, overlapping the rest);
    #: read_wait (the time the loader waited for that thread, or did that work itself when the
    #: read-ahead is off); normalise (the loader's own: row context, the lake's whole-extract
    #: scan); validate (GX + whole-extract rules + folding + quarantine, of which `gx_setup`
    #: (waiting for the GX worker's import), `gx`, `gx:<extract>` and `validate_wide`); land;
    #: total. On the loader's thread check + read_wait + normalise + validate + land = total.
    timings: dict[str, float] = field(default_factory=dict)
    #: per extract, the results of its great-expectations suite (zhiben.validation_report)
    validation: list[dict] = field(default_factory=list)
    #: the lake: its folder, files (reused / read) and rows (reused / read) of this build
    lake: dict = field(default_factory=dict)
    #: the lake entries this build used (zhiben.ingest.lake.prune keeps them)
    entries: list[Path] = field(default_factory=list)

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
    """Every context column the rules read: the row's own (:func:`_row_context`) and those that
    read beyond its file (:func:`_wide_context`)."""
    return _wide_context(extract, _row_context(extract, n), ctx)


def _row_context(extract: Extract, n: pl.DataFrame) -> pl.DataFrame:
    """Rule columns that read only the row itself (computed per file, kept in the lake)."""
    name = extract.name
    exprs: list[pl.Expr] = _plausible_dates(extract, None)
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
    exprs += context_checks(extract)
    return n.with_columns(exprs) if exprs else n


def _wide_context(extract: Extract, n: pl.DataFrame, ctx: _Context) -> pl.DataFrame:
    """Rule columns that read beyond the row's file — other extracts (the enterprise's state as
    of D, loaded enterprises and inspections) or the build's clock — computed over the whole
    extract after the lake, from the landed columns (and the lake's `_lk_` columns)."""
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
    if name == "penalties":
        exprs.append(
            pl.when(pl.col("inspection_id").is_null())
            .then(None)
            .otherwise(pl.col("inspection_id").is_in(ctx.inspection_ids.implode()))
            .alias("inspection_id__known")
        )
    return n.with_columns(exprs) if exprs else n


def _plausible_dates(extract: Extract, latest: dt.datetime | None) -> list[pl.Expr]:
    """``c__not_early`` / ``c__not_late`` of every date / date-time column (NULL when it has no
    value): not before PLAUSIBLE_FROM; not after `latest` (the clock + tolerance) — or, for the
    dates that may lie ahead (deadlines, validity dates), not after PLAUSIBLE_UNTIL.

    `latest` None: the checks that do not depend on the clock (per file); else the event dates'
    ``c__not_late`` (the clock's, over the whole extract)."""
    exprs = []
    for col in extract.columns:
        if col.kind not in ("date", "datetime"):
            continue
        v = pl.col(f"{col.name}__v")
        if latest is not None:
            if not col.future_ok:
                hi = latest.date() if col.kind == "date" else latest
                exprs.append((v <= hi).alias(f"{col.name}__not_late"))
            continue
        if col.kind == "date":
            lo, hi = PLAUSIBLE_FROM, PLAUSIBLE_UNTIL
        else:
            lo = dt.datetime.combine(PLAUSIBLE_FROM, dt.time())
            hi = dt.datetime.combine(PLAUSIBLE_UNTIL, dt.time.max)
        exprs.append((v >= lo).alias(f"{col.name}__not_early"))
        if col.future_ok:
            exprs.append((v <= hi).alias(f"{col.name}__not_late"))
    return exprs


def _plausible(ts: pl.Expr, latest: dt.datetime) -> pl.Expr:
    """`ts` (a date-time) where it lies in the plausible window of events, else NULL."""
    return pl.when(ts.is_between(dt.datetime.combine(PLAUSIBLE_FROM, dt.time()), latest)).then(ts)


def _reader_failures(
    n: pl.DataFrame, failures: pl.DataFrame, ranked: pl.DataFrame | None = None
) -> pl.DataFrame:
    """A row the reader could not read as a row (`_reason`: a field count unlike the header's, a
    field spanning lines) has no value: its one failure is that reason, on no column, instead
    of the rules its NULL columns break. With `ranked` (`failures` with ``_rule``), the result
    keeps ``_rule`` (-1 for the reader's)."""
    unread = n.select("_idx", "_reason").filter(pl.col("_reason").is_not_null())
    if ranked is not None:
        failures = ranked
    if unread.height == 0:
        return failures
    rows = unread.select(
        pl.col("_idx").cast(failures.schema["_idx"]),
        pl.lit(None, dtype=pl.String).alias("column_name"),
        pl.col("_reason").alias("reason_code"),
    )
    if ranked is not None:
        rows = rows.with_columns(pl.lit(-1, dtype=pl.Int32).alias("_rule"))
    kept = failures.filter(~pl.col("_idx").is_in(rows["_idx"].implode()))
    return pl.concat([kept, rows.select(failures.columns)]).sort("_idx", maintain_order=True)


def _quarantine_rows(
    extract: Extract, n: pl.DataFrame, failures: pl.DataFrame, latest: dt.datetime
) -> pl.DataFrame:
    """Quarantine rows of `failures` (``_idx``, ``column_name``, ``reason_code``, ``value``: the
    failing column's text; rows in order, for a row its rules in suite order)."""
    if failures.height == 0:
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    bad = n.filter(pl.col("_idx").is_in(failures["_idx"].unique().implode()))  # few rows
    main = MAIN_DATE[extract.name]
    main_ts = pl.col(f"{main}__v").cast(pl.Datetime("us"))
    unit = [pl.col("unit_code")] if "unit_code" in bad.columns else []
    if extract.name == "drills":
        unit.append(pl.col("organiser_unit_code"))
    if extract.name == "tasks":  # a 镇街 owner is the row's unit
        unit.append(pl.when(pl.col("owner_code").str.starts_with("U")).then(pl.col("owner_code")))
    unit.append(pl.col("_ent_unit"))
    rows = bad.select(
        pl.col("_idx").cast(pl.Int64),
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
    zh = {c.name: c.zh for c in extract.columns}
    q = (
        failures.select("_idx", "column_name", "reason_code", "value")
        .with_row_index("_pos")
        .join(rows, on="_idx", how="left")
        .sort("_read_seq", "_pos")
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


def lake_frame_template(extract: Extract, ref: RefData) -> pl.DataFrame:
    """An empty normalised frame of `extract` with the lake's per-file columns."""
    frame = _empty_frame(extract)
    n = normalise(extract, frame, ref).with_columns(frame["_reason"])
    return _row_context(extract, n.rename({"_read_seq": "_lk_row"}))


def ingest(
    raw_dir: Path,
    build_db: Path,
    *,
    seeds_dir: Path,
    salt: str,
    as_of: dt.date | None = None,
    progress: Callable[[str], None] = print,
    lake_dir: Path | None = None,
    full_refresh: bool = False,
) -> IngestResult:
    """Read, validate and land a raw drop: the lake (one entry per input file, under `lake_dir`,
    by default ``<build_db's folder>/lake``; only new or changed files are read) and schema `raw`
    of the (new) DuckDB file `build_db` (views over the lake, the quarantine, the reconciliation).

    Raises :class:`ExtractFileError` when a file cannot be read as a whole — before anything is
    written to the build file (or, for a file found unreadable only while its rows are read, after
    removing the build file). See docs/ARCHITECTURE.md, "The lake".
    """
    raw_dir, build_db = Path(raw_dir), Path(build_db)
    lake_dir = Path(lake_dir) if lake_dir is not None else build_db.parent / "lake"
    timings: dict[str, float] = {}
    t0 = perf_counter()
    if full_refresh:
        shutil.rmtree(lake_dir, ignore_errors=True)
    # great-expectations runs in a child process that imports it (seconds) while we read
    with GxWorker() as gx:
        found = discover(raw_dir)
        entries = lake.plan(lake_dir, found, lake.fingerprint(Path(seeds_dir), salt))
        # pass 1, for the files the lake does not hold (a reused entry's file passed it unchanged)
        for extract, es in entries.items():
            new = [e for e in es if not e.reused]
            for e in new:
                check_file(e.path, e.rel, EXTRACTS[extract])
            if es:
                progress(
                    f"检查 {extract}: {len(es)} 个文件 / files "
                    f"({len(es) - len(new)} 个沿用 / reused, {len(new)} 个读取 / to read)"
                )
        timings["check"] = perf_counter() - t0

        t1 = perf_counter()
        ref = RefData.load(Path(seeds_dir))
        # every file is readable: only now is anything written
        lander = Lander(build_db, salt)
        n_batches = 0
        try:
            state = _State(as_of)
            state.warnings += [
                f"{d}/ 不是约定的数据目录，已忽略 / {d}/ is not an extract folder: ignored"
                for d in ignored_folders(raw_dir)
            ]
            seq = 0
            budget = lake_batch_rows()
            # the new files are read and normalised a batch ahead, in a thread, while the
            # current batch is validated and written (and across extracts: while the last
            # extract's whole-extract stage runs)
            read_ahead = os.environ.get("ZHIBEN_LAKE_READ_AHEAD", "1") != "0"
            with ThreadPoolExecutor(1, thread_name_prefix="zhiben-read") as pool:
                batches = _ahead(
                    _read_batches(entries, ref, budget, timings),
                    pool if read_ahead else None,
                    timings,
                )
                for name in LOAD_ORDER:
                    es = entries[name]
                    for got, batch in batches:
                        if batch is None:
                            break
                        assert got == name, (got, name)
                        _land_batch(batch, ref, gx, salt, lander, timings)
                        n_batches += 1
                        del batch
                    _process(
                        EXTRACTS[name],
                        es,
                        seq,
                        ref,
                        gx,
                        lander,
                        lake_dir,
                        state,
                        timings,
                        progress,
                    )
                    seq += sum(e.rows for e in es)
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
            _add_time(timings, "land", perf_counter() - t2)
        except ExtractFileError:
            # a file found unreadable while its rows were read (a stray quote swallowing rows,
            # malformed quoting): as if pass 1 had rejected it, the build file goes
            lander.close()
            remove_duckdb_file(build_db)
            raise
        finally:
            lander.close()
        timings.setdefault("read_wait", 0.0)
        # the remainder of the loader's own thread: the reading thread's read / read_normalise
        # overlap it and are not subtracted, only the loader's wait for them (read_wait)
        timings["validate"] = (
            perf_counter()
            - t1
            - timings["land"]
            - timings["read_wait"]
            - timings.get("normalise", 0.0)
        )
        timings["total"] = perf_counter() - t0
        progress("入库完成 / landed: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
        all_entries = [e for es in entries.values() for e in es]
        reused = sum(e.reused for e in all_entries)
        lake_info = {
            "dir": str(lake_dir),
            "files": len(all_entries),
            "files_reused": reused,
            "files_read": len(all_entries) - reused,
            "rows_reused": sum(e.rows for e in all_entries if e.reused),
            "rows_read": sum(e.rows for e in all_entries if not e.reused),
            "batches": n_batches,
        }
        progress(
            f"湖 / lake: {lake_info['files_reused']} 个文件沿用 / files reused, "
            f"{lake_info['files_read']} 个读取 / read"
        )
        return IngestResult(
            as_of_date,
            max_updated,
            state.files,
            state.warnings,
            timings,
            state.validation,
            lake_info,
            [e.dir for e in all_entries],
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


_TIMINGS_LOCK = threading.Lock()


def _add_time(timings: dict[str, float], key: str, seconds: float) -> None:
    with _TIMINGS_LOCK:  # the read-ahead thread adds too
        timings[key] = timings.get(key, 0.0) + seconds


def _wide_columns(extract: Extract, ref: RefData) -> set[str]:
    """The rule columns :func:`_wide_context` computes (their rules run over the whole extract)."""
    n = _row_context(extract, normalise(extract, _empty_frame(extract), ref))
    return set(_wide_context(extract, n, _Context()).columns) - set(n.columns)


def _split_rules(extract: Extract, ref: RefData) -> tuple[list[Rule], list[int], list[int]]:
    """The suite, and the positions of its row-wise and of its whole-extract rules."""
    rules = rules_for(extract, ref)
    wide = _wide_columns(extract, ref)
    row_wise = [i for i, r in enumerate(rules) if not set(r.gx_columns) & wide]
    whole = [i for i, r in enumerate(rules) if set(r.gx_columns) & wide]
    return rules, row_wise, whole


def _failure_values(extract: Extract, n: pl.DataFrame, failures: pl.DataFrame) -> pl.DataFrame:
    """`failures` (``_idx`` …) with ``value``: the failing column's text in `n` (never a PII
    column's; NULL for a column `n` lacks)."""
    text_cols = [
        c.name for c in extract.columns if c.kind not in ("pii", "pii_id") and c.name in n.columns
    ]
    if failures.height == 0:
        return failures.with_columns(pl.lit(None, dtype=pl.String).alias("value"))
    bad = n.filter(pl.col("_idx").is_in(failures["_idx"].unique().implode()))  # few rows
    values = bad.select(
        pl.col("_idx").cast(pl.Int64), *[pl.col(c).cast(pl.String) for c in text_cols]
    ).unpivot(index="_idx", variable_name="column_name", value_name="value")
    return failures.join(values, on=["_idx", "column_name"], how="left", maintain_order="left")


@dataclass
class _Batch:
    """New files of one extract read and normalised together (by the read-ahead thread)."""

    extract: Extract
    entries: list[lake.Entry]
    #: normalised rows, `_read_seq` = the row's place in its file (the lake's `_lk_row`)
    frame: pl.DataFrame


def lake_batch_rows() -> int:
    """The row budget of a batch: :data:`LAKE_BATCH_ROWS`, or ``ZHIBEN_LAKE_BATCH_ROWS``."""
    v = os.environ.get("ZHIBEN_LAKE_BATCH_ROWS", "").strip()
    return max(1, int(v)) if v else LAKE_BATCH_ROWS


def _read_batches(
    entries: dict[str, list[lake.Entry]],
    ref: RefData,
    budget: int,
    timings: dict[str, float],
) -> Iterator[tuple[str, _Batch | None]]:
    """In load order, per extract: the batches of its files the lake does not hold (files in
    path order, a batch closed once it holds `budget` rows; a file is never split), then
    ``(extract, None)``."""
    for name in LOAD_ORDER:
        extract = EXTRACTS[name]
        new = [e for e in entries[name] if not e.reused]
        batch: list[lake.Entry] = []
        pending: list[pl.DataFrame] = []  # read, not yet normalised
        parts: list[pl.DataFrame] = []
        rows = pending_rows = 0
        for i, e in enumerate(new):
            tr = perf_counter()
            rf = read_file(e.path, e.rel, extract)
            e.rows, e.encoding, e.warnings = rf.rows_read, rf.encoding, tuple(rf.warnings)
            e.own_names = dict(rf.own_names)
            # `_read_seq` holds the row's place in its file here (the lake's `_lk_row`)
            pending.append(_tag(rf, -1))
            batch.append(e)
            rows += rf.rows_read
            pending_rows += rf.rows_read
            del rf
            _add_time(timings, "read", perf_counter() - tr)
            last = i == len(new) - 1
            # normalised in sub-batches as they are read: the raw text is freed as we go, and
            # small files do not pay the per-call overhead one by one
            if pending_rows >= NORMALISE_BATCH_ROWS or rows >= budget or last:
                tn = perf_counter()
                r = pl.concat(pending, how="vertical")
                pending, pending_rows = [], 0
                parts.append(normalise(extract, r, ref).with_columns(r["_reason"]).rechunk())
                del r
                _add_time(timings, "read_normalise", perf_counter() - tn)
            if rows >= budget or last:
                frame = pl.concat(parts, how="vertical", rechunk=False)
                parts, rows = [], 0
                yield name, _Batch(extract, batch, frame)
                batch = []
                del frame
        yield name, None


_END = object()


def _ahead(it: Iterator, pool: ThreadPoolExecutor | None, timings: dict[str, float]) -> Iterator:
    """The items of `it`, the next one produced in `pool`'s thread while the caller works on
    the current one (`pool` None: in the caller's thread); ``read_wait``: the caller's wait
    (without the thread: the time the caller spent producing the items itself)."""
    if pool is None:
        while True:
            tw = perf_counter()
            item = next(it, _END)
            _add_time(timings, "read_wait", perf_counter() - tw)
            if item is _END:
                return
            yield item
            del item
    ahead = pool.submit(next, it, _END)
    while True:
        tw = perf_counter()
        item = ahead.result()
        _add_time(timings, "read_wait", perf_counter() - tw)
        if item is _END:
            return
        ahead = pool.submit(next, it, _END)
        yield item
        del item


def _land_batch(
    batch: _Batch,
    ref: RefData,
    gx: GxWorker,
    salt: str,
    lander: Lander,
    timings: dict[str, float],
) -> None:
    """The per-file stage of one batch of new files: the row-wise rules (great-expectations, one
    suite over the batch's distinct values), then a lake entry per file."""
    extract = batch.extract
    name = extract.name
    tn = perf_counter()
    n = batch.frame.rename({"_read_seq": "_lk_row"}).with_row_index("_idx")
    batch.frame = n.head(0)  # the batch's rows live in `n` only (freed as `n` is)
    n = _row_context(extract, n)
    tg = perf_counter()
    _add_time(timings, "normalise", tg - tn)
    gx.wait_ready()
    tv = perf_counter()
    _add_time(timings, "gx_setup", tv - tg)
    rules, row_wise, _whole = _split_rules(extract, ref)
    failures = validate(gx, name, [rules[i] for i in row_wise], n, rule_index=True)
    failures = failures.with_columns(
        pl.col("_rule").replace_strict(dict(enumerate(row_wise)), return_dtype=pl.Int32)
    )
    _add_time(timings, f"gx:{name}", perf_counter() - tv)
    _add_time(timings, "gx", perf_counter() - tv)
    failures = _reader_failures(n, failures.drop("_rule"), failures)
    failures = _failure_values(extract, n, failures).join(
        n.select(pl.col("_idx").cast(pl.Int64), "_file", "_lk_row"), on="_idx", how="left"
    )
    tl = perf_counter()
    need, select = lake_select(name)
    params = {"salt": salt} if "$salt" in select else None
    # the lake's columns of the batch's files at once (one SQL statement: casts, salted
    # hashes), then one Parquet per file
    arrow = n.select(need).to_arrow()  # noqa: F841 (DuckDB replacement scan)
    del n
    converted = pl.from_arrow(lander.con.execute(select, params).to_arrow_table())
    del arrow
    fails = failures.partition_by("_file", as_dict=True, maintain_order=True)
    empty_fails = pl.DataFrame(schema=lake.FAILURES_SCHEMA)
    # the files' rows lie one after the other, in batch order: a file's rows are a slice (no
    # copy of the batch)
    offset = 0
    for e in batch.entries:
        rows = converted.slice(offset, e.rows)
        offset += e.rows
        if rows.height != e.rows or not (rows["_file"] == e.rel).all():
            raise RuntimeError(f"lake: the rows of {e.rel} are not where the batch put them")
        lake.write_entry(
            e, rows, fails.get((e.rel,), empty_fails).select(list(lake.FAILURES_SCHEMA))
        )
    if offset != converted.height:
        raise RuntimeError(f"lake: {converted.height - offset} rows of no file in the batch")
    _add_time(timings, "land", perf_counter() - tl)


def _lake_frame(extract: Extract, lf: pl.LazyFrame) -> pl.LazyFrame:
    """A lake entry's rows as the per-file stage had them: typed columns ``c__v``, the `_lk_`
    columns under their own names (`_lk_row`, `_lk_pii` kept)."""
    typed = {c.name for c in extract.columns if c.kind in TYPED}
    names = lf.collect_schema().names()
    lf = lf.rename({c: f"{c}__v" for c in names if c in typed})
    rename = {}
    for c in lf.collect_schema().names():
        if c.startswith("_lk_") and c not in ("_lk_row", "_lk_pii"):
            rename[c] = "_reason" if c == "_lk_reason" else c[len("_lk_") :]
    return lf.rename(rename)


def _narrow_columns(extract: Extract, whole: list[Rule]) -> list[str]:
    """What the whole-extract stage reads of every row (the rest only of the few rows that are
    quarantined or may fold, :func:`_lake_rows`)."""
    cols = ["_file", "_reason", "_h", "updated_at__v", "is_deleted__v", *extract.version_columns]
    cols += [c for r in whole for c in r.gx_columns]
    if extract.name == "enterprises":
        cols += ["credit_code", "unit_code", "industry"]
    elif extract.name == "inspections":
        cols.append("inspection_id")
    return list(dict.fromkeys(cols))


def _scan_lake(
    extract: Extract, files: list[Path], start: int, ctx: _Context, keep: list[str]
) -> pl.DataFrame:
    """The extract's rows from its lake entries' `files` (sorted path order; the first: the
    empty schema file) with the wide context (:func:`_wide_context`) and the fold hash ``_h``,
    only the columns `keep`, plus `_idx` and `_read_seq` (from `start` + 1 on). One file at a
    time: the whole extract is never held at its full width."""
    parts = []
    for f in files:
        lf = _wide_context(extract, _lake_frame(extract, pl.scan_parquet(f)), ctx)
        lf = lf.with_columns(_row_hash(_fold_key(extract), 0x5A11).alias("_h"))
        parts.append(lf.select(keep).collect())
    n = pl.concat(parts, how="vertical", rechunk=False)
    n = n.with_row_index("_idx").with_columns(pl.col("_idx").cast(pl.Int64))
    return n.with_columns((pl.col("_idx") + start + 1).alias("_read_seq"))


def _lake_rows(
    extract: Extract,
    schema_file: Path,
    entries: list[lake.Entry],
    offsets: list[int],
    start: int,
    ctx: _Context,
    idx: pl.Series,
) -> pl.DataFrame:
    """Every column (and the wide context) of the rows `idx` (`_idx` of :func:`_scan_lake`),
    read from the entries that hold them only."""
    idx = idx.unique().sort()
    parts = [_lake_frame(extract, pl.scan_parquet(schema_file)).head(0)]
    for e, off in zip(entries, offsets, strict=True):
        lo = idx.search_sorted(off, side="left")
        hi = idx.search_sorted(off + e.rows, side="left")
        if hi == lo:
            continue
        mine = idx.slice(lo, hi - lo)
        parts.append(
            _lake_frame(extract, pl.scan_parquet(e.rows_file))
            .with_row_index("_idx")
            .with_columns((pl.col("_idx").cast(pl.Int64) + off).alias("_idx"))
            .filter(pl.col("_idx").is_in(mine.implode()))
        )
    lf = pl.concat(
        [parts[0].with_row_index("_idx").with_columns(pl.col("_idx").cast(pl.Int64)), *parts[1:]],
        how="vertical",
    )
    lf = lf.with_columns((pl.col("_idx") + start + 1).alias("_read_seq"))
    return _wide_context(extract, lf, ctx).collect()


def _lake_failures(entries: list[lake.Entry], offsets: list[int]) -> pl.DataFrame:
    """The row-wise failures recorded in the entries, `_idx` in the extract's frame."""
    parts = [
        pl.read_parquet(e.failures_file).with_columns((pl.col("_lk_row") + off).alias("_idx"))
        for e, off in zip(entries, offsets, strict=True)
    ]
    schema = {"_idx": pl.Int64, **lake.FAILURES_SCHEMA}
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).select(list(schema))


def _process(
    extract: Extract,
    entries: list[lake.Entry],
    start: int,
    ref: RefData,
    gx: GxWorker,
    lander: Lander,
    lake_dir: Path,
    state: _State,
    timings: dict[str, float],
    progress: Callable[[str], None],
) -> None:
    """The whole-extract stage over the lake: the rules that read beyond one file, folding,
    quarantine, reconciliation; then the extract's view."""
    name = extract.name
    tn = perf_counter()
    schema_file = lake_dir / "_schema" / f"{name}.parquet"
    lander.write_schema_file(name, schema_file, lake_frame_template(extract, ref))
    if entries:
        encodings: dict[str, int] = {}
        for e in entries:
            encodings[e.encoding] = encodings.get(e.encoding, 0) + 1
        enc = ", ".join(f"{k} {v}" for k, v in sorted(encodings.items()))
        progress(
            f"读取 {name}: {len(entries)} 个文件 / files, {sum(e.rows for e in entries)} 行 / "
            f"rows ({enc})"
        )
    offsets = []
    off = 0
    for e in entries:
        offsets.append(off)
        off += e.rows
    rules, _row_wise, whole = _split_rules(extract, ref)
    keep = _narrow_columns(extract, [rules[i] for i in whole])
    files = [schema_file, *(e.rows_file for e in entries)]
    n = _scan_lake(extract, files, start, state.ctx, keep)
    tg = perf_counter()
    _add_time(timings, "normalise", tg - tn)
    tv = perf_counter()
    wide = validate(gx, name, [rules[i] for i in whole], n, asset=f"{name}__wide", rule_index=True)
    wide = wide.with_columns(
        pl.col("_rule").replace_strict(dict(enumerate(whole)), return_dtype=pl.Int32)
    )
    _add_time(timings, f"gx:{name}", perf_counter() - tv)
    _add_time(timings, "gx", perf_counter() - tv)
    # a row the reader could not read has its reason as its one failure
    unread = n.filter(pl.col("_reason").is_not_null())["_idx"]
    wide = wide.filter(~pl.col("_idx").is_in(unread.implode()))
    recorded = _lake_failures(entries, offsets)
    bad = pl.concat([recorded["_idx"], wide["_idx"]]).unique()
    n = n.with_columns(pl.col("_idx").is_in(bad.implode()).alias("_bad"))
    # identical rows fold: only loadable rows take part, the first read loads
    candidates = _fold_candidates(n)
    # every column of the few rows the rest reads them of: the quarantined and the candidates
    rows = _lake_rows(
        extract, schema_file, entries, offsets, start, state.ctx, pl.concat([bad, candidates])
    )
    wide = _failure_values(extract, rows, wide)
    failures = (
        pl.concat(
            [
                recorded.select("_idx", "column_name", "reason_code", "_rule", "value"),
                wide.select("_idx", "column_name", "reason_code", "_rule", "value"),
            ]
        )
        .sort("_idx", "_rule", maintain_order=True)
        .unique(["_idx", "column_name", "reason_code"], keep="first", maintain_order=True)
    )
    state.warnings += [w for e in entries for w in e.warnings]

    folded = _folded(extract, rows, candidates)
    n = n.with_columns(pl.col("_idx").is_in(folded.implode()).alias("_folded"))
    n = n.with_columns((~pl.col("_bad") & ~pl.col("_folded")).alias("_load"))

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
    for e in entries:
        r = by_file.get(e.rel)
        fc = FileCount(
            name,
            e.rel,
            r["rows_read"] if r else 0,
            r["rows_loaded"] if r else 0,
            r["rows_quarantined"] if r else 0,
            r["rows_folded"] if r else 0,
        )
        assert fc.rows_read == e.rows, (fc, e.rows)
        assert fc.rows_read == fc.rows_loaded + fc.rows_quarantined + fc.rows_folded, fc
        mine.append(fc)
    state.files += mine
    own_names = {e.rel: e.own_names for e in entries if e.own_names}
    state.quarantine.append(
        own_column_names(_quarantine_rows(extract, rows, failures, state.ctx.latest), own_names)
    )
    state.validation.append(summarise_extract(extract, rules, n.height, state.quarantine[-1]))
    del rows

    keys = n.select(*extract.version_columns, "updated_at__v", "_file", "_read_seq", "_load")
    keys = keys.filter("_load")
    state.warnings += _equal_version_warnings(extract, keys)
    if keys.height:
        m = keys["updated_at__v"].max()
        if m is not None and (state.max_updated is None or m > state.max_updated):
            state.max_updated = m
    n_loaded = keys.height
    del keys
    # a deletion row (SPEC §10.5) makes no record known: a key deleted before it was ever
    # loaded has no effect, and a fact of a deleted enterprise takes its last state before the
    # deletion
    kept = pl.col("_load") & ~pl.col("is_deleted__v").fill_null(False)
    if name == "enterprises":
        ents = n.select(
            "credit_code", "updated_at__v", "_read_seq", "unit_code", "industry", kept.alias("k")
        ).filter("k")
        state.ctx.enterprise_state = _enterprise_state(ents, state.as_of)
        state.ctx.enterprise_codes = ents["credit_code"].unique()
    elif name == "inspections":
        state.ctx.inspection_ids = (
            n.select("inspection_id", kept.alias("k")).filter("k")["inspection_id"].unique()
        )
    _add_time(timings, "validate_wide", perf_counter() - tg)

    tl = perf_counter()
    seq_starts = [start + o for o in offsets]
    lander.extract(
        name,
        [
            (e.rel, str(e.rows_file), s0, e.rows, e.reused)
            for e, s0 in zip(entries, seq_starts, strict=True)
        ],
        schema_file,
        n.filter(~pl.col("_load"))["_read_seq"],
    )
    _add_time(timings, "land", perf_counter() - tl)
    progress(
        f"校验 {name}: 读取 {n.height}，入库 {n_loaded}，"
        f"隔离 {sum(f.rows_quarantined for f in mine)}，折叠重复 {sum(f.rows_folded for f in mine)}"
    )


def _fold_key(extract: Extract) -> list[str]:
    """The columns two rows must share to fold, as the lake holds them: every contract column
    (typed ones by value; an ID number by its salted hash) and the hash of the dropped PII."""
    keys = []
    for c in extract.columns:
        if c.kind == "pii":
            continue
        if c.kind == "pii_id":
            keys.append(f"{c.name}_hash")
        elif c.kind in TYPED:
            keys.append(f"{c.name}__v")
        else:
            keys.append(c.name)
    return [*keys, "_lk_pii"]


def _fold_candidates(n: pl.DataFrame) -> pl.Series:
    """`_idx` of the loadable rows whose 64-bit row hash (`_h`) repeats: the only rows that may
    fold (a hash set of integers; a row-encoded hash table of every column of a 10 M-row
    extract would not fit)."""
    h = n.select("_idx", "_bad", pl.col("_h").alias("h")).filter(~pl.col("_bad"))
    return h.filter(_repeated(h["h"]))["_idx"]


def _folded(extract: Extract, rows: pl.DataFrame, candidates: pl.Series) -> pl.Series:
    """`_idx` of the loadable rows that repeat an earlier loadable row in every fold column:
    the exact comparison of the `candidates` (their every column in `rows`)."""
    keys = _fold_key(extract)
    if candidates.len() == 0:
        return pl.Series("_idx", [], dtype=pl.Int64)
    sub = rows.select("_idx", *keys).filter(pl.col("_idx").is_in(candidates.implode()))
    return sub.filter(~pl.struct(keys).is_first_distinct())["_idx"]
