"""The three measured runs on one drop, each a child process timed with its process tree's peak
RSS: the full `zhiben build`, the floor script, the pandas pipeline."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.proc import Measured, run_measured

PY = sys.executable
REPO = Path(__file__).resolve().parents[1]
#: the PII salt of the benchmark builds (never a real one; the build refuses none)
SALT = "zhiben-bench-salt"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ZHIBEN_PII_SALT", SALT)
    env.update(
        DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false"
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


@dataclass
class Run:
    what: str  # build / floor / pandas
    wall: float
    peak_rss: int
    ok: bool
    stages: dict[str, float] = field(default_factory=dict)
    detail: dict[str, object] = field(default_factory=dict)
    output_tail: str = ""
    killed: str | None = None  # "timeout" / "rss": stopped by the benchmark


def _fail_tail(m: Measured) -> str:
    return "\n".join(m.output.splitlines()[-30:])


#: guard for the machine's other users: a child whose process tree exceeds this is killed
MAX_RSS: int | None = None


def _run(what: str, m: Measured) -> Run:
    return Run(
        what, m.wall, m.peak_rss, m.returncode == 0, output_tail=_fail_tail(m), killed=m.killed
    )


LANDED = re.compile(r"入库完成 / landed: (.*)$", re.M)
DBT_DONE = re.compile(
    r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) NO-OP=(\d+) TOTAL=(\d+)"
)


def build(raw: Path, warehouse: Path, as_of: date, timeout: float | None = None) -> Run:
    """`zhiben build --raw … --warehouse … --as-of D` (the warehouse's previous build, if any,
    stays: a nightly rebuild finds dbt's partial-parse cache from the night before)."""
    work = warehouse.parent / ".zhiben-build"
    cmd = [
        str(Path(PY).with_name("zhiben")),
        "build",
        "--raw",
        str(raw),
        "--warehouse",
        str(warehouse),
        "--as-of",
        as_of.isoformat(),
    ]
    m = run_measured(cmd, env=child_env(), cwd=REPO, timeout=timeout, max_rss=MAX_RSS)
    run = _run("build", m)
    run.detail.update(_dbt_log_facts(work / "logs" / "dbt.log"))
    history = work / f"{warehouse.name}.runs.jsonl"
    if history.exists():
        last = [json.loads(x) for x in history.read_text().splitlines() if x.strip()][-1]
        if last.get("status") == "success":
            run.stages = {k: float(v) for k, v in last.get("stages", {}).items()}
            run.detail["dbt_tests"] = last.get("dbt_tests")
    if (hit := LANDED.search(m.output)) is not None:
        parts = dict(p.strip().rsplit(" ", 1) for p in hit.group(1).split(","))
        run.detail["ingest"] = {k: float(v.rstrip("s")) for k, v in parts.items()}
    if (hit := DBT_DONE.search(m.output)) is not None:
        run.detail["dbt_nodes"] = int(hit.group(6))
        run.detail["dbt_pass"] = int(hit.group(1))
    return run


_LOG_TS = r"(\d\d:\d\d:\d\d\.\d+) \[\w+ *\] \[MainThread\]: "


def _dbt_log_facts(log: Path) -> dict[str, object]:
    """From dbt.log: the parse mode (partial, or full and why) and parse seconds of the last
    invocation that parsed, and the last `dbt build` command's wall clock."""
    from datetime import datetime

    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    # `zhiben build` runs dbt twice in one process: `dbt parse` (beside the loader, so its time
    # is hidden) and then `dbt build` on the parsed manifest; take the last invocation that parsed
    starts = [m.start() for m in re.finditer("Running with dbt", text)]
    if not starts:  # dbt rotated its log during this invocation
        return {}
    parse_marks = ("artial parsing",)
    block_at = starts[-1]
    for at in reversed(starts):
        block = text[at : next((s for s in starts if s > at), len(text))]
        if any(k in block for k in parse_marks):
            block_at = at
            break
    build_text = text[max(starts[-1] - 40, 0) :]
    text = text[max(block_at - 40, 0) : next((s for s in starts if s > block_at), len(text))]

    def ts(pattern: str) -> datetime | None:
        m = re.search(_LOG_TS + pattern, text)
        return datetime.strptime(m.group(1), "%H:%M:%S.%f") if m else None

    out: dict[str, object] = {}
    why = re.search(r"Unable to do partial parsing because ([^\n\x1b]*)", text)
    out["dbt_parse"] = f"full ({why.group(1).strip()})" if why else "partial"
    start = ts("Running with dbt")
    done = ts("Partial parsing enabled") or ts("Found ") or ts("Wrote artifact")
    if start and done:
        out["dbt_parse_s"] = round((done - start).total_seconds(), 1)
    text = build_text
    if (
        m := re.search(r"Command `dbt build` \w+ at [\d:.]+ after ([\d.]+) seconds", text)
    ) is not None:
        out["dbt_command_s"] = float(m.group(1))
    return out


def floor(raw: Path, as_of: date, out: Path, timeout: float | None = None) -> Run:
    cmd = [PY, "-m", "bench.floor", "--raw", str(raw), "--as-of", as_of.isoformat()]
    m = run_measured(
        [*cmd, "--out", str(out)], env=child_env(), cwd=REPO, timeout=timeout, max_rss=MAX_RSS
    )
    run = _run("floor", m)
    if (hit := re.search(r"floor ([\d.]+) s", m.output)) is not None:
        run.stages["sql"] = float(hit.group(1))
    return run


def pandas(raw: Path, as_of: date, out: Path, timeout: float | None = None) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [PY, "-m", "bench.pandas_pipeline", "--raw", str(raw), "--as-of", as_of.isoformat()]
    m = run_measured(
        [*cmd, "--out", str(out)], env=child_env(), cwd=REPO, timeout=timeout, max_rss=MAX_RSS
    )
    run = _run("pandas", m)
    if (hit := re.search(r"pandas ([\d.]+) s", m.output)) is not None:
        run.stages["pipeline"] = float(hit.group(1))
    return run
