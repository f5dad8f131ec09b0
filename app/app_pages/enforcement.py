"""执法检查: the quarter's inspections and penalties by unit (penalty rate, 零处罚 units, 一案双罚,
非现场执法), inspection methods, the 四项整治 campaigns, and the department view."""

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, queries, ui
from zhiben.app_logic.labels import CAMPAIGNS

f = ui.page_header(
    "执法检查",
    "“零处罚、只检查不处罚”单位标红(方案 二.14):本镇街自身执法(执法部门为本镇街)有检查、无处罚;"
    "检查次数、处罚案件按发生地统计,不论执法主体。一案双罚 = 单位和个人同时罚款。",
)
if not f.quarter or not ui.require("mart_enforcement"):
    st.stop()

enf = ui.q(queries.enforcement, quarter=f.quarter, unit_code=f.unit_code)
tot = enf.select(
    pl.col("inspections", "penalty_cases", "double_penalty_cases", "fines_yuan").sum()
).row(0, named=True)
m = st.columns(5)
m[0].metric("检查次数", f"{tot['inspections']:,}", border=True)
m[1].metric("处罚案件", f"{tot['penalty_cases']:,}", border=True)
rate = tot["penalty_cases"] / tot["inspections"] if tot["inspections"] else None
m[2].metric("处罚率", "—" if rate is None else f"{rate:.1%}", border=True)
m[3].metric("一案双罚", f"{tot['double_penalty_cases']:,}", border=True)
m[4].metric("零处罚单位", f"{enf.filter(pl.col('is_zero_penalty')).height}", border=True)

c1, c2 = st.columns(2)
with c1:
    ui.plot(
        figures.bars(
            enf,
            "unit_name",
            ["inspections", "penalty_cases"],
            title=f"{f.quarter_title} 分镇街检查与处罚",
        ),
        key="en_units",
    )
with c2:
    region = (
        ui.q(queries.enforcement, unit_code=f.unit_code)
        .group_by("quarter")
        .agg(pl.col("inspections", "penalty_cases").sum())
        .sort("quarter")
        .with_columns((pl.col("penalty_cases") / pl.col("inspections")).alias("penalty_rate"))
    )
    ui.plot(
        figures.lines(region, "quarter", ["penalty_rate"], percent=True, title="处罚率趋势"),
        key="en_rate",
    )


def zero_red(styler):
    def row_style(row):
        return ["background-color: #ffcdd2" if row.get("is_zero_penalty") == "是" else ""] * len(
            row
        )

    return styler.apply(row_style, axis=1) if len(styler.data) else styler


cols = [
    c
    for c in (
        "quarter",
        "unit_name",
        "inspections",
        "penalty_cases",
        "penalty_rate",
        "own_inspections",
        "own_penalty_cases",
        "own_non_site_inspections",
        "is_zero_penalty",
        "double_penalty_cases",
        "non_site_share",
        "fines_yuan",
    )
]
ui.table(
    enf.select(cols),
    key="en_table",
    file_name=f"执法检查_{f.quarter}",
    title="执法检查(分镇街)",
    styler=zero_red,
)

if ui.require("fct_inspections"):
    st.subheader("检查方式与四项整治")
    d1, d2 = st.columns(2)
    methods = ui.q(
        queries.inspections_by,
        by="method",
        quarter=f.quarter,
        unit_code=f.unit_code,
        industry_code=f.industry_code,
    )
    camp = ui.q(
        queries.inspections_by,
        by="campaign",
        quarter=f.quarter,
        unit_code=f.unit_code,
        industry_code=f.industry_code,
    )
    with d1:
        ui.plot(figures.donut(methods, "method", "inspections", title="检查方式"), key="en_methods")
    with d2:
        camp = camp.filter(pl.col("campaign").is_in(CAMPAIGNS))
        ui.plot(
            figures.bars(
                camp, "campaign", ["inspections", "hazards_found"], title="四项整治专项执法"
            ),
            key="en_campaign",
        )
if ui.require("fct_hazards"):
    ch = ui.q(queries.hazards_by_campaign, unit_code=f.unit_code, industry_code=f.industry_code)
    ch = ch.filter(pl.col("campaign").is_in(CAMPAIGNS) & (pl.col("quarter") <= f.quarter))
    ui.plot(
        figures.lines(
            ch, "quarter", ["hazards_found"], color="campaign", title="四项整治:各季度排查隐患数"
        ),
        key="en_camp_trend",
    )
    ui.table(
        ch.filter(pl.col("quarter").str.starts_with(str(f.year))),
        key="en_camp_table",
        file_name=f"四项整治_{f.year}",
        title="四项整治隐患",
    )

st.subheader("区直部门执法")
if ui.require("mart_enforcement_by_department"):
    dep = ui.q(queries.enforcement_by_department, quarter=f.quarter)
    dcols = [
        c
        for c in (
            "quarter",
            "department_name",
            "inspections",
            "penalty_cases",
            "penalty_rate",
            "is_zero_penalty",
            "double_penalty_cases",
            "non_site_share",
            "fines_yuan",
        )
    ]
    ui.plot(
        figures.bars(
            dep.sort("inspections", descending=True),
            "department_name",
            ["inspections", "penalty_cases"],
            title=f"{f.quarter_title} 部门检查与处罚",
            horizontal=True,
        ),
        key="en_deps",
    )
    ui.table(
        dep.select(dcols),
        key="en_dep_table",
        file_name=f"部门执法_{f.quarter}",
        title="执法检查(分部门)",
        styler=zero_red,
    )
