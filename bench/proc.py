"""Run a child process and measure it: wall time, and the peak resident memory of its whole
process tree (the child and every descendant, e.g. the dbt process `zhiben build` starts),
sampled with psutil (else /proc) every `interval` seconds."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is in the venv; /proc is the fallback
    psutil = None

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    returncode: int
    wall: float  # seconds
    peak_rss: int  # bytes, the largest sampled sum over the process tree
    peak_rss_single: int  # bytes, max ru_maxrss of any waited-for child so far (kernel figure)
    output: str
    killed: str | None = None  # "timeout" / "rss" when the benchmark stopped it


def _tree_rss_psutil(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def _tree_rss_proc(pid: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_rss(pid: int) -> int:
    return _tree_rss_psutil(pid) if psutil is not None else _tree_rss_proc(pid)


def run_measured(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.05,
    timeout: float | None = None,
    stdout: int | None = None,
    max_rss: int | None = None,
) -> Measured:
    """Run `cmd`, sampling the RSS of its process tree; stdout+stderr are returned as text
    (unless stdout=subprocess.DEVNULL). The whole tree (its own session) is killed after `timeout`
    seconds or once its RSS exceeds `max_rss` bytes (a guard for the other users of the machine)."""
    killed: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            env=env,
            cwd=cwd,
            stdout=out if stdout is None else stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def kill(reason: str) -> None:
            if not killed:
                killed.append(reason)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_rss(proc.pid))
                if max_rss is not None and peak > max_rss:
                    kill("rss")
                stop.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill("timeout")
            code = proc.wait()
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return Measured(code, wall, peak, single, text, killed[0] if killed else None)
