"""The 通报 workbook (`zhiben report`) and the re-ranking (`zhiben rank`) on the demo warehouse."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from zhiben.app_logic.labels import label
from zhiben.cli import app
from zhiben.report.rank import load_weights, quarter_evaluation, rerank
from zhiben.report.workbook import SHEETS, write_report
from zhiben.warehouse import query

QUARTER = "2026Q3"  # the last full quarter of the demo (as of 2026-11-28)
SEED_WEIGHTS = Path(__file__).resolve().parents[1] / "seeds" / "evaluation_indicators.csv"


@pytest.fixture(scope="module")
def mart(demo_warehouse: Path):
    return query(
        "select * from mart_quarterly_evaluation where quarter = ? order by rank",
        [QUARTER],
        path=demo_warehouse,
    )


@pytest.fixture(scope="module")
def workbook_path(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / f"通报-{QUARTER}.xlsx"
    result = CliRunner().invoke(
        app, ["report", "--quarter", QUARTER, "--out", str(out), "--warehouse", str(demo_warehouse)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def workbook(workbook_path: Path):
    return openpyxl.load_workbook(workbook_path)


def _table(ws, header_first: str) -> tuple[list[str], list[tuple]]:
    """The header row (the row whose first cell is header_first) and the rows below it."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == header_first)
    body = [r for r in rows[start + 1 :] if r[0] is not None]
    return list(rows[start]), body


def test_sheets(workbook):
    assert workbook.sheetnames == list(SHEETS)


def test_title_block(workbook, demo_warehouse):
    ws = workbook["排名通报"]
    assert ws["A1"].value == "山亭区安全生产委员会办公室"
    assert "2026年第三季度" in ws["A2"].value
    (as_of,) = query("select max(as_of_date) as d from mart_build_info", path=demo_warehouse)["d"]
    assert f"数据截止日期: {as_of:%Y-%m-%d}" in ws["A3"].value and "生成时间" in ws["A3"].value


def test_ranking_equals_the_mart(workbook, mart):
    header, body = _table(workbook["排名通报"], label("rank"))
    assert header[:5] == [
        label(c) for c in ("rank", "unit_name", "total_score", "prev_rank", "rank_change")
    ]
    assert len(body) == 11
    # ranks exactly; numbers as xlsx stores them (16 significant digits)
    assert [(r[0], r[1], r[3], r[4]) for r in body] == [
        (r["rank"], r["unit_name"], r["prev_rank"], r["rank_change"])
        for r in mart.iter_rows(named=True)
    ]
    assert [r[2] for r in body] == pytest.approx(mart["total_score"].to_list(), abs=1e-9)
    # the score breakdown: I1 … I7 scores and the deductions as in the mart
    for i in range(1, 8):
        got = [r[4 + i] for r in body]
        assert got == pytest.approx(mart[f"i{i}_score"].to_list(), abs=1e-9), f"I{i}"
    assert [r[16] for r in body] == pytest.approx(mart["deductions"].to_list(), abs=1e-9)


def test_every_header_is_a_distinct_label(workbook):
    """Each sheet's header row: the columns' labels (marts' yml / APP_COLUMN_LABELS), none twice."""
    from zhiben.app_logic.labels import COLUMN_LABELS

    known = set(COLUMN_LABELS.values())
    firsts = {
        "排名通报": "rank",
        "指标原值": "rank",
        "部门排名": "rank",
        "重大隐患台账": "hazard_id",
    }
    firsts |= {"零处罚单位": "unit_name", "目标进展": "target_id", "督办清单": "target_id"}
    for sheet, first in firsts.items():
        header, _ = _table(workbook[sheet], label(first))
        header = [h for h in header if h is not None]
        assert len(header) == len(set(header)), (sheet, header)
        # the indicator score columns carry their weight; the I-grouped ones 'I<n> <label>'
        loose = [h for h in header if h not in known and "权重" not in h]
        assert all(h[:3].rstrip() in {f"I{i}" for i in range(1, 8)} for h in loose), (sheet, loose)
        assert all(h.split(" ", 1)[1] in known for h in loose), (sheet, loose)


