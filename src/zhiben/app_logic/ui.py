"""Streamlit glue shared by the pages (the only app_logic module that imports Streamlit):
cached queries keyed on the served file's identity, the sidebar filters kept in session_state,
the page header with the as-of date and build time, and tables with an xlsx download."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from zhiben import auth, periods
from zhiben.app_logic import connection, queries
from zhiben.app_logic.export import to_xlsx_bytes
from zhiben.app_logic.labels import label, yes_no
from zhiben.warehouse import BuildInfo

#: session_state keys of the sidebar filters (kept across pages)
QUARTER_KEY = "flt_quarter"
UNIT_KEY = "flt_unit"
INDUSTRY_KEY = "flt_industry"
ALL = "全部"
#: the quarter the sidebar last chose by itself (a page default, not the user's choice)
QUARTER_AUTO_KEY = "_flt_quarter_auto"
#: pages (url path) whose quarter defaults to the last full quarter (SPEC §10.4: the ranking);
#: every other page starts on the current quarter of D
LAST_FULL_QUARTER_PAGES = frozenset({"evaluation"})
#: session_state key of the account the login gate let in (set by the main script)
ACCOUNT_KEY = "_account"
#: query results live at most this long; a swapped-in warehouse file changes the key at once
TTL_SECONDS = 600
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=500)
def _cached(fn_name: str, fingerprint: connection.Fingerprint, kwargs: tuple) -> Any:
    return getattr(queries, fn_name)(fingerprint[0], **dict(kwargs))


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Once per server process: load plotly's lazily built parts before a leader needs them."""
    from zhiben.app_logic.figures import warm_up as warm_figures

    warm_figures()
    return True


def fingerprint() -> connection.Fingerprint:
    """The served file's identity, or a Chinese error and stop when there is no warehouse yet."""
    fp = connection.fingerprint()
    if fp is None:
        st.error(f"找不到数据仓库文件: {connection.warehouse_path()}。请先运行 `zhiben build`。")
        st.stop()
    return fp


