"""The same drop built on DuckDB and on Spark local[2] (SPEC §11, BENCH.md "Spark"): wall time and
peak RSS of each `zhiben build` process tree (the build, its GX worker, dbt, and on Spark the JVM),
the build's stages (on Spark: raw → Parquet, Spark's dbt build, marts → build file), the load
average around each run, and whether the two served files hold the same marts.

    .venv/bin/python -m bench.spark --scale city [--timeout 3600] [--engine spark] [--compare-only]
    .venv/bin/python -m bench.spark --raw data/demo/raw --name demo   # any drop (e.g. `make
        generate`'s dirty demo drop), D from the drop; warehouses under data/bench/<name>/
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import threading
from datetime import date
from pathlib import Path

import duckdb

from bench.drop import ensure_drop
from bench.proc import run_measured

REPO = Path(__file__).resolve().parents[1]

#: differ between any two builds, whatever the engine (as tests/test_spark.py)
RUN_DEPENDENT_COLUMNS = {("mart_build_info", "built_at"), ("mart_build_info", "transformed_at")}
RUN_HISTORY_TABLES = {"mart_build_runs", "mart_build_run_extracts"}
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}

#: the build's own timing lines: "      完成 12.3 s; …" after each stage, "      Spark: … 4.5 s"
_STAGE_LINE = re.compile(r"^\s*(完成 [\d.]+ s|Spark: .* [\d.]+ s)")


class LoadSampler:
    """The 1-minute load average every `interval` seconds while a run lasts (min / mean / max)."""

    def __init__(self, interval: float = 10.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(interval)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> str:
        s = self.samples
        return f"load {s[0]:.1f} at start, mean {sum(s) / len(s):.1f}, max {max(s):.1f}"


def compare_served(a: Path, b: Path) -> tuple[int, list[str]]:
    """Every published table of two served files: same tables, same columns and types, same rows
    (a multiset; floats within 1e-9 relative). Returns (rows compared, differences)."""
    problems: list[str] = []
    compared = 0
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as d (read_only)")
        con.execute(f"attach '{b}' as s (read_only)")
        schema: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for db in ("d", "s"):
            rows = con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_catalog = ? and table_schema = 'main' "
                "order by table_name, ordinal_position",
                [db],
            ).fetchall()
            schema[db] = {}
            for table, column, kind in rows:
                schema[db].setdefault(table, []).append((column, kind))
        if set(schema["d"]) != set(schema["s"]):
            problems.append(f"tables differ: {sorted(set(schema['d']) ^ set(schema['s']))}")
        for table in sorted((set(schema["d"]) & set(schema["s"])) - RUN_HISTORY_TABLES):
            cols_d, cols_s = schema["d"][table], schema["s"][table]
            if cols_d != cols_s:
                problems.append(f"{table}: columns or types differ")
                continue
            cols = [(c, t) for c, t in cols_d if (table, c) not in RUN_DEPENDENT_COLUMNS]
            exact = ", ".join(f'"{c}"' for c, t in cols if t.upper() not in FLOAT_TYPES)
            floats = [c for c, t in cols if t.upper() in FLOAT_TYPES]
            n_d = con.execute(f'select count(*) from d."{table}"').fetchone()[0]
            n_s = con.execute(f'select count(*) from s."{table}"').fetchone()[0]
            if n_d != n_s:
                problems.append(f"{table}: {n_d} rows on DuckDB vs {n_s} on Spark")
                continue
            compared += n_d
            if not exact:
                continue
            # the rows as a multiset of their exact columns (EXCEPT ALL both ways) ...
            diff = con.execute(
                f'select (select count(*) from (select {exact} from d."{table}" except all '
                f'select {exact} from s."{table}")), (select count(*) from (select {exact} '
                f'from s."{table}" except all select {exact} from d."{table}"))'
            ).fetchone()
            if diff != (0, 0):
                problems.append(f"{table}: {diff[0]} / {diff[1]} rows differ")
                continue
            if floats:  # ... and the floats beside them, in the same (total) order on both sides
                order = ", ".join(f'"{c}" nulls last' for c, _ in cols)
                select = ", ".join(f'"{c}"' for c in floats)
                q = f'select {select} from {{}}."{table}" order by {order}'
                for row_d, row_s in zip(
                    con.execute(q.format("d")).fetchall(),
                    con.execute(q.format("s")).fetchall(),
                    strict=True,
                ):
                    for c, x, y in zip(floats, row_d, row_s, strict=True):
                        if not _same(x, y):
                            problems.append(f"{table}.{c}: DuckDB {x!r} vs Spark {y!r}")
                            break
    return compared, problems


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="city")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", default="2026-11-28")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--engine", action="append", choices=["duckdb", "spark"])
    ap.add_argument("--raw", type=Path, help="build this drop instead of the cached clean one")
    ap.add_argument("--name", help="with --raw: the folder under data/bench/ (default: its name)")
    ap.add_argument("--compare-only", action="store_true", help="compare the last two builds")
    args = ap.parse_args(argv)
    root = REPO / "data" / "bench"
    name = (args.name or args.raw.resolve().parent.name) if args.raw else args.scale
    zhiben = str(Path(sys.executable).with_name("zhiben"))
    served = {e: root / name / f"warehouse-{e}" / "warehouse.duckdb" for e in ("duckdb", "spark")}
    if not args.compare_only:
        if args.raw:  # D: the drop's own (the latest loaded 更新时间), as `make build`
            raw, as_of, what = args.raw.resolve(), [], f"{args.raw}"
        else:
            drop = ensure_drop(root, args.scale, args.seed, date.fromisoformat(args.as_of))
            raw, as_of = drop.raw, ["--as-of", args.as_of]
            what = f"{drop.total_rows:,} raw rows, {drop.files} files"
        for engine in args.engine or ["duckdb", "spark"]:
            cmd = [zhiben, "build", "--raw", str(raw), "--warehouse", str(served[engine])]
            with LoadSampler() as load:
                m = run_measured(
                    [*cmd, *as_of, "--engine", engine], env={**os.environ}, timeout=args.timeout
                )
            print(
                f"{name} {engine}: rc {m.returncode} wall {m.wall:.1f} s, "
                f"peak RSS {m.peak_rss / 2**30:.2f} GiB; {what}; {load.summary()}"
                f"{' KILLED ' + m.killed if m.killed else ''}",
                flush=True,
            )
            for line in m.output.splitlines():
                if _STAGE_LINE.match(line):
                    print("   ", line.strip(), flush=True)
            if m.returncode:
                print(m.output[-3000:])
    if all(p.exists() for p in served.values()):
        rows, problems = compare_served(served["duckdb"], served["spark"])
        verdict = "every mart equal" if not problems else "DIFFER: " + "; ".join(problems)
        print(f"{name} DuckDB vs Spark: {rows:,} rows compared; {verdict}", flush=True)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
