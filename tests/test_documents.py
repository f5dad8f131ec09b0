"""The monthly 月调度通报 (Word), the 三年行动总结评估 (`zhiben closeout`) and the PDF of every Word
通报 (SPEC §10.4), on the demo warehouse (as of 2026-11-28).

The figures in each document's text are parsed back and compared with the marts (recounted here
from the facts where the document derives them); the close-out's plan tasks are read from
`mart_plan_tasks` when the served file has one (a copy of the demo warehouse with such a table)
and otherwise listed from the seeds as not reported; the three-year ranking goes through the one
ranking rule (ties, vetoes). Each document is converted to PDF by LibreOffice headless, its first
page rendered to PNG in test-artifacts/documents/ (pdftoppm), its text found by pdftotext and its
Chinese font embedded (pdffonts)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from zhiben.app_logic.labels import format_target_value
from zhiben.cli import app
from zhiben.paths import SEEDS_DIR
from zhiben.report import closeout, monthly_doc
from zhiben.report.monthly import read_month
from zhiben.report.quarterly import draft as quarterly_draft
from zhiben.report.quarterly import read as quarterly_read
from zhiben.warehouse import query

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "documents"
MONTH = "2026-11"  # the demo's running month (as of 2026-11-28)
ENDED = "2026-10"
QUARTER = "2026Q3"
AS_OF = date(2026, 11, 28)


def _cli(*args: str) -> list[Path]:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return [Path(line.split("→ ", 1)[1]) for line in result.output.splitlines() if "→ " in line]


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _tables(path: Path) -> list[list[list[str]]]:
    return [
        [[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables
    ]


def _pct_change(now: float, before: float, kind: str) -> str:
    """同比/环比 as the SPEC's example words it, computed here independently of cnfmt."""
    if now == before:
        return f"{kind}持平"
    if before == 0:
        return f"{kind}增加{now:.0f}"
    rel = (now - before) / before
    return f"{kind}{'上升' if rel > 0 else '下降'}{abs(rel) * 100:.1f}%"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(scope="module")
def monthly_files(demo_warehouse: Path, out_dir: Path) -> dict[str, Path]:
    paths = _cli(
        "report",
        "--month",
        MONTH,
        "--format",
        "docx,pdf",
        "--out",
        str(out_dir / f"月调度通报-{MONTH}"),
        "--warehouse",
        str(demo_warehouse),
    )
    assert [p.suffix for p in paths] == [".docx", ".pdf"]
    return {p.suffix[1:]: p for p in paths}


@pytest.fixture(scope="module")
def closeout_files(demo_warehouse: Path, out_dir: Path) -> dict[str, Path]:
    paths = _cli(
        "closeout",
        "--format",
        "docx,pdf",
        "--out",
        str(out_dir / "总结评估.docx"),
        "--warehouse",
        str(demo_warehouse),
    )
    assert [p.name for p in paths] == ["总结评估.docx", "总结评估.pdf"]
    return {p.suffix[1:]: p for p in paths}


@pytest.fixture(scope="module")
def quarterly_pdf(demo_warehouse: Path, out_dir: Path) -> Path:
    """`--format pdf` alone: the PDF, converted from a docx that is not kept."""
    (path,) = _cli(
        "report",
        "--quarter",
        QUARTER,
        "--format",
        "pdf",
        "--out",
        str(out_dir / f"通报-{QUARTER}"),
        "--warehouse",
        str(demo_warehouse),
    )
    assert path.suffix == ".pdf" and not path.with_suffix(".docx").exists()
    return path


# ------------------------------------------------------------------ the monthly 通报


@pytest.fixture(scope="module")
def dispatch(demo_warehouse: Path) -> pl.DataFrame:
    return query(
        "select d.*, u.unit_name, u.sort_order from mart_monthly_dispatch d "
        "join dim_unit u using (unit_code)",
        path=demo_warehouse,
    )


