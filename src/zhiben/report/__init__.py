"""The 通报: the quarterly (xlsx workbook and Word 晾晒通报), the monthly (workbook and Word 月调度
通报) and the three-year close-out (Word 三年行动总结评估), each Word document also as PDF; and the
re-ranking of the 晾晒考评 under other weights.

All read only the served warehouse (zhiben.warehouse): the ranking from
`mart_quarterly_evaluation`, the method from `mart_evaluation_method`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from zhiben.report.rank import load_weights, rerank
from zhiben.report.workbook import write_report

KINDS = ("xlsx", "docx", "pdf")  # in the order they are written
#: --format: one kind, a comma list (docx,pdf), both (= docx + xlsx) or all (every kind)
FORMATS = ("docx", "xlsx", "pdf", "both", "all")

__all__ = [
    "FORMATS",
    "load_weights",
    "parse_formats",
    "rerank",
    "write_closeout",
    "write_monthly",
    "write_quarterly",
    "write_report",
]


def parse_formats(fmt: str, allowed: tuple[str, ...] = KINDS) -> list[str]:
    """The kinds a --format value asks for, in writing order: 'both' = docx + xlsx, 'all' = every
    kind the document has (`allowed`), otherwise a comma list ('docx,pdf')."""
    text = fmt.strip().lower()
    if text == "all":
        wanted = set(allowed)
    elif text == "both":
        wanted = {"docx", "xlsx"} & set(allowed)
    else:
        wanted = {part.strip() for part in text.split(",") if part.strip()}
    bad = wanted - set(allowed)
    if not wanted or bad:
        raise ValueError(
            f"格式应为 {' / '.join(allowed)}（可用逗号组合，如 docx,pdf）、both 或 all"
            f" / format must be one of {allowed}: {fmt!r}"
        )
    return [k for k in KINDS if k in wanted]


def write_formats(
    kinds: list[str],
    out: str | Path | None,
    default: str,
    writers: Mapping[str, Callable[[Path], Path]],
) -> list[Path]:
    """Write each kind with its writer (`xlsx` / `docx`: path → path); `pdf` converts the docx
    (written to a temporary folder when the docx itself was not asked for). `out` names the file,
    its extension replaced per kind; `default` is the name without extension."""
    from zhiben.report.pdf import to_pdf

    base = Path(out) if out else Path(default)
    paths: list[Path] = []
    docx: Path | None = None
    for kind in kinds:
        target = base.with_suffix(f".{kind}")
        if kind == "pdf":
            if docx is not None:
                paths.append(to_pdf(docx, target))
            else:
                with tempfile.TemporaryDirectory(prefix="zhiben-docx-") as tmp:
                    made = writers["docx"](Path(tmp, target.with_suffix(".docx").name))
                    paths.append(to_pdf(made, target))
            continue
        path = writers[kind](target)
        if kind == "docx":
            docx = path
        paths.append(path)
    return paths


def write_quarterly(
    quarter: str | None,
    fmt: str = "both",
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
) -> list[Path]:
    """`zhiben report --quarter … --format …`: the quarter's workbook, Word document and/or PDF.
    quarter None = the last full quarter as of D (zhiben.periods.last_full_quarter)."""
    from zhiben import periods
    from zhiben.report.quarterly import write_quarterly_docx
    from zhiben.warehouse import as_of_date

    kinds = parse_formats(fmt)
    quarter = quarter or periods.last_full_quarter(as_of_date(warehouse))
    periods.parse_quarter(quarter)
    return write_formats(
        kinds,
        out,
        f"通报-{quarter}",
        {
            "xlsx": lambda p: write_report(quarter, p, warehouse=warehouse),
            "docx": lambda p: write_quarterly_docx(quarter, p, warehouse=warehouse),
        },
    )


def write_monthly(
    month: str,
    fmt: str = "both",
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
) -> list[Path]:
    """`zhiben report --month … --format …`: the month's 月调度通报 workbook, Word document
    and/or PDF."""
    from zhiben.periods import month_range
    from zhiben.report.monthly import write_monthly_report
    from zhiben.report.monthly_doc import write_monthly_docx

    kinds = parse_formats(fmt)
    month_range(month)
    return write_formats(
        kinds,
        out,
        f"月调度通报-{month}",
        {
            "xlsx": lambda p: write_monthly_report(month, p, warehouse=warehouse),
            "docx": lambda p: write_monthly_docx(month, p, warehouse=warehouse),
        },
    )


def write_closeout(
    fmt: str = "docx",
    out: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
) -> list[Path]:
    """`zhiben closeout --format …`: the 三年行动总结评估 as of D, Word document and/or PDF."""
    from zhiben.report.closeout import write_closeout_docx
    from zhiben.warehouse import as_of_date

    kinds = parse_formats(fmt, allowed=("docx", "pdf"))
    as_of = as_of_date(warehouse)
    return write_formats(
        kinds,
        out,
        f"三年行动总结评估-{as_of:%Y%m%d}",
        {"docx": lambda p: write_closeout_docx(p, warehouse=warehouse)},
    )
