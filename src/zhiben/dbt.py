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

from zhiben.children import child_env, die_with_parent
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


def _common_args(target_dir: Path, log_dir: Path) -> list[str]:
    return [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(log_dir),
    ]


def dbt_process(
    cmd: Sequence[str], build_db: Path, *, stdin: bool = False, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """A child running `cmd` in the project folder with `build_db` as the profile's database
    (ZHIBEN_BUILD_DB): its stdout and stderr one text stream, a text stdin when `stdin`; it dies
    with its parent. The one way dbt is started (:func:`run_dbt`, :class:`WarmDbt`, the tests'
    hand-made drops)."""
    return subprocess.Popen(
        list(cmd),
        env=child_env(ZHIBEN_BUILD_DB=str(build_db), **(env or {})),
        cwd=PROJECT_DIR,
        stdin=subprocess.PIPE if stdin else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=die_with_parent,
    )


def run_dbt(
    build_db: Path,
    as_of: date,
    args: Sequence[str] = ("build",),
    *,
    target_dir: Path | None = None,
    log_dir: Path | None = None,
    on_line: Callable[[str], None] | None = None,
) -> DbtSummary:
    """Run `dbt <args>` on the project at the repo root with the build file as its database and
    the as-of date as `--vars` (tests and hand runs; `zhiben build` uses :class:`WarmDbt`, which
    passes D in the environment so that a new D does not force a full parse).

    Raises DbtError (with dbt's own error lines) when dbt exits non-zero."""
    target_dir = target_dir or build_db.parent / "target"
    log_dir = log_dir or build_db.parent / "logs"
    cmd = [
        dbt_executable(),
        *args,
        *_common_args(target_dir, log_dir),
        "--vars",
        json.dumps({"as_of_date": as_of.isoformat()}),
    ]
    return _follow(dbt_process(cmd, build_db), args, target_dir, on_line)


def _follow(
    proc: subprocess.Popen,
    args: Sequence[str],
    target_dir: Path,
    on_line: Callable[[str], None] | None,
) -> DbtSummary:
    """Stream a dbt process's output to `on_line`; its summary, or DbtError when it failed."""
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
        keys = ("ERROR", "FAIL", "Error", "Failure", "Got ")
        errors = [ln for ln in lines if any(k in ln for k in keys)]
        raise DbtError(
            f"dbt {' '.join(args)} 失败 (exit {code}), {summary}:\n"
            + "\n".join(errors[-40:] or lines[-40:])
        )
    return summary


class WarmDbt:
    """dbt started before the build file is ready: the child imports dbt and parses the project
    (neither needs the build file nor D: macros/rules/time.sql reads D only when executing) while the
    loader works; :meth:`run` then hands it D and it runs `dbt <args>` on the parsed manifest.
    Saves dbt's import and parse (seconds) on every build. The child dies with the build."""

    def __init__(
        self,
        build_db: Path,
        args: Sequence[str],
        *,
        target_dir: Path,
        log_dir: Path,
        target: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.args = tuple(args)
        self.target_dir = target_dir
        common = _common_args(target_dir, log_dir) + (["--target", target] if target else [])
        spec = {"args": list(args), "common": common}
        self._proc = dbt_process(
            [
                sys.executable,
                "-c",
                "from zhiben.dbt import _warm_main; _warm_main()",
                json.dumps(spec),
            ],
            build_db,
            stdin=True,
            env=env,
        )

    def run(self, as_of: date, on_line: Callable[[str], None] | None = None) -> DbtSummary:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps({"as_of": as_of.isoformat()}) + "\n")
            self._proc.stdin.close()
        except BrokenPipeError:  # it died while parsing: _follow reports its output
            pass
        return _follow(self._proc, self.args, self.target_dir, on_line)

    def cancel(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()


def _warm_main() -> None:
    """The child of :class:`WarmDbt`."""
    spec = json.loads(sys.argv[1])
    from dbt.cli.main import dbtRunner

    parsed = dbtRunner().invoke(["--quiet", "parse", *spec["common"]])
    line = sys.stdin.readline()
    if not line:  # the build stopped before dbt
        sys.exit(130)
    os.environ["ZHIBEN_AS_OF_DATE"] = json.loads(line)["as_of"]
    # parsed: build on its manifest (no second parse); else a plain build reports the problem
    runner = dbtRunner(manifest=parsed.result) if parsed.success else dbtRunner()
    result = runner.invoke([*spec["args"], *spec["common"]])
    sys.exit(0 if result.success else (1 if result.exception is None else 2))


def _summary(run_results: Path) -> DbtSummary:
    if not run_results.exists():
        return DbtSummary(0, 0, 0, 0)
    results = json.loads(run_results.read_text())["results"]
    # the on-run-start hook (the lake's raw views) is an operation, not a model or a test
    status = [r["status"] for r in results if not r["unique_id"].startswith("operation.")]
    return DbtSummary(
        passed=sum(s in ("success", "pass") for s in status),
        warned=sum(s == "warn" for s in status),
        errored=sum(s in ("error", "fail", "runtime error") for s in status),
        skipped=sum(s == "skipped" for s in status),
    )
