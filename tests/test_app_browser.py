"""The real app in a real browser: a Streamlit server on the demo warehouse, headless Debian
Chromium through Playwright. Every page renders its Chinese title with no exception; an xlsx
downloads; a screenshot per page lands in test-artifacts/screenshots/ and each page's render time in
test-artifacts/render_times.json."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
#: url path → Chinese title (the page files' names; the first is the default page at /)
PAGES = {
    "overview": "总览",
    "monthly": "月调度",
    "region_industry": "分区域分行业",
    "major_hazards": "重大隐患清单",
    "accidents": "事故分析",
    "enforcement": "执法检查",
    "training": "培训演练",
    "prevention": "技防与自查",
    "evaluation": "季度考评排名",
    "targets": "三年目标进度",
    "plan_tasks": "挂图作战",
    "reports": "举报处理",
    "data_quality": "数据质量",
}
# Render times are recorded (test-artifacts/render_times.json), not asserted: speed goals live in
# the benchmark (bench/), where they are measured as medians on a quiet machine.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_warehouse: Path) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run `bash scripts/setup.sh`")
    port = _free_port()
    env = {
        **os.environ,
        "ZHIBEN_WAREHOUSE": str(demo_warehouse),
        "ZHIBEN_REQUIRE_LOGIN": "0",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    log = ARTIFACTS / "streamlit-server.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO / "app" / "streamlit_app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"streamlit did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


def _wait_interactive(page, title: str, timeout_ms: int = 120_000) -> None:
    """The page's title is shown and its script has finished (every element is there)."""
    page.locator("h1", has_text=title).first.wait_for(timeout=timeout_ms)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )


def _wait_rendered(page, title: str, timeout_ms: int = 120_000) -> None:
    """Interactive, and every plotly chart drawn."""
    _wait_interactive(page, title, timeout_ms)
    # plotly draws after the script: wait until every chart has its svg
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(c => c.querySelector('svg.main-svg'))",
        timeout=timeout_ms,
    )


