"""Re-rank a quarter's 晾晒考评 under other weights, without rebuilding (sensitivity questions).

The total and the rank are computed by the SQL of the mart's own macros (`zhiben.ranking`, SPEC §7):
total = Σ weight × score / 100 + deductions, floored at 0; totals within 1e-9 tie; ties go to the
higher I1 score, then the lower unit code; vetoed units rank last among themselves. With the seed's
weights this reproduces the mart's totals and ranks.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from zhiben import ranking
from zhiben.ranking import UNIT_INDICATORS
from zhiben.warehouse import query


def load_weights(path: str | Path, scope: str = "unit") -> dict[str, float]:
    """Weights from a CSV with columns `indicator_id,weight` (the seed evaluation_indicators format
    works too: rows of other scopes are skipped). Indicators not listed weigh 0."""
    weights: dict[str, float] = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = set(reader.fieldnames or ())
        if not {"indicator_id", "weight"} <= fields:
            raise ValueError(f"{path}: 需要列 indicator_id, weight (found {sorted(fields)})")
        for row in reader:
            if "scope" in fields and (row["scope"] or "").strip() != scope:
                continue
            indicator = row["indicator_id"].strip().upper()
            if indicator not in UNIT_INDICATORS:
                raise ValueError(f"{path}: 未知指标 {indicator!r} (应为 I1 … I7)")
            if indicator in weights:
                raise ValueError(f"{path}: 指标 {indicator} 重复")
            weights[indicator] = float(row["weight"])
    if not weights:
        raise ValueError(f"{path}: 没有权重")
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"{path}: 权重不能为负")
    return {i: weights.get(i, 0.0) for i in UNIT_INDICATORS}


def quarter_evaluation(quarter: str, *, path: str | Path | None = None) -> pl.DataFrame:
    """The quarter's rows of mart_quarterly_evaluation (in rank order)."""
    frame = query(
        "select * from mart_quarterly_evaluation where quarter = ? order by rank",
        [quarter],
        path=path,
    )
    if frame.is_empty():
        quarters = query(
            "select distinct quarter from mart_quarterly_evaluation order by 1", path=path
        )["quarter"].to_list()
        raise ValueError(f"仓库中没有 {quarter} 的考评结果；可选: {', '.join(quarters)}")
    return frame


def rerank(evaluation: pl.DataFrame, weights: Mapping[str, float]) -> pl.DataFrame:
    """One quarter's evaluation re-ranked under `weights` by the mart's own SQL
    (`zhiben.ranking`): unit_code, unit_name, veto, old and new total and rank, and
    rank_change = old_rank − new_rank (positive = moved up), in new-rank order."""
    new = ranking.rerank(evaluation, weights)
    return (
        new.select(
            "unit_code",
            "unit_name",
            pl.col("veto").cast(pl.Boolean),
            pl.col("total_score").alias("new_total"),
            pl.col("rank").alias("new_rank"),
        )
        .join(
            evaluation.select(
                "unit_code",
                pl.col("total_score").alias("old_total"),
                pl.col("rank").alias("old_rank"),
            ),
            on="unit_code",
        )
        .select(
            "unit_code",
            "unit_name",
            "veto",
            "old_total",
            "new_total",
            "old_rank",
            "new_rank",
            (pl.col("old_rank") - pl.col("new_rank")).alias("rank_change"),
        )
        .sort("new_rank")
    )


def _pad(text: str, width: int) -> str:
    """Left-align text to a display width (CJK characters take two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def render_rerank(quarter: str, weights: Mapping[str, float], result: pl.DataFrame) -> list[str]:
    """The lines `zhiben rank` prints: the weights, then new rank, old rank, change, unit, totals."""
    total_weight = sum(weights.values())
    lines = [
        f"{quarter} 权重: "
        + ", ".join(f"{k}={v:g}" for k, v in weights.items())
        + (f"  (合计 {total_weight:g}, 不等于 100)" if abs(total_weight - 100) > 1e-9 else ""),
        f"{_pad('新排名', 7)}{_pad('原排名', 7)}{_pad('变化', 6)}{_pad('单位', 16)}"
        f"{_pad('新总分', 9)}{_pad('原总分', 9)}",
    ]
    for r in result.iter_rows(named=True):
        change = r["rank_change"]
        mark = f"▲{change}" if change > 0 else f"▼{-change}" if change < 0 else "—"
        lines.append(
            f"{r['new_rank']:<7}{r['old_rank']:<7}{_pad(mark, 6)}"
            f"{_pad(r['unit_name'] or r['unit_code'], 16)}"
            f"{r['new_total']:<9.2f}{r['old_total']:<9.2f}" + ("一票否决" if r["veto"] else "")
        )
    return [line.rstrip() for line in lines]
