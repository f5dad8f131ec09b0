"""权重模拟 (what-if, SPEC §10.4): a quarter's ranking under other indicator weights.

No ranking logic here: the totals and ranks come from `zhiben.ranking.rerank`, which runs the
mart's own dbt macros (macros/rules/ranking.sql), so with the seed's weights the simulation
reproduces the mart's rank and total exactly."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from zhiben import ranking

#: the weights must add up to this (SPEC §7: Σ 权重 = 100)
WEIGHT_TOTAL = 100.0


def weights_ok(weights: Mapping[str, float]) -> bool:
    """True when the weights add up to 100 (within float noise) and none is negative."""
    values = [float(v) for v in weights.values()]
    return all(v >= 0 for v in values) and abs(sum(values) - WEIGHT_TOTAL) < 1e-9


def describe(weights: Mapping[str, float]) -> str:
    """The weights as the 说明 sheet of a simulated ranking states them: 'I1 35、I2 5、…' in
    indicator order (an exported simulation says what it was computed with)."""
    ordered = sorted(weights.items(), key=lambda kv: int(kv[0][1:]))
    return "、".join(f"{k.upper()} {float(v):g}" for k, v in ordered)


def simulate(evaluation: pl.DataFrame, weights: Mapping[str, float]) -> pl.DataFrame:
    """One quarter's mart_quarterly_evaluation rows re-ranked under `weights` (`i1`/`I1` … →
    weight; an indicator not given weighs 0): unit_code, unit_name, original_rank (the mart's),
    whatif_rank, whatif_rank_change (original − simulated, positive = moved up) and
    whatif_total_score, in simulated rank order."""
    if evaluation.select("quarter").n_unique() > 1:
        raise ValueError("simulate: one quarter at a time")
    if not weights_ok(weights):
        raise ValueError(f"权重合计应为 100,且不能为负(现为 {sum(weights.values()):g})")
    new = ranking.rerank(evaluation, weights)
    return (
        new.select(
            "unit_code",
            pl.col("total_score").alias("whatif_total_score"),
            pl.col("rank").cast(pl.Int64).alias("whatif_rank"),
        )
        .join(
            evaluation.select(
                "unit_code", "unit_name", pl.col("rank").cast(pl.Int64).alias("original_rank")
            ),
            on="unit_code",
        )
        .select(
            "unit_code",
            "unit_name",
            "original_rank",
            "whatif_rank",
            (pl.col("original_rank") - pl.col("whatif_rank")).alias("whatif_rank_change"),
            "whatif_total_score",
        )
        .sort("whatif_rank")
    )