def _region(dispatch: pl.DataFrame, month: str) -> dict[str, float]:
    return (
        dispatch.filter(pl.col("month") == month)
        .select(
            pl.exclude("month", "unit_code", "unit_name", "quarter", "year", "sort_order")
            .exclude(pl.Date)
            .sum()
        )
        .row(0, named=True)
    )


def test_monthly_title_and_overview_equal_the_mart(monthly_files, dispatch):
    text = _text(monthly_files["docx"])
    first = [p for p in text.splitlines() if p][:3]
    assert first[0] == "山亭区安全生产委员会办公室"
    assert first[2] == "关于2026年11月（暂定，截至11月28日）全区安全生产月调度情况的通报"
    now, before, year_ago = (_region(dispatch, m) for m in (MONTH, ENDED, "2025-11"))
    m = re.search(
        r"全区共排查隐患(\d+)项（(环比[^，]+)，(同比[^）]+)），其中重大隐患(\d+)项；整改隐患(\d+)项。"
        r"截至2026年11月28日，全区重大隐患未整改(\d+)项，其中逾期(\d+)项（(环比[^）]+)）。",
        text,
    )
    assert m, text[:800]
    assert int(m[1]) == now["hazards_found"]
    assert m[2] == _pct_change(now["hazards_found"], before["hazards_found"], "环比")
    assert m[3] == _pct_change(now["hazards_found"], year_ago["hazards_found"], "同比")
    assert int(m[4]) == now["major_hazards_found"]
    assert int(m[5]) == now["hazards_rectified"]
    assert int(m[6]) == now["major_open_at_month_end"]
    assert int(m[7]) == now["major_overdue_at_month_end"]
    assert m[8] == _pct_change(
        now["major_overdue_at_month_end"], before["major_overdue_at_month_end"], "环比"
    )
    m = re.search(r"执法检查(\d+)次，作出行政处罚决定(\d+)起，罚款([\d.]+)万元", text)
    assert m and int(m[1]) == now["inspections"] and int(m[2]) == now["penalty_cases"]
    assert float(m[3]) == pytest.approx(now["fines_yuan"] / 1e4, abs=0.005)
    # November 2026 had no accident so far: the sentence says so
    assert now["accidents"] == 0 and "本月全区未发生生产安全事故。" in text


def test_monthly_accident_sentence_of_a_month_with_accidents(demo_warehouse, dispatch):
    month = next(
        m
        for m in sorted(dispatch["month"].unique(), reverse=True)
        if _region(dispatch, m)["accidents"] > 0 and m >= "2024-01"
    )
    prev_month = f"{int(month[:4]) - (month[5:] == '01')}-{(int(month[5:]) - 2) % 12 + 1:02d}"
    now, before = _region(dispatch, month), _region(dispatch, prev_month)
    year_ago = _region(dispatch, f"{int(month[:4]) - 1}{month[4:]}")
    text = monthly_doc.draft(month, read_month(month, demo_warehouse)).text()
    m = re.search(
        r"本月全区发生生产安全事故(\d+)起，死亡（含失踪）(\d+)人，事故起数([^、]+)、([^。]+)。",
        text,
    )
    assert m, text
    assert (int(m[1]), int(m[2])) == (now["accidents"], now["deaths"])
    assert m[3] == _pct_change(now["accidents"], before["accidents"], "环比")
    assert m[4] == _pct_change(now["accidents"], year_ago["accidents"], "同比")
    assert "未发生生产安全事故" not in text


