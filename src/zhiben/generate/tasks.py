"""任务进展台账 (tasks, SPEC §10.1): every owner's monthly progress reports on the plan's tasks.

Each task × owner of the seeds plan_tasks / plan_task_owners (``U*`` = every unit) follows one
course, drawn once: finished on time, finished late, never finished (still reporting), stopped
reporting, behind the straight line (quantity tasks), on track, or never reporting at all. Reports
come monthly from early 2024 until the owner reports the task done; some are submitted late
(更新时间 weeks after 报送日期) and some are re-reported (a second version of the same 报送日期 with a
later 更新时间 and a corrected 完成量). 责任单位 is written as the seed name, a short name or an alias.
The first owners of tasks not yet due at D never report, stop reporting or stay on track, so that
a drop as of late 2026 shows 未报送 and 进行中 beside the overdue and finished ones.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from zhiben.generate.common import DAY, date_of, day_of, fmt_date, fmt_ts, project_dir, rng_for
from zhiben.generate.world import World

log = logging.getLogger("zhiben.generate")

S_TASKS = 11
PLAN_START = date(2024, 1, 1)
COURSES = ("on_time", "late", "overdue", "stopped", "behind", "on_track", "never")
COURSE_P = (0.42, 0.12, 0.1, 0.08, 0.1, 0.12, 0.06)
NOTES = ("按计划推进", "已部署落实", "正在组织实施", "已完成阶段性任务", "正在验收", "")


@dataclass(frozen=True)
class PlanTask:
    task_id: str
    due: date
    target_qty: float | None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def plan_tasks(seeds_dir: Path | None = None) -> list[PlanTask]:
    d = seeds_dir or project_dir() / "seeds"
    return [
        PlanTask(
            r["task_id"],
            date.fromisoformat(r["due_date"]),
            float(r["target_qty"]) if r["target_qty"] else None,
        )
        for r in _rows(d / "plan_tasks.csv")
    ]


def task_owners(unit_codes: list[str], seeds_dir: Path | None = None) -> dict[str, list[str]]:
    """task_id → its owner codes (``U*`` expanded to every unit), in seed order."""
    d = seeds_dir or project_dir() / "seeds"
    out: dict[str, list[str]] = {}
    for r in _rows(d / "plan_task_owners.csv"):
        mine = out.setdefault(r["task_id"], [])
        for c in unit_codes if r["owner"] == "U*" else [r["owner"]]:
            if c not in mine:
                mine.append(c)
    return out


def owner_names(w: World) -> dict[str, list[str]]:
    """owner code → the ways a report may write it (seed name first, then short names / aliases)."""
    s = w.seeds
    out = {
        c: [n, short] for c, n, short in zip(s.dept_codes, s.dept_names, s.dept_short, strict=True)
    }
    for c, n in zip(s.unit_codes, s.unit_names, strict=True):
        out[c] = [n, *s.aliases.get(c, [])]
    return out


def _month_days(start: int, end: int) -> list[int]:
    """The first day of every month from the month of day `start` through day `end`."""
    d = date_of(start).replace(day=1)
    out = []
    while day_of(d) <= end:
        out.append(day_of(d))
        d = date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)
    return out


def generate_tasks(w: World, seed: int) -> pl.DataFrame:
    rng = rng_for(seed, S_TASKS)
    cal = w.cal
    last = cal.d1
    names = owner_names(w)
    owners = task_owners(w.seeds.unit_codes)
    rows: list[dict] = []
    plan0 = day_of(PLAN_START)
    # the first owners of tasks not yet due at D take the courses that show 未报送 and 进行中
    forced = ["never", "stopped", "on_track", "never", "stopped"]
    for task in plan_tasks():
        due = day_of(task.due)
        for owner in owners.get(task.task_id, []):
            course = str(rng.choice(COURSES, p=COURSE_P))
            if due >= last and forced:
                course = forced.pop(0)
            if task.target_qty is None and course == "behind":
                course = "on_track"
            first = plan0 + int(rng.integers(0, 75))
            span = max(due - first, 30)
            done_day: int | None = None
            stop_day = last
            if course == "on_time":
                done_day = first + int(span * rng.uniform(0.3, 0.97))
            elif course == "late":
                done_day = due + int(rng.integers(10, 200))
            elif course == "on_track":
                done_day = due - int(rng.integers(0, 20))
            elif course == "behind":
                done_day = due + int(rng.integers(60, 400))
            elif course == "stopped":
                stop_day = first + int(rng.integers(60, max(61, last - first - 60)))
            if course == "never" or first > last:
                continue
            pace = 0.35 if course == "behind" else 1.0
            written = names[owner][0] if rng.random() < 0.8 else str(rng.choice(names[owner]))
            for m in _month_days(first, min(last, stop_day)):
                rep = m + int(rng.integers(2, 25))
                if rep > last or rep > stop_day or rep < first:
                    continue
                done = done_day is not None and done_day <= rep
                frac = min(1.0, max(0.0, (rep - plan0) / max(due - plan0, 1)) * pace)
                qty = None
                if task.target_qty is not None and done:
                    qty = task.target_qty
                elif task.target_qty is not None:  # not done: short of the target
                    qty = max(
                        0.0, min(float(np.floor(task.target_qty * frac)), task.target_qty - 1)
                    )
                late = rng.random() < 0.1
                upd = rep + (int(rng.integers(10, 40)) if late else int(rng.integers(0, 3)))
                upd = min(upd, last)
                ts = upd * DAY + 8 * 3600 + int(rng.integers(0, 10 * 3600))
                row = {
                    "task_id": task.task_id,
                    "owner": written,
                    "reported_date": rep,
                    "done_qty": qty,
                    "is_done": done,
                    "completed_date": done_day if done else None,
                    "progress_note": "已完成" if done else str(rng.choice(NOTES)),
                    "_ts": ts,
                }
                rows.append(row)
                if rng.random() < 0.05 and upd < last:  # a re-reported (corrected) version
                    again = dict(row)
                    again["_ts"] = ts + int(rng.integers(1, min(5, last - upd) + 1)) * DAY
                    again["_ts"] = min(again["_ts"], cal.end_ts)
                    again["progress_note"] = "更正：" + (row["progress_note"] or "进展情况")
                    if qty is not None and not done and qty >= 1:
                        again["done_qty"] = qty - 1
                    rows.append(again)
                if done:
                    break
    if not rows:
        return _frame([])
    df = _frame(rows)
    log.info("tasks: %d rows", df.height)
    return df


def _frame(rows: list[dict]) -> pl.DataFrame:
    if not rows:
        schema = [
            "task_id", "owner", "reported_date", "done_qty", "is_done",
            "completed_date", "progress_note", "updated_at",
        ]  # fmt: skip
        return pl.DataFrame(
            {
                **{c: pl.Series([], dtype=pl.String) for c in schema},
                "_ts": pl.Series([], dtype=pl.Int64),
            }
        )
    rep = np.asarray([r["reported_date"] for r in rows], dtype=np.int64)
    comp = np.asarray([r["completed_date"] or 0 for r in rows], dtype=np.int64)
    has_comp = np.asarray([r["completed_date"] is not None for r in rows])
    ts = np.asarray([r["_ts"] for r in rows], dtype=np.int64)
    qty = [r["done_qty"] for r in rows]
    return pl.DataFrame(
        {
            "task_id": [r["task_id"] for r in rows],
            "owner": [r["owner"] for r in rows],
            "reported_date": fmt_date(rep),
            "done_qty": pl.Series([None if q is None else f"{q:g}" for q in qty], dtype=pl.String),
            "is_done": ["是" if r["is_done"] else "否" for r in rows],
            "completed_date": fmt_date(comp, has_comp),
            "progress_note": pl.Series([r["progress_note"] or None for r in rows], dtype=pl.String),
            "updated_at": fmt_ts(ts),
            "_ts": ts,
        }
    )
