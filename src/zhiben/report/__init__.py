"""The quarterly 通报 (xlsx workbook and Word 晾晒通报) and the re-ranking of the 晾晒考评 under
other weights.

All read only the served warehouse (zhiben.warehouse): the ranking from
`mart_quarterly_evaluation`, the method from `mart_evaluation_method`."""

from __future__ import annotations

from pathlib import Path

from zhiben.report.rank import load_weights, rerank
from zhiben.report.workbook import write_report

FORMATS = ("docx", "xlsx", "both")

__all__ = ["FORMATS", "load_weights", "rerank", "write_quarterly", "write_report"]


def write_quarterly(
    quarter: str | None,
    fmt: str = "both",
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
) -> list[Path]:
    """`zhiben report --quarter … --format …`: the quarter's workbook and/or Word document.
    quarter None = the last full quarter as of D (zhiben.periods.last_full_quarter); `out` names
    the file, its extension replaced per format when both are written."""
    from zhiben import periods
    from zhiben.warehouse import as_of_date

    if fmt not in FORMATS:
        raise ValueError(f"格式应为 docx / xlsx / both / format must be one of {FORMATS}: {fmt!r}")
    quarter = quarter or periods.last_full_quarter(as_of_date(warehouse))
    periods.parse_quarter(quarter)
    paths: list[Path] = []
    for kind in ("xlsx", "docx"):
        if fmt not in (kind, "both"):
            continue
        target = Path(out).with_suffix(f".{kind}") if out else None
        if kind == "xlsx":
            paths.append(write_report(quarter, target, warehouse=warehouse))
        else:
            from zhiben.report.quarterly import write_quarterly_docx

            paths.append(write_quarterly_docx(quarter, target, warehouse=warehouse))
    return paths
