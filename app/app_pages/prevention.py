"""技防与自查 (issue 16; SPEC §10.3): 监测预警系统接入覆盖 by requirement × unit (due date, status),
主要负责人带队自查 compliance by quarter and unit beside the share of 重大隐患 the enterprises did not
find themselves, and the ledger's supervision taken vs due and closures without 三方现场核验.
Every table is exportable; the named lists (T14 / T15) are on the 三年目标进度 page."""

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, queries, ui

f = ui.page_header(
    "技防与自查",
    "监测预警系统接入（方案二.7、二.9）按要求和镇街统计：应接入企业为截至测算日在营、属于该要求范围的企业；"
    "到期后按完成时限判定达成与否，到期前按进度线判定。主要负责人带队自查（方案二.3）：高危行业企业每月、"
    "其他企业每季度至少一次，按已结束的自查周期统计。",
)
if not ui.require("mart_monitoring_coverage", "mart_self_inspection"):
    st.stop()
as_of = ui.build_info().as_of_date

# ------------------------------------------------------------------ 技防覆盖
st.subheader("监测预警系统接入覆盖")
cov = ui.q(queries.monitoring_coverage)
region = cov.filter(pl.col("unit_code").is_null() & (pl.col("measured_on") == as_of))
st.caption(f"全区各要求截至 {as_of:%Y-%m-%d} 的覆盖情况")
ui.table(
    region.drop("unit_code", "unit_name", strict=False),
    key="pv_cov_region",
    file_name="技防覆盖_全区",
    title="技防覆盖（全区）",
)
reqs = region["requirement_id"].to_list()
if reqs:
    labels_by_id = {
        r["requirement_id"]: f"{r['requirement_id']} {r['system']}（{r['due_date']:%Y-%m-%d}前）"
        for r in region.iter_rows(named=True)
    }
    rid = st.selectbox("要求", reqs, format_func=labels_by_id.get, key="pv_req")
    by_unit = cov.filter((pl.col("requirement_id") == rid) & pl.col("unit_code").is_not_null())
    if f.unit_code:
        by_unit = by_unit.filter(pl.col("unit_code") == f.unit_code)
    at_due = by_unit.filter(pl.col("measured_on") == pl.col("due_date"))
    shown = at_due if at_due.height else by_unit.filter(pl.col("measured_on") == as_of)
    if shown.height:
        ui.plot(
            figures.bars(
                shown.filter(pl.col("required") > 0),
                "unit_name",
                ["coverage_share"],
                title=f"{labels_by_id[rid]} 各镇街覆盖率（测算日 {shown['measured_on'][0]:%Y-%m-%d}）",
                percent=True,
            ),
            key="pv_cov_bar",
        )
    ui.table(by_unit, key="pv_cov_units", file_name=f"技防覆盖_{rid}", title=f"技防覆盖 {rid}")

# ------------------------------------------------------------------ 自查
st.subheader("主要负责人带队自查")
si = ui.q(queries.self_inspection, unit_code=f.unit_code)
trend = (
    si.group_by("quarter")
    .agg(
        pl.col("required").sum(),
        pl.col("compliant").sum(),
        pl.col("major_hazards_found").sum(),
        pl.col("major_hazards_not_self_found").sum(),
    )
    .sort("quarter")
    .with_columns(
        (pl.col("compliant") / pl.col("required")).alias("compliance_share"),
        (pl.col("major_hazards_not_self_found") / pl.col("major_hazards_found")).alias(
            "major_hazards_not_self_found_share"
        ),
    )
)
if trend.height:
    ui.plot(
        figures.lines(
            trend,
            "quarter",
            ["compliance_share", "major_hazards_not_self_found_share"],
            title="自查达标率与非自查发现重大隐患占比（按季度）",
            percent=True,
        ),
        key="pv_si_trend",
    )
quarter = f.quarter
st.caption(f"{f.quarter_title or '全部季度'}：各镇街自查达标情况")
ui.table(
    si.filter(pl.col("quarter") == quarter) if quarter else si,
    key="pv_si_units",
    file_name=f"主要负责人带队自查_{quarter or '全部'}",
    title="主要负责人带队自查",
)

# ------------------------------------------------------------------ 督办与核验
st.subheader("重大隐患督办措施与销号核验")
if ui.require("mart_major_hazard_ledger"):
    ledger = ui.q(queries.major_hazard_ledger, unit_code=f.unit_code)
    cols = [
        c
        for c in (
            "hazard_id",
            "enterprise_name",
            "unit_name",
            "status",
            "overdue_days",
            "escalation_due",
            "escalation_taken",
            "is_escalation_behind",
            "supervision_date",
            "verification",
            "verified_date",
            "is_closed_unverified",
        )
        if c in ledger.columns
    ]
    behind = ledger.filter(pl.col("is_escalation_behind").fill_null(False))
    unverified = ledger.filter(pl.col("is_closed_unverified").fill_null(False))
    m = st.columns(3)
    m[0].metric(
        "应督办的逾期重大隐患", f"{ledger.filter(pl.col('escalation_due') != '无').height:,}"
    )
    m[1].metric("督办措施滞后", f"{behind.height:,}")
    m[2].metric("销号未经三方现场核验", f"{unverified.height:,}")
    st.caption("督办措施滞后：应采取的督办措施高于已采取的全部措施（已采取措施未知的不计入）。")
    ui.table(
        behind.select(cols),
        key="pv_behind",
        file_name="督办措施滞后",
        title="督办措施滞后",
        table="mart_major_hazard_ledger",
    )
    ui.table(
        unverified.select(cols),
        key="pv_unverified",
        file_name="销号未经三方核验",
        title="销号未经三方现场核验",
        table="mart_major_hazard_ledger",
    )
