"""Run history of `zhiben build`: one JSON line per run, beside the served file (survives swaps)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunRecord:
    run_id: str
    started_at: str
    raw_dir: str
    served: str
    status: str = "running"  # running / success / failed
    ended_at: str | None = None
    as_of_date: str | None = None
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    freshness: dict[str, str | None] = field(default_factory=dict)
    dbt: str | None = None
    stages: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def append(history_file: Path, record: RunRecord) -> None:
    history_file.parent.mkdir(parents=True, exist_ok=True)
    with history_file.open("a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")


def read(history_file: Path, last: int | None = None) -> list[dict[str, Any]]:
    if not history_file.exists():
        return []
    runs = []
    for line in history_file.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by a crash: skip it, keep the rest
            continue
    return runs[-last:] if last else runs
