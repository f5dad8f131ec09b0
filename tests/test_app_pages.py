"""The leaders' Streamlit app, page by page (streamlit AppTest), against the shared demo warehouse;
and the app's logic modules (queries, figures, labels, xlsx export) without Streamlit."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from zhiben import periods
from zhiben.app_logic import connection, export, figures, labels, queries
from zhiben.warehouse import read_mart

REPO = Path(__file__).resolve().parents[1]
MAIN = REPO / "app" / "streamlit_app.py"
UNITS = [f"U{i:02d}" for i in range(1, 12)]
UNIT_NAMES = {
    "U01": "山城街道",
    "U02": "店子镇",
    "U03": "西集镇",
    "U04": "桑村镇",
    "U05": "北庄镇",
    "U06": "城头镇",
    "U07": "徐庄镇",
    "U08": "水泉镇",
    "U09": "冯卯镇",
    "U10": "凫城镇",
    "U11": "山亭经济开发区",
}
#: page file → the Chinese title it shows
PAGES = {
    "overview.py": "总览",
    "monthly.py": "月调度",
    "region_industry.py": "分区域分行业",
    "major_hazards.py": "重大隐患清单",
    "accidents.py": "事故分析",
    "enforcement.py": "执法检查",
    "training.py": "培训演练",
    "evaluation.py": "季度考评排名",
    "targets.py": "三年目标进度",
    "plan_tasks.py": "挂图作战",
    "reports.py": "举报处理",
    "data_quality.py": "数据质量",
}
#: every table the app reads
APP_TABLES = (
    "dim_unit",
    "dim_industry",
    "dim_department",
    "fct_hazards",
    "fct_accidents",
    "fct_inspections",
    "fct_penalties",
    "mart_region_industry_stats",
    "mart_major_hazard_ledger",
    "mart_accident_trend",
    "mart_enforcement",
    "mart_enforcement_by_department",
    "mart_training_coverage",
    "mart_quarterly_evaluation",
    "mart_quarterly_evaluation_by_department",
    "mart_target_progress",
    "mart_target_milestones",
    "mart_target_chase_list",
    "fct_reports",
    "mart_build_info",
    "mart_load_reconciliation",
    "mart_quarantine",
    "mart_monthly_dispatch",
    "mart_plan_tasks",
    "fct_plan_task_reports",
    "mart_target_forecast",
    "mart_unit_data_quality",
    "mart_evaluation_enterprises",
    "dim_enterprise",
    "fct_drills",
)


@pytest.fixture
def served(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(demo_warehouse))
    monkeypatch.setenv("ZHIBEN_REQUIRE_LOGIN", "0")
    return demo_warehouse


def as_of_quarter(path: Path) -> str:
    return periods.quarter_of(queries.build_info(path).as_of_date)


def open_page(page: str | None = None, **state) -> AppTest:
    """The app with seeded session_state, switched to `page` (run twice: start, then the page)."""
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page and page != "overview.py":
        at.switch_page(f"app_pages/{page}").run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # the demo warehouse has every mart: no "table not built yet" notice
    assert not [i.value for i in at.info if "尚未生成" in i.value]


def _data(df) -> pl.DataFrame:
    value = df.value
    return pl.from_pandas(value.data if hasattr(value, "data") else value)  # a Styler or a frame


def frame(at: AppTest, key: str, *columns: str) -> pl.DataFrame:
    """The data behind a table (English column names): the selectable one whose widget id has
    `key`, else the first whose columns include all of `columns`."""
    for df in at.dataframe:
        if df.proto.id and df.proto.id.endswith(f"-{key}"):
            return _data(df)
    for df in at.dataframe:
        data = _data(df)
        if columns and set(columns) <= set(data.columns):
            return data
    raise AssertionError(f"no table {key!r} with {columns}")


# ------------------------------------------------------------------ every page


def test_served_warehouse_has_what_the_app_reads(served: Path) -> None:
    missing = set(APP_TABLES) - queries.available_tables(served)
    assert not missing, f"the app reads these, the demo warehouse lacks them: {sorted(missing)}"


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders(served: Path, page: str) -> None:
    t0 = time.perf_counter()
    at = open_page(page)
    first = time.perf_counter() - t0
    assert_clean(at)
    assert [t.value for t in at.title] == [PAGES[page]]
    info = queries.build_info(served)
    captions = " ".join(c.value for c in at.caption)
    assert f"数据截止 {info.as_of_date.isoformat()}" in captions and "构建于" in captions
    # every table comes with its xlsx download
    n_tables = len(at.dataframe)
    assert n_tables >= 1
    assert len([b for b in at.download_button if b.key != "dq_validation_report"]) == n_tables
    assert at.get("plotly_chart") or page in ("targets.py",) or at.metric
    # warm rerun (cached queries) stays well under a second of script time
    t0 = time.perf_counter()
    at.run()
    warm = time.perf_counter() - t0
    assert_clean(at)
    _record_time(PAGES[page], first, warm)
    assert warm < 3.0, f"{page}: warm rerun {warm:.2f}s (first {first:.2f}s)"


def _record_time(title: str, first: float, warm: float) -> None:
    """Script time per page (server side, no browser) → test-artifacts/apptest_times.json."""

    out = REPO / "test-artifacts" / "apptest_times.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        times = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        times = {}
    times[title] = {"first_run_s": round(first, 3), "warm_rerun_s": round(warm, 3)}
    out.write_text(json.dumps(times, ensure_ascii=False, indent=2), encoding="utf-8")


def test_sidebar_filters_persist_across_pages(served: Path) -> None:
    quarter = as_of_quarter(served)
    at = open_page()
    assert at.session_state["flt_quarter"] == quarter  # defaults to the as-of quarter
    at.sidebar.selectbox(key="flt_unit").select("U04").run()
    at.sidebar.selectbox(key="flt_industry").select("I06").run()
    for page in ("enforcement.py", "major_hazards.py", "evaluation.py"):
        at.switch_page(f"app_pages/{page}").run()
        assert_clean(at)
        assert at.session_state["flt_unit"] == "U04"
        assert at.session_state["flt_industry"] == "I06"
        assert at.sidebar.selectbox(key="flt_unit").value == "U04"
        assert any("镇街: 桑村镇" in c.value and "行业: 建筑施工" in c.value for c in at.caption)


# ------------------------------------------------------------------ content


def test_ranking_lists_every_unit_in_rank_order(served: Path) -> None:
    quarter = as_of_quarter(served)
    at = open_page("evaluation.py", flt_quarter=quarter)
    assert_clean(at)
    ranking = frame(at, "ev_rank")
    assert sorted(ranking["unit_code"].to_list()) == UNITS
    assert ranking["rank"].to_list() == list(range(1, 12))
    expected = queries.quarterly_evaluation(served, quarter=quarter).sort("rank")
    assert ranking["unit_code"].to_list() == expected["unit_code"].to_list()
    assert ranking["unit_name"].to_list() == [UNIT_NAMES[u] for u in expected["unit_code"]]
    # the weighted contributions add up to the mart's weighted score
    parts = ranking.select(pl.sum_horizontal(pl.col(r"^i\d_weighted$"))).to_series()
    assert (parts - expected["weighted_score"]).abs().max() < 1e-6
    # rank-change arrows agree with rank_change
    for arrow, change in zip(ranking["rank_arrow"], expected["rank_change"], strict=True):
        assert arrow == labels.rank_arrow(change)
    # the department ranking is there too
    deps = frame(at, "ev_dep_rank", "department_name", "rank_arrow")
    assert deps["rank"].to_list() == list(range(1, deps.height + 1))
    assert deps.height >= 10


def test_ranking_row_drills_down_to_that_units_records(served: Path) -> None:
    quarter = as_of_quarter(served)
    # U01 has 重大隐患, accidents and penalties in the demo's as-of quarter: every table is non-empty
    at = open_page("evaluation.py", flt_quarter=quarter, flt_unit="U01")
    assert_clean(at)
    assert any(f"下钻:{UNIT_NAMES['U01']}" in s.value for s in at.subheader)
    ledger = frame(at, "ev_drill_ledger", "hazard_id", "escalation")
    expected = queries.major_hazard_ledger(served, units=None, unit_code="U01")
    assert ledger.height == expected.height > 0
    assert set(ledger["unit_name"].to_list()) == {UNIT_NAMES["U01"]}
    accidents = frame(at, "ev_drill_acc", "accident_id")
    expected = queries.accidents(served, units=None, quarter=quarter, unit_code="U01")
    assert accidents.height == expected.height > 0
    assert set(accidents["unit_code"].to_list()) == {"U01"}
    penalties = frame(at, "ev_drill_pen", "penalty_id")
    expected = queries.penalties(served, units=None, quarter=quarter, unit_code="U01")
    assert penalties.height == expected.height > 0
    assert set(penalties["unit_code"].to_list()) == {"U01"}


def test_ledger_filtered_to_one_unit_shows_only_that_unit(served: Path) -> None:
    at = open_page("major_hazards.py", flt_unit="U03")
    assert_clean(at)
    at.radio(key="mh_scope").set_value("全部").run()
    assert_clean(at)
    table = frame(at, "mh_table", "hazard_id", "escalation")
    expected = queries.major_hazard_ledger(served, units=None, unit_code="U03")
    assert table.height == expected.height > 0
    assert set(table["unit_name"].to_list()) == {"西集镇"}
    # the 逾期 view holds only overdue rows, each with an escalation band
    at.radio(key="mh_scope").set_value("逾期未整改").run()
    overdue = frame(at, "mh_table", "hazard_id", "escalation")
    assert overdue.height == expected.filter(pl.col("is_overdue")).height > 0
    assert set(overdue["escalation"].to_list()) <= {"函告", "通报", "约谈", "曝光"}


def test_monthly_dispatch_shows_the_marts_month(served: Path) -> None:
    # opens on the as-of month (2026-11, running: provisional); the table is the mart's month
    at = open_page("monthly.py")
    assert_clean(at)
    assert at.selectbox(key="md_month").value == "2026-11"
    heads = [s.value for s in at.subheader]
    assert "2026年11月（暂定，截至11月28日） 各镇街月调度" in heads
    at.selectbox(key="md_month").select("2026-10").run()
    assert_clean(at)
    assert "2026年10月 各镇街月调度" in [s.value for s in at.subheader]
    table = frame(at, "md_units", "major_overdue_at_month_end_mom")
    mart = read_mart("mart_monthly_dispatch", path=served)
    this = mart.filter(pl.col("month") == "2026-10").sort("unit_code")
    before = mart.filter(pl.col("month") == "2026-09").sort("unit_code")
    ago = mart.filter(pl.col("month") == "2025-10").sort("unit_code")
    assert table["unit_code"].to_list() == this["unit_code"].to_list() == UNITS
    assert table["unit_name"].to_list() == [UNIT_NAMES[u] for u in UNITS]
    for m in (
        "hazards_found",
        "major_open_at_month_end",
        "major_overdue_at_month_end",
        "accidents",
        "deaths",
        "inspections",
        "penalty_cases",
        "fines_yuan",
    ):
        assert table[m].to_list() == this[m].to_list(), m
        assert table[f"{m}_mom"].to_list() == (this[m] - before[m]).to_list(), m
        assert table[f"{m}_yoy"].to_list() == (this[m] - ago[m]).to_list(), m
    # the worsened units: more overdue 重大隐患, accidents or deaths than in September
    worse = frame(at, "md_worse", "worsened_on")
    rose = this.with_columns(
        pl.any_horizontal(
            pl.col(c) > before[c] for c in ("major_overdue_at_month_end", "accidents", "deaths")
        ).alias("rose")
    ).filter("rose")
    assert sorted(worse["unit_code"].to_list()) == rose["unit_code"].to_list()
    # the unit filter: only that unit's row, and the trend is of that unit
    at.sidebar.selectbox(key="flt_unit").select("U02").run()
    assert_clean(at)
    assert frame(at, "md_units", "major_overdue_at_month_end_mom")["unit_code"].to_list() == ["U02"]
    assert any(s.value.startswith("店子镇近 12 个月走势") for s in at.subheader)


def test_ranking_defaults_to_the_last_full_quarter_and_a_running_one_is_provisional(
    served: Path,
) -> None:
    at = open_page("evaluation.py")  # the overview first (current quarter), then the ranking
    assert_clean(at)
    assert at.session_state["flt_quarter"] == "2026Q3"
    assert "2026Q3 镇街考评排名" in [s.value for s in at.subheader]
    at.switch_page("app_pages/overview.py").run()
    assert at.session_state["flt_quarter"] == "2026Q4"  # the overview: the current quarter
    assert "2026Q4（暂定，截至11月28日） 考评排名" in [s.value for s in at.subheader]
    # a quarter the user picks stays picked, on every page
    at.sidebar.selectbox(key="flt_quarter").select("2026Q2").run()
    at.switch_page("app_pages/evaluation.py").run()
    assert at.session_state["flt_quarter"] == "2026Q2"
    at.sidebar.selectbox(key="flt_quarter").select("2026Q4").run()
    assert_clean(at)
    assert at.session_state["flt_quarter"] == "2026Q4"
    assert "2026Q4（暂定，截至11月28日） 镇街考评排名" in [s.value for s in at.subheader]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["title"]["text"] == "2026Q4（暂定，截至11月28日） 镇街考评得分构成"


def test_overview_kpis_and_target_lights(served: Path) -> None:
    at = open_page("overview.py")
    assert_clean(at)
    metric_labels = [m.label for m in at.metric]
    for expected in ("排查隐患", "事故起数", "死亡人数", "重大隐患未整改(截至数据截止日)"):
        assert expected in metric_labels
    assert any(m.delta and "同比" in m.delta for m in at.metric)
    markdown = " ".join(m.value for m in at.markdown)
    for i in [*range(1, 14), 18]:
        assert f"**T{i}**" in markdown


def test_targets_page_lists_t1_to_t18(served: Path) -> None:
    at = open_page("targets.py")
    table = frame(at, "tg_table", "target_id", "expected_value")
    assert table["target_id"].to_list() == [f"T{i}" for i in range(1, 19)]
    assert set(table["status"].to_list()) <= set(labels.TARGET_STATUS_LIGHT)


def test_data_quality_reconciles(served: Path) -> None:
    at = open_page("data_quality.py")
    assert_clean(at)
    rec = frame(at, "dq_rec_table", "rows_read", "is_balanced")
    assert rec.height > 0 and rec["is_balanced"].to_list() == ["是"] * rec.height
    assert any("行数平衡" in s.value for s in at.success)
    quarantined = frame(at, "dq_q_table", "line", "reason_code")
    assert quarantined.height == queries.quarantine(served, units=None).height > 0
    # the validation report of the build the page shows (the served one) is offered
    from zhiben.validation_report import report_path

    with duckdb.connect(str(served), read_only=True) as con:
        (run_id,) = con.execute(
            "select run_id from mart_build_runs where status = 'success' "
            "order by started_at desc limit 1"
        ).fetchone()
    button = at.download_button(key="dq_validation_report")
    assert report_path(served, run_id).exists()
    assert "数据校验报告" in button.label


def test_missing_mart_shows_a_chinese_notice(
    demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("drop table mart_training_coverage")
        con.execute("drop table mart_quarterly_evaluation_by_department")
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(copy))
    monkeypatch.setenv("ZHIBEN_REQUIRE_LOGIN", "0")
    for page, table in (
        ("training.py", "mart_training_coverage"),
        ("evaluation.py", "mart_quarterly_evaluation_by_department"),
    ):
        at = open_page(page)
        assert not at.exception, [e.value for e in at.exception]
        assert any(table in i.value and "尚未生成" in i.value for i in at.info)


def test_no_warehouse_is_a_chinese_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("ZHIBEN_REQUIRE_LOGIN", "0")
    at = open_page()
    assert not at.exception
    assert any("找不到数据仓库文件" in e.value for e in at.error)


def test_a_swapped_in_build_shows_at_once(
    demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cached results are keyed on the served file's identity: after os.replace (what
    `zhiben build` does) the next rerun reads the new file, within the cache's ttl."""
    served = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, served)
    monkeypatch.setenv("ZHIBEN_WAREHOUSE", str(served))
    monkeypatch.setenv("ZHIBEN_REQUIRE_LOGIN", "0")
    at = open_page("data_quality.py")
    before = queries.build_info(served).as_of_date
    assert any(f"数据截止 {before.isoformat()}" in c.value for c in at.caption)

    new = tmp_path / "new.duckdb"
    shutil.copy(demo_warehouse, new)
    with duckdb.connect(str(new)) as con:
        con.execute("update mart_build_info set as_of_date = date '2030-01-02'")
    fp = connection.fingerprint(served)
    os.replace(new, served)
    assert connection.fingerprint(served) != fp
    at.run()
    assert not at.exception
    assert any("数据截止 2030-01-02" in c.value for c in at.caption)


