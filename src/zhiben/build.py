"""`zhiben build`: raw drop → validated landing → dbt → atomic swap of the served warehouse.

Stages, each timed and reported:
1. ingest: read every file, validate (great-expectations), quarantine, fold duplicates, land into a
   NEW private build file (schema `raw`);
2. dbt build: seeds, staging → intermediate → marts, with every data test (dbt's unit tests, which
   check SQL rather than data, run in `make test`);
3. publish: copy dims, facts and marts into a new served file and `os.replace` it over the old one.

Any failure leaves the served file as it was. One builder at a time (flock)."""

from __future__ import annotations

import json
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from zhiben import engines, history, validation_report
from zhiben.config import apply_offline_env, pii_salt
from zhiben.dbt import DbtError, DbtSummary, WarmDbt
from zhiben.lock import build_lock
from zhiben.lock import holder as lock_holder
from zhiben.paths import SEEDS_DIR, WarehousePaths
from zhiben.publish import publish, remove_duckdb_file, rename_duckdb_file

Progress = Callable[[str], None]

#: the production `dbt build`: seeds, models and data tests. dbt's unit tests check the models'
#: SQL on fixed inputs, not the data, so they run in `make test` (tests/test_dbt_tests.py)
#: and not in every build.
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


@dataclass
class BuildResult:
    served: Path
    build_db: Path
    as_of: date
    dbt: DbtSummary
    stages: dict[str, float] = field(default_factory=dict)
    reconciliation: list[tuple] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def build(
    raw_dir: Path,
    served: Path,
    *,
    as_of: date | None = None,
    wait_seconds: float = 0.0,
    progress: Progress = print,
    keep_build_files: int = 1,
    full_refresh: bool = False,
    engine: str = "duckdb",
) -> BuildResult:
    """`full_refresh`: rebuild the lake from scratch (every file read again). `engine`: what runs
    the dbt project — "duckdb" (in the build file) or "spark" (dbt-spark, zhiben.engines); the
    served file is the same DuckDB file either way."""
    engines.check_engine(engine)
    apply_offline_env()
    from zhiben.ingest import ingest, lake  # heavy import: only when building

    raw_dir, served = Path(raw_dir).resolve(), Path(served).resolve()
    paths = WarehousePaths(served)
    busy = lock_holder(paths.lock_file)
    if busy is not None and wait_seconds > 0:
        progress(f"另一个构建正在运行 (pid {busy})，最多等待 {wait_seconds:g} 秒 …")
    with build_lock(paths.lock_file, wait_seconds):
        _remove_leftovers(paths)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        # land and run dbt in the fixed-name build file (dbt parses partially only when the
        # profile, i.e. this path, is unchanged); renamed build-<run id>.duckdb once dbt is done
        build_db = paths.build_file  # cleared by _remove_leftovers
        # dbt imports and parses the project meanwhile (it needs neither the file nor D)
        if engine == "spark":
            dbt = WarmDbt(
                build_db,
                DBT_BUILD_ARGS,
                target_dir=paths.work_dir / "target-spark",
                log_dir=paths.dbt_log_dir,
                target="spark",
                env=engines.spark_env(paths.work_dir),
            )
        else:
            dbt = WarmDbt(
                build_db, DBT_BUILD_ARGS, target_dir=paths.dbt_target_dir, log_dir=paths.dbt_log_dir
            )
        record = history.RunRecord(
            run_id=f"{stamp}-{os.getpid()}",
            started_at=_now(),
            raw_dir=str(raw_dir),
            served=str(served),
        )
        stages: dict[str, float] = {}
        started = time.time()
        _append_history(paths.history_file, record)  # a `running` line: a killed run stays visible
        progress = _collect_warnings(progress, record.warnings)
        try:
            t0 = time.perf_counter()
            progress(f"[1/3] 读取、校验、落地 (read, validate, land) ← {raw_dir}")
            landed = ingest(
                raw_dir,
                build_db,
                seeds_dir=SEEDS_DIR,
                salt=pii_salt(),
                as_of=as_of,
                progress=progress,
                lake_dir=paths.lake_dir,
                full_refresh=full_refresh,
            )
            record.lake = dict(landed.lake)
            stages["ingest"] = time.perf_counter() - t0
            built_as_of, recon, freshness = _landing_facts(build_db)
            record.as_of_date = built_as_of.isoformat()
            # the great-expectations results of this run, kept with the run history
            validation_report.write(served, record.run_id, record.as_of_date, landed.validation)
            record.rows = _rows_per_extract(recon)
            record.freshness = freshness
            progress(f"      完成 {stages['ingest']:.1f} s; 截止日期 (as-of) {built_as_of}")

            t0 = time.perf_counter()
            progress(f"[2/3] dbt build (seeds, models, tests) — {engine}")
            if engine == "spark":
                engines.reset_spark_dir(paths.work_dir)
                t1 = time.perf_counter()
                engines.export_raw(build_db, engines.spark_dirs(paths.work_dir)[1])
                progress(f"      Spark: raw → Parquet {time.perf_counter() - t1:.1f} s")
            on_line = _dbt_progress(progress)
            if engine == "spark":
                on_line = engines.without_jvm_lines(on_line)
            t1 = time.perf_counter()
            summary = dbt.run(built_as_of, on_line=on_line)
            if engine == "spark":  # Spark's Parquet marts into the build file, published as usual
                progress(f"      Spark: dbt build {time.perf_counter() - t1:.1f} s")
                t1 = time.perf_counter()
                engines.import_marts(engines.spark_marts_dir(paths.work_dir), build_db)
                engines.reset_spark_dir(paths.work_dir)
                progress(f"      Spark: marts → build file {time.perf_counter() - t1:.1f} s")
            stages["dbt"] = time.perf_counter() - t0
            record.dbt = str(summary)
            record.dbt_tests = _dbt_test_summary(dbt.target_dir)
            progress(f"      完成 {stages['dbt']:.1f} s; {summary}")
            build_db = rename_duckdb_file(
                build_db, paths.work_dir / f"build-{record.run_id}.duckdb"
            )

            t0 = time.perf_counter()
            progress(f"[3/3] 发布 (publish) → {served}")
            # the run history, this run included as it will end, goes into the served file
            record.status, record.ended_at, record.stages = "success", _now(), dict(stages)
            runs = [r for r in history.read(paths.history_file) if r["run_id"] != record.run_id]
            tables = publish(build_db, served, build_runs=[*runs, asdict(record)])
            stages["publish"] = time.perf_counter() - t0
            progress(f"      完成 {stages['publish']:.1f} s; {len(tables)} 张表")
        except BaseException as exc:
            dbt.cancel()
            record.status, record.ended_at = "failed", _now()
            record.error = "".join(traceback.format_exception_only(exc)).strip()
            record.stages = stages
            if isinstance(exc, DbtError):
                record.dbt_tests = _dbt_test_summary(dbt.target_dir, since=started)
            _append_history(paths.history_file, record)
            remove_duckdb_file(build_db)
            raise
        # the lake keeps the entries of this build's files only (the kept build file's views)
        lake.prune(paths.lake_dir, set(landed.entries))
        record.lake["bytes"] = lake.size_bytes(paths.lake_dir)
        record.status, record.ended_at, record.stages = "success", _now(), stages
        _append_history(paths.history_file, record)
        _prune_build_files(paths.work_dir, keep=keep_build_files)
        return BuildResult(served, build_db, built_as_of, summary, stages, recon, tables)


