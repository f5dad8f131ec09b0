"""Run the floor script (bench/floor.sql) on a clean drop into a DuckDB file:

    python -m bench.floor --raw DROP --as-of YYYY-MM-DD --out FILE [--seeds DIR]

The benchmark times this as a child process (interpreter start and `import duckdb` included, as the
build's own child process pays them too)."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("floor.sql")
REPO = Path(__file__).resolve().parents[1]
#: the tables the script leaves behind, and the warehouse mart each one stands for
OUTPUTS = {
    "floor_fct_hazards": "fct_hazards",
    "floor_region_industry_stats": "mart_region_industry_stats",
    "floor_quarterly_evaluation": "mart_quarterly_evaluation",
}


def run_floor(raw: Path, as_of: date, out: Path, seeds: Path = REPO / "seeds") -> float:
    """Execute floor.sql; returns its seconds (connection to commit)."""
    out.unlink(missing_ok=True)
    out.with_name(out.name + ".wal").unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(out))
    try:
        con.execute("set variable raw_dir = ?", [str(Path(raw).resolve())])
        con.execute("set variable seeds_dir = ?", [str(Path(seeds).resolve())])
        con.execute("set variable as_of = ?", [as_of])
        con.execute(SQL.read_text(encoding="utf-8"))
    finally:
        con.close()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    ap.add_argument("--raw", type=Path, required=True)
    ap.add_argument("--as-of", type=date.fromisoformat, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds")
    a = ap.parse_args()
    print(f"floor {run_floor(a.raw, a.as_of, a.out, a.seeds):.3f} s")


if __name__ == "__main__":
    main()
