"""Do the floor and the pandas pipeline compute the warehouse's numbers? Column by column, on the
key of each output: every row on both sides, every shared column equal (NULLs equal; floats within
1e-9 relative)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: output → (warehouse table, key columns)
KEYS = {
    "fct_hazards": ("fct_hazards", ("hazard_id",)),
    "mart_region_industry_stats": (
        "mart_region_industry_stats",
        ("quarter", "unit_code", "industry_code"),
    ),
    "mart_quarterly_evaluation": ("mart_quarterly_evaluation", ("quarter", "unit_code")),
}
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


@dataclass
class Agreement:
    output: str
    rows_candidate: int
    rows_warehouse: int
    only_candidate: int
    only_warehouse: int
    agree: list[str] = field(default_factory=list)
    disagree: dict[str, int] = field(default_factory=dict)  # column → rows that differ
    not_computed: list[str] = field(default_factory=list)  # warehouse columns it lacks

    @property
    def ok(self) -> bool:
        return not self.disagree and self.only_candidate == 0 and self.only_warehouse == 0

    def summary(self) -> str:
        s = (
            f"{self.output}: {self.rows_candidate} rows vs {self.rows_warehouse}"
            f" (only here {self.only_candidate}, only in warehouse {self.only_warehouse}); "
            f"{len(self.agree)} columns agree"
        )
        if self.disagree:
            s += "; DISAGREE " + ", ".join(f"{c} ({n} rows)" for c, n in self.disagree.items())
        return s


def compare(
    con: duckdb.DuckDBPyConnection, candidate: str, output: str, warehouse_schema: str = "wh"
) -> Agreement:
    """`candidate`: a relation (table name or `(select …)`) holding the output's columns;
    the warehouse is attached as `warehouse_schema`. Quarters the candidate does not cover (the
    floor computes only the last full quarter of the evaluation) are left out of the comparison."""
    table, keys = KEYS[output]
    wh_cols = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_name = ? order by ordinal_position",
        [warehouse_schema, table],
    ).fetchall()
    cand_cols = [r[0] for r in con.execute(f"select * from {candidate} limit 0").description]
    wh = f"{warehouse_schema}.main.{table}"
    scope = ""
    if output == "mart_quarterly_evaluation":
        scope = f" where quarter in (select distinct quarter from {candidate})"
    w = f"(select * from {wh}{scope})"
    join = " and ".join(f"c.{k} = w.{k}" for k in keys)
    n_c = con.execute(f"select count(*) from {candidate}").fetchone()[0]
    n_w = con.execute(f"select count(*) from {w}").fetchone()[0]
    only_c = con.execute(
        f"select count(*) from {candidate} c anti join {w} w on {join}"
    ).fetchone()[0]
    only_w = con.execute(
        f"select count(*) from {w} w anti join {candidate} c on {join}"
    ).fetchone()[0]
    res = Agreement(output, n_c, n_w, only_c, only_w)
    checks = []
    for name, dtype in wh_cols:
        if name in keys:
            res.agree.append(name)
            continue
        if name not in cand_cols:
            res.not_computed.append(name)
            continue
        c = f"try_cast(c.{name} as {dtype})"
        if dtype.upper() in FLOAT_TYPES:
            same = (
                f"(({c} is null and w.{name} is null) or "
                f"abs({c} - w.{name}) <= 1e-9 * greatest(1, abs(w.{name})))"
            )
        else:
            same = f"({c} is not distinct from w.{name})"
        checks.append((name, f"count(*) filter (where not coalesce({same}, false))"))
    if checks:
        row = con.execute(
            f"select {', '.join(expr for _, expr in checks)} "
            f"from {candidate} c inner join {w} w on {join}"
        ).fetchone()
        for (name, _), bad in zip(checks, row, strict=True):
            if bad:
                res.disagree[name] = bad
            else:
                res.agree.append(name)
    return res


def compare_floor(floor_db: Path, warehouse: Path) -> list[Agreement]:
    """The floor's three tables against the served warehouse."""
    from bench.floor import OUTPUTS

    con = duckdb.connect(str(floor_db), read_only=True)
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        return [compare(con, t, out) for t, out in OUTPUTS.items()]
    finally:
        con.close()


def compare_parquet(folder: Path, warehouse: Path) -> list[Agreement]:
    """The pandas pipeline's three parquet files (<output>.parquet) against the warehouse."""
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        return [compare(con, f"read_parquet('{folder / (out + '.parquet')}')", out) for out in KEYS]
    finally:
        con.close()
