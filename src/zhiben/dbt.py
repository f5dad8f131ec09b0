"""Running dbt (dbt-duckdb) against a build file, in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zhiben.config import OFFLINE_ENV
from zhiben.paths import PROJECT_DIR


class DbtError(RuntimeError):
    """dbt failed: a model error or a failing data test."""


@dataclass(frozen=True)
class DbtSummary:
    passed: int
    warned: int
    errored: int
    skipped: int

    def __str__(self) -> str:
        return f"{self.passed} ok, {self.warned} warn, {self.errored} error, {self.skipped} skipped"


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def run_dbt(
    build_db: Path,
    as_of: date,
    args: Sequence[str] = ("build",),
    *,
    target_dir: Path | None = None,
    log_dir: Path | None = None,
    on_line: Callable[[str], None] | None = None,
    as_of_in_env: bool = False,
) -> DbtSummary:
    """Run `dbt <args>` on the project at the repo root with the build file as its database.

    The as-of date goes to dbt as `--vars` or, with `as_of_in_env`, only in the environment
    (ZHIBEN_AS_OF_DATE, read by macros/as_of.sql when executing): vars are part of dbt's parse
    state, so a new date passed as a var forces a full parse, while in the environment it does
    not (`zhiben build`: consecutive builds parse partially).

    Raises DbtError (with dbt's own error lines) when dbt exits non-zero."""
    env = {
        **os.environ,
        **OFFLINE_ENV,
        "ZHIBEN_BUILD_DB": str(build_db),
        "ZHIBEN_AS_OF_DATE": as_of.isoformat(),
    }
    target_dir = target_dir or build_db.parent / "target"
    log_dir = log_dir or build_db.parent / "logs"
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(log_dir),
        *([] if as_of_in_env else ["--vars", json.dumps({"as_of_date": as_of.isoformat()})]),
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_die_with_parent,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        if on_line:
            on_line(line)
    code = proc.wait()
    summary = _summary(target_dir / "run_results.json")
    if code != 0:
        errors = [ln for ln in lines if any(k in ln for k in ("ERROR", "FAIL", "Error", "Failure", "Got "))]
        raise DbtError(
            f"dbt {' '.join(args)} 失败 (exit {code}), {summary}:\n"
            + "\n".join(errors[-40:] or lines[-40:])
        )
    return summary


def _die_with_parent() -> None:
    """In the dbt child: ask the kernel to SIGKILL it when the build process dies (kill -9
    included), so a killed build never leaves dbt writing on (Linux; a no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig, sigkill = 1, 9
        libc.prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _summary(run_results: Path) -> DbtSummary:
    if not run_results.exists():
        return DbtSummary(0, 0, 0, 0)
    results = json.loads(run_results.read_text())["results"]
    status = [r["status"] for r in results]
    return DbtSummary(
        passed=sum(s in ("success", "pass") for s in status),
        warned=sum(s == "warn" for s in status),
        errored=sum(s in ("error", "fail", "runtime error") for s in status),
        skipped=sum(s == "skipped" for s in status),
    )
