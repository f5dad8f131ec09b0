"""Run history of `zhiben build`: one JSON line per run, beside the served file (survives swaps).

A run writes a `running` line when it starts and its final line (`success` / `failed`) when it
ends; readers keep the last line of each run_id. A run killed outright (kill -9, power loss) keeps
its `running` line: `zhiben status` shows it as interrupted once nobody holds the build lock.

The history is also published into the served warehouse as `mart_build_runs` (one row per run)
and `mart_build_run_extracts` (one row per run × extract), for the app's 数据质量 page."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass
class RunRecord:
    run_id: str
    started_at: str
    raw_dir: str
    served: str
    status: str = "running"  # running / success / failed (interrupted: shown by readers only)
    ended_at: str | None = None
    as_of_date: str | None = None
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    freshness: dict[str, str | None] = field(default_factory=dict)
    dbt: str | None = None
    #: dbt data tests and unit tests only: {"pass": n, "fail": n, "warn": n, "error": n, "skipped": n}
    dbt_tests: dict[str, int] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the lake (zhiben.ingest.lake): files reused / read, rows, its size after the build
    lake: dict = field(default_factory=dict)
    error: str | None = None
    pid: int = field(default_factory=os.getpid)


def append(history_file: Path, record: RunRecord) -> None:
    history_file.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(record), ensure_ascii=False) + "\n"
    # one write(2) on an O_APPEND descriptor, then fsync: a crash never leaves half a line behind
    # a good one, and a torn last line is skipped by read()
    fd = os.open(history_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(history_file: Path, last: int | None = None) -> list[dict[str, Any]]:
    """The runs, oldest first, one dict per run_id (its latest line)."""
    if not history_file.exists():
        return []
    runs: dict[str, dict[str, Any]] = {}
    for line in history_file.read_text(encoding="utf-8").splitlines():
        try:
            run = json.loads(line)
        except json.JSONDecodeError:  # a line cut by a crash: skip it, keep the rest
            continue
        if not isinstance(run, dict) or "run_id" not in run:
            continue
        runs.pop(run["run_id"], None)  # keep insertion order = order of the latest line
        runs[run["run_id"]] = run
    ordered = sorted(runs.values(), key=lambda r: r.get("started_at") or "")
    return ordered[-last:] if last else ordered


def mark_interrupted(runs: list[dict[str, Any]], build_running: bool) -> list[dict[str, Any]]:
    """`running` runs that cannot be running any more (the lock is free, or a later run exists)
    are shown as `interrupted`."""
    out = []
    for i, run in enumerate(runs):
        if run.get("status") == "running" and (not build_running or i < len(runs) - 1):
            run = {**run, "status": "interrupted"}
        out.append(run)
    return out


# ------------------------------------------------------------------ tables for the served file

RUN_COLUMNS: list[tuple[str, str]] = [
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMPTZ"),
    ("ended_at", "TIMESTAMPTZ"),
    ("duration_seconds", "DOUBLE"),
    ("status", "VARCHAR"),
    ("as_of_date", "DATE"),
    ("raw_dir", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_folded", "BIGINT"),
    ("dbt_summary", "VARCHAR"),
    ("dbt_tests_pass", "INTEGER"),
    ("dbt_tests_warn", "INTEGER"),
    ("dbt_tests_fail", "INTEGER"),
    ("ingest_seconds", "DOUBLE"),
    ("dbt_seconds", "DOUBLE"),
    ("publish_seconds", "DOUBLE"),
    ("warnings", "VARCHAR"),
    ("error", "VARCHAR"),
]

RUN_EXTRACT_COLUMNS: list[tuple[str, str]] = [
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMPTZ"),
    ("status", "VARCHAR"),
    ("extract", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_folded", "BIGINT"),
    ("latest_updated_at", "TIMESTAMP"),
]


def _ts(value: Any) -> str | None:
    return str(value) if value else None


def _duration(run: dict[str, Any]) -> float | None:
    try:
        start = datetime.fromisoformat(run["started_at"])
        end = datetime.fromisoformat(run["ended_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return (end - start).total_seconds()


def run_rows(runs: list[dict[str, Any]]) -> list[tuple]:
    rows = []
    for r in runs:
        per = (r.get("rows") or {}).values()
        tests = r.get("dbt_tests") or {}
        stages = r.get("stages") or {}
        rows.append(
            (
                r.get("run_id"),
                _ts(r.get("started_at")),
                _ts(r.get("ended_at")),
                _duration(r),
                r.get("status"),
                r.get("as_of_date"),
                r.get("raw_dir"),
                sum(v.get("read", 0) for v in per) if per else None,
                sum(v.get("loaded", 0) for v in per) if per else None,
                sum(v.get("quarantined", 0) for v in per) if per else None,
                sum(v.get("folded", 0) for v in per) if per else None,
                r.get("dbt"),
                tests.get("pass"),
                tests.get("warn"),
                (tests.get("fail", 0) + tests.get("error", 0)) if tests else None,
                stages.get("ingest"),
                stages.get("dbt"),
                stages.get("publish"),
                "\n".join(r.get("warnings") or []) or None,
                r.get("error"),
            )
        )
    return rows


def run_extract_rows(runs: list[dict[str, Any]]) -> list[tuple]:
    rows = []
    for r in runs:
        counts, fresh = r.get("rows") or {}, r.get("freshness") or {}
        for extract in sorted(set(counts) | set(fresh)):
            c = counts.get(extract, {})
            rows.append(
                (
                    r.get("run_id"),
                    _ts(r.get("started_at")),
                    r.get("status"),
                    extract,
                    c.get("read"),
                    c.get("loaded"),
                    c.get("quarantined"),
                    c.get("folded"),
                    _ts(fresh.get(extract)),
                )
            )
    return rows