def test_frozen_headers_and_chart(workbook, workbook_path):
    for name in ("排名通报", "指标原值", "部门排名", "重大隐患台账", "目标进展"):
        assert workbook[name].freeze_panes is not None, name
    assert workbook["排名通报"].column_dimensions["B"].width >= 12
    with zipfile.ZipFile(workbook_path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        assert "<c:barChart>" in z.read(charts[0]).decode()


def test_department_sheet_equals_the_mart(workbook, demo_warehouse):
    _, body = _table(workbook["部门排名"], label("rank"))
    dept = query(
        "select rank, department_name, total_score from mart_quarterly_evaluation_by_department "
        "where quarter = ? and is_ranked order by rank",
        [QUARTER],
        path=demo_warehouse,
    )
    assert [(r[0], r[1]) for r in body] == [(r[0], r[1]) for r in dept.iter_rows()]
    assert [r[2] for r in body] == pytest.approx(dept["total_score"].to_list(), abs=1e-9)
    assert "区自然资源局" not in {r[1] for r in body}


def test_ledger_open_overdue_first(workbook, demo_warehouse):
    header, body = _table(workbook["重大隐患台账"], label("hazard_id"))
    overdue = [r[header.index(label("is_overdue"))] == "逾期" for r in body]
    assert overdue == sorted(overdue, reverse=True)
    counts = query(
        "select count(*) as n, count(*) filter (where is_overdue) as n_overdue "
        "from mart_major_hazard_ledger",
        path=demo_warehouse,
    )
    assert (len(body), sum(overdue)) == (counts["n"][0], counts["n_overdue"][0])
    assert label("escalation") in header
    col = header.index(label("overdue_days"))
    days = [r[col] for r, late in zip(body, overdue, strict=True) if late]
    assert days == sorted(days, reverse=True)


def test_zero_penalty_and_targets(workbook, demo_warehouse):
    # the units whose OWN enforcement (执法部门 = the unit) inspected in the quarter and decided no
    # penalty, computed from the facts (SPEC §5 mart_enforcement.is_zero_penalty)
    expected = query(
        """
        select unit_name from dim_unit as u
        where exists (
            select 1 from fct_inspections as i
            where i.enforcing_unit_code = u.unit_code and i.quarter = ?
        )
        and not exists (
            select 1 from fct_penalties as p
            where p.enforcing_unit_code = u.unit_code and p.quarter = ?
        )
        """,
        [QUARTER, QUARTER],
        path=demo_warehouse,
    )["unit_name"].to_list()
    assert expected, "the demo quarter should have a 零处罚 unit"
    penalising = query(
        "select count(*) as n from mart_enforcement where quarter = ? and own_penalty_cases > 0",
        [QUARTER],
        path=demo_warehouse,
    )["n"][0]
    assert penalising > 0, "and towns whose own enforcement penalised"
    header, body = _table(workbook["零处罚单位"], label("unit_name"))
    assert sorted(r[0] for r in body) == sorted(expected)
    own, own_penalties = (
        header.index(label("own_inspections")),
        header.index(label("own_penalty_cases")),
    )
    assert all(r[own] > 0 and r[own_penalties] == 0 for r in body)
    _, targets = _table(workbook["目标进展"], label("target_id"))
    assert [r[0] for r in targets] == [f"T{i}" for i in range(1, 19)]


def test_method_sheet_reads_the_weights(workbook):
    rows = list(workbook["考评办法"].iter_rows(values_only=True))
    seed = {(r["scope"], r["indicator_id"]): r["weight"] for r in _seed_rows()}
    units = [r for r in rows if r[0] and re.fullmatch(r"I[1-7]", str(r[0]))]
    # the unit indicators come first, then the department ones
    assert [(r[0], r[2]) for r in units[:7]] == [
        (f"I{i}", seed[("unit", f"I{i}")]) for i in range(1, 8)
    ]
    assert [(r[0], r[2]) for r in units[7:]] == [
        (i, seed[("department", i)]) for i in ("I1", "I2", "I4", "I5")
    ]
    assert any(r[1] == "挂牌督办重大隐患逾期扣分" and r[2] == -2 and r[3] == -10 for r in rows)


def test_no_personal_data(workbook):
    id_number = re.compile(r"\d{17}[\dXx]")
    phone = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    for ws in workbook:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not id_number.search(value) and not phone.search(value), value


def test_bad_quarter(demo_warehouse, tmp_path):
    with pytest.raises(ValueError, match="YYYYQn"):
        write_report("2026-3", tmp_path / "x.xlsx", warehouse=demo_warehouse)
    result = CliRunner().invoke(
        app, ["report", "--quarter", "2019Q1", "--warehouse", str(demo_warehouse)]
    )
    assert result.exit_code == 1 and "可选" in result.output


# ---------------------------------------------------------------------------------- zhiben rank


def _seed_rows() -> list[dict]:
    import csv

    with open(SEED_WEIGHTS, encoding="utf-8") as f:
        return [{**r, "weight": float(r["weight"])} for r in csv.DictReader(f)]


def test_rank_with_the_seed_weights_reproduces_the_mart(demo_warehouse):
    weights = load_weights(SEED_WEIGHTS)
    assert weights == {"I1": 25, "I2": 15, "I3": 10, "I4": 15, "I5": 15, "I6": 10, "I7": 10}
    for (quarter,) in query(
        "select distinct quarter from mart_quarterly_evaluation order by 1", path=demo_warehouse
    ).iter_rows():
        result = rerank(quarter_evaluation(quarter, path=demo_warehouse), weights)
        assert result["new_rank"].to_list() == result["old_rank"].to_list(), quarter
        assert result["new_total"].to_list() == result["old_total"].to_list(), quarter
        assert set(result["rank_change"].to_list()) == {0}


def test_rank_with_other_weights(demo_warehouse, mart, tmp_path):
    weights_file = tmp_path / "weights.csv"
    weights_file.write_text("indicator_id,weight\nI1,20\nI4,60\nI7,20\n", encoding="utf-8")
    result = rerank(mart, load_weights(weights_file))
    # by hand: total = max(0, (20·I1 + 60·I4 + 20·I7) / 100 + deductions); veto last; ties by I1
    expected = {}
    for r in mart.iter_rows(named=True):
        weighted = (20 * r["i1_score"] + 60 * r["i4_score"] + 20 * r["i7_score"]) / 100
        expected[r["unit_code"]] = max(weighted + r["deductions"], 0.0)
    order = sorted(
        mart.iter_rows(named=True),
        key=lambda r: (r["veto"], -expected[r["unit_code"]], -r["i1_score"], r["unit_code"]),
    )
    assert result["unit_code"].to_list() == [r["unit_code"] for r in order]
    assert result["new_total"].to_list() == pytest.approx(
        [expected[r["unit_code"]] for r in order], abs=1e-9
    )
    old = dict(zip(mart["unit_code"], mart["rank"], strict=True))
    assert result["old_rank"].to_list() == [old[r["unit_code"]] for r in order]
    assert result["rank_change"].to_list() == [
        old[r["unit_code"]] - i for i, r in enumerate(order, start=1)
    ]
    assert result["new_rank"].to_list() != result["old_rank"].to_list()  # the weights matter

    cli = CliRunner().invoke(
        app,
        ["rank", "--quarter", QUARTER, "--weights", str(weights_file)]
        + ["--warehouse", str(demo_warehouse)],
    )
    assert cli.exit_code == 0, cli.output
    lines = [ln.split() for ln in cli.output.splitlines()[2:]]
    assert [(int(ln[0]), int(ln[1])) for ln in lines] == list(
        zip(result["new_rank"], result["old_rank"], strict=True)
    )


def test_rank_rejects_bad_weights(tmp_path, demo_warehouse):
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_id,weight\nI9,100\n", encoding="utf-8")
    with pytest.raises(ValueError, match="I9"):
        load_weights(bad)
    cli = CliRunner().invoke(
        app,
        ["rank", "--quarter", QUARTER, "--weights", str(bad), "--warehouse", str(demo_warehouse)],
    )
    assert cli.exit_code == 1


def test_running_quarter_says_so(demo_warehouse, tmp_path):
    last = query("select max(quarter) as q from mart_quarterly_evaluation", path=demo_warehouse)[
        "q"
    ][0]
    out = write_report(last, tmp_path / "running.xlsx", warehouse=demo_warehouse)
    ws = openpyxl.load_workbook(out)["排名通报"]
    (complete,) = query(
        "select bool_and(is_complete) as c from mart_quarterly_evaluation where quarter = ?",
        [last],
        path=demo_warehouse,
    )["c"]
    assert ("季度已结束" in ws["A4"].value) is bool(complete)


def test_chase_sheet_equals_the_mart(workbook, demo_warehouse):
    """督办清单 (issue 17): every missing item of mart_target_chase_list, with its fact."""
    _, body = _table(workbook["督办清单"], label("target_id"))
    chase = query(
        "select target_id, subject_type, coalesce(subject_name, subject_id), missing_item "
        "from mart_target_chase_list",
        path=demo_warehouse,
    )
    assert chase.height > 0
    assert sorted((r[0], r[3], r[4], r[5]) for r in body) == sorted(chase.iter_rows())
