"""The same drop built on DuckDB and on Spark local[2] (SPEC §11, BENCH.md "Spark"): wall time and
peak RSS of each `zhiben build` process tree (the build, its GX worker, dbt, and on Spark the JVM).

    .venv/bin/python -m bench.spark --scale city [--timeout 3600]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from bench.drop import ensure_drop
from bench.proc import run_measured

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="city")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", default="2026-11-28")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--engine", action="append", choices=["duckdb", "spark"])
    args = ap.parse_args(argv)
    as_of = date.fromisoformat(args.as_of)
    root = REPO / "data" / "bench"
    drop = ensure_drop(root, args.scale, args.seed, as_of)
    zhiben = str(Path(sys.executable).with_name("zhiben"))
    for engine in args.engine or ["duckdb", "spark"]:
        served = root / args.scale / f"warehouse-{engine}" / "warehouse.duckdb"
        m = run_measured(
            [
                zhiben,
                "build",
                "--raw",
                str(drop.raw),
                "--warehouse",
                str(served),
                "--as-of",
                args.as_of,
                "--engine",
                engine,
            ],
            env={**os.environ},
            timeout=args.timeout,
        )
        print(
            f"{args.scale} {engine}: rc {m.returncode} wall {m.wall:.1f} s, "
            f"peak RSS {m.peak_rss / 2**30:.2f} GiB; {drop.total_rows:,} raw rows, {drop.files} files"
            f"{' KILLED ' + m.killed if m.killed else ''}",
            flush=True,
        )
        if m.returncode:
            print(m.output[-3000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
