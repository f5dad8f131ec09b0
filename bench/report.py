"""The benchmark's tables (markdown) and the goals of issue 8."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.agree import Agreement
from bench.pages import PageTiming
from bench.runs import Run

GiB = 1024**3


@dataclass
class ScaleResult:
    scale: str
    raw_rows: int
    files: int
    as_of: str
    builds: list[Run] = field(default_factory=list)
    floors: list[Run] = field(default_factory=list)
    pandas: list[Run] = field(default_factory=list)
    floor_agreement: list[Agreement] = field(default_factory=list)
    pandas_agreement: list[Agreement] = field(default_factory=list)
    pages: list[PageTiming] = field(default_factory=list)
    dbt: dict = field(default_factory=dict)  # bench.dbt_nodes.summarise of the last build

    @staticmethod
    def _med(runs: list[Run], attr: str = "wall") -> float | None:
        vals = [getattr(r, attr) for r in runs if r.ok]
        return statistics.median(vals) if vals else None

    @staticmethod
    def _stage(runs: list[Run], stage: str) -> float | None:
        vals = [r.stages[stage] for r in runs if r.ok and stage in r.stages]
        return statistics.median(vals) if vals else None

    @staticmethod
    def detail_median(runs: list[Run], key: str) -> float | None:
        vals = [float(r.detail[key]) for r in runs if r.ok and key in r.detail]
        return statistics.median(vals) if vals else None

    @property
    def build_s(self) -> float | None:
        return self._med(self.builds)

    @property
    def floor_s(self) -> float | None:
        return self._med(self.floors)

    @property
    def pandas_s(self) -> float | None:
        return self._med(self.pandas)

    def peak(self, runs: list[Run]) -> int | None:
        """The largest peak RSS (of a run stopped by the benchmark too: a lower bound then)."""
        vals = [r.peak_rss for r in runs]
        return max(vals) if vals else None

    @staticmethod
    def cell(runs: list[Run], median: float | None, digits: int = 1) -> str:
        if median is not None or not runs:
            return _s(median, digits)
        worst = max(runs, key=lambda r: r.wall)
        return f"> {worst.wall:.0f} ({worst.killed or 'failed'})"

    @property
    def build_over_floor(self) -> float | None:
        if self.build_s and self.floor_s:
            return self.build_s / self.floor_s
        return None

    @property
    def pandas_over_build(self) -> float | None:
        if self.build_s and self.pandas_s:
            return self.pandas_s / self.build_s
        return None

    @property
    def slowest_page(self) -> PageTiming | None:
        return max(self.pages, key=lambda p: p.median) if self.pages else None


def _s(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _gib(v: int | None) -> str:
    return "–" if v is None else f"{v / GiB:.2f}"


def _agree(ags: list[Agreement]) -> str:
    if not ags:
        return "–"
    bad = [a for a in ags if not a.ok]
    cols = sum(len(a.agree) for a in ags)
    return f"all {cols} cols" if not bad else "NO: " + "; ".join(a.output for a in bad)


def main_table(results: list[ScaleResult]) -> str:
    head = (
        "| scale | raw rows | build s | ingest s | dbt s | of which parse s | publish s "
        "| build peak RSS GiB "
        "| floor s | floor RSS GiB | pandas s | pandas RSS GiB | build ÷ floor | pandas ÷ build "
        "| slowest page s | floor = warehouse | pandas = warehouse |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
    )
    rows = [head]
    for r in results:
        page = r.slowest_page
        rows.append(
            f"| {r.scale} | {r.raw_rows:,} | {r.cell(r.builds, r.build_s)} | "
            f"{_s(r._stage(r.builds, 'ingest'))} | {_s(r._stage(r.builds, 'dbt'))} | "
            f"{_s(r.detail_median(r.builds, 'dbt_parse_s'))} | "
            f"{_s(r._stage(r.builds, 'publish'))} | {_gib(r.peak(r.builds))} | "
            f"{r.cell(r.floors, r.floor_s, 2)} | {_gib(r.peak(r.floors))} | "
            f"{r.cell(r.pandas, r.pandas_s)} | "
            f"{_gib(r.peak(r.pandas))} | {_s(r.build_over_floor)} | "
            f"{_s(r.pandas_over_build, 2)} | {_s(page.median if page else None, 3)} | "
            f"{_agree(r.floor_agreement)} | {_agree(r.pandas_agreement)} |"
        )
    return "\n".join(rows)


def ingest_table(results: list[ScaleResult]) -> str:
    """The loader's own split of the ingest stage (median over the builds)."""
    keys: list[str] = []
    for r in results:
        for b in r.builds:
            for k in b.detail.get("ingest", {}):
                if k not in keys:
                    keys.append(k)
    if not keys:
        return ""
    rows = ["| scale | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for r in results:
        vals = []
        for k in keys:
            xs = [b.detail["ingest"][k] for b in r.builds if k in b.detail.get("ingest", {})]
            vals.append(_s(statistics.median(xs), 2) if xs else "–")
        rows.append(f"| {r.scale} | " + " | ".join(vals) + " |")
    return "\n".join(rows)


def pages_table(results: list[ScaleResult]) -> str:
    pages: list[str] = []
    for r in results:
        for p in r.pages:
            if p.page not in pages:
                pages.append(p.page)
    if not pages:
        return ""
    scales = [r.scale for r in results]
    rows = [
        "| page | " + " | ".join(f"{s} s (slowest query)" for s in scales) + " |",
        "|---|" + "---|" * len(scales),
    ]
    for page in pages:
        cells = []
        for r in results:
            p = next((x for x in r.pages if x.page == page), None)
            cells.append(
                "–" if p is None else f"{p.median:.3f} ({p.slowest_call} {p.slowest_median:.3f})"
            )
        rows.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def goals(results: list[ScaleResult]) -> str:
    by = {r.scale: r for r in results}
    lines = []

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("HOLDS" if ok else "MISSED")

    def build_time(r: ScaleResult | None) -> tuple[float | None, str]:
        """The median build, else (all stopped) the longest stopped run as a lower bound."""
        if r is None or not r.builds:
            return None, ""
        if r.build_s is not None:
            return r.build_s, f" ({r.build_s:.1f} s)"
        worst = max(r.builds, key=lambda b: b.wall)
        return worst.wall, f" (> {worst.wall:.0f} s, {worst.killed or 'failed'})"

    def time_goal(r: ScaleResult | None, limit: float) -> str:
        t, text = build_time(r)
        if t is None:
            return verdict(None)
        done = r is not None and r.build_s is not None
        return verdict(t <= limit if done else (False if t > limit else None)) + text

    lines.append(f"- district full build ≤ 20 s: {time_goal(by.get('district'), 20)}")
    p = by.get("province")
    lines.append(f"- province full build ≤ 90 s: {time_goal(p, 90)}")
    peak = p.peak(p.builds) if p else None
    complete = bool(p and p.build_s is not None)
    rss_ok = (
        None
        if peak is None
        else (peak <= 6 * GiB if complete else (False if peak > 6 * GiB else None))
    )
    lines.append(
        f"- province peak RSS ≤ 6 GiB: {verdict(rss_ok)}"
        + (f" ({peak / GiB:.2f} GiB{'' if complete else ', at least'})" if peak else "")
    )
    for r in results:
        bf, pb = r.build_over_floor, r.pandas_over_build
        lines.append(
            f"- {r.scale}: build ÷ floor ≤ 2.0: {verdict(bf <= 2.0 if bf else None)}"
            + (f" ({bf:.1f})" if bf else "")
            + f"; pandas ÷ build ≥ 5: {verdict(pb >= 5 if pb else None)}"
            + (f" ({pb:.2f})" if pb else "")
        )
    page = p.slowest_page if p else None
    lines.append(
        f"- every page's queries ≤ 1 s at province scale: "
        f"{verdict(page.median <= 1.0 if page else None)}"
        + (f" (slowest {page.page} {page.median:.3f} s)" if page else "")
    )
    return "\n".join(lines)


def agreement_details(results: list[ScaleResult]) -> str:
    out = []
    for r in results:
        for who, ags in (("floor", r.floor_agreement), ("pandas", r.pandas_agreement)):
            for a in ags:
                out.append(f"- {r.scale} {who} {a.summary()}")
                if a.agree:
                    out.append(f"  - agree: {', '.join(a.agree)}")
                if a.not_computed:
                    out.append(f"  - not computed: {', '.join(a.not_computed)}")
    return "\n".join(out)