def test_monthly_unit_table_equals_the_mart(monthly_files, dispatch):
    table = _tables(monthly_files["docx"])[0]
    assert table[0] == [
        "镇街(功能区)",
        "排查隐患数",
        "重大隐患数",
        "整改隐患数",
        "月末重大隐患逾期",
        "事故起数",
        "死亡(含失踪)人数",
        "检查次数",
        "处罚案件数",
    ]
    cols = list(monthly_doc.TABLE_METRICS)
    rows = dispatch.filter(pl.col("month") == MONTH).sort("sort_order", "unit_code")
    expected = [[r["unit_name"], *(str(r[c]) for c in cols)] for r in rows.iter_rows(named=True)]
    region = _region(dispatch, MONTH)
    expected.append(["全区合计", *(str(region[c]) for c in cols)])
    assert table[1:] == expected


def test_monthly_worsened_units_equal_the_mart(monthly_files, dispatch):
    text = _text(monthly_files["docx"])
    now = dispatch.filter(pl.col("month") == MONTH)
    before = dispatch.filter(pl.col("month") == ENDED).select(
        "unit_code",
        *(
            pl.col(c).alias(f"{c}_before")
            for c in ("major_overdue_at_month_end", "accidents", "deaths")
        ),
    )
    joined = now.join(before, on="unit_code").sort("unit_code")
    expected = {}
    for r in joined.iter_rows(named=True):
        rose = [
            (zh, r[c] - r[f"{c}_before"])
            for c, zh in (
                ("major_overdue_at_month_end", "月末重大隐患逾期"),
                ("accidents", "事故起数"),
                ("deaths", "死亡(含失踪)人数"),
            )
            if r[c] > r[f"{c}_before"]
        ]
        if rose:
            expected[r["unit_name"]] = "、".join(f"{zh}增加{n}" for zh, n in rose)
    m = re.search(r"与上月相比，(\d+)个镇街有关指标恶化：([^。]+)。", text)
    assert expected and m, text
    assert int(m[1]) == len(expected)
    said = dict(re.match(r"^(.+?[镇道区])(.+)$", item).groups() for item in m[2].split("；"))
    assert said == expected


def test_monthly_overdue_major_hazards_equal_the_ledger(monthly_files, demo_warehouse):
    text = _text(monthly_files["docx"])
    ledger = query(
        "select u.unit_name, count(*) as n, max(date_diff('day', l.deadline, date '2026-11-28')) as days "
        "from mart_major_hazard_ledger l join dim_unit u using (unit_code) "
        "where l.found_date <= date '2026-11-28' and l.deadline < date '2026-11-28' "
        "and not (l.is_rectified and l.rectified_date <= date '2026-11-28') group by 1",
        path=demo_warehouse,
    )
    m = re.search(
        r"全区逾期未整改重大事故隐患(\d+)项，分布为：([^；]+)；逾期最久的在(.+?)，已逾期(\d+)天",
        text,
    )
    assert m and int(m[1]) == ledger["n"].sum()
    assert {u: int(n) for u, n in re.findall(r"([^、]+?)(\d+)项", m[2])} == dict(
        ledger.select("unit_name", "n").iter_rows()
    )
    longest = ledger.sort("days", descending=True).row(0, named=True)
    assert (m[3], int(m[4])) == (longest["unit_name"], longest["days"])
    table = _tables(monthly_files["docx"])[1]
    assert {r[0]: (int(r[1]), int(r[2])) for r in table[1:]} == {
        r["unit_name"]: (r["n"], r["days"]) for r in ledger.iter_rows(named=True)
    }


def test_monthly_chart_is_the_apps_trend_figure(monthly_files):
    d = docx.Document(str(monthly_files["docx"]))
    text = _text(monthly_files["docx"])
    if shutil.which("chromium"):
        assert len(d.inline_shapes) == 1 and "图1  全区近12个月安全生产走势" in text
    else:
        assert len(d.inline_shapes) == 0 and "走势图未能生成" in text


# ------------------------------------------------------------------ the close-out


@pytest.fixture(scope="module")
def closeout_text(closeout_files) -> str:
    return _text(closeout_files["docx"])


