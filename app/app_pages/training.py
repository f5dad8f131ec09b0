"""培训演练: principal-training coverage of active enterprises, special-operation certificates
falling due, drills and the 四不 share against the year's target (mart_training_coverage)."""

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import label

f = ui.page_header(
    "培训演练",
    "主要负责人专题培训覆盖率、90 天内到期(或需复审)的特种作业证书、企业“四不”演练占比与年度目标。",
)
if not f.year or not ui.require("mart_training_coverage"):
    st.stop()

cov = ui.q(queries.training_coverage, year=f.year, unit_code=f.unit_code)
if cov.is_empty():
    st.info(f"{f.year} 年尚无培训演练数据。")
    st.stop()


def region_share(df: pl.DataFrame, num: str, den: str) -> float | None:
    """The region's share: Σ numerator ÷ Σ denominator (not the mean of the units' shares)."""
    d = df[den].sum()
    return df[num].sum() / d if d else None


m = st.columns(4)
cov_all = region_share(cov, "principal_trained_enterprises", "active_enterprises")
m[0].metric("主要负责人培训覆盖率(全区)", "—" if cov_all is None else f"{cov_all:.1%}", border=True)
m[1].metric(label("certificates_due"), f"{int(cov['certificates_due'].sum()):,}", border=True)
m[2].metric("演练次数", f"{int(cov['drills'].sum()):,}", border=True)
four_all = region_share(cov, "four_no_drills", "four_no_eligible_drills")
target = cov["four_no_target"].drop_nulls()
gap = None if four_all is None or not len(target) else four_all - float(target[0])
m[3].metric(
    "企业“四不”演练占比(全区)",
    "—" if four_all is None else f"{four_all:.1%}",
    None if gap is None else f"{gap:+.1%} 较目标 {float(target[0]):.0%}",
    border=True,
)

c1, c2 = st.columns(2)
with c1:
    ui.plot(
        figures.bars(
            cov,
            "unit_name",
            ["principal_training_coverage"],
            percent=True,
            title="主要负责人专题培训覆盖率",
        ),
        key="tr_cov",
    )
with c2:
    fig = figures.bars(
        cov,
        "unit_name",
        ["four_no_share"],
        percent=True,
        title="企业“四不”演练占比 vs 目标",
        colors=["#2e7d32"],
    )
    if len(target):
        fig.add_hline(
            y=float(target[0]), line_dash="dash", line_color="#c62828", annotation_text="目标"
        )
    ui.plot(fig, key="tr_share")
ui.plot(
    figures.bars(
        cov.sort("certificates_due", descending=True),
        "unit_name",
        ["certificates_due"],
        title="特种作业证书 90 天内到期/复审",
    ),
    key="tr_certs",
)
hist = ui.q(queries.training_coverage, unit_code=f.unit_code)
yearly = pl.DataFrame(
    [
        {
            "year": str(y),
            "four_no_share": region_share(part, "four_no_drills", "four_no_eligible_drills"),
        }
        for (y,), part in hist.group_by("year", maintain_order=True)
    ]
).sort("year")
ui.plot(
    figures.lines(yearly, "year", ["four_no_share"], percent=True, title="“四不”演练占比逐年"),
    key="tr_hist",
)
ui.table(cov, key="tr_table", file_name=f"培训演练_{f.year}", title="培训演练")
