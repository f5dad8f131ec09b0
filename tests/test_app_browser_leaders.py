"""Issue 17 in a real browser (Chromium through Playwright, the server of test_app_browser): the
targets page's 预警, 目标明细 and 督办清单, the evaluation page's 得分明细 after a ranking click and its
权重模拟, the 月调度 page, the 举报 page, the 数据质量 page's 各镇街数据质量 — each renders without an
exception and downloads as xlsx with Chinese headers; where a test names the rows, the file holds
exactly the mart's rows (read here from the served file), and the 举报 exports hold no reporter
field, ID number, mobile number or reporter's name.

Buttons are found by their keys (`.st-key-<key>`), never by position: Streamlit re-registers the
deferred downloads on every rerun."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from test_app_browser import ARTIFACTS, SHOTS, _wait_interactive, _wait_rendered, browser, server  # noqa: F401
from test_pii import PiiScanner, RawPii, _raw_rows, norm

from zhiben import contract, monthly, periods
from zhiben.app_logic import queries, whatif
from zhiben.app_logic.labels import label
from zhiben.warehouse import read_mart

pytestmark = pytest.mark.browser


def _save_download(page, key: str) -> Path:
    """Click the table's 下载 Excel button (container class st-key-<key>_xlsx); the saved file."""
    button = page.locator(f".st-key-{key}_xlsx button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.click()
    target = ARTIFACTS / "downloads" / info.value.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(target)
    return target


def _download(page, key: str) -> list:
    """Download the table's xlsx; its header row (at least one row below it)."""
    import openpyxl

    target = _save_download(page, key)
    ws = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).worksheets[0]
    assert ws.max_row >= 2, key
    return [c.value for c in ws[1]]


def _sheet(path: Path) -> dict[str, list]:
    """The first sheet of a downloaded workbook: header → the column's values."""
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    header, *rows = ws.iter_rows(values_only=True)
    return {h: [r[j] for r in rows] for j, h in enumerate(header)}


def _notes(path: Path) -> dict[str, str]:
    """The download's 说明 sheet: label → value."""
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True)["说明"]
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0] and len(r) > 1}


def _exported(value: object) -> object:
    """A frame's value the way the export writes it and openpyxl reads it back (是/否, dates as
    midnight datetimes, no empty strings; floats to 9 decimals: the file keeps 16 digits)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float):
        return None if value != value else round(value, 9)
    return None if value == "" else value


def _frame_rows(df: pl.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(_exported(v) for v in row) for row in df.select(columns).iter_rows()]


def _file_rows(sheet: dict[str, list], columns: list[str]) -> list[tuple]:
    """The file's rows over `columns` (English names; the file's headers are their labels, as
    the page labels them)."""
    cols = [sheet[label(c)] for c in columns]
    return [tuple(_exported(v) for v in row) for row in zip(*cols, strict=True)]


def _xlsx_text(data: bytes) -> str:
    """Every XML part of an xlsx (sheets, shared strings, properties) as one text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(
            z.read(n).decode("utf-8", errors="replace") for n in z.namelist() if n.endswith(".xml")
        )


def _context(chromium):
    return chromium.new_context(
        viewport={"width": 1440, "height": 4200}, locale="zh-CN", accept_downloads=True
    )


def test_targets_page_forecast_and_drill_through(server: str, browser) -> None:  # noqa: F811
    context = browser.new_context(
        viewport={"width": 1440, "height": 4200}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{server}/targets")
    _wait_rendered(page, "三年目标进度")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "节点应达" in text  # every status says why
    assert "预警" in text and "拖累全区的镇街" in text
    assert page.locator('[data-testid="stException"]').count() == 0
    headers = _download(page, "tg_forecast_table")
    assert {"按直线预计达成日期", "按近两季度预计达成日期", "拖累全区"} <= set(headers)
    headers = _download(page, "tg_drill_table")
    assert {"记录编号", "计入", "情况"} <= set(headers)
    headers = _download(page, "tg_table")
    assert "状态说明" in headers
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "09b_targets_forecast.png"), full_page=True)
    context.close()


