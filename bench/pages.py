"""Page latency: the queries each page of the app runs on a first (uncached) load, called through
the app's own functions (`zhiben.app_logic.queries`) on the built warehouse, with the app's default
filters: the as-of quarter, all units, all industries; the evaluation page's drill-down on U01
(with its 得分明细 of I1); the targets page's 预警 and 目标明细 (T1)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

#: every page renders the sidebar (filters) and the header first
SIDEBAR: list[tuple[str, dict[str, Any]]] = [
    ("available_tables", {}),
    ("units", {}),
    ("industries", {}),
    ("quarters", {}),
    ("build_info", {}),
]


def page_calls(quarter: str, year: int, as_of: date) -> dict[str, list[tuple[str, dict]]]:
    """page → [(query function name, kwargs)], as app/app_pages/*.py call them."""
    return {
        "overview 总览": [
            ("year_to_date_kpis", {"quarter": quarter, "as_of": as_of}),
            ("accident_trend_region", {}),
            ("major_hazard_ledger", {}),
            ("region_industry_quarterly", {}),
            ("target_progress", {}),
            ("quarterly_evaluation", {"quarter": quarter}),
        ],
        "region_industry 分区域分行业": [
            ("region_industry", {"quarter": quarter}),
            ("region_industry", {}),
        ],
        "major_hazards 重大隐患": [("major_hazard_ledger", {})],
        "accidents 事故": [
            ("accident_trend", {"year": year}),
            ("accident_trend", {}),
            ("accidents", {"year": year}),
        ],
        "enforcement 执法": [
            ("enforcement", {"quarter": quarter}),
            ("enforcement", {}),
            ("inspections_by", {"by": "method", "quarter": quarter}),
            ("inspections_by", {"by": "campaign", "quarter": quarter}),
            ("hazards_by_campaign", {}),
            ("enforcement_by_department", {"quarter": quarter}),
        ],
        "evaluation 考评": [
            ("quarterly_evaluation", {"quarter": quarter}),
            ("evaluation_weights", {"variant": "unit"}),
            ("major_hazard_ledger", {"unit_code": "U01"}),
            ("accidents", {"quarter": quarter, "unit_code": "U01"}),
            ("penalties", {"quarter": quarter, "unit_code": "U01"}),
            ("evaluation_records", {"quarter": quarter, "item": "I1", "unit_code": "U01"}),
            ("quarterly_evaluation_by_department", {"quarter": quarter}),
            ("evaluation_weights", {"variant": "department"}),
            (
                "department_evaluation_records",
                {"quarter": quarter, "item": "I1", "department_code": "D01"},
            ),
            ("evaluation_method", {}),
        ],
        "training 培训演练": [
            ("training_coverage", {"year": year}),
            ("training_coverage", {}),
        ],
        "targets 目标": [
            ("target_progress", {}),
            ("target_milestones", {}),
            ("target_forecast", {}),
            ("target_records", {"target_id": "T1"}),
        ],
        "data_quality 数据质量": [
            ("run_history", {}),
            ("load_reconciliation", {}),
            ("quarantine", {}),
            ("unit_data_quality", {}),
        ],
    }


@dataclass
class PageTiming:
    page: str
    calls: int
    median: float  # seconds, the page's queries (sidebar included), median of `repeat`
    sidebar_median: float
    slowest_call: str
    slowest_median: float
    missing: list[str]  # query functions this version of the app does not have


def _timed(fn: Callable[..., Any], path: Path, kwargs: dict) -> float:
    from zhiben.app_logic import connection

    if connection.access_of(fn) == connection.RECORDS:
        kwargs = {**kwargs, "units": None}  # a 领导 account: every unit's records
    t0 = time.perf_counter()
    fn(path, **kwargs)
    return time.perf_counter() - t0


def page_latency(warehouse: Path, repeat: int = 5) -> list[PageTiming]:
    from zhiben import periods
    from zhiben.app_logic import queries

    info = queries.build_info(warehouse)
    as_of = info.as_of_date
    quarter = periods.quarter_of(as_of)
    out = []
    for page, calls in page_calls(quarter, as_of.year, as_of).items():
        missing = [name for name, _ in SIDEBAR + calls if not hasattr(queries, name)]
        todo = [(n, k) for n, k in SIDEBAR + calls if hasattr(queries, n)]
        per_call: dict[int, list[float]] = {i: [] for i in range(len(todo))}
        totals, sidebars = [], []
        for _ in range(repeat):
            total = side = 0.0
            for i, (name, kwargs) in enumerate(todo):
                s = _timed(getattr(queries, name), warehouse, kwargs)
                per_call[i].append(s)
                total += s
                if i < len(SIDEBAR):
                    side += s
            totals.append(total)
            sidebars.append(side)
        medians = {i: statistics.median(v) for i, v in per_call.items()}
        worst = max(medians, key=medians.get)
        name, kwargs = todo[worst]
        label = name + (f"({', '.join(f'{k}={v}' for k, v in kwargs.items())})" if kwargs else "")
        out.append(
            PageTiming(
                page,
                len(todo),
                statistics.median(totals),
                statistics.median(sidebars),
                label,
                medians[worst],
                missing,
            )
        )
    return out