# ------------------------------------------------------------------ logic, without Streamlit


def test_every_column_shown_has_a_chinese_header(served: Path) -> None:
    """Tables and exports use Chinese headers: every column of the dims and marts the app shows
    whole, and every column it picks from the facts, has one."""
    missing = {}
    for table in APP_TABLES:
        if table.startswith("fct_"):
            continue
        cols = [c for c in queries.table_columns(served, table) if not labels.has_label(c, table)]
        if cols:
            missing[table] = cols
    for name in ("LEDGER_COLUMNS", "ACCIDENT_COLUMNS", "PENALTY_COLUMNS"):
        cols = [c for c in getattr(labels, name) if c not in labels.COLUMN_LABELS]
        if cols:
            missing[name] = cols
    assert not missing, missing


def test_xlsx_export_has_chinese_headers_and_yes_no(served: Path) -> None:
    ledger = queries.major_hazard_ledger(served, units=None, unit_code="U01").head(20)
    assert ledger.height == 20
    data = export.to_xlsx_bytes(
        ledger,
        sheet="重大隐患清单",
        title="重大隐患清单",
        notes={"数据截止": "2026-11-28"},
        table="mart_major_hazard_ledger",
    )
    assert data[:2] == b"PK"
    headers = export.read_xlsx_headers(data)
    assert headers == [labels.label(c, "mart_major_hazard_ledger") for c in ledger.columns]
    assert "隐患编号" in headers and "督办升级" in headers and "销号核验方式" in headers
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["重大隐患清单", "说明"]
    ws = wb["重大隐患清单"]
    col = headers.index("逾期未改") + 1
    assert {ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)} <= {"是", "否"}
    assert ws.max_row == ledger.height + 1
    assert "2026-11-28" in [c.value for c in wb["说明"]["B"]]


