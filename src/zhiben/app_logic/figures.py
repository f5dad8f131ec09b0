"""Plotly figure builders and the small computations behind them (KPIs with year-on-year change,
weighted score breakdowns, accident breakdowns). Pure functions of polars frames: tests call them
without Streamlit."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from zhiben.app_logic.labels import (
    ESCALATION_COLOR,
    INDICATORS,
    label,
    rank_arrow,
)

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
PALETTE = [
    "#1565c0",
    "#ef6c00",
    "#2e7d32",
    "#6a1b9a",
    "#c62828",
    "#00838f",
    "#8d6e63",
    "#546e7a",
    "#f9a825",
    "#ad1457",
]


def _layout(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "yref": "container",
        }
        if title
        else None,
        height=height,
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 80 if title else 40, "b": 10},
        # a horizontal legend between the title and the plot (below, it collides with rotated
        # category labels)
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        colorway=PALETTE,
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#eeeeee")
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def warm_up() -> None:
    """Build and serialise one figure of each trace type the app uses. Plotly loads its validators
    lazily, on the first figure of a type (seconds on a busy machine): the app calls this once per
    server process, so no leader's page view pays for it."""
    df = pl.DataFrame({"a": ["x", "y"], "b": ["u", "v"], "n": [1, 2]})
    for fig in (
        heatmap(df, "n", x="a", y="b"),
        lines(df, "a", ["n"]),
        bars(df, "a", ["n"], horizontal=True),
        donut(df, "a", "n"),
    ):
        fig.to_json()


# ------------------------------------------------------------------ KPIs


@dataclass(frozen=True)
class Kpi:
    label: str
    value: float | int | None
    previous: float | int | None
    #: True when a fall is good (accidents, overdue hazards) — the arrow's colour is inverted
    lower_is_better: bool = False
    fmt: str = "{:,.0f}"

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def delta_pct(self) -> float | None:
        if self.delta is None or not self.previous:
            return None
        return self.delta / self.previous

    def delta_text(self) -> str | None:
        """e.g. `+12 (+8.5%) 同比` — None when there is nothing to compare."""
        if self.delta is None:
            return None
        pct = f" ({self.delta_pct:+.1%})" if self.delta_pct is not None else ""
        return f"{self.fmt.format(self.delta) if self.delta < 0 else '+' + self.fmt.format(self.delta)}{pct} 同比"

    def value_text(self) -> str:
        return "—" if self.value is None else self.fmt.format(self.value)


# ------------------------------------------------------------------ generic charts


def heatmap(
    df: pl.DataFrame,
    metric: str,
    *,
    x: str = "industry_name",
    y: str = "unit_name",
    title: str | None = None,
) -> go.Figure:
    """unit × industry heatmap of one metric (sums over whatever periods `df` holds)."""
    grid = df.group_by(y, x).agg(pl.col(metric).sum())
    ys = df.select(y).unique(maintain_order=True).to_series().to_list()
    xs = df.select(x).unique(maintain_order=True).to_series().to_list()
    lookup = {(r[y], r[x]): r[metric] for r in grid.iter_rows(named=True)}
    z = [[lookup.get((yy, xx)) for xx in xs] for yy in ys]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=ys,
            colorscale="Reds",
            hoverongaps=False,
            hovertemplate="%{y} · %{x}<br>" + label(metric) + ": %{z:,}<extra></extra>",
            texttemplate="%{z:,}",
            textfont={"size": 10},
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(380, 34 * len(ys) + 120))