def test_closeout_targets_with_their_deciding_milestone(
    closeout_text, closeout_files, demo_warehouse
):
    progress = query("select * from mart_target_progress order by sort_order", path=demo_warehouse)
    milestones = query(
        "select * from mart_target_milestones order by target_id, milestone_date",
        path=demo_warehouse,
    )
    lines = re.findall(
        r"^\d+．(T\d+) ([^：]+)：(达成|进行中|有风险|未达成)。(.+)。$", closeout_text, re.M
    )
    assert [(t, n, s) for t, n, s, _ in lines] == [
        (r["target_id"], r["target"], r["status"]) for r in progress.iter_rows(named=True)
    ]
    why = {t: w for t, _, _, w in lines}
    for r in progress.iter_rows(named=True):
        tid = r["target_id"]
        ms = milestones.filter(pl.col("target_id") == tid)
        missed = ms.filter(pl.col("is_passed") & ~pl.col("is_met"))
        if r["status"] == "未达成" and missed.height and tid not in ("T2", "T4", "T5"):
            first = missed.row(0, named=True)
            d = first["milestone_date"]
            assert why[tid] == (
                f"{d.year}年{d.month}月{d.day}日节点应达"
                f"{format_target_value(tid, first['target_value'])}，"
                f"实际{format_target_value(tid, first['actual'])}"
            ), tid
        elif r["status"] in ("有风险", "进行中") and tid not in ("T2", "T4", "T5"):
            d = r["next_milestone"]
            assert why[tid].startswith(
                f"下一节点{d.year}年{d.month}月{d.day}日应达"
                f"{format_target_value(tid, r['next_target_value'])}，"
                f"截至目前实际{format_target_value(tid, r['actual'])}"
            ), tid
    # the demo's T5: a liability 较大 accident in 2024 decides it (SPEC §10.4's example)
    t5 = milestones.filter((pl.col("target_id") == "T5") & pl.col("is_passed") & ~pl.col("is_met"))
    year = t5["milestone_date"][0].year
    assert why["T5"] == f"{year}年发生较大及以上生产安全责任事故{t5['actual'][0]:.0f}起"
    t2 = milestones.filter(pl.col("target_id") == "T2").row(0, named=True)
    assert why["T2"] == f"2025年发现重大隐患{t2['actual']:.0f}项，上年同期{t2['prev_value']:.0f}项"
    table = _tables(closeout_files["docx"])[0]
    assert table[0] == ["目标编号", "目标", "状态", "判定依据"]
    assert [row for row in table[1:]] == [[t, n, s, w] for t, n, s, w in lines]


def test_closeout_tasks_from_the_seeds_when_no_task_mart(demo_warehouse, tmp_path):
    """A served file without `mart_plan_tasks` (no task ledger): the seeds' tasks, as 未报送."""
    served = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, served)
    with duckdb.connect(str(served)) as con:
        con.execute("drop table if exists mart_plan_tasks")
    data = closeout.read(served)
    assert not data.tasks_from_mart
    text = closeout.draft(data).text()
    with (SEEDS_DIR / "plan_tasks.csv").open(encoding="utf-8") as f:
        seed = list(csv.DictReader(f))
    assert f"方案明确的{len(seed)}项重点任务均按“未报送”列示" in text
    assert "任务进展数据未接入" in text
    assert sorted(data.tasks["task_id"].to_list()) == sorted(t["task_id"] for t in seed)
    assert set(data.tasks["status"].to_list()) == {"未报送"}
    # a task of every unit names them as 各镇街; of every department as 区直各有关部门
    owners = dict(data.tasks.select("task_id", "owners").iter_rows())
    assert owners["二.26-2"] == "区直各有关部门、各镇街"


def test_closeout_of_the_demo_reads_the_task_mart(closeout_text, demo_warehouse):
    """The demo's served file has the task ledger: the close-out counts its tasks by status."""
    tasks = query("select task_id, task_status from mart_plan_tasks", path=demo_warehouse)
    per_task = dict(tasks.unique().iter_rows())
    assert "任务进展数据未接入" not in closeout_text
    overdue = sum(s == "逾期未完成" for s in per_task.values())
    assert f"{len(per_task)}项重点任务中，逾期未完成{overdue}项" in closeout_text