def test_evaluation_score_drills_to_records(server: str, browser) -> None:  # noqa: F811
    context = browser.new_context(
        viewport={"width": 1440, "height": 4200}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{server}/evaluation")
    _wait_rendered(page, "季度考评排名")
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 15, box["y"] + 35 * 1 + 17)  # the first-ranked unit
    page.locator("h3", has_text="下钻").wait_for(timeout=60_000)
    _wait_interactive(page, "季度考评排名")
    assert "得分明细" in page.locator('[data-testid="stMain"]').inner_text()
    headers = _download(page, "ev_drill_records")
    assert {"记录类型", "记录编号", "计入"} <= set(headers)
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_data_quality_unit_scorecard_downloads(server: str, browser) -> None:  # noqa: F811
    context = browser.new_context(
        viewport={"width": 1440, "height": 4200}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{server}/data_quality")
    _wait_rendered(page, "数据质量")
    assert "各镇街数据质量" in page.locator('[data-testid="stMain"]').inner_text()
    headers = _download(page, "dq_unit_table")
    assert {"读取行数", "隔离占比", "主要隔离原因", "迟报版本数"} <= set(headers)
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def _enter(page, key: str, value: float) -> None:
    """Type a number into the number input with key `key` and commit it (Enter)."""
    box = page.locator(f".st-key-{key} input")
    box.fill(f"{value:g}")
    box.press("Enter")


def test_whatif_reranks_against_the_official_ranking(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    demo_warehouse: Path,
) -> None:
    """权重模拟: ten points moved from one indicator to another (the first move that reorders the
    units) — a sum of 110 on the way is refused, the sum of 100 ranks again; the download holds
    simulate()'s rows, the official rank beside each unit, a non-zero 名次变化, and the weights."""
    as_of = queries.build_info(demo_warehouse).as_of_date
    quarter = periods.last_full_quarter(as_of)  # the ranking page's default (SPEC §10.4)
    ev = queries.quarterly_evaluation(demo_warehouse, quarter=quarter)
    seed = queries.evaluation_weights(demo_warehouse, variant="unit")

    def moved(up: str, down: str) -> dict[str, float]:
        return seed | {up: seed[up] + 10, down: seed[down] - 10}

    up, down = next(
        (a, b)
        for a, b in itertools.permutations(seed, 2)
        if seed[b] >= 10 and (whatif.simulate(ev, moved(a, b))["whatif_rank_change"] != 0).any()
    )
    weights = moved(up, down)
    expected = whatif.simulate(ev, weights)

    context = _context(browser)
    page = context.new_page()
    page.goto(f"{server}/evaluation")
    _wait_rendered(page, "季度考评排名")
    page.locator('[data-testid="stExpander"] summary', has_text="权重模拟").click()
    table = page.locator(".st-key-ev_whatif_xlsx button")
    refused = page.get_by_text("应为 100")
    table.wait_for(timeout=60_000)  # the seed weights: the official ranking
    _enter(page, f"ev_wi_{up}", weights[up])
    refused.wait_for(timeout=60_000)  # 110: no simulation
    table.wait_for(state="detached", timeout=60_000)
    _enter(page, f"ev_wi_{down}", weights[down])
    table.wait_for(timeout=60_000)
    refused.wait_for(state="detached", timeout=60_000)
    _wait_interactive(page, "季度考评排名")
    assert page.locator('[data-testid="stException"]').count() == 0
    path = _save_download(page, "ev_whatif")
    assert path.name == f"权重模拟排名_{quarter}.xlsx"
    sheet = _sheet(path)
    assert _file_rows(sheet, expected.columns) == _frame_rows(expected, expected.columns)
    official = dict(ev.select("unit_code", "rank").iter_rows())
    assert dict(zip(sheet[label("unit_code")], sheet[label("original_rank")], strict=True)) == (
        official
    )
    assert any(sheet["名次变化"])  # the simulated ranking differs from the official one
    notes = _notes(path)
    assert notes["模拟权重"] == whatif.describe(weights) and notes["季度"] == quarter
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "07c_evaluation_whatif.png"), full_page=True)
    context.close()


