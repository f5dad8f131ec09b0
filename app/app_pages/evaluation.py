"""季度考评排名 (晾晒考评, 量化排名): the units' ranking with the weighted score breakdown and rank
changes, a drill-down from a ranking row to that unit's records, the department ranking and the
method."""

import polars as pl
import streamlit as st

from zhiben.app_logic import figures, plan_tasks, queries, ui, whatif
from zhiben.app_logic.labels import (
    ACCIDENT_COLUMNS,
    INDICATORS,
    LEDGER_COLUMNS,
    PENALTY_COLUMNS,
)

f = ui.page_header(
    "季度考评排名",
    "总分 = Σ 权重 × 指标得分 ÷ 100 + 扣分;▲▼ 为较上季度名次变化。点选排名表中的一行,查看该镇街的明细。",
)
if not f.quarter or not ui.require("mart_quarterly_evaluation"):
    st.stop()

ev = ui.q(queries.quarterly_evaluation, quarter=f.quarter)
if ev.is_empty():
    st.info(f"{f.quarter_title} 尚无考评结果。")
    st.stop()
weights = ui.q(queries.evaluation_weights, variant="unit")
breakdown = figures.weighted_breakdown(ev, weights)

tab_units, tab_deps, tab_method = st.tabs(["镇街排名", "区直部门排名", "考评方法"])
with tab_units:
    st.subheader(f"{f.quarter_title} 镇街考评排名")
    ui.plot(
        figures.score_stack(breakdown, title=f"{f.quarter_title} 镇街考评得分构成"), key="ev_stack"
    )
    if ev["veto"].any():
        vetoed = ev.filter(pl.col("veto"))["unit_name"].to_list()
        st.warning(f"一票否决(发生重大及以上事故,排名置后):{'、'.join(vetoed)}")

    def drill() -> None:
        row = ui.selected_row("ev_rank")
        if row is not None:
            ui.set_unit(breakdown["unit_code"][row])

    st.caption("点选一行 → 下方显示该镇街的重大隐患、事故和处罚记录(侧栏“镇街”筛选同步切换)。")
    ui.table(
        breakdown,
        key="ev_rank",
        file_name=f"季度考评排名_{f.quarter}",
        title="季度考评排名",
        on_select=drill,
    )

    if f.unit_code:
        row = ev.filter(pl.col("unit_code") == f.unit_code)
        st.subheader(f"下钻:{f.unit_name} · {f.quarter_title}")
        if row.height:
            r = row.row(0, named=True)
            cols = st.columns(4)
            cols[0].metric("排名", f"{r['rank']} / {ev.height}", border=True)
            cols[1].metric("总分", f"{r['total_score']:.1f}", border=True)
            cols[2].metric("扣分", f"{r['deductions']:.1f}", border=True)
            cols[3].metric(
                "上季排名", "—" if r["prev_rank"] is None else r["prev_rank"], border=True
            )
            region_avg = ev.select(pl.col(f"{k}_score").mean() for k in INDICATORS).row(0)
            comp = pl.DataFrame(
                {
                    "indicator": [f"{k.upper()} {n}" for k, n in INDICATORS.items()],
                    f.unit_name: [r[f"{k}_score"] for k in INDICATORS],
                    "全区平均": list(region_avg),
                }
            )
            ui.plot(
                figures.bars(
                    comp,
                    "indicator",
                    [f.unit_name, "全区平均"],
                    title="指标得分:本镇街 vs 全区平均",
                ),
                key="ev_drill_cmp",
            )
        d1, d2, d3 = st.tabs(["重大隐患台账", "本季度事故", "本季度行政处罚"])
        with d1:
            if ui.require("mart_major_hazard_ledger"):
                led = ui.q(queries.major_hazard_ledger, unit_code=f.unit_code)
                led = led.select(LEDGER_COLUMNS)
                ui.table(
                    led,
                    key="ev_drill_ledger",
                    file_name=f"重大隐患_{f.unit_name}",
                    title="重大隐患台账",
                )
        with d2:
            if ui.require("fct_accidents"):
                acc = ui.q(queries.accidents, quarter=f.quarter, unit_code=f.unit_code)
                ui.table(
                    acc.select(ACCIDENT_COLUMNS),
                    key="ev_drill_acc",
                    file_name=f"事故_{f.unit_name}_{f.quarter}",
                    title="事故",
                )
        with d3:
            if ui.require("fct_penalties"):
                pen = ui.q(queries.penalties, quarter=f.quarter, unit_code=f.unit_code)
                ui.table(
                    pen.select(PENALTY_COLUMNS),
                    key="ev_drill_pen",
                    file_name=f"处罚_{f.unit_name}_{f.quarter}",
                    title="行政处罚",
                )

        # drill-through: from a score to the very records it counts (queries.evaluation_records)
        st.markdown("**得分明细:从得分到记录**")
        items = queries.EVALUATION_DRILL_ITEMS
        item = st.selectbox(
            "指标或扣分项",
            list(items),
            key="ev_drill_item",
            format_func=lambda k: (
                f"{k} {INDICATORS[k.lower()]} — {items[k]}" if k.lower() in INDICATORS else items[k]
            ),
        )
        recs = ui.q(queries.evaluation_records, quarter=f.quarter, item=item, unit_code=f.unit_code)
        if row.height and item.lower() in INDICATORS:
            score = row.row(0, named=True)[f"{item.lower()}_score"]
            st.caption(
                f"{f.unit_name} {item} 得分 {score:.1f};共 {recs.height} 条记录,"
                f"计入 {int(recs['is_counted'].sum())} 条。"
            )
        else:
            st.caption(f"共 {recs.height} 条记录。")
        ui.table(
            recs,
            key="ev_drill_records",
            file_name=f"得分明细_{f.unit_name}_{f.quarter}_{item}",
            title=f"得分明细 {item}",
        )

    with st.expander("权重模拟（what-if）"):
        st.caption(
            "调整各指标权重(合计须为 100),按与正式排名相同的规则(同一套 SQL)重新计算总分和名次;"
            "扣分与一票否决不变。仅为模拟,不改变正式考评结果。"
        )
        cols = st.columns(len(INDICATORS))
        sim_weights = {
            k: cols[n].number_input(
                f"{k.upper()} {name}",
                min_value=0.0,
                max_value=100.0,
                value=float(weights.get(k, 0.0)),
                step=1.0,
                format="%g",
                key=f"ev_wi_{k}",
            )
            for n, (k, name) in enumerate(INDICATORS.items())
        }
        total_weight = sum(sim_weights.values())
        st.caption(f"权重合计:{total_weight:g}")
        if not whatif.weights_ok(sim_weights):
            st.warning(f"权重合计为 {total_weight:g},应为 100。请调整后再模拟。")
        else:
            ui.table(
                whatif.simulate(ev, sim_weights),
                key="ev_whatif",
                file_name=f"权重模拟排名_{f.quarter}",
                title="权重模拟排名",
                notes={"模拟权重": whatif.describe(sim_weights)},
            )

