"""数据质量: the last build and its as-of date, the run history, the load reconciliation
(read = loaded + quarantined + folded, per file) and the quarantined rows by reason, extract, unit
and month."""

import polars as pl
import streamlit as st

from zhiben import auth
from zhiben.app_logic import figures, queries, ui
from zhiben.validation_report import report_path
from zhiben.warehouse import warehouse_path

ui.page_header(
    "数据质量",
    "每个文件:读取行数 = 入库 + 隔离 + 重复折叠;被拒绝的行连同原因进入隔离区,不会悄悄丢失。",
)

info = ui.build_info()
m = st.columns(3)
m[0].metric("数据截止日期", info.as_of_date.isoformat() if info.as_of_date else "未知", border=True)
m[1].metric(
    "最近构建", info.built_at.strftime("%Y-%m-%d %H:%M") if info.built_at else "未知", border=True
)
if info.details.get("max_updated_at"):
    m[2].metric("数据最新更新时间", str(info.details["max_updated_at"])[:16], border=True)
if not ui.require("mart_build_info"):
    st.caption("构建时间取自仓库文件的修改时间。")

st.subheader("构建记录")
# the drop by its folder name only; warning and error texts (any unit's records) for 领导 only
runs = auth.scope_run_history(ui.q(queries.run_history), ui.account())
if runs.is_empty():
    st.info("没有找到构建记录(zhiben build 的运行日志)。")
else:
    if "status" in runs.columns:
        runs = runs.with_columns(
            pl.col("status").replace(
                {"success": "成功", "failed": "失败", "running": "运行中", "interrupted": "中断"}
            )
        )
    ui.table(runs, key="dq_runs", file_name="构建记录", title="构建记录")
    # the great-expectations report of the build this warehouse comes from (every unit's values)
    if ui.account().is_leader and "run_id" in runs.columns:
        shown = runs.filter(pl.col("status") == "成功")["run_id"].head(1).to_list()
        report = report_path(warehouse_path(), shown[0]) if shown else None
        if report is not None and report.exists():
            st.download_button(
                "下载本次构建的数据校验报告 (HTML)",
                report.read_bytes(),
                file_name=f"数据校验报告-{shown[0]}.html",
                mime="text/html",
                icon=":material/fact_check:",
                key="dq_validation_report",
            )

st.subheader("入库对账")
if ui.require("mart_load_reconciliation"):
    rec = ui.q(queries.load_reconciliation).with_columns(
        (
            pl.col("rows_read")
            == pl.col("rows_loaded") + pl.col("rows_quarantined") + pl.col("rows_folded")
        ).alias("is_balanced")
    )
    by_extract = (
        rec.group_by("extract")
        .agg(pl.col("rows_read", "rows_loaded", "rows_quarantined", "rows_folded").sum())
        .sort("extract")
    )
    bad = rec.filter(~pl.col("is_balanced"))
    if bad.height:
        st.error(f"{bad.height} 个文件行数不平衡!")
    else:
        st.success(f"全部 {rec.height} 个文件行数平衡。")
    st.caption(
        f"共读取 {int(by_extract['rows_read'].sum()):,} 行,入库 {int(by_extract['rows_loaded'].sum()):,} 行"
    )
    ui.plot(
        figures.bars(
            by_extract,
            "extract",
            ["rows_quarantined", "rows_folded"],
            title="各数据源隔离与重复折叠行数",
        ),
        key="dq_rec",
    )
    ui.table(rec, key="dq_rec_table", file_name="入库对账", title="入库对账")

st.subheader("各镇街数据质量")
st.caption(
    "每个报送镇街、每个数据源:读取行数(入库 + 隔离)、隔离占比、主要隔离原因、"
    "迟报版本(更新时间晚于事件日期 30 天以上)。镇街账号只看到本镇街。"
)
if ui.require("mart_unit_data_quality"):
    dq = ui.q(queries.unit_data_quality, unit_code=ui.current_filters().unit_code)
    if dq.is_empty():
        st.info("没有可显示的数据。")
    else:
        by_unit = (
            dq.with_columns(pl.col("unit_name").fill_null("(无法识别)"))
            .group_by("unit_name", "unit_code")
            .agg(pl.col("rows_read", "rows_quarantined", "late_versions").sum())
            .sort("unit_code", nulls_last=True)
        )
        ui.plot(
            figures.bars(
                by_unit,
                "unit_name",
                ["rows_quarantined", "late_versions"],
                title="各镇街隔离行数与迟报版本数",
            ),
            key="dq_unit_quality",
        )
        ui.table(dq, key="dq_unit_table", file_name="各镇街数据质量", title="各镇街数据质量")

st.subheader("隔离区")
if ui.require("mart_quarantine"):
    # a unit account: its own unit's rows only (ui.q scopes every queries.DETAIL_QUERIES result)
    qr = ui.q(queries.quarantine)
    if qr.is_empty():
        st.success("没有被隔离的行。")
    else:
        f = ui.current_filters()
        if f.unit_code and "unit_code" in qr.columns:
            qr = qr.filter(pl.col("unit_code") == f.unit_code)
        reason_col = "reason" if "reason" in qr.columns else "reason_code"
        c1, c2 = st.columns(2)
        with c1:
            by_reason = qr.group_by(reason_col).len("rows").sort("rows", descending=True)
            ui.plot(
                figures.bars(by_reason, reason_col, ["rows"], horizontal=True, title="按原因"),
                key="dq_reason",
            )
        with c2:
            by_extract = qr.group_by("extract").len("rows").sort("rows", descending=True)
            ui.plot(
                figures.bars(by_extract, "extract", ["rows"], title="按数据源"), key="dq_extract"
            )
        c3, c4 = st.columns(2)
        with c3:
            name = "unit_name" if "unit_name" in qr.columns else "unit_code"
            by_unit = (
                qr.with_columns(pl.col(name).fill_null("(无法识别)"))
                .group_by(list(dict.fromkeys([name, "unit_code"])))
                .len("rows")
                .sort("unit_code", nulls_last=True)
            )
            ui.plot(figures.bars(by_unit, name, ["rows"], title="按镇街"), key="dq_unit")
        with c4:
            by_month = (
                qr.with_columns(pl.col("month").fill_null("(无日期)"))
                .group_by("month")
                .len("rows")
                .sort("month")
            )
            ui.plot(figures.bars(by_month, "month", ["rows"], title="按月份"), key="dq_month")
        e1, e2 = st.columns(2)
        extracts = e1.multiselect(
            "数据源",
            sorted(qr["extract"].unique().to_list()),
            key="dq_f_extract",
            placeholder="全部",
        )
        reasons = e2.multiselect(
            "原因",
            sorted(qr[reason_col].drop_nulls().unique().to_list()),
            key="dq_f_reason",
            placeholder="全部",
        )
        if extracts:
            qr = qr.filter(pl.col("extract").is_in(extracts))
        if reasons:
            qr = qr.filter(pl.col(reason_col).is_in(reasons))
        ui.table(qr, key="dq_q_table", file_name="隔离区", title="隔离区明细")