def test_targets_page_exports_a_targets_chase_list(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    demo_warehouse: Path,
) -> None:
    """督办清单: T8's expander (its label counts the mart's rows) downloads exactly the mart's rows
    of T8, every column."""
    tid = "T8"
    mart = read_mart("mart_target_chase_list", path=demo_warehouse, target_id=tid)
    assert mart.height > 0
    (name,) = read_mart("mart_target_progress", path=demo_warehouse, target_id=tid)["target"]
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{server}/targets")
    _wait_interactive(page, "三年目标进度")
    summary = page.locator(
        '[data-testid="stExpander"] summary', has_text=f"{tid} {name} · 缺 {mart.height} 项"
    )
    summary.click()
    path = _save_download(page, f"tg_chase_{tid}")
    assert path.name == f"督办清单_{tid}.xlsx"
    sheet = _sheet(path)
    assert sorted(_file_rows(sheet, mart.columns), key=str) == sorted(
        _frame_rows(mart, mart.columns), key=str
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_monthly_page_exports_the_months_rows(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    demo_warehouse: Path,
) -> None:
    """月调度: the page opens on D's month; its table downloads with the mart's rows of that month
    (every unit, every figure) and the 环比 against the mart's month before."""
    month = periods.month_of(queries.build_info(demo_warehouse).as_of_date)
    mart = read_mart("mart_monthly_dispatch", path=demo_warehouse, order_by="unit_code")
    this = mart.filter(pl.col("month") == month)
    before = mart.filter(pl.col("month") == periods.shift_month(month, -1))
    assert this.height == 11 and this["unit_code"].to_list() == before["unit_code"].to_list()
    mom = this.select(
        "unit_code", *((this[m] - before[m]).alias(f"{m}{monthly.MOM}") for m in monthly.METRICS)
    )
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{server}/monthly")
    _wait_rendered(page, "月调度")
    path = _save_download(page, "md_units")
    assert path.name == f"月调度_{month}.xlsx"
    sheet = _sheet(path)
    columns = ["month", "unit_code", *monthly.METRICS]
    assert _file_rows(sheet, columns) == _frame_rows(this, columns)
    assert _file_rows(sheet, mom.columns) == _frame_rows(mom, mom.columns)
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_reports_page_exports_hold_no_reporter_field(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    demo_drop: Path,
) -> None:
    """举报: over all periods, the page and each of its three downloads hold no reporter column of
    the contract (by its Chinese or English name), no ID or mobile number, and none of the
    reporters' names and phones of the raw drop."""
    reports = contract.EXTRACTS["reports"]
    reporter = [c for c in reports.columns if c.kind in ("pii", "pii_id")]
    assert {c.name for c in reporter} == {"reporter_name", "reporter_phone"}
    forbidden = [c.zh for c in reporter] + [c.name for c in reporter]
    pii = RawPii()
    name_zh, phone_zh = (reports.column(c).zh for c in ("reporter_name", "reporter_phone"))
    for raw in sorted((demo_drop / "reports").glob("*.*")):
        for row in _raw_rows(raw):
            pii.names.add(norm(row.get(name_zh) or ""))
            pii.phones.add(norm(row.get(phone_zh) or ""))
    pii.names.discard("")
    pii.phones.discard("")
    assert pii.names and pii.phones
    scanner = PiiScanner(pii)
    assert scanner.scan(f"举报人电话:{min(pii.phones)}", "planted")  # the scan finds one

    context = _context(browser)
    page = context.new_page()
    page.goto(f"{server}/reports")
    _wait_rendered(page, "举报处理")
    received = page.locator('[data-testid="stMetric"]').first
    in_quarter = received.inner_text()
    page.locator(".st-key-rp_period").get_by_text("全部", exact=True).click()
    page.wait_for_function(
        "t => document.querySelector('[data-testid=\"stMetric\"]').innerText !== t",
        arg=in_quarter,
        timeout=60_000,
    )
    _wait_rendered(page, "举报处理")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert not scanner.scan_many(text.splitlines(), "page")
    assert not [w for w in forbidden if re.search(re.escape(w), text, re.IGNORECASE)]
    for key in ("rp_by_channel", "rp_by_unit", "rp_overdue"):
        path = _save_download(page, key)
        assert path.name.endswith("_全部.xlsx"), path.name
        data = path.read_bytes()
        assert len(next(iter(_sheet(path).values()))) > 0, key  # rows to scan
        hits = scanner.scan_xlsx(data, path.name)
        assert not hits, "\n".join(map(str, hits[:10]))
        xml = _xlsx_text(data)
        assert not [w for w in forbidden if re.search(re.escape(w), xml, re.IGNORECASE)], key
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()