def q(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a declared `queries` function on the served file, cached (ttl + the file's
    identity). A `@records` query always gets the units whose records the logged-in account may
    see (`zhiben.auth.detail_units`): its SQL reads only those units' rows."""
    if connection.access_of(fn) == connection.RECORDS:
        units = auth.detail_units(account())
        kwargs["units"] = None if units is None else tuple(units)
    return _cached(fn.__name__, fingerprint(), tuple(sorted(kwargs.items())))


def account() -> auth.Account:
    """The account the main script let in (the local 领导 when no login is required)."""
    acc = st.session_state.get(ACCOUNT_KEY)
    return acc if isinstance(acc, auth.Account) else auth.LOCAL_ACCOUNT


def tables() -> set[str]:
    return q(queries.available_tables)


def require(*names: str) -> bool:
    """True when the served warehouse has every table; otherwise a Chinese notice and False."""
    missing = [n for n in names if n not in tables()]
    if missing:
        st.info(
            f"数据表 {'、'.join(missing)} 尚未生成(本次构建中没有该数据),本部分暂不显示。"
            "请在下一次 `zhiben build` 完成后刷新。"
        )
        return False
    return True


# ------------------------------------------------------------------ filters


@dataclass(frozen=True)
class Filters:
    quarter: str | None
    unit_code: str | None
    industry_code: str | None
    unit_names: Mapping[str, str]
    industry_names: Mapping[str, str]
    as_of: date | None = None

    @property
    def quarter_title(self) -> str:
        """The quarter as it reads in titles (SPEC §10.4): '2026Q4（暂定，截至12月4日）' while it
        runs (`periods.quarter_title`)."""
        if not self.quarter or self.as_of is None:
            return self.quarter or ""
        return periods.quarter_title(self.quarter, self.as_of)

    @property
    def year(self) -> int | None:
        return periods.year_of(self.quarter) if self.quarter else None

    @property
    def unit_name(self) -> str | None:
        return self.unit_names.get(self.unit_code) if self.unit_code else None

    @property
    def industry_name(self) -> str | None:
        return self.industry_names.get(self.industry_code) if self.industry_code else None

    def describe(self) -> dict[str, str]:
        return {
            "季度": self.quarter or ALL,
            "镇街": self.unit_name or ALL,
            "行业": self.industry_name or ALL,
        }


def _options(df: pl.DataFrame, code: str, name: str) -> dict[str, str]:
    return {r[code]: r[name] for r in df.iter_rows(named=True)}


def default_quarter(page: str, as_of: date) -> str:
    """The quarter a page starts on (SPEC §10.4): the ranking the last full quarter, the others
    the current one (provisional until it ends)."""
    if page in LAST_FULL_QUARTER_PAGES:
        return periods.last_full_quarter(as_of)
    return periods.quarter_of(as_of)


def _quarter_chosen() -> None:
    """The user picked a quarter: it stays on every page (no page default overrides it)."""
    st.session_state[QUARTER_AUTO_KEY] = None


def sidebar_filters(page: str = "") -> Filters:
    """Quarter / unit / industry selectors in the sidebar. Their keys live in session_state, and
    the main script renders them on every page, so a choice persists across pages. Until the user
    picks a quarter, each page starts on its own default (`default_quarter`)."""
    have = tables()
    unit_names = _options(q(queries.units), "unit_code", "unit_name") if "dim_unit" in have else {}
    industry_names = (
        _options(q(queries.industries), "industry_code", "industry_name")
        if "dim_industry" in have
        else {}
    )
    quarter_list = q(queries.quarters)
    info = build_info()
    if quarter_list:
        default = default_quarter(page, info.as_of_date)
        chosen = st.session_state.get(QUARTER_KEY)
        if chosen not in quarter_list or chosen == st.session_state.get(QUARTER_AUTO_KEY):
            chosen = default if default in quarter_list else quarter_list[0]
            st.session_state[QUARTER_KEY] = st.session_state[QUARTER_AUTO_KEY] = chosen
    acc = account()
    if UNIT_KEY not in st.session_state and acc.unit_code in unit_names:
        st.session_state[UNIT_KEY] = acc.unit_code  # a 镇街 account starts on its own unit
    for key, options in ((UNIT_KEY, unit_names), (INDUSTRY_KEY, industry_names)):
        if st.session_state.get(key) not in (ALL, *options):
            st.session_state[key] = ALL
    with st.sidebar:
        st.markdown("### 筛选")
        quarter = (
            st.selectbox(
                "季度",
                quarter_list,
                key=QUARTER_KEY,
                format_func=lambda q: periods.quarter_title(q, info.as_of_date),
                on_change=_quarter_chosen,
            )
            if quarter_list
            else None
        )
        unit = st.selectbox(
            "镇街(功能区)",
            [ALL, *unit_names],
            key=UNIT_KEY,
            format_func=lambda c: c if c == ALL else f"{unit_names[c]}",
        )
        industry = st.selectbox(
            "行业领域",
            [ALL, *industry_names],
            key=INDUSTRY_KEY,
            format_func=lambda c: c if c == ALL else industry_names[c],
        )
        st.caption(as_of_text(info))
    return Filters(
        quarter=quarter,
        unit_code=None if unit == ALL else unit,
        industry_code=None if industry == ALL else industry,
        unit_names=unit_names,
        industry_names=industry_names,
        as_of=info.as_of_date,
    )


def current_filters() -> Filters:
    """The filters the main script put in session_state (pages call this)."""
    return st.session_state["_filters"]


def set_unit(unit_code: str | None) -> None:
    """Drill down to a unit (use in a widget callback: it changes the sidebar filter)."""
    st.session_state[UNIT_KEY] = unit_code or ALL


# ------------------------------------------------------------------ header


def build_info() -> BuildInfo:
    return q(queries.build_info)


def as_of_text(info: BuildInfo) -> str:
    return f"数据截止 {info.as_of_date.isoformat()} · 构建于 {info.built_at:%Y-%m-%d %H:%M}"


def page_header(title: str, intro: str | None = None) -> Filters:
    """Title, the as-of date and build time, and the active filters; returns the filters."""
    st.title(title)
    f = current_filters()
    chips = " · ".join(f"{k}: {v}" for k, v in f.describe().items())
    st.caption(f"{as_of_text(build_info())} ｜ 筛选 {chips}")
    if intro:
        st.markdown(intro)
    return f


# ------------------------------------------------------------------ tables


def _column_config(df: pl.DataFrame, table: str | None = None) -> dict[str, Any]:
    cfg: dict[str, Any] = {}
    for name, dtype in df.schema.items():
        zh = label(name, table)
        if dtype == pl.Date:
            cfg[name] = st.column_config.DateColumn(zh, format="YYYY-MM-DD")
        elif isinstance(dtype, pl.Datetime):
            cfg[name] = st.column_config.DatetimeColumn(zh, format="YYYY-MM-DD HH:mm")
        elif name.endswith(("_rate", "_share", "_coverage")) and dtype.is_numeric():
            cfg[name] = st.column_config.NumberColumn(zh, format="percent")
        elif name.endswith(("_score", "_weighted")) or name in ("total_score", "deductions"):
            cfg[name] = st.column_config.NumberColumn(zh, format="%.1f")
        elif name.endswith("_yuan"):
            cfg[name] = st.column_config.NumberColumn(zh, format="localized")
        else:
            cfg[name] = st.column_config.Column(zh)
    return cfg


def _number(v: float) -> str:
    if v != v:  # NaN
        return ""
    return f"{v:,.0f}" if abs(v) >= 1000 or float(v).is_integer() else f"{v:.4g}"


def _styler_formats(df: pl.DataFrame) -> dict[str, Any]:
    """Per-column display formats for a pandas Styler: shares as %, other numbers readable."""
    formats: dict[str, Any] = {}
    for name, dtype in df.schema.items():
        if not dtype.is_numeric():
            continue
        if name.endswith(("_rate", "_share", "_coverage")):
            formats[name] = "{:.1%}"
        elif name.endswith(("_score", "_weighted")) or name in ("total_score", "deductions"):
            formats[name] = "{:.1f}"
        elif dtype.is_float():
            formats[name] = _number
        else:  # counts, years, ranks: plain (a null turns pandas ints into floats)
            formats[name] = "{:.0f}"
    return formats


def table(
    df: pl.DataFrame,
    *,
    key: str,
    file_name: str,
    title: str | None = None,
    styler: Callable[[Any], Any] | None = None,
    on_select: Callable[[], None] | None = None,
    height: int | str = "auto",
    table: str | None = None,
    notes: Mapping[str, object] | None = None,
) -> None:
    """A table with Chinese headers and, below it, an xlsx download of exactly what it shows.
    `styler` gets a pandas Styler (for highlighting); `on_select` makes rows selectable (single)
    and is called when the user picks one (read the selection from st.session_state[key]);
    `table`: the served table the frame comes from, for a column labelled per table; `notes`:
    more lines for the download's 说明 sheet (what the figures were computed with)."""
    shown = yes_no(df)
    if styler:  # pandas would show dates as midnight timestamps
        shown = shown.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    config = _column_config(shown, table)
    data: Any = shown.to_pandas() if styler else shown
    if height == "auto" and shown.height <= 20:  # small tables: every row, no inner scrolling
        height = 35 * (shown.height + 1) + 3
    if styler:  # a Styler's display strings replace column_config formats: set them here
        data = styler(data.style.format(_styler_formats(shown), na_rep=""))
    kwargs: dict[str, Any] = {}
    if on_select:
        kwargs = {"on_select": on_select, "selection_mode": "single-row"}
    st.dataframe(
        data,
        key=key,
        hide_index=True,
        column_config=config,
        height=height,
        placeholder="",
        **kwargs,
    )
    f = current_filters()
    if f.industry_code and not {"industry_code", "industry_name"} & set(df.columns):
        st.caption("注:本表不分行业,侧栏的行业筛选对它不适用。")
    about = {"数据截止": as_of_text(build_info()), **f.describe(), **(notes or {})}
    about["行数"] = df.height
    st.download_button(
        "下载 Excel",
        data=lambda: to_xlsx_bytes(
            df, sheet=(title or "数据")[:31], title=title, notes=about, table=table
        ),
        file_name=f"{file_name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def selected_row(key: str) -> int | None:
    """The selected row index of a selectable table (None when nothing is selected)."""
    state = st.session_state.get(key)
    rows = (state or {}).get("selection", {}).get("rows", []) if state else []
    return rows[0] if rows else None


def plot(fig: Any, key: str | None = None) -> None:
    st.plotly_chart(fig, key=key, config={"displaylogo": False, "locale": "zh-CN"})
