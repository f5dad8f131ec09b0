"""The 晾晒考评 ranking rule lives once (macros/rules/ranking.sql): the marts, `zhiben rank
--weights` and the notebooks all rank with its SQL (zhiben.ranking), SPEC §7 and §9 "Evaluation"."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from zhiben import ranking
from zhiben.report.rank import load_weights, quarter_evaluation, rerank
from zhiben.warehouse import query

REPO = Path(__file__).resolve().parents[1]
SEED_WEIGHTS = REPO / "seeds" / "evaluation_indicators.csv"


def _rows(quarter: str, rows: list[tuple[str, float, float, bool]]) -> list[dict]:
    return [
        {"quarter": quarter, "unit_code": code, "total_score": total, "i1_score": i1, "veto": veto}
        for code, total, i1, veto in rows
    ]


def test_ties_within_1e9_then_i1_then_code_vetoed_last():
    """Known answer: totals within 1e-9 tie (chained along the descending order), a tie goes to
    the higher I1 score, then the lower code; 2e-9 apart is no tie; vetoed units are last, among
    themselves by the same order; each quarter is ranked on its own."""
    frame = pl.DataFrame(
        _rows(
            "2026Q1",
            [
                ("U01", 90.0, 10.0, True),  # vetoed: last whatever its total
                ("U02", 79.9999, 100.0, False),  # 1e-4 below the tie group: after it
                ("U03", 80.0 + 5e-10, 90.0, False),  # ┐ one tie group (5e-10 steps):
                ("U04", 80.0 - 5e-10, 95.0, False),  # │ U04 has the higher I1,
                ("U05", 80.0, 90.0, False),  # ┘ U03 before U05 by code
                ("U06", 10.0, 50.0, True),  # vetoed, tied with U07 (1e-10): lower I1
                ("U07", 10.0 + 1e-10, 60.0, True),
                ("U08", 50.0 + 2e-9, 0.0, False),  # 2e-9 apart: no tie, the higher total first
                ("U09", 50.0, 100.0, False),
                ("U10", 70.0000000004, 80.0, False),  # tie (2e-10 apart) although rounding to
                ("U11", 70.0000000006, 70.0, False),  # 9 places would split them: I1 decides
            ],
        )
        + _rows("2026Q2", [("U01", 1.0, 0.0, False), ("U02", 2.0, 0.0, False)])
    )
    ranked = ranking.rank(frame)
    order = {
        q: g.sort("rank")["unit_code"].to_list()
        for (q,), g in ranked.group_by("quarter", maintain_order=True)
    }
    assert order == {
        "2026Q1": ["U04", "U03", "U05", "U02", "U10", "U11", "U08", "U09", "U01", "U07", "U06"],
        "2026Q2": ["U02", "U01"],
    }
    assert ranked.filter(pl.col("quarter") == "2026Q1")["rank"].sort().to_list() == list(
        range(1, 12)
    )


def test_rerank_totals_as_the_mart_adds_them():
    """total = Σ weight × score ÷ 100 + deductions, floored at 0; one row per set of weights."""
    scores = pl.DataFrame(
        {
            "quarter": ["2026Q1", "2026Q1"],
            "unit_code": ["U01", "U02"],
            **{f"i{k}_score": [100.0, 0.0] for k in range(1, 8)},
            "deduction_major_accidents": [-20.0, 0.0],
            "deduction_concealed": [0.0, 0.0],
            "deduction_listed_overdue": [-2.0, -2.0],
            "veto": [False, False],
        }
    ).with_columns(pl.col("i4_score").replace({100.0: 0.0, 0.0: 100.0}))
    out = ranking.rerank(scores, [{"I1": 100.0}, {"I4": 100.0}])
    got = {(r["scenario"], r["unit_code"]): (r["total_score"], r["rank"]) for r in out.to_dicts()}
    assert got == {
        (0, "U01"): (100.0 - 22.0, 1),
        (0, "U02"): (0.0, 2),  # 0 − 2 floored at 0
        (1, "U01"): (0.0, 2),
        (1, "U02"): (98.0, 1),
    }


def test_the_marts_compile_the_same_sql(demo_warehouse: Path):
    """The SQL Python runs is the SQL dbt compiled into both evaluation marts, verbatim."""
    compiled = demo_warehouse.parent / ".zhiben-build" / "target" / "compiled" / "zhiben"
    evaluation = compiled / "models" / "marts" / "evaluation"
    unit = (evaluation / "mart_quarterly_evaluation.sql").read_text("utf-8")
    department = (evaluation / "mart_quarterly_evaluation_by_department.sql").read_text("utf-8")
    assert ranking.ranked_sql("totalled", "unit_code") in unit
    assert ranking.ranked_sql("with_total", "department_code") in department
    assert ranking.weighted_sql("weights", "scored") in unit


def test_what_if_with_the_seed_weights_is_the_mart_in_every_quarter(demo_warehouse: Path):
    """`zhiben rank --weights seeds/evaluation_indicators.csv` gives the mart's totals and ranks,
    to the bit, in every quarter of the demo warehouse; the department mart likewise."""
    weights = load_weights(SEED_WEIGHTS)
    mart = query("select * from mart_quarterly_evaluation", path=demo_warehouse)
    quarters = sorted(set(mart["quarter"]))
    assert len(quarters) >= 11
    for quarter in quarters:
        result = rerank(quarter_evaluation(quarter, path=demo_warehouse), weights)
        assert result["new_rank"].to_list() == result["old_rank"].to_list() == list(range(1, 12)), (
            quarter
        )
        assert result["new_total"].to_list() == result["old_total"].to_list(), quarter
    everything = ranking.rerank(mart, weights).join(
        mart.select("quarter", "unit_code", pl.col("rank").alias("mart_rank")),
        on=["quarter", "unit_code"],
    )
    assert everything.height == mart.height
    assert (everything["rank"] == everything["mart_rank"]).all()

    department = query(
        "select * from mart_quarterly_evaluation_by_department where is_ranked",
        path=demo_warehouse,
    )
    # the department variant has no veto (SPEC §7): the mart ranks it as all false
    again = ranking.rank(
        department.with_columns(veto=pl.lit(False)), code_column="department_code"
    ).join(
        department.select("quarter", "department_code", pl.col("rank").alias("mart_rank")),
        on=["quarter", "department_code"],
    )
    assert again.height == department.height > 0
    assert (again["rank"] == again["mart_rank"]).all()
