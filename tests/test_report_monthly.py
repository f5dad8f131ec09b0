"""The monthly 通报 (`zhiben report --month`) and the report's period defaults on the demo
warehouse (as of 2026-11-28: November is running, 2026Q3 the last full quarter)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from zhiben import monthly
from zhiben.app_logic.labels import label
from zhiben.cli import app
from zhiben.report.monthly import MONTH_SHEETS, REGION
from zhiben.warehouse import query

RUNNING = "2026-11"  # the demo's as-of month
ENDED = "2026-10"


def _invoke(*args: str):
    return CliRunner().invoke(app, ["report", *args])


@pytest.fixture(scope="module")
def books(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for month in (RUNNING, ENDED):
        path = tmp_path_factory.mktemp("monthly") / f"月调度通报-{month}.xlsx"
        result = _invoke(
            "--month",
            month,
            "--format",
            "xlsx",
            "--out",
            str(path),
            "--warehouse",
            str(demo_warehouse),
        )
        assert result.exit_code == 0, result.output
        out[month] = path
    return out


def _table(ws, header_first: str) -> tuple[list[str], list[tuple]]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == header_first)
    body = [r for r in rows[start + 1 :] if r[0] is not None]
    return list(rows[start]), body


def _mart(warehouse: Path) -> pl.DataFrame:
    return query(
        "select d.*, u.unit_name from mart_monthly_dispatch d join dim_unit u using (unit_code)",
        path=warehouse,
    )


def test_sheets_and_provisional_title(books) -> None:
    running = openpyxl.load_workbook(books[RUNNING])
    assert running.sheetnames == list(MONTH_SHEETS)
    ws = running["月调度"]
    assert ws["A1"].value == "山亭区安全生产委员会办公室"
    assert ws["A2"].value == "2026年11月（暂定，截至11月28日）安全生产月调度通报"
    assert "数据截止日期: 2026-11-28" in ws["A3"].value
    ended = openpyxl.load_workbook(books[ENDED])["月调度"]
    assert ended["A2"].value == "2026年10月安全生产月调度通报"
    assert "月末状态统计日: 2026-10-31" in ended["A3"].value


@pytest.mark.parametrize("month", [RUNNING, ENDED])
def test_month_by_unit_equals_the_mart(books, demo_warehouse, month) -> None:
    mart = _mart(demo_warehouse)
    header, body = _table(openpyxl.load_workbook(books[month])["月调度"], label("unit_name"))
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    this = mart.filter(pl.col("month") == month)
    before = mart.filter(
        pl.col("month") == "2026-09" if month == ENDED else pl.col("month") == ENDED
    )
    year = mart.filter(pl.col("month") == f"2025-{month[5:]}")
    assert set(rows) == {*this["unit_name"], REGION} and len(rows) == 12
    for r in this.iter_rows(named=True):
        got = rows[r["unit_name"]]
        prev = before.filter(pl.col("unit_code") == r["unit_code"]).row(0, named=True)
        ago = year.filter(pl.col("unit_code") == r["unit_code"]).row(0, named=True)
        for m, zh in (
            ("major_overdue_at_month_end", "月末重大隐患逾期"),
            ("accidents", "事故起数"),
            ("hazards_found", "排查隐患数"),
            ("fines_yuan", "罚款金额(元)"),
        ):
            assert got[zh] == r[m], (r["unit_name"], m)
            assert got[f"{zh}环比"] == r[m] - prev[m], (r["unit_name"], m)
            assert got[f"{zh}同比"] == r[m] - ago[m], (r["unit_name"], m)
    total = rows[REGION]
    assert total["排查隐患数"] == this["hazards_found"].sum()
    assert total["排查隐患数环比"] == this["hazards_found"].sum() - before["hazards_found"].sum()


def test_trend_and_overdue_ledger_equal_the_mart(books, demo_warehouse) -> None:
    mart = _mart(demo_warehouse)
    wb = openpyxl.load_workbook(books[RUNNING])
    header, body = _table(wb["近12个月走势"], label("month"))
    assert [r[0] for r in body] == ["2025-12", *[f"2026-{i:02d}" for i in range(1, 12)]]
    region = mart.group_by("month").agg(pl.col(monthly.METRICS).sum()).sort("month")
    expected = dict(zip(region["month"], region["major_overdue_at_month_end"], strict=True))
    col = header.index(label("major_overdue_at_month_end"))
    assert {r[0]: r[col] for r in body} == {m: expected[m] for m in (r[0] for r in body)}
    # the ledger's open overdue items at the month's end: as many as the mart counts, per unit
    for month in (RUNNING, ENDED):
        ws = openpyxl.load_workbook(books[month])["月末逾期重大隐患"]
        _, items = _table(ws, label("hazard_id"))
        per_unit = pl.DataFrame({"unit_name": [r[1] for r in items]}).group_by("unit_name").len()
        want = mart.filter((pl.col("month") == month) & (pl.col("major_overdue_at_month_end") > 0))
        assert dict(per_unit.iter_rows()) == dict(
            want.select("unit_name", "major_overdue_at_month_end").iter_rows()
        ), month
        assert len(items) > 0


def test_worsened_sheet(books, demo_warehouse) -> None:
    mart = _mart(demo_warehouse)
    _, body = _table(openpyxl.load_workbook(books[RUNNING])["较上月恶化"], label("unit_name"))
    now = mart.filter(pl.col("month") == RUNNING)
    prev = mart.filter(pl.col("month") == ENDED)
    joined = now.join(prev, on="unit_code", suffix="_prev")
    want = joined.filter(
        pl.any_horizontal(pl.col(c) > pl.col(f"{c}_prev") for c in monthly.WORSE_WHEN_UP)
    )
    assert sorted(r[0] for r in body) == sorted(want["unit_name"].to_list())


def test_month_and_quarter_are_exclusive_and_month_is_checked(demo_warehouse, tmp_path) -> None:
    both = _invoke("--month", RUNNING, "--quarter", "2026Q3", "--warehouse", str(demo_warehouse))
    assert both.exit_code != 0 and "只能指定一个" in both.output
    bad = _invoke(
        "--month", "2026-13", "--out", str(tmp_path / "x.xlsx"), "--warehouse", str(demo_warehouse)
    )
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output
    future = _invoke(
        "--month", "2027-01", "--out", str(tmp_path / "y.xlsx"), "--warehouse", str(demo_warehouse)
    )
    assert future.exit_code == 1 and "没有 2027-01" in future.output
    assert not (tmp_path / "y.xlsx").exists()
    helptext = _invoke("--help").output
    assert "--month" in helptext and "月调度" in helptext


def test_report_defaults_to_the_last_full_quarter(demo_warehouse, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _invoke("--warehouse", str(demo_warehouse))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "通报-2026Q3.xlsx").exists()
    ws = openpyxl.load_workbook(tmp_path / "通报-2026Q3.xlsx")["排名通报"]
    assert ws["A2"].value.startswith("2026年第三季度") and "暂定" not in ws["A2"].value


def test_running_quarter_title_is_provisional(demo_warehouse, tmp_path) -> None:
    out = tmp_path / "q4.xlsx"
    result = _invoke("--quarter", "2026Q4", "--out", str(out), "--warehouse", str(demo_warehouse))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb["排名通报"]["A2"].value.startswith("2026年第四季度（暂定，截至11月28日）")
    assert "考评季度: 2026年第四季度（暂定，截至11月28日） (2026Q4)" in wb["排名通报"]["A3"].value
    assert "（暂定，截至11月28日）" in wb["部门排名"]["A2"].value
