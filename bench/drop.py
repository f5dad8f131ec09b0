"""The benchmark's raw drops: CLEAN (UTF-8 CSV only, so the floor can read every file with
read_csv), generated once per (scale, seed, as-of) under data/bench/<scale>/raw and reused."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.proc import run_measured

KEY_FILE = "_bench_key.json"
GENERATOR = Path(__file__).resolve().parents[1] / "src" / "zhiben" / "generate"


@dataclass(frozen=True)
class Drop:
    scale: str
    seed: int
    as_of: date
    raw: Path
    rows: dict[str, int]
    files: int
    generated_seconds: float | None  # None: reused from the cache

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generator_fingerprint() -> str:
    """The generator's code (src/zhiben/generate/*.py): a drop written by another version of it
    is not the same drop (e.g. the one that quoted every empty cell made every hazards line a
    quoted one, read 8× slower) and is generated again."""
    h = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _key(scale: str, seed: int, as_of: date) -> dict:
    return {
        "scale": scale,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "dirty": False,
        "generator": generator_fingerprint(),
    }


def _count_rows(raw: Path) -> tuple[dict[str, int], int]:
    rows: dict[str, int] = {}
    files = 0
    for csv in sorted(raw.glob("*/*.csv")):
        files += 1
        with csv.open("rb") as fh:
            n = sum(chunk.count(b"\n") for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""))
        rows[csv.parent.name] = rows.get(csv.parent.name, 0) + max(n - 1, 0)
    return rows, files


def ensure_drop(root: Path, scale: str, seed: int, as_of: date, say=print) -> Drop:
    """The cached drop of (scale, seed, as_of), generated (in a child process) when missing."""
    base = root / scale
    raw = base / "raw"
    key = _key(scale, seed, as_of)
    key_path = base / KEY_FILE
    if key_path.exists() and raw.exists():
        stored = json.loads(key_path.read_text())
        if stored.get("key") == key:
            return Drop(scale, seed, as_of, raw, stored["rows"], stored["files"], None)
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    say(f"  generating the {scale} drop (seed {seed}, as of {as_of}, clean) → {raw}")
    cmd = [
        str(Path(sys.executable).with_name("zhiben")),
        "generate",
        "--out",
        str(raw),
        "--scale",
        scale,
        "--seed",
        str(seed),
        "--as-of",
        as_of.isoformat(),
    ]
    m = run_measured(cmd, stdout=subprocess.DEVNULL)
    if m.returncode != 0:
        raise RuntimeError(f"zhiben generate failed ({m.returncode}): {m.output[-2000:]}")
    rows, files = _count_rows(raw)
    key_path.write_text(
        json.dumps({"key": key, "rows": rows, "files": files, "seconds": m.wall}, indent=1)
    )
    return Drop(scale, seed, as_of, raw, rows, files, m.wall)
