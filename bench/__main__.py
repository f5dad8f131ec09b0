"""python -m bench --scale district [--scale city …] [--repeat N]

Per scale: the cached clean drop, then N interleaved rounds of (full build, floor, pandas), the
agreement of floor and pandas with the warehouse (after the first round), the app's page latency;
prints the tables and writes them (markdown + JSON) under data/bench/results/."""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import sys
import time
from datetime import date, datetime
from pathlib import Path

from bench import report, runs
from bench.agree import compare_floor, compare_parquet
from bench.dbt_nodes import summarise as dbt_summary
from bench.dbt_nodes import table as dbt_table
from bench.drop import ensure_drop
from bench.pages import page_latency
from bench.runs import REPO, build, floor, pandas

SCALES = ("tiny", "district", "city", "province")
DEFAULT_AS_OF = date(2026, 11, 28)


def say(msg: str) -> None:
    print(msg, flush=True)


def machine() -> dict[str, object]:
    import os
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    def v(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "-"

    mem = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "commit": commit + (" (working tree modified)" if dirty else ""),
        "nproc": os.cpu_count(),
        "memory_gib": round(mem / 1024**3, 1),
        "loadavg_at_start": load,
        "python": platform.python_version(),
        "duckdb": v("duckdb"),
        "dbt-core": v("dbt-core"),
        "dbt-duckdb": v("dbt-duckdb"),
        "polars": v("polars"),
        "pandas": v("pandas"),
        "great_expectations": v("great-expectations"),
        "psutil": v("psutil"),
        "platform": platform.platform(),
    }


def run_scale(args: argparse.Namespace, scale: str) -> report.ScaleResult:
    say(f"== {scale}")
    drop = ensure_drop(args.data, scale, args.seed, args.as_of, say=say)
    say(
        f"  drop {drop.raw}: {drop.total_rows:,} rows in {drop.files} files"
        + (f" (generated in {drop.generated_seconds:.1f} s)" if drop.generated_seconds else "")
    )
    base = args.data / scale
    warehouse = base / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    floor_db = base / "floor.duckdb"
    pandas_dir = base / "pandas"
    res = report.ScaleResult(scale, drop.total_rows, drop.files, args.as_of.isoformat())
    for i in range(args.repeat):
        b = build(drop.raw, warehouse, args.as_of, timeout=args.timeout)
        res.builds.append(b)
        say(
            f"  [{i + 1}/{args.repeat}] build {b.wall:.1f} s, peak RSS {b.peak_rss / 2**30:.2f} GiB"
            f", stages { ({k: round(v, 1) for k, v in b.stages.items()}) }"
            f", dbt parse {b.detail.get('dbt_parse')} {b.detail.get('dbt_parse_s')} s"
            + ("" if b.ok else f"  FAILED ({b.killed or 'error'}):\n{b.output_tail}")
        )
        f = floor(drop.raw, args.as_of, floor_db, timeout=args.timeout)
        res.floors.append(f)
        say(
            f"  [{i + 1}/{args.repeat}] floor {f.wall:.2f} s (sql {f.stages.get('sql', 0):.2f} s)"
            f", peak RSS {f.peak_rss / 2**30:.2f} GiB" + ("" if f.ok else f"\n{f.output_tail}")
        )
        if not args.skip_pandas:
            p = pandas(drop.raw, args.as_of, pandas_dir, timeout=args.timeout)
            res.pandas.append(p)
            say(
                f"  [{i + 1}/{args.repeat}] pandas {p.wall:.1f} s, peak RSS "
                f"{p.peak_rss / 2**30:.2f} GiB" + ("" if p.ok else f"\n{p.output_tail}")
            )
        checked = res.floor_agreement or res.pandas_agreement
        if b.ok and not checked:  # the first round whose build succeeded
            if f.ok:
                res.floor_agreement = compare_floor(floor_db, warehouse)
            if res.pandas and res.pandas[0].ok:
                res.pandas_agreement = compare_parquet(pandas_dir, warehouse)
            for who, ags in (("floor", res.floor_agreement), ("pandas", res.pandas_agreement)):
                for a in ags:
                    say(f"  agreement {who}: {a.summary()}")
    res.dbt = dbt_summary(warehouse.parent / ".zhiben-build" / "target")
    if res.builds and res.builds[-1].ok:
        res.pages = page_latency(warehouse, repeat=args.page_repeat)
        for p in res.pages:
            say(
                f"  page {p.page}: {p.median:.3f} s (slowest {p.slowest_call} {p.slowest_median:.3f})"
            )
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--scale", action="append", choices=SCALES, help="repeatable")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of build/floor/pandas")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)
    ap.add_argument("--data", type=Path, default=REPO / "data" / "bench")
    ap.add_argument("--page-repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=None, help="per child process, seconds")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument(
        "--max-rss-gib",
        type=float,
        default=None,
        help="kill a measured child whose process tree exceeds this (protects a shared machine)",
    )
    args = ap.parse_args(argv)
    if args.max_rss_gib:
        runs.MAX_RSS = int(args.max_rss_gib * 1024**3)
    scales = args.scale or ["district"]
    args.data = args.data.resolve()
    info = machine()
    say("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    t0 = time.perf_counter()
    results = [run_scale(args, s) for s in scales]
    tables = "\n\n".join(
        t
        for t in (
            report.main_table(results),
            report.ingest_table(results),
            dbt_table({r.scale: r.dbt for r in results if r.dbt}),
            report.pages_table(results),
            report.goals(results),
        )
        if t
    )
    say("\n" + tables + "\n")
    out = args.data / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    cmd = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    (out / f"{stamp}.md").write_text(
        f"`{cmd}` ({time.perf_counter() - t0:.0f} s)\n\nmachine: {info}\n\n{tables}\n\n"
        f"agreement:\n{report.agreement_details(results)}\n",
        encoding="utf-8",
    )
    (out / f"{stamp}.json").write_text(
        json.dumps(
            {"command": cmd, "machine": info, "results": [dataclasses.asdict(r) for r in results]},
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    say(f"written {out / stamp}.md / .json")
    ok = all(b.ok for r in results for b in r.builds) and all(
        a.ok for r in results for a in r.floor_agreement + r.pandas_agreement
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
