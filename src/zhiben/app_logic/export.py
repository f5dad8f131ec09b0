"""Excel export of any table the app shows: a polars frame → xlsx bytes with Chinese headers,
是/否 booleans, real dates, a frozen header row, sensible widths, and a 说明 sheet stating the
as-of date (every export states its as-of date, SPEC §9)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime

import polars as pl
import xlsxwriter

from zhiben.app_logic.labels import label

_MAX_SHEET_NAME = 31


def _width(values: list, header: str) -> int:
    longest = max([len(str(v)) for v in values[:200] if v is not None] + [len(header)])
    # CJK characters are about twice as wide as latin ones
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in header)
    return min(60, max(8, longest + (len(header) if cjk else 0) // 2 + 2))


def to_xlsx_bytes(
    df: pl.DataFrame,
    *,
    sheet: str = "数据",
    title: str | None = None,
    notes: Mapping[str, object] | None = None,
    labels: Mapping[str, str] | None = None,
    table: str | None = None,
) -> bytes:
    """The frame as an xlsx workbook: sheet `sheet` (header in row 1, Chinese names), and a sheet
    说明 with `title` and `notes` (as-of date, build time, filters). `table`: the served table
    the frame comes from, for a column labelled per table (`labels.label`)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "remove_timezone": True})
    head = wb.add_format({"bold": True, "bg_color": "#dce6f1", "border": 1, "text_wrap": True})
    fmt_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    fmt_dt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    fmt_pct = wb.add_format({"num_format": "0.0%"})
    fmt_num = wb.add_format({"num_format": "#,##0.##"})
    ws = wb.add_worksheet(sheet[:_MAX_SHEET_NAME])
    for j, (name, dtype) in enumerate(df.schema.items()):
        header = (labels or {}).get(name) or label(name, table)
        ws.write_string(0, j, header, head)
        values = df[name].to_list()
        is_share = name.endswith(("_rate", "_share", "_coverage"))
        for i, v in enumerate(values, start=1):
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_string(i, j, "是" if v else "否")
            elif isinstance(v, datetime):
                ws.write_datetime(i, j, v, fmt_dt)
            elif isinstance(v, date):
                ws.write_datetime(i, j, datetime(v.year, v.month, v.day), fmt_date)
            elif isinstance(v, (int, float)):
                if v != v or v in (float("inf"), float("-inf")):  # NaN / inf: leave empty
                    continue
                ws.write_number(
                    i, j, v, fmt_pct if is_share else fmt_num if dtype.is_float() else None
                )
            else:
                ws.write_string(i, j, str(v))
        ws.set_column(j, j, _width(values, header))
    ws.freeze_panes(1, 0)
    if df.width:
        ws.autofilter(0, 0, max(df.height, 1), df.width - 1)
    info = wb.add_worksheet("说明")
    bold = wb.add_format({"bold": True})
    row = 0
    if title:
        info.write_string(row, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        row += 2
    for key, value in (notes or {}).items():
        info.write_string(row, 0, str(key), bold)
        info.write_string(row, 1, "" if value is None else str(value))
        row += 1
    info.write_string(row + 1, 0, "来源: 治本攻坚数据仓库 (zhiben)")
    info.set_column(0, 0, 18)
    info.set_column(1, 1, 50)
    wb.close()
    return buf.getvalue()


def read_xlsx_headers(data: bytes) -> list[str]:
    """Header row of the first sheet (for tests and checks)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = wb.worksheets[0]
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