def test_closeout_tasks_from_the_task_mart(demo_warehouse, tmp_path):
    """A served file with `mart_plan_tasks` (as the task ledger's build writes it): statuses,
    owners and the overdue tasks by owner come from it."""
    served = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, served)
    rows = [  # task_id, owner_code, due_date, status, task_status
        ("二.1-1", "D01", "2024-12-31", "按期完成", "逾期未完成"),
        ("二.1-1", "D04", "2024-12-31", "逾期未完成", "逾期未完成"),
        ("二.1-2", "D04", "2025-12-31", "逾期完成", "逾期完成"),
        ("二.1-3", "D01", "2026-12-31", "有风险", "有风险"),
        ("二.26-2", "U01", "2024-03-31", "逾期未完成", "逾期未完成"),
        ("二.26-2", "U02", "2024-03-31", "按期完成", "逾期未完成"),
    ]
    with duckdb.connect(str(served)) as con:
        con.execute(
            "create or replace table mart_plan_tasks (task_id varchar, owner_code varchar, "
            "due_date date, "
            "status varchar, task_status varchar)"
        )
        con.executemany("insert into mart_plan_tasks values (?, ?, ?, ?, ?)", rows)
    data = closeout.read(served)
    assert data.tasks_from_mart
    assert dict(data.tasks.select("task_id", "status").iter_rows()) == {
        "二.1-1": "逾期未完成",
        "二.1-2": "逾期完成",
        "二.1-3": "有风险",
        "二.26-2": "逾期未完成",
    }
    text = closeout.draft(data).text()
    assert "4项重点任务中，逾期未完成2项，有风险1项，逾期完成1项" in text
    assert "逾期未完成的2项任务为：二.26-2、二.1-1。" in text  # by due date
    assert "未报送" not in text
    fire = data.overdue_departments.filter(pl.col("name") == "区消防救援大队").row(0, named=True)
    assert fire["tasks"] == 1
    unit = data.overdue_units.filter(pl.col("name") == "山城街道").row(0, named=True)
    assert unit["tasks"] == 1  # U01
    assert "（任务进展数据未接入" not in text


def test_closeout_trends_equal_the_marts(closeout_text, demo_warehouse):
    region = query("select * from mart_accident_trend_region order by year", path=demo_warehouse)
    hazards = query("select found_date from fct_hazards where is_major", path=demo_warehouse)[
        "found_date"
    ].to_list()
    said = re.findall(
        r"(\d{4})年(（截至[^）]+）)?，发生事故(\d+)起（([^）]+)），死亡(\d+)人（([^）]+)），发现重大隐患(\d+)项（([^）]+)）",
        closeout_text,
    )
    assert [int(s[0]) for s in said] == region["year"].to_list() == [2024, 2025, 2026]
    for s, r in zip(said, region.iter_rows(named=True), strict=True):
        start, end = r["span_start"], r["span_end"]
        major = sum(start <= d <= end for d in hazards)
        before = sum(
            start.replace(year=start.year - 1) <= d <= end.replace(year=end.year - 1)
            for d in hazards
        )
        assert (int(s[2]), int(s[4]), int(s[6])) == (r["accidents"], r["deaths"], major)
        assert s[3] == _pct_change(r["accidents"], r["prev_accidents"], "同比")
        assert s[5] == _pct_change(r["deaths"], r["prev_deaths"], "同比")
        assert s[7] == _pct_change(major, before, "同比")
        assert bool(s[1]) == r["is_partial_year"]
    m = re.search(
        r"全区累计发生生产安全事故(\d+)起，死亡（含失踪）(\d+)人，发现重大事故隐患(\d+)项",
        closeout_text,
    )
    assert m and int(m[1]) == region["accidents"].sum() and int(m[2]) == region["deaths"].sum()
    assert int(m[3]) == sum(int(s[6]) for s in said)


