"""What every Word 通报 shares: the template file, the drafted document as blocks, the chart
rendering and the writing of the blocks in the GB/T 9704 layout (`zhiben.report.gbt9704`).

Each document (quarterly `quarterly.py`, monthly `monthly_doc.py`, the three-year close-out
`closeout.py`) reads its figures from the served warehouse and drafts a `Draft` — pure, so tests
feed it other data — whose fixed words all come from `templates/` (quarterly.toml, monthly.toml,
closeout.toml; `load_template`); `write_docx`
turns any draft into the .docx. A chart block carries the app's plotly figure; kaleido renders it
and, when that fails, the document says so in its place.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from zhiben.report import cnfmt, gbt9704

TEMPLATES = Path(__file__).with_name("templates")
#: the documents whose templates sit beside quarterly.toml, read into its dict under their name
OTHER_DOCUMENTS = ("monthly", "closeout")


def load_template(name: str = "quarterly") -> dict[str, Any]:
    """The documents' templates (`templates/*.toml`): quarterly.toml's keys (the quarterly 晾晒通报's
    sections, and the 发文机关 / 主送 / 成文日期 every document shares) at the top level, the monthly
    通报's (monthly.toml) under "monthly", the close-out's (closeout.toml) under "closeout"."""
    with open(TEMPLATES / f"{name}.toml", "rb") as f:
        tpl = tomllib.load(f)
    if name == "quarterly":
        for other in OTHER_DOCUMENTS:
            tpl[other] = load_template(other)
    return tpl


@dataclass
class Draft:
    """The document as blocks: ('heading', level, number, text), ('body', text[, indent]),
    ('table', caption, headers, rows[, widths_mm]), ('chart', caption, figure, missing_note) —
    the note (with a {reason} placeholder) stands in for the figure when it cannot be rendered."""

    title: str
    doc_number: str
    issuer: str
    blocks: list[tuple] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(b[1] for b in self.blocks if b[0] == "body")

    def add(self, block: tuple) -> None:
        self.blocks.append(block)


def render_png(fig: go.Figure, attempts: int = 2) -> bytes:
    """The figure as PNG via kaleido (headless Chromium, the CJK font of the machine), offline:
    plotly.js from the plotly package and no MathJax (kaleido's default loads MathJax from a CDN,
    which plotly's own `to_image` cannot turn off). A failed attempt is retried once (a loaded
    machine can fail a first page render)."""
    import kaleido

    height = int(fig.layout.height or 500)
    for attempt in range(attempts):
        try:
            return kaleido.calc_fig_sync(
                fig.to_dict(),
                opts={"format": "png", "width": 1000, "height": height, "scale": 2},
                kopts={"mathjax": False},
            )
        except Exception:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def write_docx(
    d: Draft,
    out: str | Path,
    *,
    signature_date: str,
    render: Callable[[go.Figure], bytes] = render_png,
    today: date | None = None,
) -> Path:
    """Write the draft as a .docx in the official layout: masthead, title, the blocks, signature
    (`signature_date` a template with {today})."""
    out = Path(out)
    doc = gbt9704.document(d.title.replace("\n", ""), d.issuer)
    gbt9704.masthead(doc, d.issuer, d.doc_number)
    gbt9704.title(doc, d.title)
    for block in d.blocks:
        kind = block[0]
        if kind == "heading":
            gbt9704.heading(doc, *block[1:])
        elif kind == "body":
            gbt9704.body(doc, block[1], indent=block[2] if len(block) > 2 else True)
        elif kind == "table":
            gbt9704.caption(doc, block[1])
            gbt9704.table(doc, block[2], block[3], block[4] if len(block) > 4 else None)
        elif kind == "chart":
            _, caption, figure, missing = block
            try:
                png = render(figure)
            except Exception as exc:  # kaleido / Chromium missing or failing: say so, go on
                reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                gbt9704.body(doc, missing.format(reason=reason[:120]))
            else:
                gbt9704.picture(doc, png)
                gbt9704.caption(doc, caption)
        else:
            raise ValueError(f"unknown block {kind!r}")
    today = today or date.today()
    gbt9704.signature(doc, d.issuer, signature_date.format(today=cnfmt.cn_date(today)))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out