with tab_deps:
    if ui.require("mart_quarterly_evaluation_by_department"):
        dep = ui.q(queries.quarterly_evaluation_by_department, quarter=f.quarter)
        if dep.is_empty():
            st.info(f"{f.quarter_title} 尚无部门考评结果。")
        else:
            dweights = ui.q(queries.evaluation_weights, variant="department")
            dbreak = figures.weighted_breakdown(dep, dweights, name_col="department_name")
            ui.plot(
                figures.score_stack(
                    dbreak,
                    name_col="department_name",
                    title=f"{f.quarter_title} 区直部门考评得分构成",
                ),
                key="ev_dep_stack",
            )
            st.caption("逾期未完成任务数（挂图作战）列在总分旁，仅供督促，不计入得分。")
            ui.table(
                plan_tasks.beside_score(dbreak, dep),
                key="ev_dep_rank",
                file_name=f"部门考评排名_{f.quarter}",
                title="部门考评排名",
            )
            # drill-through: a department's score to its records (department rules of SPEC §7)
            st.markdown("**得分明细:从部门得分到记录**")
            dnames = dict(zip(dep["department_code"], dep["department_name"], strict=True))
            c1, c2 = st.columns(2)
            dcode = c1.selectbox(
                "部门", list(dnames), key="ev_dep_drill_department", format_func=dnames.get
            )
            ditems = queries.DEPARTMENT_DRILL_ITEMS
            ditem = c2.selectbox(
                "指标",
                list(ditems),
                key="ev_dep_drill_item",
                format_func=lambda k: f"{k} {INDICATORS[k.lower()]} — {ditems[k]}",
            )
            drecs = ui.q(
                queries.department_evaluation_records,
                quarter=f.quarter,
                item=ditem,
                department_code=dcode,
            )
            st.caption(f"共 {drecs.height} 条记录,计入 {int(drecs['is_counted'].sum())} 条。")
            ui.table(
                drecs,
                key="ev_dep_drill_records",
                file_name=f"部门得分明细_{dnames[dcode]}_{f.quarter}_{ditem}",
                title=f"部门得分明细 {ditem}",
            )

with tab_method:
    st.markdown(
        "**镇街考评(方案 三.四 晾晒考评、量化排名)**:每项指标 0–100 分,总分 = Σ 权重 × 得分 ÷ 100 + 扣分"
        "(不低于 0)。发生重大及以上事故一票否决,排名置后。同分依次比较 I1 得分、单位代码。\n\n"
        "**部门考评**:按 I1、I2、I4、I5 排名,记录按责任部门/执法部门归属,无部门列的按行业牵头部门归属;"
        "不扣分、不否决。权重、扣分和否决规则来自种子表,安委会可调整而无需改代码。"
    )
    method = ui.q(queries.evaluation_method)
    if method.is_empty():
        wt = pl.DataFrame(
            {
                "indicator": [f"{k.upper()} {INDICATORS[k]}" for k in weights],
                "weight": list(weights.values()),
            }
        )
        ui.table(wt, key="ev_weights", file_name="考评权重", title="考评指标与权重")
    else:
        method = method.with_columns(
            pl.col("scope").replace({"unit": "镇街", "department": "区直部门"}),
            pl.col("item_type").replace({"indicator": "指标", "deduction": "扣分", "veto": "否决"}),
        )
        ui.table(
            method.drop("sort_order"),
            key="ev_weights",
            file_name="考评方法",
            title="考评方法",
        )