def test_year_to_date_is_like_for_like(served: Path) -> None:
    from datetime import date

    assert periods.year_to_date("2026Q4", date(2026, 11, 28)) == (
        date(2026, 1, 1),
        date(2026, 11, 28),
        date(2025, 1, 1),
        date(2025, 11, 28),
    )
    assert periods.year_to_date("2025Q2", date(2026, 11, 28))[1:] == (
        date(2025, 6, 30),
        date(2024, 1, 1),
        date(2024, 6, 30),
    )
    assert periods.year_to_date("2028Q1", date(2028, 2, 29)).prev_end == date(2027, 2, 28)
    as_of = queries.build_info(served).as_of_date
    k = queries.year_to_date_kpis(
        served, quarter=periods.quarter_of(as_of), as_of=as_of, unit_code="U02"
    )
    hz = read_mart("fct_hazards", path=served, unit_code="U02")
    start, end, pstart, pend = periods.year_to_date(periods.quarter_of(as_of), as_of)
    assert k["hazards_found"] == (
        hz.filter(pl.col("found_date").is_between(start, end)).height,
        hz.filter(pl.col("found_date").is_between(pstart, pend)).height,
    )
    assert k["hazards_found"][0] > 0 and k["hazards_found"][1] > 0
    kpi = figures.Kpi("x", 30, 3)
    assert kpi.delta == 27 and kpi.delta_text() == "+27 (+900.0%) 同比"
    assert figures.Kpi("x", 1, None).delta_text() is None


