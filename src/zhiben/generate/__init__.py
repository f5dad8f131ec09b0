"""``zhiben generate``: a synthetic raw drop of the demo region (SPEC §3), deterministic for
(seed, as_of, scale).

    from zhiben.generate import generate
    summary = generate(Path("data/raw"), scale="district", seed=42, dirty=True)

Layout written: ``<out>/<extract>/<extract>_<YYYY-MM>.csv`` for the extracts of the contract and every month
2023-01 … the as-of month (header only when a month has no rows), UTF-8, Chinese headers in
contract order. A month file holds the record versions whose 更新时间 falls in that month; the
ledgers (enterprises, hazards) and accidents carry later versions of a record in later files.

Scales: ``tiny`` ≈ 100 enterprises (tests), ``district`` ≈ 2,000 (≈ 0.18 M rows), ``city`` ×10,
``province`` ×100 (≈ 18 M rows; generated in chunks of 25,000 enterprises, streamed to disk).

``dirty=True`` plants every bad-input class of SPEC §3 and lists the planted rows in
``<out>/_planted.json``::

    {"quarantine": [{"extract", "file", "line", "column", "reason_code"}, …],
     "folded": [{"extract", "file", "line"[, "note"]}, …],
     "loadable_variants": [{"extract", "file", "kind"[, "line", "column", "value", …]}, …]}

``file`` is relative to ``out`` ('/'-separated); ``line`` is the physical line (header = 1; XLSX:
the sheet row); ``column`` the contract's English name; ``reason_code`` a key of
``zhiben.contract.REASONS``. Each quarantine row is a copy of a valid row with exactly one defect.
``folded`` rows are exact copies (after normalisation) of a row read before them. Variant kinds:
``xlsx``, ``encoding`` (gb18030 / utf-8-sig), ``town_alias``, ``date_slash``, ``date_chinese``,
``datetime_slash``, ``fullwidth``, ``blanks``, ``equal_updated_at`` (same key and 更新时间,
different content, right after the original: the last read wins).

``broken_file=True`` adds ``hazards/hazards_broken.csv`` without the required 隐患编号 column.

Progress goes to the ``zhiben.generate`` logger (and to ``progress`` when given).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from zhiben.contract import LOAD_ORDER
from zhiben.generate import prevention
from zhiben.generate.accidents import generate_accidents
from zhiben.generate.common import S_DIRTY, SCALES, Calendar, Sequencer, rng_for
from zhiben.generate.drills import generate_drills
from zhiben.generate.enforcement import generate_inspections, generate_penalties
from zhiben.generate.hazards import generate_hazards
from zhiben.generate.reports import generate_reports
from zhiben.generate.seeds import load_seeds
from zhiben.generate.tasks import generate_tasks
from zhiben.generate.training import generate_training
from zhiben.generate.world import World, build_world
from zhiben.generate.writer import WriteLog, monthly_files, write_file

log = logging.getLogger("zhiben.generate")

#: enterprises per generation chunk (memory stays flat at large scales)
CHUNK = 25_000

__all__ = ["generate", "GenerateSummary", "SCALES"]


@dataclass
class GenerateSummary:
    out: Path
    scale: str
    seed: int
    as_of: date
    dirty: bool
    broken_file: bool
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    planted: Path | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def __str__(self) -> str:
        lines = [
            f"raw drop {self.out} (scale {self.scale}, seed {self.seed}, as of {self.as_of}"
            + (", dirty" if self.dirty else "")
            + (", broken file" if self.broken_file else "")
            + f"): {len(self.files)} files, {self.total_rows:,} rows in {self.seconds:.1f} s"
        ]
        lines += [f"  {k:<12} {v:>12,}" for k, v in self.rows.items()]
        if self.planted:
            lines.append(f"  planted bad input: {self.planted}")
        return "\n".join(lines)


def _chunks(world: World) -> list[World]:
    k = -(-world.n // CHUNK)
    if k <= 1:
        return [world]
    bounds = np.linspace(0, world.n, k + 1).astype(np.int64)
    return [world.subset(np.arange(bounds[c], bounds[c + 1]), c, k) for c in range(k)]


def generate(
    out: Path,
    scale: str = "district",
    seed: int = 42,
    dirty: bool = False,
    broken_file: bool = False,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
    shape: str | None = None,
) -> GenerateSummary:
    """Write a raw drop under ``out`` (existing extract folders are replaced). `shape`: the
    files of the extracts that source system maps are written in its own shape
    (``sources/<shape>.yml``, zhiben.generate.shape)."""
    if shape is not None and (dirty or broken_file):
        raise ValueError("--shape writes a clean drop: not with --dirty / --broken-file")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    as_of = as_of or date.today()
    cal = Calendar(as_of)
    if as_of < cal.start:
        raise ValueError(f"as_of {as_of} is before the data start {cal.start}")
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in LOAD_ORDER:
        if (out / name).exists():
            shutil.rmtree(out / name)
    (out / "_planted.json").unlink(missing_ok=True)

    def say(msg: str) -> None:
        log.info(msg)
        if progress:
            progress(msg)

    seeds = load_seeds()
    world = build_world(seeds, cal, scale, seed)
    wlog = WriteLog()
    injector = None
    if dirty:
        from zhiben.generate.dirty import Injector

        injector = Injector(rng_for(seed, S_DIRTY), world)

    encodings: dict[str, str] = {}

    def emit(extract: str, df, first: bool = True) -> None:
        files = monthly_files(extract, df, cal.months)
        if not first:  # a later chunk: append to the month files of the first
            for f in files:
                if f.df.height:
                    f.encoding = encodings.get(f.rel, "utf-8")
                    wlog.add(f, write_file(out, f, append=True))
            return
        if injector is not None:
            files = injector.apply(extract, files)
        for f in files:
            encodings[f.rel] = f.encoding
            wlog.add(f, write_file(out, f))

    def done(extract: str) -> None:
        say(f"{extract}: {wlog.rows.get(extract, 0):,} rows")

    # phase 2 (issue 16): the optional columns and the two prevention extracts, from streams
    # of their own (the phase-1 values stay as they were)
    attrs = prevention.attributes(world, seed)
    emit("enterprises", prevention.enterprise_versions(world, attrs))
    done("enterprises")
    chunks = _chunks(world)
    seqs = {k: Sequencer() for k in ("hazards", "inspections", "penalties", "training", "drills")}
    for c, part in enumerate(chunks):
        hz = prevention.add_supervision(generate_hazards(part, seed, seqs["hazards"]), part, seed)
        emit("hazards", hz, first=c == 0)
        del hz
    done("hazards")
    emit("accidents", generate_accidents(world, seed))
    done("accidents")
    for c, part in enumerate(chunks):
        insp, ctx = generate_inspections(part, seed, seqs["inspections"])
        emit("inspections", insp, first=c == 0)
        del insp
        emit("penalties", generate_penalties(part, seed, ctx, seqs["penalties"]), first=c == 0)
        del ctx
    done("inspections")
    done("penalties")
    for c, part in enumerate(chunks):
        emit("training", generate_training(part, seed, seqs["training"]), first=c == 0)
    done("training")
    for c, part in enumerate(chunks):
        emit("drills", generate_drills(part, seed, seqs["drills"]), first=c == 0)
    done("drills")
    emit("reports", generate_reports(world, seed))
    done("reports")
    emit("monitoring", prevention.generate_monitoring(world, seed, attrs))
    done("monitoring")
    seqs["self_inspections"] = Sequencer()
    for c, part in enumerate(chunks):
        si = prevention.generate_self_inspections(part, seed, seqs["self_inspections"])
        emit("self_inspections", si, first=c == 0)
        del si
    done("self_inspections")
    emit("tasks", generate_tasks(world, seed))
    done("tasks")

    if shape is not None:
        from zhiben.generate.shape import reshape

        written = reshape(out, shape)
        shaped = {f.split("/")[0] for f in written}
        wlog.files = [f for f in wlog.files if f.split("/")[0] not in shaped] + written
        say(f"{shape}: {len(written)} files in the system's own shape")
    summary = GenerateSummary(out, scale, seed, as_of, dirty, broken_file, wlog.files, wlog.rows)
    if broken_file:
        from zhiben.generate.dirty import write_broken_file

        rel = write_broken_file(out, world)
        summary.files.append(rel)
        say(f"broken file: {rel}")
    if injector is not None:
        path = out / "_planted.json"
        path.write_text(
            json.dumps(injector.manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        summary.planted = path
    summary.seconds = time.perf_counter() - t0
    say(str(summary))
    return summary
