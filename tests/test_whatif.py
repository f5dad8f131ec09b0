"""权重模拟 (what-if, SPEC §10.4): `zhiben.app_logic.whatif.simulate` ranks through the mart's own
rule (zhiben.ranking), and the evaluation page's expander shows exactly what it computes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from zhiben import periods
from zhiben.app_logic import queries, whatif

MAIN = Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"


@pytest.fixture
def served(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(demo_warehouse))
    monkeypatch.setenv("ZHIBEN_REQUIRE_LOGIN", "0")
    return demo_warehouse


def default_quarter(path: Path) -> str:
    """The evaluation page's default quarter: the as-of quarter."""
    return periods.quarter_of(queries.build_info(path).as_of_date)


def test_seed_weights_reproduce_the_marts_rank_and_total(served: Path) -> None:
    quarter = default_quarter(served)
    ev = queries.quarterly_evaluation(served, quarter=quarter)
    assert ev.height == 11
    seed = queries.evaluation_weights(served, variant="unit")
    assert sum(seed.values()) == 100
    sim = whatif.simulate(ev, seed)
    mart = ev.select("unit_code", "rank", "total_score").sort("rank")
    assert sim["unit_code"].to_list() == mart["unit_code"].to_list()
    assert sim["whatif_rank"].to_list() == mart["rank"].to_list() == sim["original_rank"].to_list()
    assert sim["whatif_total_score"].to_list() == mart["total_score"].to_list()  # to the bit
    assert set(sim["whatif_rank_change"].to_list()) == {0}


def _scores(i1: list[float], veto: list[bool]) -> pl.DataFrame:
    n = len(i1)
    codes = [f"U{i + 1:02d}" for i in range(n)]
    return pl.DataFrame(
        {
            "quarter": ["2026Q1"] * n,
            "unit_code": codes,
            "unit_name": [f"镇{c}" for c in codes],
            "i1_score": i1,
            # the other indicators reverse the I1 order, so the seed weights rank differently
            **{f"i{k}_score": [100.0 - s for s in i1] for k in range(2, 8)},
            "deduction_major_accidents": [0.0] * n,
            "deduction_concealed": [0.0] * n,
            "deduction_listed_overdue": [0.0] * n,
            "veto": veto,
            "total_score": [0.0] * n,
            "rank": list(range(1, n + 1)),  # the "original" rank: the input order
        }
    )


def test_all_weight_on_i1_ranks_by_i1_ties_by_code_vetoed_last() -> None:
    ev = _scores([50.0, 80.0, 80.0, 20.0, 100.0], [False, False, False, False, True])
    sim = whatif.simulate(ev, {"I1": 100})
    # U02 and U03 tie on total and I1 → the lower code first; the vetoed U05 (I1 100) last
    assert sim["unit_code"].to_list() == ["U02", "U03", "U01", "U04", "U05"]
    assert sim["whatif_rank"].to_list() == [1, 2, 3, 4, 5]
    assert sim["whatif_total_score"].to_list() == [80.0, 80.0, 50.0, 20.0, 100.0]
    assert sim["original_rank"].to_list() == [2, 3, 1, 4, 5]
    assert sim["whatif_rank_change"].to_list() == [1, 1, -2, 0, 0]
    # the seed-like weights (I1 25, the rest on the reversed scores) give another order
    other = whatif.simulate(
        ev, {"i1": 25, "i2": 15, "i3": 10, "i4": 15, "i5": 15, "i6": 10, "i7": 10}
    )
    assert other["unit_code"].to_list()[:4] == ["U04", "U01", "U02", "U03"]


def test_weights_not_adding_to_100_are_refused() -> None:
    ev = _scores([50.0, 80.0], [False, False])
    assert not whatif.weights_ok({"i1": 60, "i2": 30})
    assert not whatif.weights_ok({"i1": 110, "i2": -10})
    with pytest.raises(ValueError, match="100"):
        whatif.simulate(ev, {"i1": 60, "i2": 30})


def _table(at: AppTest) -> pl.DataFrame | None:
    """The 权重模拟 table (the one with a whatif_rank column), or None."""
    for df in at.dataframe:
        value = df.value
        data = pl.from_pandas(value.data if hasattr(value, "data") else value)
        if "whatif_rank" in data.columns:
            return data
    return None


def test_page_simulates_the_weights_entered_and_refuses_a_bad_sum(served: Path) -> None:
    quarter = default_quarter(served)
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.session_state["flt_quarter"] = quarter
    at.run()
    at.switch_page("app_pages/evaluation.py").run()
    assert not at.exception and not at.error
    seed = queries.evaluation_weights(served, variant="unit")
    assert {k: at.number_input(key=f"ev_wi_{k}").value for k in seed} == seed
    ev = queries.quarterly_evaluation(served, quarter=quarter)
    shown = _table(at)
    assert shown is not None
    assert shown.equals(whatif.simulate(ev, seed))

    # I1 +10: the sum is 110 → a warning and no table
    at.number_input(key="ev_wi_i1").set_value(seed["i1"] + 10).run()
    assert not at.exception
    assert any("应为 100" in w.value for w in at.warning)
    assert _table(at) is None

    # I2 −10: the sum is 100 again, with other weights → the table is simulate() of them
    at.number_input(key="ev_wi_i2").set_value(seed["i2"] - 10).run()
    assert not at.exception and not at.error
    assert not any("应为 100" in w.value for w in at.warning)
    new = seed | {"i1": seed["i1"] + 10, "i2": seed["i2"] - 10}
    shown = _table(at)
    assert shown is not None
    expected = whatif.simulate(ev, new)
    assert shown.equals(expected)
    assert not expected.equals(whatif.simulate(ev, seed))  # the weights changed something


def test_an_exported_simulation_states_its_weights() -> None:
    # the 说明 sheet of the page's download (ui.table notes): indicator order, numbers as typed
    assert whatif.describe({"i2": 5.0, "I1": 35, "i10": 0.5}) == "I1 35、I2 5、I10 0.5"