def test_closeout_three_year_ranking_equals_the_quarters_mean(
    closeout_text, closeout_files, demo_warehouse
):
    ev = query(
        "select e.*, u.unit_name from mart_quarterly_evaluation e join dim_unit u using (unit_code) "
        "where e.is_complete",
        path=demo_warehouse,
    )
    quarters = sorted(ev["quarter"].unique())
    assert len(quarters) == 11 and quarters[-1] == QUARTER  # 2024Q1 … 2026Q3, 2026Q4 runs
    means = (
        ev.group_by("unit_name")
        .agg(pl.col("total_score").mean(), pl.col("veto").any())
        .sort(["veto", "total_score"], descending=[False, True])
    )
    table = next(t for t in _tables(closeout_files["docx"]) if t[0][2] == "季度平均总分")
    assert [r[1] for r in table[1:]] == means["unit_name"].to_list()
    assert [float(r[2]) for r in table[1:]] == pytest.approx(
        means["total_score"].to_list(), abs=0.005
    )
    assert [r[0] for r in table[1:]] == [str(i) for i in range(1, 12)]
    names = means["unit_name"].to_list()
    assert f"{'、'.join(names[:3])}位列前三，{'、'.join(names[-3:])}位列后三" in closeout_text
    assert "以2024年第一季度至2026年第三季度共11个季度" in closeout_text


def test_three_year_ranking_ties_and_veto_follow_the_ranking_rule():
    """Equal means go to the higher mean I1 score; a unit vetoed in one quarter ranks last
    whatever its mean — the macro's rule (zhiben.ranking), and the sentences say so."""
    rows = []
    for quarter, veto_c in (("2024Q1", False), ("2024Q2", True)):
        rows += [
            ("U01", "甲镇", quarter, 80.0, 90.0, False, 2),
            ("U02", "乙镇", quarter, 80.0, 95.0, False, 1),
            ("U03", "丙镇", quarter, 90.0, 99.0, veto_c, 3),
        ]
    ev = pl.DataFrame(
        rows,
        schema=["unit_code", "unit_name", "quarter", "total_score", "i1_score", "veto", "rank"],
        orient="row",
    )
    ranked, quarters = closeout.three_year_ranking(ev)
    assert quarters == ["2024Q1", "2024Q2"]
    assert ranked.sort("rank")["unit_name"].to_list() == ["乙镇", "甲镇", "丙镇"]
    assert ranked.filter(pl.col("unit_name") == "丙镇")["vetoes"][0] == 1


def test_closeout_ranking_veto_sentence(demo_warehouse):
    data = closeout.read(demo_warehouse)
    assert "三年内被一票否决" not in closeout.draft(data).text()
    last = data.ranking.sort("rank")["unit_name"][-1]
    vetoed = data.ranking.with_columns(
        veto=pl.col("unit_name") == last,
        vetoes=pl.when(pl.col("unit_name") == last).then(2).otherwise(0),
    )
    text = closeout.draft(replace(data, ranking=vetoed)).text()
    assert f"{last}（2次）三年内被一票否决，排名列后。" in text