def _landing_facts(build_db: Path) -> tuple[date, list[tuple], dict[str, str | None]]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        (as_of,) = con.execute("select max(as_of_date) from raw.build_info").fetchone()
        recon = con.execute(
            "select extract, file, rows_read, rows_loaded, rows_quarantined, rows_folded "
            "from raw.load_reconciliation order by extract, file"
        ).fetchall()
        extracts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.columns "
                "where table_schema = 'raw' and column_name = 'updated_at' order by 1"
            ).fetchall()
        ]
        freshness = {
            e: (str(v) if v is not None else None)
            for e in extracts
            for (v,) in [con.execute(f'select max(updated_at) from raw."{e}"').fetchone()]
        }
    return as_of, recon, freshness


def _rows_per_extract(recon: list[tuple]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for extract, _file, read, loaded, quarantined, folded in recon:
        r = rows.setdefault(extract, {"read": 0, "loaded": 0, "quarantined": 0, "folded": 0})
        r["read"] += read
        r["loaded"] += loaded
        r["quarantined"] += quarantined
        r["folded"] += folded
    return rows


def _dbt_progress(progress: Progress) -> Callable[[str], None]:
    """Pass through dbt's per-node lines (OK / ERROR / FAIL / WARN) and its summary."""

    def on_line(line: str) -> None:
        text = line.split(" ", 1)[-1] if line[:2].isdigit() else line
        if any(k in line for k in (" OK ", "ERROR", "FAIL", "WARN", "Completed", "Done.")):
            progress("      " + text.strip())

    return on_line


def _remove_leftovers(paths: WarehousePaths) -> None:
    """Under the lock no other build runs: a half-written publish copy (`.<served>.new-<pid>`),
    the working build file (build.duckdb) or a build file (build-*.duckdb) left behind by a
    killed or failed run is garbage. The build file of the last successful build is kept
    (prune keeps one)."""
    _stop_orphaned_dbt(paths.work_dir)
    for tmp in paths.served.parent.glob(f".{paths.served.name}.new-*"):
        tmp.unlink(missing_ok=True)
    ok = {
        f"build-{r['run_id']}.duckdb"
        for r in history.read(paths.history_file)
        if r.get("status") == "success"
    }
    for old in paths.work_dir.glob("build-*.duckdb"):
        if old.name not in ok:
            remove_duckdb_file(old)
    remove_duckdb_file(paths.build_file)  # the working file of a killed run


def _stop_orphaned_dbt(work_dir: Path) -> None:
    """A build killed outright (kill -9) leaves its dbt child running against the dead run's
    build file, writing into the shared dbt target dir. Under the lock no live build owns a dbt,
    so any process whose ZHIBEN_BUILD_DB points into this work dir is such an orphan: stop it.
    (Linux /proc; elsewhere nothing to do.)"""
    marker = f"ZHIBEN_BUILD_DB={work_dir}/".encode()
    me = os.getpid()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            pid = int(proc.name)
            if pid == me or marker not in (proc / "environ").read_bytes():
                continue
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _append_history(history_file: Path, record: history.RunRecord) -> None:
    """Record the run; a history that cannot be written (disk full) never masks the build's own
    outcome."""
    try:
        history.append(history_file, record)
    except OSError as exc:
        print(f"警告: 无法写入构建记录 {history_file}: {exc}")


def _collect_warnings(progress: Progress, warnings: list[str], limit: int = 100) -> Progress:
    """Pass every message on; keep the warnings (loader 警告, dbt WARN lines) for the history."""

    def wrapped(msg: str) -> None:
        is_warning = "警告" in msg or " WARN " in msg or "warning:" in msg.lower()
        if is_warning and len(warnings) < limit:
            warnings.append(msg.strip())
        progress(msg)

    return wrapped


def _dbt_test_summary(target_dir: Path, since: float = 0.0) -> dict[str, int]:
    """Outcome of dbt's data tests and unit tests (not models or seeds) from run_results.json
    (ignored when older than `since`: left by an earlier run)."""
    path = target_dir / "run_results.json"
    try:
        if path.stat().st_mtime < since:
            return {}
        results = json.loads(path.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    out = {"pass": 0, "warn": 0, "fail": 0, "error": 0, "skipped": 0}
    for r in results:
        if not str(r.get("unique_id", "")).startswith(("test.", "unit_test.")):
            continue
        status = r.get("status")
        key = {"success": "pass", "runtime error": "error"}.get(status, status)
        out[key if key in out else "error"] += 1
    return out


def _prune_build_files(work_dir: Path, keep: int) -> None:
    builds = sorted(work_dir.glob("build-*.duckdb"), key=lambda p: p.stat().st_mtime)
    for old in builds[: max(0, len(builds) - keep)]:
        remove_duckdb_file(old)
