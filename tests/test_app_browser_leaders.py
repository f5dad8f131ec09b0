"""Issue 17 in a real browser (Chromium through Playwright, the server of test_app_browser): the
targets page's 预警 and 目标明细, the evaluation page's 得分明细 after a ranking click, the 数据质量
page's 各镇街数据质量 — each renders without an exception and downloads as xlsx with Chinese
headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_app_browser import ARTIFACTS, SHOTS, _wait_interactive, _wait_rendered, browser, server  # noqa: F401

pytestmark = pytest.mark.browser


def _download(page, key: str) -> list:
    """Click the table's 下载 Excel button (container class st-key-<key>_xlsx); its header row."""
    import openpyxl

    button = page.locator(f".st-key-{key}_xlsx button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.click()
    target = ARTIFACTS / "downloads" / info.value.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(target)
    ws = openpyxl.load_workbook(io.BytesIO(Path(target).read_bytes())).worksheets[0]
    assert ws.max_row >= 2, key
    return [c.value for c in ws[1]]


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