def test_weighted_breakdown_and_figures() -> None:
    ev = pl.DataFrame(
        {
            "unit_code": ["U02", "U01"],
            "unit_name": ["店子镇", "山城街道"],
            "rank": [2, 1],
            "rank_change": [-1, 1],
            "total_score": [40.0, 80.0],
            "deductions": [-2.0, 0.0],
            **{f"i{k}_score": [50.0, 100.0] for k in range(1, 8)},
        }
    )
    b = figures.weighted_breakdown(ev, labels.DEFAULT_UNIT_WEIGHTS)
    assert b["unit_code"].to_list() == ["U01", "U02"]
    assert b["rank_arrow"].to_list() == ["▲1", "▼1"]
    assert b.select(pl.sum_horizontal(pl.col(r"^i\d_weighted$"))).to_series().to_list() == [100, 50]
    fig = figures.score_stack(b)
    assert len(fig.data) == 7 + 2  # seven indicators, the deductions, the total
    heat = figures.heatmap(
        pl.DataFrame(
            {"unit_name": ["a", "a", "b"], "industry_name": ["x", "y", "x"], "v": [1, 2, 3]}
        ),
        "v",
    )
    assert [list(row) for row in heat.data[0].z] == [[1, 2], [3, None]]


def test_unit_account_sees_only_its_units_records(
    served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served beyond localhost, a 镇街 account sees every unit in rankings but record-level detail
    (the ledger, accidents, quarantine) only for its own unit."""
    from zhiben import auth

    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    account = auth.Account("u03", auth.ROLE_UNIT, "U03")
    at = open_page("major_hazards.py", zhiben_account=account)
    assert_clean(at)
    assert at.session_state["flt_unit"] == "U03"  # starts on its own unit
    at.sidebar.selectbox(key="flt_unit").select("全部").run()  # even with all units chosen …
    at.radio(key="mh_scope").set_value("全部").run()
    ledger = frame(at, "mh_table", "hazard_id", "escalation")
    assert ledger.height == queries.major_hazard_ledger(served, units=None, unit_code="U03").height
    assert set(ledger["unit_name"].to_list()) == {"西集镇"}
    at.switch_page("app_pages/evaluation.py").run()
    assert_clean(at)
    assert sorted(frame(at, "ev_rank")["unit_code"].to_list()) == UNITS


def _page_text(at: AppTest) -> str:
    """Everything a page shows: every cell of every table, and every other element's content
    (markdown, metrics, charts' data, widget options) as protobuf text."""
    from google.protobuf import text_format

    out: list[str] = []

    def walk(node) -> None:
        if type(node).__name__ == "Dataframe":
            data = _data(node)
            out.extend(str(v) for col in data.columns for v in data[col].to_list())
            out.extend(data.columns)
        elif getattr(node, "proto", None) is not None and not hasattr(node, "children"):
            out.append(text_format.MessageToString(node.proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def test_data_quality_shows_a_unit_account_only_its_own_records(
    served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 (11): a unit account's 数据质量 page names no other unit's record (quarantine rows,
    build warnings) and no account's page shows the server's raw directory path."""
    from zhiben import auth

    with duckdb.connect(str(served), read_only=True) as con:
        raw_dir, warnings = con.execute("select raw_dir, warnings from mart_build_runs").fetchone()
    warned_keys = re.findall(r"\w+=(\S+) 更新时间=", warnings or "")
    assert raw_dir and len(warned_keys) >= 5  # the demo drop has equal-version warnings
    quarantine = queries.quarantine(served, units=None)
    mine = quarantine.filter(pl.col("unit_code") == "U03")
    theirs = set(
        quarantine.filter(pl.col("unit_code").ne_missing("U03"))["record_key"].drop_nulls()
    ) - set(mine["record_key"].drop_nulls())
    assert mine.height and quarantine["unit_code"].null_count() and theirs

    monkeypatch.setenv(auth.REQUIRE_LOGIN_ENV, "1")
    at = open_page("data_quality.py", zhiben_account=auth.Account("u03", auth.ROLE_UNIT, "U03"))
    at.sidebar.selectbox(key="flt_unit").select("全部").run()  # even with all units chosen
    assert_clean(at)
    shown = _page_text(at)
    assert raw_dir not in shown
    assert not [k for k in warned_keys if k in shown]
    assert not [k for k in theirs if k in shown]
    table = frame(at, "dq_q_table", "line", "reason_code")
    assert sorted(table["record_key"].drop_nulls()) == sorted(mine["record_key"].drop_nulls())
    runs = frame(at, "dq_runs", "run_id")
    assert runs["raw_dir"].to_list()[0] == Path(raw_dir).name
    # the validation report holds every unit's values: 领导 only
    assert not [b for b in at.download_button if b.key == "dq_validation_report"]

    # a 领导 reads the warnings (so the check above has teeth), still without the server's path
    at = open_page("data_quality.py", zhiben_account=auth.Account("boss", auth.ROLE_LEADER))
    assert_clean(at)
    shown = _page_text(at)
    assert raw_dir not in shown and all(k in shown for k in warned_keys)


def test_sidebar_links_the_catalog_while_zhiben_docs_serves_it(served: Path) -> None:
    """Issue 20: the sidebar links the catalog only while `zhiben docs` serves it (its marker
    names a live process)."""
    import json
    import subprocess

    from zhiben.docs import SERVER_MARKER, catalog_dir

    def links(at: AppTest) -> list[str]:
        return [str(b.proto.url) for b in at.get("link_button")]

    marker = catalog_dir(served) / SERVER_MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    try:
        assert "http://127.0.0.1:8580/" not in links(open_page())
        marker.write_text(json.dumps({"url": "http://127.0.0.1:8580/", "pid": os.getpid()}))
        assert "http://127.0.0.1:8580/" in links(open_page())
        proc = subprocess.Popen(["true"])  # a process that has ended: the server stopped
        proc.wait()
        marker.write_text(json.dumps({"url": "http://127.0.0.1:8580/", "pid": proc.pid}))
        assert "http://127.0.0.1:8580/" not in links(open_page())
    finally:
        marker.unlink(missing_ok=True)
