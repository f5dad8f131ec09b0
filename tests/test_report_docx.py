"""The quarterly 晾晒通报 as a Word document (`zhiben report --format docx`, SPEC §10.4) on the demo
warehouse: the layout (GB/T 9704 as far as a .docx follows it), the figures in the text parsed back
and compared with the marts, the sentences of a veto / a tie / a 较大 accident, the chart (or the
note in its place), and the wording module's known answers."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import polars as pl
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from zhiben import periods
from zhiben.app_logic.labels import format_target_value
from zhiben.cli import app
from zhiben.report import cnfmt
from zhiben.report.quarterly import draft, load_template, read, write_quarterly_docx
from zhiben.warehouse import as_of_date, query

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "documents"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


# ------------------------------------------------------------------ wording (known answers)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1234, "12.3%"), (1.0, "100.0%"), (0.0, "0.0%"), (0.99951, "100.0%"), (None, "—")],
)
def test_pct(value, expected):
    assert cnfmt.pct(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(3, "上升3位"), (-10, "下降10位"), (0, "持平"), (None, "—")]
)
def test_rank_change(value, expected):
    assert cnfmt.rank_change(value) == expected


@pytest.mark.parametrize(
    ("current", "previous", "kind", "expected"),
    [
        (12, 10, "环比", "环比上升20.0%"),
        (8, 10, "同比", "同比下降20.0%"),
        (5, 5, "环比", "环比持平"),
        (3, 0, "同比", "同比增加3"),
        (0, 0, "同比", "同比持平"),
        (4, None, "同比", "同比无可比数据"),
    ],
)
def test_change(current, previous, kind, expected):
    assert cnfmt.change(current, previous, kind) == expected


def test_numbers_and_dates():
    assert [cnfmt.cn_numeral(n) for n in (1, 6, 10, 11, 20, 99)] == [
        "一",
        "六",
        "十",
        "十一",
        "二十",
        "九十九",
    ]
    with pytest.raises(ValueError):
        cnfmt.cn_numeral(0)
    assert cnfmt.count(1234.0) == "1234" and cnfmt.score(87.345) == "87.34"
    assert cnfmt.cn_date(date(2026, 1, 5)) == "2026年1月5日"


# ------------------------------------------------------------------ the document


@pytest.fixture(scope="module")
def as_of(demo_warehouse: Path) -> date:
    return as_of_date(demo_warehouse)


@pytest.fixture(scope="module")
def quarter(as_of: date) -> str:
    return periods.last_full_quarter(as_of)  # the CLI's default (2026Q3 for the demo)


@pytest.fixture(scope="module")
def docx_path(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory, quarter) -> Path:
    """`zhiben report --format docx` without --quarter: the last full quarter, the docx only."""
    out = tmp_path_factory.mktemp("docx") / "通报.docx"
    result = CliRunner().invoke(
        app, ["report", "--format", "docx", "--out", str(out), "--warehouse", str(demo_warehouse)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"已生成通报 → {out}"
    assert not out.with_suffix(".xlsx").exists()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, ARTIFACTS / f"通报-{quarter}.docx")
    return out


@pytest.fixture(scope="module")
def document(docx_path: Path):
    return docx.Document(str(docx_path))


@pytest.fixture(scope="module")
def text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


@pytest.fixture(scope="module")
def mart(demo_warehouse: Path, quarter: str) -> pl.DataFrame:
    return query(
        "select * from mart_quarterly_evaluation where quarter = ? order by rank",
        [quarter],
        path=demo_warehouse,
    )


def test_masthead_and_title(document, quarter, as_of):
    first = [p.text for p in document.paragraphs if p.text][:3]
    assert first[0] == "山亭区安全生产委员会办公室"
    assert re.fullmatch(r"山安办〔\d{4}〕X号", first[1])
    assert (
        first[2]
        == f"关于{periods.quarter_title(quarter, as_of, long=True)}全区安全生产晾晒考评情况的通报"
    )
    assert "2026年第三季度" in first[2]
    issuer = document.paragraphs[0].runs[0]
    assert str(issuer.font.color.rgb) == "FF0000"
    assert issuer._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert document.core_properties.author == "山亭区安全生产委员会办公室"


def test_as_of_date_is_stated(text, as_of):
    assert f"数据截至{as_of.year}年{as_of.month}月{as_of.day}日" in text


def test_page_layout_fonts_and_page_numbers(document):
    s = document.sections[0]
    mm = 36000  # EMU per mm
    assert (round(s.page_width / mm), round(s.page_height / mm)) == (210, 297)
    assert [
        round(x / mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)
    ] == [
        37,
        35,
        28,
        26,
    ]
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    # the red line under the 文号: a bottom border, before w:jc as the schema orders w:pPr (Word
    # refuses children out of order)
    (line,) = [
        p
        for p in document.paragraphs
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert re.fullmatch(r"山安办〔\d{4}〕X号", line.text)
    tags = [child.tag for child in line._p.pPr]
    assert tags.index(qn("w:pBdr")) < tags.index(qn("w:jc"))
    assert line._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    footer = s.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer and "— " in footer
    # headings: 一、 in 黑体, （一） in 楷体
    fonts = {
        p.text[:2]: p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))
        for p in document.paragraphs
        if re.match(r"^(一、|（一）)", p.text)
    }
    assert fonts == {"一、": "黑体", "（一": "楷体_GB2312"}
    headings = [
        p.text for p in document.paragraphs if re.match(r"^[一二三四五六七八九十]+、", p.text)
    ]
    assert [h.split("、")[0] for h in headings] == ["一", "二", "三", "四", "五", "六"]


def test_tables_repeat_their_header_row(document):
    assert len(document.tables) == 2
    for table in document.tables:
        first = table.rows[0]._tr
        flags = first.trPr.findall(qn("w:tblHeader"))
        assert flags and flags[0].get(qn("w:val")) == "true"
        assert not any(r._tr.trPr.findall(qn("w:tblHeader")) for r in table.rows[1:])


def test_hazard_figures_equal_the_marts(text, demo_warehouse, quarter, mart):
    stats = query(
        "select quarter, sum(hazards_found)::bigint as found, "
        "sum(major_hazards_found)::bigint as major from mart_region_industry_stats group by 1",
        path=demo_warehouse,
    )
    by_q = {r["quarter"]: r for r in stats.iter_rows(named=True)}
    m = re.search(
        r"全区共排查隐患(\d+)项（环比(上升|下降)([\d.]+)%，同比(上升|下降)([\d.]+)%），"
        r"其中重大隐患(\d+)项；截至季末，全区重大隐患累计(\d+)项，已整改(\d+)项，整改率([\d.]+)%",
        text,
    )
    assert m, text[:600]
    now, prev = by_q[quarter], by_q[periods.previous_quarter(quarter)]
    y, q = periods.parse_quarter(quarter)
    year_before = by_q[f"{y - 1}Q{q}"]
    assert int(m[1]) == now["found"] and int(m[6]) == now["major"]
    for word, pct, base in ((m[2], m[3], prev), (m[4], m[5], year_before)):
        rel = (now["found"] - base["found"]) / base["found"]
        assert word == ("上升" if rel > 0 else "下降")
        assert float(pct) == pytest.approx(abs(rel) * 100, abs=0.05)
    assert int(m[7]) == mart["major_hazards"].sum()
    assert int(m[8]) == mart["major_hazards_rectified"].sum()
    assert float(m[9]) == pytest.approx(
        mart["major_hazards_rectified"].sum() / mart["major_hazards"].sum() * 100, abs=0.05
    )


def test_ranking_text_and_table_equal_the_mart(text, document, mart):
    names = mart["unit_name"].to_list()
    m = re.search(r"([^。\n]+?)位列前三，([^。]+?)位列后三", text)
    assert m and m[1].split("、") == names[:3] and m[2].split("、") == names[-3:]
    # every unit named with a rank change in the text: exactly those moving ≥ the threshold
    threshold = load_template()["mover_threshold"]
    said = {
        u: (1 if w == "上升" else -1) * int(n)
        for u, w, n in re.findall(r"([^，。；\n]+?)较上季度(上升|下降)(\d+)位", text)
    }
    expected = {
        r["unit_name"]: r["rank_change"]
        for r in mart.iter_rows(named=True)
        if r["rank_change"] is not None and abs(r["rank_change"]) >= threshold
    }
    assert said == expected and said
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "排名",
        "镇街(功能区)",
        "总分",
        "上季排名",
        "名次变化",
        "备注",
    ]
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert body == [
        [
            str(r["rank"]),
            r["unit_name"],
            f"{r['total_score']:.2f}",
            str(r["prev_rank"]) if r["prev_rank"] is not None else "—",
            cnfmt.rank_change(r["rank_change"]),
            "一票否决" if r["veto"] else "",
        ]
        for r in mart.iter_rows(named=True)
    ]


def test_zero_penalty_and_overdue_units_equal_the_marts(text, document, demo_warehouse, quarter):
    zp = query(
        "select u.unit_name, e.own_inspections from mart_enforcement e join dim_unit u using (unit_code) "
        "where e.quarter = ? and e.is_zero_penalty order by e.own_inspections desc, e.unit_code",
        [quarter],
        path=demo_warehouse,
    )
    m = re.search(
        r"([^。\n]+?)等(\d+)个镇街本季度自身开展执法检查共(\d+)次，未作出一起行政处罚决定", text
    )
    assert zp.height and m
    assert m[1].split("、") == zp["unit_name"].to_list() and int(m[2]) == zp.height
    assert int(m[3]) == zp["own_inspections"].sum()
    ledger = query(
        "select u.unit_name, count(*) as n from mart_major_hazard_ledger l join dim_unit u "
        "using (unit_code) where l.is_overdue group by 1",
        path=demo_warehouse,
    )
    m = re.search(r"逾期未整改(\d+)项（其中挂牌督办(\d+)项），分布为：([^。]+)。", text)
    assert m and int(m[1]) == ledger["n"].sum()
    parsed = {u: int(n) for u, n in re.findall(r"([^、]+?)(\d+)项", m[3])}
    assert parsed == dict(ledger.iter_rows())
    table = document.tables[1]
    assert {row.cells[0].text: int(row.cells[1].text) for row in table.rows[1:]} == parsed


def test_target_lines_equal_the_mart(text, demo_warehouse):
    targets = query("select * from mart_target_progress order by sort_order", path=demo_warehouse)
    lines = re.findall(r"^\d+．(T\d+) ([^：]+)：(达成|进行中|有风险|未达成)。", text, re.M)
    assert lines == [
        (r["target_id"], r["target"], r["status"]) for r in targets.iter_rows(named=True)
    ]


def test_a_missed_target_names_its_deciding_milestone(text, demo_warehouse):
    """SPEC §10.4: a 未达成 line says which milestone decided it (the earliest missed one)."""
    missed = query(
        "select m.target_id, m.milestone_date, m.target_value, m.actual "
        "from mart_target_milestones m join mart_target_progress p using (target_id) "
        "where p.status = '未达成' and m.is_passed and not m.is_met "
        "qualify row_number() over (partition by m.target_id order by m.milestone_date) = 1",
        path=demo_warehouse,
    )
    assert missed.height >= 3
    for r in missed.iter_rows(named=True):
        d = r["milestone_date"]
        tid = r["target_id"]
        expected = (
            f"未达成。{d.year}年{d.month}月{d.day}日节点应达"
            f"{format_target_value(tid, r['target_value'])}，"
            f"实际{format_target_value(tid, r['actual'])}；"
        )
        line = next(line for line in text.splitlines() if re.match(rf"^\d+．{tid} ", line))
        assert expected in line, line


def test_the_chart_or_the_note(document, text):
    """With Chromium (scripts/setup.sh installs it) kaleido renders the app's ranking figure;
    without it the document says so in its place."""
    note = "排名图未能生成" in text
    pictures = len(document.inline_shapes)
    if CHROMIUM:
        assert pictures == 1 and not note and "图1" in text
    else:
        assert pictures == 0 and note


def test_a_failing_renderer_leaves_a_note(demo_warehouse, quarter, tmp_path):
    def broken(_fig):
        raise RuntimeError("no browser")

    out = write_quarterly_docx(
        quarter, tmp_path / "x.docx", warehouse=demo_warehouse, render=broken
    )
    d = docx.Document(str(out))
    body = "\n".join(p.text for p in d.paragraphs)
    assert len(d.inline_shapes) == 0
    assert "排名图未能生成：RuntimeError: no browser" in body and "图1" not in body
    assert len(d.tables) == 2  # the rest of the document is there


# ------------------------------------------------------------------ sentences of other quarters


@pytest.fixture(scope="module")
def data(demo_warehouse, quarter):
    return read(quarter, demo_warehouse)


def test_veto_tie_and_larger_accident_sentences(data):
    plain = draft(data).text()
    assert "本季度无一票否决单位。" in plain and "总分相同" not in plain
    assert "未发生较大及以上生产安全事故" in plain
    ev = data.evaluation.sort("rank")
    last, fourth, fifth = ev["unit_name"][-1], ev["unit_name"][3], ev["unit_name"][4]
    score = ev["total_score"][3]
    changed = ev.with_columns(
        veto=pl.col("unit_name") == last,
        total_score=pl.when(pl.col("unit_name") == fifth)
        .then(pl.lit(score))
        .otherwise(pl.col("total_score")),
        larger_accidents=pl.when(pl.col("unit_name") == fifth).then(1).otherwise(0),
    )
    text = draft(replace(data, evaluation=changed)).text()
    assert f"{last}本季度发生重大及以上生产安全事故，实行一票否决，排名列后。" in text
    assert f"{fourth}、{fifth}总分相同（{score:.2f}分）" in text
    assert f"{fifth}发生较大生产安全事故共1起。" in text
    assert "未发生较大及以上" not in text


def test_first_quarter_has_no_rank_comparison(demo_warehouse):
    first = query("select min(quarter) as q from mart_quarterly_evaluation", path=demo_warehouse)[
        "q"
    ][0]
    text = draft(read(first, demo_warehouse)).text()
    assert "上季度无考评结果，本季度不作名次比较。" in text
    assert "较上季度" not in text


def test_provisional_quarter_reads_as_provisional(demo_warehouse, as_of):
    current = periods.quarter_of(as_of)
    d = draft(read(current, demo_warehouse))
    assert f"（暂定，截至{as_of.month}月{as_of.day}日）" in d.title


def test_template_edit_changes_the_text(data):
    """The office edits the template, not code."""
    tpl = load_template()
    tpl["ranking"]["top_bottom"] = "前三名：{top3}；后三名：{bottom3}。"
    text = draft(data, tpl).text()
    assert "前三名：" + "、".join(data.evaluation.sort("rank")["unit_name"].to_list()[:3]) in text


def test_bad_format_and_quarter_are_refused(demo_warehouse, tmp_path):
    runner = CliRunner()
    for args in (["--format", "odt"], ["--quarter", "2026Q5"], ["--quarter", "2019Q1"]):
        result = runner.invoke(
            app, ["report", *args, "--out", str(tmp_path / "x"), "--warehouse", str(demo_warehouse)]
        )
        assert result.exit_code == 1 and "错误" in result.output, args
    assert not list(tmp_path.iterdir())