def test_closeout_most_overdue_units_and_departments(closeout_text, demo_warehouse):
    hazards = query(
        "select unit_code, attributed_department_code, is_major from fct_hazards where is_overdue",
        path=demo_warehouse,
    )
    accidents = query(
        "select unit_code from fct_accidents where is_investigation_overdue", path=demo_warehouse
    )
    units = dict(
        query("select unit_code, unit_name from dim_unit", path=demo_warehouse).iter_rows()
    )
    depts = dict(
        query(
            "select department_code, department_name from dim_department", path=demo_warehouse
        ).iter_rows()
    )
    # the plan tasks each owner has not completed past their due date (the task ledger)
    tasks = dict(
        query(
            "select owner_code, count(*) from mart_plan_tasks where status = '逾期未完成' "
            "group by owner_code",
            path=demo_warehouse,
        ).iter_rows()
    )
    unit_total = {
        units[c]: hazards.filter(pl.col("unit_code") == c).height
        + accidents.filter(pl.col("unit_code") == c).height
        + tasks.get(c, 0)
        for c in units
    }
    dept_total = {
        depts[c]: hazards.filter(pl.col("attributed_department_code") == c).height + tasks.get(c, 0)
        for c in depts
    }
    for who, totals in (("镇街", unit_total), ("部门", dept_total)):
        m = re.search(rf"逾期事项较多的5个{who}为：([^。]+)。", closeout_text)
        assert m, who
        said = [re.match(r"^(.+?)(\d+)项（", item).groups() for item in m[1].split("；")]
        top = sorted(totals.items(), key=lambda kv: -kv[1])[:5]
        assert [(n, int(v)) for n, v in said] == top, who


# ------------------------------------------------------------------ the quarterly sentences


def test_a_quarter_without_accidents_says_so(demo_warehouse):
    """No accident at all: the one sentence, no 较大 wording, no 同比 of accidents."""
    data = quarterly_read(QUARTER, demo_warehouse)
    stats = dict(data.stats)
    stats[QUARTER] = {**stats[QUARTER], "accidents": 0, "deaths": 0}
    ev = data.evaluation.with_columns(larger_accidents=pl.lit(0))
    d = quarterly_draft(replace(data, stats=stats, evaluation=ev))
    overview = d.blocks[d.blocks.index(("heading", 1, "一", "总体情况")) + 1 :][:2]
    text = "\n".join(b[1] for b in overview)
    assert "本季度全区未发生生产安全事故。" in text and "全区共排查隐患" in text
    assert "较大" not in text and "事故起数" not in text


# ------------------------------------------------------------------ PDF


