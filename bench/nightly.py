"""python -m bench.nightly --scale district [--scale city …]

The nightly scenario (issue 13): years of history are built once (a full build, empty lake), then
one new day of files arrives and one month is re-exported, and the warehouse is built again — the
second build reuses the lake entries of every unchanged file. Both builds run as measured child
processes (`zhiben build`, wall time and peak RSS of the process tree, as `python -m bench`).

The drop is the benchmark's cached clean drop (bench.drop). History: the drop with, for every
extract but enterprises, the last DAY_FRACTION of its newest file's rows held back; the day: those
rows as new files `<extract>/<newest stem>_day.csv`; the re-exported month: an older hazards
file written again with its last row gone and its first row repeated.

Then, in the same run, the pandas pipeline (bench.pandas_pipeline) over the whole drop as it stands
after the night: an analyst's script cannot be incremental, so the nightly is set against it
(issue 13: nightly ÷ pandas ≤ 0.25). `--skip-pandas` leaves it out."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from bench import runs
from bench.drop import ensure_drop
from bench.runs import REPO, build, pandas

DAY_FRACTION = 1 / 30
SCALES = ("tiny", "district", "city", "province")


def _lines(path: Path) -> tuple[str, list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[0], lines[1:]


def _write(path: Path, header: str, rows: list[str]) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def prepare(drop: Path, work: Path) -> tuple[Path, dict[Path, tuple[str, list[str]]], Path]:
    """The history drop under `work/raw` (a copy of `drop` without the day's rows); returns it,
    the day's files (path → header, rows) and the month to re-export."""
    raw = work / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    shutil.copytree(drop, raw, ignore=shutil.ignore_patterns("_*"))
    day: dict[Path, tuple[str, list[str]]] = {}
    for folder in sorted(p for p in raw.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.csv"))
        if folder.name == "enterprises" or not files:
            continue
        newest = files[-1]
        header, rows = _lines(newest)
        k = max(1, int(len(rows) * DAY_FRACTION))
        if len(rows) <= k:
            continue
        _write(newest, header, rows[:-k])
        day[newest.with_name(f"{newest.stem}_day.csv")] = (header, rows[-k:])
    months = sorted((raw / "hazards").glob("*.csv"))
    month = months[max(0, len(months) - 13)]  # a year back
    return raw, day, month


def arrive(day: dict[Path, tuple[str, list[str]]], month: Path) -> None:
    for path, (header, rows) in day.items():
        _write(path, header, rows)
    header, rows = _lines(month)
    _write(month, header, [*rows[:-1], rows[0]])


def _lake(warehouse: Path) -> dict:
    history = warehouse.parent / ".zhiben-build" / f"{warehouse.name}.runs.jsonl"
    last = [json.loads(x) for x in history.read_text().splitlines() if x.strip()][-1]
    return last.get("lake", {}) | {"stages": last.get("stages", {})}


def run_scale(
    data: Path, scale: str, seed: int, as_of: date, timeout: float | None, with_pandas: bool = True
) -> dict:
    drop = ensure_drop(data, scale, seed, as_of, say=print)
    work = data / scale / "nightly"
    warehouse = work / "warehouse" / "warehouse.duckdb"
    if warehouse.parent.exists():
        shutil.rmtree(warehouse.parent)  # an empty lake: the first build is a full one
    warehouse.parent.mkdir(parents=True)
    raw, day, month = prepare(drop.raw, work)
    full = build(raw, warehouse, as_of, timeout=timeout)
    full_lake = _lake(warehouse)
    arrive(day, month)
    if full.ok:
        nightly = build(raw, warehouse, as_of, timeout=timeout)
        nightly_lake = _lake(warehouse)
    else:  # no history to build on
        nightly, nightly_lake = runs.Run("build", 0.0, 0, False, output_tail="not run"), {}
    analyst = pandas(raw, as_of, work / "pandas", timeout=timeout) if with_pandas else None
    out = {
        "scale": scale,
        "rows": drop.total_rows,
        "files": full_lake.get("files"),
        "day_rows": sum(len(r) for _h, r in day.values()),
        "full": {
            "wall": full.wall,
            "peak_rss": full.peak_rss,
            "ok": full.ok,
            "ingest": full.detail.get("ingest", {}),
            **full_lake,
        },
        "nightly": {
            "wall": nightly.wall,
            "peak_rss": nightly.peak_rss,
            "ok": nightly.ok,
            "ingest": nightly.detail.get("ingest", {}),
            **nightly_lake,
        },
        "pandas": None
        if analyst is None
        else {"wall": analyst.wall, "peak_rss": analyst.peak_rss, "ok": analyst.ok},
    }
    for b in (full, nightly, analyst):
        if b is not None and not b.ok:
            print(b.output_tail)
    return out


def table(results: list[dict]) -> str:
    head = (
        "| scale | raw rows | files | full build s (ingest / dbt / publish) | full peak RSS GiB "
        "| nightly: files re-read / reused (rows read) | nightly build s (ingest / dbt / publish) "
        "| nightly peak RSS GiB | nightly ÷ full | pandas s (peak GiB) | nightly ÷ pandas |"
        "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in results:
        f, n = r["full"], r["nightly"]

        def stages(x: dict) -> str:
            s = x.get("stages", {})
            return " / ".join(f"{s.get(k, 0):.1f}" for k in ("ingest", "dbt", "publish"))

        pd = r.get("pandas") or {}
        if pd.get("ok"):
            vs_pandas = (
                f"{pd['wall']:.1f} ({pd['peak_rss'] / 2**30:.2f}) | {n['wall'] / pd['wall']:.2f}"
            )
        else:
            vs_pandas = "– | –" if not pd else "failed | –"
        lines.append(
            f"| {r['scale']} | {r['rows']:,} | {r['files']} | **{f['wall']:.1f}** ({stages(f)}) "
            f"| {f['peak_rss'] / 2**30:.2f} | {n.get('files_read')} / {n.get('files_reused')} "
            f"({n.get('rows_read', 0):,}) | **{n['wall']:.1f}** ({stages(n)}) "
            f"| {n['peak_rss'] / 2**30:.2f} | {n['wall'] / f['wall']:.2f} | {vs_pandas} |"
        )
    keys = (
        "check",
        "read",
        "read_normalise",
        "read_wait",
        "normalise",
        "gx_setup",
        "gx",
        "validate_wide",
        "land",
        "total",
    )
    lines += [
        "",
        "The loader's split (s; `gx_setup` / `gx:<first extract>`: waiting for the GX import; "
        "read and read_normalise of new files run in the read-ahead thread, `read_wait`: the "
        "loader waiting for it; normalise: the loader's own (row context, the lake scan)):",
        "",
        "| scale | build | " + " | ".join(keys) + " |",
        "|---|---|" + "---:|" * len(keys),
    ]
    for r in results:
        for which in ("full", "nightly"):
            split = r[which].get("ingest", {})
            lines.append(
                f"| {r['scale']} | {which} | "
                + " | ".join(f"{split[k]:.2f}" if k in split else "–" for k in keys)
                + " |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.nightly", description=__doc__)
    ap.add_argument("--scale", action="append", choices=SCALES, help="repeatable")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 28))
    ap.add_argument("--data", type=Path, default=REPO / "data" / "bench")
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--skip-pandas", action="store_true", help="do not run the pandas pipeline")
    ap.add_argument(
        "--max-rss-gib",
        type=float,
        default=None,
        help="kill a build whose process tree exceeds this (a guard for the machine's other users)",
    )
    args = ap.parse_args(argv)
    if args.max_rss_gib:
        runs.MAX_RSS = int(args.max_rss_gib * 1024**3)
    t0 = time.perf_counter()
    results = [
        run_scale(args.data.resolve(), s, args.seed, args.as_of, args.timeout, not args.skip_pandas)
        for s in args.scale or ["district"]
    ]
    text = table(results)
    print("\n" + text)
    out = args.data.resolve() / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    cmd = "python -m bench.nightly " + " ".join(sys.argv[1:] if argv is None else argv)
    (out / f"nightly-{stamp}.md").write_text(
        f"`{cmd}` ({time.perf_counter() - t0:.0f} s)\n\n{text}\n", encoding="utf-8"
    )
    (out / f"nightly-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    return 0 if all(r["full"]["ok"] and r["nightly"]["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
