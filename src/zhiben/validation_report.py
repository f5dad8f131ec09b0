"""The validation report of a build: per extract, every great-expectations expectation of its
suite (`zhiben.ingest.suites.rules_for`), how many rows failed it and a sample of the unexpected
values — rendered as one self-contained HTML page (no script, no remote resource) kept with the
run history: `.zhiben-build/validation/<run id>.html` (+ `.json`).

The rows that failed are GX's unexpected values mapped back to rows (the quarantine rows of the
extract), so the counts are rows, not the distinct values GX saw. Sample values come from the
quarantine's `value`, which is already masked (`mask_pii`) and NULL for PII columns; they are
masked once more here, and a PII column never shows a value."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from zhiben.paths import WarehousePaths

SAMPLE_VALUES = 5
MAX_VALUE_CHARS = 60


def validation_dir(served: Path) -> Path:
    return WarehousePaths(Path(served).resolve()).work_dir / "validation"


def report_path(served: Path, run_id: str) -> Path:
    return validation_dir(served) / f"{run_id}.html"


def _kwargs_text(kwargs: dict[str, Any]) -> str:
    parts = []
    for k, v in kwargs.items():
        if k in ("column", "column_A", "column_B"):
            continue
        if isinstance(v, list | tuple | set):
            items = sorted(map(str, v))
            more = f" … 共 {len(items)} 个" if len(items) > SAMPLE_VALUES else ""
            v = "[" + ", ".join(items[:SAMPLE_VALUES]) + more + "]"
        parts.append(f"{k}={v}")
    return "; ".join(parts)


def summarise_extract(extract, rules, rows: int, quarantine) -> dict[str, Any]:
    """One extract's results: `rules` (its suite), `rows` validated, `quarantine` (polars: the
    extract's quarantine rows, one per (row, broken rule))."""
    from zhiben.ingest.normalise import mask_pii

    pii = {c.name for c in extract.columns if c.kind in ("pii", "pii_id")}
    # a failure is reported on (column, reason): rules sharing both (e.g. two checks of one
    # date) are one line, so that every quarantined row is counted once
    groups: dict[tuple[str | None, str], list] = {}
    for rule in rules:
        groups.setdefault((rule.column, rule.reason), []).append(rule)
    # reasons no GX rule gives (the reader's rows that are no row, e.g. wrong_field_count with no
    # column; the loader's plausibility checks) are reported too, so every quarantined row counts
    for column, reason in (
        quarantine.select("column_name", "reason_code").unique(maintain_order=True).iter_rows()
    ):
        groups.setdefault((column, reason), [])
    expectations = []
    for (column, reason), same in groups.items():
        same_column = (
            quarantine["column_name"].is_null()
            if column is None
            else quarantine["column_name"] == column
        )
        hit = quarantine.filter(same_column & (quarantine["reason_code"] == reason))
        sample: list[str] = []
        if column is not None and column not in pii and hit.height:
            for v in hit["value"].drop_nulls().unique(maintain_order=True).head(SAMPLE_VALUES):
                v = mask_pii(str(v))
                sample.append(v if len(v) <= MAX_VALUE_CHARS else v[:MAX_VALUE_CHARS] + "…")
        expectations.append(
            {
                "expectation": " + ".join(r.type for r in same) or "loader",
                "column": column,
                "column_zh": next((c.zh for c in extract.columns if c.name == column), ""),
                "reason_code": reason,
                "arguments": " | ".join(filter(None, (_kwargs_text(r.kwargs) for r in same))),
                "unexpected_rows": hit.select("file", "line").n_unique() if hit.height else 0,
                "unexpected_sample": sample,
                "is_pii_column": column in pii,
            }
        )
    return {"extract": extract.name, "rows": rows, "expectations": expectations}


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em;width:100%}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px;vertical-align:top}
th{background:#f3f3f3} .bad{color:#b00020;font-weight:bold} .ok{color:#2e7d32}
code{font-size:12px}
"""


def render_html(run_id: str, as_of: str | None, extracts: list[dict[str, Any]]) -> str:
    from zhiben.contract import REASONS

    e = html.escape
    out = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>数据校验报告 {e(run_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>数据校验报告 (great-expectations)</h1><p>构建 {e(run_id)} · 截止日期 "
        f"{e(as_of or '-')}</p><p>每个数据源的每条校验规则 (expectation): 不符合的行数与不符合值的"
        f"示例 (最多 {SAMPLE_VALUES} 个; 个人信息列不显示值, 身份证号、手机号已脱敏)。"
        "不符合的行进入隔离区 (mart_quarantine)。</p><ul>",
    ]
    for x in extracts:
        bad = sum(1 for r in x["expectations"] if r["unexpected_rows"])
        out.append(
            f"<li><a href='#{e(x['extract'])}'>{e(x['extract'])}</a>: {x['rows']} 行, "
            f"{len(x['expectations'])} 条规则, {bad} 条有不符合</li>"
        )
    out.append("</ul>")
    for x in extracts:
        out.append(f"<h2 id='{e(x['extract'])}'>{e(x['extract'])} ({x['rows']} 行)</h2>")
        out.append(
            "<table><tr><th>列</th><th>规则 (expectation)</th><th>参数</th><th>原因</th>"
            "<th>不符合行数</th><th>不符合值示例</th></tr>"
        )
        for r in x["expectations"]:
            n = r["unexpected_rows"]
            cls = "bad" if n else "ok"
            sample = (
                "(个人信息, 不显示)"
                if r["is_pii_column"]
                else "<br>".join(f"<code>{e(v)}</code>" for v in r["unexpected_sample"])
            )
            out.append(
                f"<tr><td>{e(r['column_zh'])}<br><code>{e(r['column'])}</code></td>"
                f"<td><code>{e(r['expectation'])}</code></td><td>{e(r['arguments'])}</td>"
                f"<td>{e(REASONS.get(r['reason_code'], r['reason_code']))}</td>"
                f"<td class='{cls}'>{n}</td><td>{sample if n else ''}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def write(served: Path, run_id: str, as_of: str | None, extracts: list[dict[str, Any]]) -> Path:
    """Write `<run id>.json` and `<run id>.html` (each atomically); the HTML's path."""
    d = validation_dir(served)
    d.mkdir(parents=True, exist_ok=True)
    payload = {"run_id": run_id, "as_of_date": as_of, "extracts": extracts}
    for suffix, text in (
        (".json", json.dumps(payload, ensure_ascii=False, indent=1)),
        (".html", render_html(run_id, as_of, extracts)),
    ):
        tmp = d / f".{run_id}{suffix}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, d / f"{run_id}{suffix}")
    return report_path(served, run_id)