def _pdf_checks(pdf: Path, title: str, name: str, document_text: str) -> None:
    """Page 1 rendered to PNG (an artifact to look at), the title on it, every font embedded,
    and no tofu: LibreOffice draws a character no font has as nothing (or .notdef), so every
    character of the document's text must be in the PDF's text and in the charset of a font
    the PDF embeds."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / f"{name}.pdf")
    stem = ARTIFACTS / f"{name}-page1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    png = stem.with_suffix(".png")
    assert png.stat().st_size > 10_000
    page1 = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    flat = re.sub(r"\s+", "", page1)
    assert "山亭区安全生产委员会办公室" in flat
    assert re.sub(r"\s+", "", title) in flat, page1[:400]
    assert "\ufffd" not in page1 and "□" not in page1
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    assert fonts
    # every font embedded (emb = yes), none a Type 3 bitmap, and a CJK font among them
    assert all(" yes " in f for f in fonts), fonts
    assert not [f for f in fonts if "Type 3" in f]
    assert [f for f in fonts if re.search(r"WenQuanYi|wqy|Noto\w*CJK|SourceHan|Sim|FangSong", f)], (
        fonts
    )
    # no .notdef (tofu): every character of the text is in the charset of an embedded font
    embedded = {f.split()[0].split("+", 1)[-1] for f in fonts}
    covered = set().union(*(_charset(name) for name in embedded))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    shown = {c for c in text if not c.isspace()}
    wanted = {c for c in document_text if not c.isspace()}
    assert not wanted - shown, sorted(wanted - shown)[:20]
    missing = {c for c in shown | wanted if ord(c) not in covered}
    assert not missing, sorted(missing)[:20]


def _charset(postscript_name: str) -> set[int]:
    """The code points a font of the machine covers (fontconfig's charset of the font file
    whose PostScript name the PDF embeds)."""
    listing = subprocess.run(
        ["fc-list", "-f", "%{postscriptname}\t%{file}\n"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    files = {
        line.split("\t")[1]
        for line in listing.splitlines()
        if line.split("\t")[0] == postscript_name
    }
    assert files, f"embedded font {postscript_name} not found on the machine"
    points: set[int] = set()
    for file in files:
        ranges = subprocess.run(
            ["fc-query", "-f", "%{charset}\n", file],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.split()
        for r in ranges:
            lo, _, hi = r.partition("-")
            points.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return points


def _document_text(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_monthly_pdf(monthly_files):
    title = "关于2026年11月（暂定，截至11月28日）全区安全生产月调度情况的通报"
    text = _document_text(monthly_files["docx"])
    _pdf_checks(monthly_files["pdf"], title, f"月调度通报-{MONTH}", text)


def test_closeout_pdf(closeout_files):
    text = _document_text(closeout_files["docx"])
    title = "山亭区安全生产治本攻坚三年行动总结评估报告"
    _pdf_checks(closeout_files["pdf"], title, "三年行动总结评估", text)


def test_quarterly_pdf(quarterly_pdf, demo_warehouse):
    title = "关于2026年第三季度全区安全生产晾晒考评情况的通报"
    d = quarterly_draft(quarterly_read(QUARTER, demo_warehouse))
    text = "\n".join(
        [d.title, d.text(), *(c for b in d.blocks if b[0] == "table" for r in b[3] for c in r)]
    )
    _pdf_checks(quarterly_pdf, title, f"通报-{QUARTER}", text)


def test_formats_refused(demo_warehouse, tmp_path):
    runner = CliRunner()
    for args in (
        ["report", "--format", "odt"],
        ["report", "--format", "docx,odt"],
        ["closeout", "--format", "xlsx"],
        ["closeout", "--format", ""],
    ):
        result = runner.invoke(
            app, [*args, "--out", str(tmp_path / "x"), "--warehouse", str(demo_warehouse)]
        )
        assert result.exit_code == 1 and "错误" in result.output, args
    assert not list(tmp_path.iterdir())


def test_pdf_without_libreoffice_or_past_the_timeout_is_a_clear_error(
    demo_warehouse, tmp_path, monkeypatch, closeout_files
):
    from zhiben.report.pdf import to_pdf

    docx_path = closeout_files["docx"]
    with pytest.raises(RuntimeError, match="超时"):
        to_pdf(docx_path, tmp_path / "slow.pdf", timeout=0.05)
    assert not (tmp_path / "slow.pdf").exists()
    # the whole process group was killed: no soffice of this conversion is left
    left = subprocess.run(
        ["pgrep", "-f", "slow.pdf|zhiben-pdf-"], capture_output=True, text=True
    ).stdout
    assert not left.strip(), left
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="未安装 LibreOffice"):
        to_pdf(docx_path, tmp_path / "x.pdf")
    result = CliRunner().invoke(
        app,
        [
            "closeout",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "y"),
            "--warehouse",
            str(demo_warehouse),
        ],
    )
    assert result.exit_code == 1 and "未安装 LibreOffice" in result.output
    assert not list(tmp_path.glob("y*"))


def test_template_edits_change_the_monthly_and_closeout_text(demo_warehouse):
    """The office edits templates/monthly.toml and closeout.toml, not code."""
    from zhiben.report.document import load_template

    tpl = load_template()
    tpl["monthly"]["overview"]["no_accidents"] = "本月无事故。"
    tpl["closeout"]["targets"]["line"] = "【{target_id}】{status}——{evidence}"
    month = monthly_doc.draft(MONTH, read_month(MONTH, demo_warehouse), tpl).text()
    assert "本月无事故。" in month and "本月全区未发生生产安全事故" not in month
    text = closeout.draft(closeout.read(demo_warehouse, tpl), tpl).text()
    assert "【T1】未达成——2024年12月31日节点应达100.0%" in text