def lines(
    df: pl.DataFrame,
    x: str,
    ys: list[str],
    *,
    color: str | None = None,
    title: str | None = None,
    percent: bool = False,
) -> go.Figure:
    """One line per column of `ys` (or per value of `color` for a single y)."""
    fig = go.Figure()
    if color:
        for key, part in df.sort(x).group_by(color, maintain_order=True):
            fig.add_trace(
                go.Scatter(x=part[x], y=part[ys[0]], mode="lines+markers", name=str(key[0]))
            )
    else:
        for y in ys:
            fig.add_trace(go.Scatter(x=df[x], y=df[y], mode="lines+markers", name=label(y)))
    if percent:
        fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(type="category")
    fig = _layout(fig, title)
    if color:  # many series: a vertical legend on the right
        fig.update_layout(legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"})
    return fig


def bars(
    df: pl.DataFrame,
    x: str,
    ys: list[str],
    *,
    title: str | None = None,
    horizontal: bool = False,
    stacked: bool = False,
    percent: bool = False,
    colors: list[str] | None = None,
) -> go.Figure:
    fig = go.Figure()
    for i, y in enumerate(ys):
        kw = {"marker_color": colors[i]} if colors else {}
        if horizontal:
            fig.add_trace(go.Bar(y=df[x], x=df[y], name=label(y), orientation="h", **kw))
        else:
            fig.add_trace(go.Bar(x=df[x], y=df[y], name=label(y), **kw))
    fig.update_layout(barmode="stack" if stacked else "group", showlegend=len(ys) > 1)
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    if percent:
        axis(tickformat=".0%")
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
    else:
        fig.update_xaxes(type="category")
    return _layout(fig, title, height=max(380, 28 * df.height + 120) if horizontal else 380)


def donut(df: pl.DataFrame, names: str, values: str, *, title: str | None = None) -> go.Figure:
    fig = go.Figure(go.Pie(labels=df[names], values=df[values], hole=0.45, sort=False))
    return _layout(fig, title, height=340)


# ------------------------------------------------------------------ evaluation


def weighted_breakdown(
    evaluation: pl.DataFrame, weights: dict[str, float], name_col: str = "unit_name"
) -> pl.DataFrame:
    """Per ranked row: each indicator's contribution to the total (weight × score / 100), the
    deductions, the total, the rank and its change arrow — in rank order."""
    keys = [k for k in INDICATORS if f"{k}_score" in evaluation.columns and k in weights]
    exprs = [
        (pl.col(f"{k}_score").fill_null(0) * weights[k] / 100).alias(f"{k}_weighted") for k in keys
    ]
    out = evaluation.sort("rank").with_columns(exprs)
    if "rank_change" in out.columns:
        out = out.with_columns(
            pl.col("rank_change")
            .map_elements(rank_arrow, return_dtype=pl.String)
            .alias("rank_arrow")
        )
    else:
        out = out.with_columns(pl.lit("—").alias("rank_arrow"))
    keep = ["rank", "rank_arrow", name_col] + [
        c
        for c in (
            "unit_code",
            "department_code",
            "total_score",
            "deductions",
            "veto",
            "prev_rank",
            "rank_change",
        )
        if c in out.columns and c != name_col
    ]
    return out.select(
        *keep,
        *[f"{k}_weighted" for k in keys],
        *[f"{k}_score" for k in keys],
        *[f"{k}_value" for k in keys if f"{k}_value" in out.columns],
    )


def score_stack(
    breakdown: pl.DataFrame, name_col: str = "unit_name", title: str | None = None
) -> go.Figure:
    """Horizontal stacked bars: the weighted score of each indicator per unit, in rank order."""
    fig = go.Figure()
    names = [
        f"{r['rank']}. {r[name_col]} {r['rank_arrow']}"
        + (f" · {r['total_score']:.1f}" if r.get("total_score") is not None else "")
        for r in breakdown.iter_rows(named=True)
    ]
    for i, k in enumerate(k for k in INDICATORS if f"{k}_weighted" in breakdown.columns):
        fig.add_trace(
            go.Bar(
                y=names,
                x=breakdown[f"{k}_weighted"],
                orientation="h",
                name=f"{k.upper()} {INDICATORS[k]}",
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="%{y}<br>" + INDICATORS[k] + ": %{x:.1f}<extra></extra>",
            )
        )
    if "deductions" in breakdown.columns:
        fig.add_trace(
            go.Bar(
                y=names,
                x=breakdown["deductions"].fill_null(0),
                orientation="h",
                name="扣分",
                marker_color="#9e9e9e",
            )
        )
    if "total_score" in breakdown.columns:
        fig.add_trace(
            go.Scatter(
                y=names,
                x=breakdown["total_score"],
                mode="markers",
                name="总分",
                marker={"color": "black", "symbol": "diamond", "size": 9},
                hovertemplate="%{y}<br>总分: %{x:.1f}<extra></extra>",
            )
        )
    fig.update_layout(barmode="relative")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(
        title="加权得分",
        range=[min(0, float(breakdown["deductions"].fill_null(0).min() or 0)) - 2, 110]
        if "deductions" in breakdown.columns
        else None,
    )
    fig = _layout(fig, title, height=max(460, 36 * breakdown.height + 200))
    # nine legend entries wrap to several rows: below the plot (horizontal bars, no tick clash)
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"t": 50 if title else 20, "b": 20},
    )
    return fig


# ------------------------------------------------------------------ targets and ledger


def escalation_counts(ledger: pl.DataFrame) -> pl.DataFrame:
    order = list(ESCALATION_COLOR)
    counts = ledger.group_by("escalation").len("count")
    return (
        pl.DataFrame({"escalation": order})
        .join(counts, on="escalation", how="left")
        .with_columns(pl.col("count").fill_null(0))
    )


def escalation_bar(ledger: pl.DataFrame, title: str | None = None) -> go.Figure:
    df = escalation_counts(ledger).filter(pl.col("escalation") != "无")
    fig = go.Figure(
        go.Bar(
            x=df["escalation"],
            y=df["count"],
            text=df["count"],
            textposition="auto",
            marker_color=["#ffb300", "#fb8c00", "#f4511e", "#c62828"][: df.height],
        )
    )
    return _layout(fig, title, height=300)


def monthly_trend(trend: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """The 月调度 trend (`zhiben.monthly.region_trend`): hazards found and rectified as bars, the
    重大隐患 open overdue at month end and the accidents as lines on a second axis."""
    fig = go.Figure()
    for y, color in (("hazards_found", "#90caf9"), ("hazards_rectified", "#2e7d32")):
        fig.add_trace(go.Bar(x=trend["month"], y=trend[y], name=label(y), marker_color=color))
    for y, color in (("major_overdue_at_month_end", "#c62828"), ("accidents", "#ef6c00")):
        fig.add_trace(
            go.Scatter(
                x=trend["month"],
                y=trend[y],
                name=label(y),
                mode="lines+markers",
                yaxis="y2",
                line={"color": color},
            )
        )
    fig.update_layout(
        barmode="group",
        yaxis={"title": "隐患(条)"},
        yaxis2={
            "title": "重大隐患逾期 / 事故",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": ",d",
        },
    )
    fig.update_xaxes(type="category")
    return _layout(fig, title)