def test_every_page_in_chromium(server: str, browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 1440, "height": 3200}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    # first load: the server's first script run imports plotly, polars … — not a page's time
    t0 = time.perf_counter()
    page.goto(server)
    _wait_rendered(page, PAGES["overview"])
    times: dict[str, dict[str, float]] = {
        "(首次打开应用)": {"drawn_s": round(time.perf_counter() - t0, 3)}
    }
    # two passes, the way a leader moves: clicks in the sidebar navigation (no page reload).
    # The first visit of a page runs its queries (cold cache); the second reads them cached.
    for visit in ("cold", "warm"):
        for i, (path, title) in enumerate(PAGES.items(), start=1):
            t0 = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
            _wait_interactive(page, title)
            interactive = time.perf_counter() - t0
            _wait_rendered(page, title)
            drawn = time.perf_counter() - t0
            times.setdefault(title, {})[f"{visit}_interactive_s"] = round(interactive, 3)
            times[title][f"{visit}_drawn_s"] = round(drawn, 3)
            assert page.locator('[data-testid="stException"]').count() == 0, title
            if visit == "warm":
                continue
            assert page.url.rstrip("/").endswith(path) or i == 1, page.url
            text = page.locator('[data-testid="stMain"]').inner_text()
            assert "数据截止" in text and "构建于" in text, title
            assert "Traceback" not in text and "尚未生成" not in text, title
            page.screenshot(path=str(SHOTS / f"{i:02d}_{path}.png"), full_page=True)
    # a page opened directly by its address renders too (bookmarks, links in a 通报)
    t0 = time.perf_counter()
    page.goto(f"{server}/evaluation")
    _wait_rendered(page, PAGES["evaluation"])
    times["(直接打开 /evaluation)"] = {"drawn_s": round(time.perf_counter() - t0, 3)}
    (ARTIFACTS / "render_times.json").write_text(
        json.dumps(times, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    context.close()


def test_download_ledger_xlsx(server: str, browser) -> None:
    import openpyxl

    context = browser.new_context(
        viewport={"width": 1440, "height": 2400}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{server}/major_hazards")
    _wait_interactive(page, "重大隐患清单")
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="下载 Excel").last.click()
    download = info.value
    assert download.suggested_filename == "重大隐患清单.xlsx"
    target = ARTIFACTS / "downloads" / download.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    wb = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert "隐患编号" in headers and "督办升级" in headers and "逾期天数" in headers
    assert ws.max_row >= 2
    assert "说明" in wb.sheetnames
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_validation_report_opens_from_data_quality(server: str, browser) -> None:
    """Issue 20: the 数据质量 page offers the validation report of the build it shows; it is the
    HTML page of that build, every extract in it."""
    from zhiben.contract import LOAD_ORDER

    context = browser.new_context(
        viewport={"width": 1440, "height": 2400}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{server}/data_quality")
    _wait_interactive(page, "数据质量")
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="数据校验报告").first.click()
    download = info.value
    assert download.suggested_filename.startswith("数据校验报告-")
    target = ARTIFACTS / "downloads" / download.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    report = context.new_page()
    report.goto(target.as_uri())
    assert report.locator("h1").first.inner_text().startswith("数据校验报告")
    assert [h.split(" ")[0] for h in report.locator("h2").all_inner_texts()] == list(LOAD_ORDER)
    context.close()


def test_ranking_row_click_drills_down(server: str, browser) -> None:
    """Clicking a ranking row selects that unit: the sidebar filter follows and the unit's
    records appear below (the grid is a canvas: click the row's selection box)."""
    context = browser.new_context(viewport={"width": 1440, "height": 3000}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/evaluation")
    _wait_rendered(page, "季度考评排名")
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    grid.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    row_height = 35  # the header row, then one row per unit in rank order: pick rank 3
    page.mouse.click(box["x"] + 15, box["y"] + row_height * 3 + row_height // 2)
    page.locator("h3", has_text="下钻").wait_for(timeout=60_000)
    _wait_interactive(page, "季度考评排名")
    heading = page.locator("h3", has_text="下钻").inner_text()
    name = heading.split(":")[1].split("·")[0].strip()
    # the page header shows the sidebar filters: the unit filter followed the click
    assert f"镇街: {name}" in page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / "07b_evaluation_drilldown.png"), full_page=True)
    context.close()


def test_plan_tasks_timeline_and_owner_filter(server: str, browser) -> None:
    """挂图作战 (issue 15): the timeline draws a bar per task coloured by status with a legend,
    the overdue tasks first; choosing an owner redraws it for that owner's tasks."""
    context = browser.new_context(viewport={"width": 1440, "height": 3200}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/plan_tasks")
    _wait_rendered(page, "挂图作战")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    legend = chart.locator("g.legend").text_content() or ""
    for status in ("逾期未完成", "按期完成", "进行中"):
        assert status in legend, legend
    bars = chart.locator("g.barlayer path").count()
    assert bars >= 60  # one per task (64 in the seed)
    # the first row of the y axis is an overdue task (overdue and at-risk first)
    first_tick = chart.locator("g.ytick text").first.text_content() or ""
    assert "-" in first_tick and "." in first_tick, first_tick
    page.locator('[data-testid="stSelectbox"]', has_text="责任单位").first.click()
    page.get_by_role("option", name="区交通运输局").click()
    _wait_rendered(page, "挂图作战")
    page.locator("h3", has_text="区交通运输局 · 任务时间轴").wait_for(timeout=60_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    ticks = chart.locator("g.ytick text").all_text_contents()
    assert ticks and all(t.endswith("区交通运输局") for t in ticks), ticks
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plan_tasks_owner.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_prevention_page_renders_and_exports(server: str, browser) -> None:
    """技防与自查 (issue 16): opened by its address, charts drawn, the coverage table exported."""
    import openpyxl

    context = browser.new_context(
        viewport={"width": 1440, "height": 3200}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{server}/prevention")
    _wait_rendered(page, PAGES["prevention"])
    text = page.locator('[data-testid="stMain"]').inner_text()
    for heading in ("监测预警系统接入覆盖", "主要负责人带队自查", "重大隐患督办措施与销号核验"):
        assert heading in text
    assert page.locator('[data-testid="stException"]').count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "prevention.png"), full_page=True)
    # the page has a download per table: the region's coverage table's button by its key
    button = page.locator(".st-key-pv_cov_region_xlsx button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "技防覆盖_全区.xlsx"
    target = ARTIFACTS / "downloads" / download.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    ws = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert "要求编号" in headers and "覆盖率" in headers and "状态" in headers
    assert ws.max_row >= 10  # R1 … R9
    context.close()
