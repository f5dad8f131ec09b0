"""The 晾晒考评 ranking in Python — the SQL of the dbt macros, not a copy of the rule.

The rule (SPEC §7, §9 "Evaluation": totals within 1e-9 tie, ties to the higher I1 score then the
lower code, vetoed units last among themselves) lives once, in the dbt macros `weighted_score` and
`evaluation_ranked` (`macros/rules/ranking.sql`). The marts call them; this module renders the
same macros from the project's macro files with Jinja and runs the SQL with DuckDB over polars
frames: the what-if ranking (`zhiben rank --weights`), the notebooks and their Monte-Carlo all rank
through it, so they order exactly as the mart does from the same scores.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import duckdb
import jinja2
import polars as pl

from zhiben.paths import PROJECT_DIR

UNIT_INDICATORS = ("I1", "I2", "I3", "I4", "I5", "I6", "I7")
#: the deductions in the order mart_quarterly_evaluation adds them (float addition is not
#: associative, so the same order gives the same total to the last bit)
DEDUCTION_COLUMNS = ("deduction_major_accidents", "deduction_concealed", "deduction_listed_overdue")
#: columns the ranking SQL computes (dropped from an input frame first)
_COMPUTED = ("weighted_score", "total_score", "rank")


@cache
def _macro(name: str, macros_dir: Path = PROJECT_DIR / "macros"):
    """The dbt macro `name` as a Jinja callable, from whichever macro file defines it."""
    pattern = re.compile(r"{%-?\s*macro\s+" + re.escape(name) + r"\s*\(")
    found = [p for p in sorted(macros_dir.rglob("*.sql")) if pattern.search(p.read_text("utf-8"))]
    if len(found) != 1:
        raise LookupError(f"dbt macro {name!r} defined in {len(found)} files under {macros_dir}")
    module = (
        jinja2.Environment(extensions=["jinja2.ext.do"])
        .from_string(found[0].read_text("utf-8"))
        .module
    )
    return getattr(module, name)


def ranked_sql(relation: str, code_column: str, partition_by: Sequence[str] = ("quarter",)) -> str:
    """`select …, rank from relation` — the macro `evaluation_ranked`, rendered."""
    return str(_macro("evaluation_ranked")(relation, code_column, list(partition_by)))


def weighted_sql(weights: str, scores: str, indicators: Sequence[str] = UNIT_INDICATORS) -> str:
    """Σ weight × score ÷ 100 — the macro `weighted_score`, rendered."""
    return str(_macro("weighted_score")(weights, scores, list(indicators)))


def weights_frame(
    weights: Mapping[str, float] | Sequence[Mapping[str, float]],
    indicators: Sequence[str] = UNIT_INDICATORS,
) -> pl.DataFrame:
    """`weight_i1 …` columns (an indicator not given weighs 0) and `scenario` (0, 1, …): one row per
    set of weights."""
    sets = [weights] if isinstance(weights, Mapping) else list(weights)
    return pl.DataFrame(
        {
            "scenario": list(range(len(sets))),
            **{
                f"weight_{i.lower()}": [float(w.get(i, w.get(i.lower(), 0.0))) for w in sets]
                for i in indicators
            },
        },
        schema={"scenario": pl.Int64, **{f"weight_{i.lower()}": pl.Float64 for i in indicators}},
    )


def rank(
    frame: pl.DataFrame,
    *,
    code_column: str = "unit_code",
    partition_by: Sequence[str] = ("quarter",),
) -> pl.DataFrame:
    """`frame` (total_score, i1_score, veto, the code and the partition columns) with its `rank`
    in each partition (a new `rank` replaces one it had), in rank order."""
    with duckdb.connect() as con:
        con.register("scores", frame.drop("rank", strict=False))
        sql = f"select * exclude (previous_total, tie_group) from ({ranked_sql('scores', code_column, partition_by)})"
        return con.execute(f"{sql} order by {', '.join(partition_by)}, rank").pl()


def rerank(
    frame: pl.DataFrame,
    weights: Mapping[str, float] | Sequence[Mapping[str, float]],
    *,
    code_column: str = "unit_code",
    partition_by: Sequence[str] = ("quarter",),
    indicators: Sequence[str] = UNIT_INDICATORS,
    deductions: Sequence[str] = DEDUCTION_COLUMNS,
) -> pl.DataFrame:
    """Scores of `frame` (i<k>_score, the deduction columns, veto …) totalled and ranked under
    each set of `weights`: the rows once per set, `scenario` = its index, with the new
    weighted_score, total_score (Σ weight × score ÷ 100 + deductions, floored at 0, as the mart
    adds them) and rank, in scenario and rank order. With the seed's weights this reproduces
    the mart's totals and ranks to the bit."""
    scores = frame.drop(*_COMPUTED, "scenario", strict=False)
    total = _macro("evaluation_total")(
        "weighted.weighted_score", [f"weighted.{d}" for d in deductions]
    )
    with duckdb.connect() as con:
        con.register("scores", scores)
        con.register("weights", weights_frame(weights, indicators))
        sql = f"""
            with weighted as (
                select
                    scores.*,
                    weights.scenario,
                    {weighted_sql("weights", "scores", indicators)} as weighted_score
                from scores cross join weights
            ),
            totalled as (
                select weighted.*, {total} as total_score
                from weighted
            ),
            ranked as ({ranked_sql("totalled", code_column, ("scenario", *partition_by))})
            select * exclude (previous_total, tie_group) from ranked
            order by scenario, {", ".join(partition_by)}, rank
        """
        return con.execute(sql).pl()
