"""Chinese labels for the app: column headers (English warehouse name → 中文), page titles, metric
choices and status colours. One place, so the tables on screen and the exported workbooks agree."""

from __future__ import annotations

import polars as pl

#: English column name → Chinese header (tables on screen and xlsx exports)
COLUMN_LABELS: dict[str, str] = {
    # keys and periods
    "quarter": "季度",
    "year": "年度",
    "month": "月份",
    "unit_code": "单位代码",
    "unit_name": "镇街(功能区)",
    "unit_type": "单位类型",
    "industry_code": "行业代码",
    "industry_name": "行业领域",
    "department_code": "部门代码",
    "department_name": "部门",
    "short_name": "简称",
    "credit_code": "统一社会信用代码",
    "enterprise_name": "企业名称",
    # hazards
    "hazard_id": "隐患编号",
    "level": "隐患等级",
    "source": "隐患来源",
    "category": "隐患类别",
    "campaign": "专项整治类别",
    "description": "描述",
    "found_date": "发现日期",
    "deadline": "整改期限",
    "status": "状态",
    "rectified_date": "整改完成日期",
    "closed_date": "销号日期",
    "is_major": "重大隐患",
    "is_rectified": "已整改",
    "is_overdue": "逾期未改",
    "overdue_days": "逾期天数",
    "rectified_on_time": "按期整改",
    "is_stock_2023": "2023年存量",
    "is_listed_supervision": "挂牌督办",
    "supervision_level": "督办级别",
    "funds_10k_yuan": "整改资金(万元)",
    "escalation": "督办升级",
    "escalation_order": "升级档次",
    # accidents
    "accident_id": "事故编号",
    "occurred_at": "发生时间",
    "accident_type": "事故类型",
    "reporting_group": "事故类型(统计口径)",
    "standard": "分类标准",
    "deaths": "死亡(含失踪)人数",
    "missing": "失踪人数",
    "serious_injuries": "重伤人数",
    "minor_injuries": "轻伤人数",
    "direct_loss_10k_yuan": "直接经济损失(万元)",
    "grade": "事故等级(认定)",
    "grade_reported": "事故等级(上报)",
    "grade_mismatch": "等级不一致",
    "is_liability": "责任事故",
    "is_concealed": "瞒报谎报",
    "reported_at": "报告时间",
    "report_delay_minutes": "报告用时(分钟)",
    "is_late_report": "迟报",
    "investigation_due_date": "调查批复期限",
    "investigation_closed_date": "调查报告批复日期",
    "is_investigation_overdue": "调查超期",
    "accidents": "事故起数",
    "prev_accidents": "上年同期起数",
    "prev_deaths": "上年同期死亡",
    "accidents_met": "起数下降",
    "deaths_met": "死亡下降",
    "is_double_decline": "双下降",
    # region × industry / dispatch
    "hazards_found": "排查隐患数",
    "major_hazards_found": "重大隐患数",
    "hazards_rectified": "整改隐患数",
    "open_overdue_at_quarter_end": "季末逾期未改",
    "major_open_at_month_end": "月末重大隐患未改",
    "major_overdue_at_month_end": "月末重大隐患逾期",
    # enforcement
    "inspection_id": "检查编号",
    "inspection_date": "检查日期",
    "method": "检查方式",
    "case_opened": "立案",
    "inspections": "检查次数",
    "penalty_cases": "处罚案件数",
    "penalty_rate": "处罚率",
    "own_inspections": "本单位执法检查",
    "own_penalty_cases": "本单位处罚决定",
    "own_non_site_inspections": "本单位非现场检查",
    "is_zero_penalty": "零处罚(只检查不处罚)",
    "double_penalty_cases": "一案双罚数",
    "non_site_share": "非现场执法占比",
    "fines_yuan": "罚款金额(元)",
    "penalty_id": "处罚决定书编号",
    "decided_date": "决定日期",
    "penalty_kinds": "处罚种类",
    "fine_entity_yuan": "单位罚款(元)",
    "fine_person_yuan": "个人罚款(元)",
    "is_double_penalty": "一案双罚",
    "transferred_to_judiciary": "移送司法",
    # training
    "active_enterprises": "在营企业数",
    "principal_trained_enterprises": "主要负责人已培训企业数",
    "principal_training_coverage": "主要负责人培训覆盖率",
    "certificates_expiring_90d": "90天内到期证书",
    "certificates_due_90d": "90天内到期证书",
    "certificates_due": "90天内到期证书",
    "drills": "演练次数",
    "enterprise_drills": "企业演练次数",
    "four_no_drills": "四不演练次数",
    "four_no_share": "四不演练占比",
    "four_no_target": "四不占比目标",
    # evaluation
    "total_score": "总分",
    "deductions": "扣分",
    "rank": "排名",
    "prev_rank": "上季排名",
    "rank_change": "名次变化",
    "rank_arrow": "升降",
    "veto": "一票否决",
    "is_ranked": "参与排名",
    "weighted_score": "加权得分",
    "indicator": "指标",
    "weight": "权重",
    # targets
    "target_id": "目标编号",
    "target": "目标",
    "next_milestone": "下一节点",
    "next_milestone_date": "下一节点日期",
    "next_milestone_value": "节点目标值",
    "milestone_date": "节点日期",
    "target_value": "目标值",
    "actual": "实际值",
    "is_met": "是否达成",
    "is_passed": "节点已过",
    "light": "信号灯",
    # data quality
    "as_of_date": "数据截止日期",
    "built_at": "构建时间",
    "raw_dir": "原始数据目录",
    "max_updated_at": "最新更新时间",
    "extract": "数据源",
    "file": "文件",
    "line": "行号",
    "column_zh": "列",
    "column_name": "列(英文)",
    "reason_code": "原因代码",
    "reason": "原因",
    "value": "取值",
    "record_key": "记录编号",
    "rows_read": "读取行数",
    "rows_loaded": "入库行数",
    "rows_quarantined": "隔离行数",
    "rows_folded": "重复折叠行数",
    "is_balanced": "平衡",
    "rows": "行数",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "run_id": "构建编号",
    "error": "错误",
    "dbt": "dbt",
    "dbt_summary": "dbt 结果",
    "duration_seconds": "耗时(秒)",
    "dbt_tests_pass": "dbt 测试通过",
    "dbt_tests_warn": "dbt 测试警告",
    "dbt_tests_fail": "dbt 测试失败",
    "ingest_seconds": "读取校验(秒)",
    "dbt_seconds": "dbt(秒)",
    "publish_seconds": "发布(秒)",
    "warnings": "警告",
    "loader_as_of_date": "落地截止日期",
    "transformed_at": "转换时间",
    # more columns of the real marts
    "open_overdue": "逾期未改",
    "quarter_start": "季度首日",
    "quarter_end": "季度末日",
    "quarter_as_of": "季末状态日期",
    "non_site_inspections": "非现场执法次数",
    "is_non_site": "非现场执法",
    "is_case_opened": "立案",
    "is_transferred_to_judiciary": "移送司法",
    "has_inspection": "有检查记录",
    "enforcing_unit_code": "执法镇街",
    "attributed_department_code": "归属部门",
    "lead_department_code": "牵头部门",
    "is_known_enterprise": "企业在册",
    "accident_type_standard": "分类标准",
    "grade_rank": "等级序号",
    "is_larger_or_above": "较大及以上",
    "occurred_date": "发生日期",
    "deaths_excl_missing": "死亡人数(不含失踪)",
    "updated_at": "更新时间",
    "days_open": "整改用时(天)",
    "days_in_current_status": "当前状态持续(天)",
    "current_status_since": "当前状态起始",
    "is_partial_year": "当年同期",
    "span_start": "比较起始",
    "span_end": "比较截止",
    "four_no_eligible_drills": "计入四不的企业演练",
    "year_start": "年初",
    "year_as_of": "统计日期",
    "plan_section": "方案章节",
    "next_target_value": "节点目标值",
    "prev_value": "上年同期值",
    "expected_value": "当前应达值",
    "milestones": "节点数",
    "milestones_passed": "已过节点",
    "milestones_met": "已达成节点",
    "milestones_missed": "未达成节点",
    "is_next": "下一节点",
    "evaluation_date": "评估日期",
    "previous_quarter": "上一季度",
    "deduction_major_accidents": "较大事故扣分",
    "deduction_concealed": "瞒报谎报扣分",
    "deduction_listed_overdue": "挂牌督办逾期扣分",
    "major_hazards": "重大隐患数(截至季末)",
    "major_hazards_rectified": "其中已整改",
    "hazards_due": "本季到期隐患",
    "hazards_due_rectified_on_time": "其中按期整改",
    "i3_best_value": "I3 最优值",
    "i4_best_value": "I4 最优值",
    "accidents_ytd": "年初至季末事故",
    "accidents_prev_ytd": "上年同期事故",
    "deaths_ytd": "年初至季末死亡",
    "deaths_prev_ytd": "上年同期死亡",
    "active_enterprises_principal_trained": "主要负责人已培训企业",
    "enterprise_drills_ytd": "年初至季末企业演练",
    "four_no_drills_ytd": "其中四不演练",
    "larger_accidents": "较大事故",
    "concealed_accidents": "瞒报谎报事故",
    "listed_overdue_major_hazards": "挂牌督办逾期重大隐患",
    "veto_accidents": "重大及以上事故",
    "is_complete": "季度已结束",
    "evaluated_as_of": "考评截止",
    "industries_led": "牵头行业",
    "scope": "适用对象",
    "item_type": "类型",
    "item_id": "编号",
    "item_name": "名称",
    "raw_value": "原始值口径",
    "scoring": "计分方法",
    "accident_grade": "事故等级",
    "points_per_item": "每项分值",
    "cap_points": "封顶",
    "sort_order": "顺序",
    "is_high_risk_industry": "高危行业",
    "led_industries": "牵头行业",
    "leads_industry": "牵头行业监管",
    "rectified_month": "整改月份",
    "rectified_quarter": "整改季度",
    "rectified_as_of_date": "截至日已整改",
    "is_high_risk": "高危行业企业",
    "has_major_hazard_source": "有重大危险源",
    "standardization_level": "标准化等级",
    "operating_status": "经营状态",
    "is_active": "在营",
    "scale": "企业规模",
    "has_principal_id": "有主要负责人身份证号",
}

# I1…I7 of SPEC §7 (labels for value and score columns)
INDICATORS: dict[str, str] = {
    "i1": "重大隐患整改率",
    "i2": "隐患按期整改率",
    "i3": "隐患排查密度",
    "i4": "执法处罚率",
    "i5": "事故双下降",
    "i6": "主要负责人培训覆盖率",
    "i7": "四不演练占比",
}
#: SPEC §7 default weights — used only when the served warehouse carries no weights table
DEFAULT_UNIT_WEIGHTS: dict[str, float] = {
    "i1": 25,
    "i2": 15,
    "i3": 10,
    "i4": 15,
    "i5": 15,
    "i6": 10,
    "i7": 10,
}
DEFAULT_DEPARTMENT_WEIGHTS: dict[str, float] = {"i1": 35, "i2": 25, "i4": 20, "i5": 20}

for _key, _name in INDICATORS.items():
    COLUMN_LABELS[f"{_key}_value"] = f"{_key.upper()} {_name}(原值)"
    COLUMN_LABELS[f"{_key}_score"] = f"{_key.upper()} {_name}(得分)"
    COLUMN_LABELS[f"{_key}_weighted"] = f"{_key.upper()} {_name}(加权)"

#: metrics of mart_region_industry_stats offered on the 分区域分行业 page
REGION_INDUSTRY_METRICS: dict[str, str] = {
    "hazards_found": "排查隐患数",
    "major_hazards_found": "重大隐患数",
    "hazards_rectified": "整改隐患数",
    "open_overdue_at_quarter_end": "季末逾期未改隐患",
    "accidents": "事故起数",
    "deaths": "死亡人数",
    "inspections": "检查次数",
    "penalty_cases": "处罚案件数",
    "fines_yuan": "罚款金额(元)",
}

#: the 4 special campaigns (四项整治) of §二
CAMPAIGNS = ("违规电气焊和违规施工", "有限空间", "预防高处坠落", "外包施工")

#: status → a coloured dot in Streamlit markdown (no emoji: they need a colour-emoji font)
TARGET_STATUS_LIGHT: dict[str, str] = {
    "达成": ":green[●]",
    "进行中": ":blue[●]",
    "有风险": ":orange[●]",
    "未达成": ":red[●]",
}
TARGET_STATUS_BADGE: dict[str, str] = {
    "达成": ":green-badge[达成]",
    "进行中": ":blue-badge[进行中]",
    "有风险": ":orange-badge[有风险]",
    "未达成": ":red-badge[未达成]",
}
TARGET_STATUS_COLOR: dict[str, str] = {
    "达成": "#2e7d32",
    "进行中": "#1565c0",
    "有风险": "#ef6c00",
    "未达成": "#c62828",
}
#: how a target's actual reads: most are shares (0–1); these are counts or a 1/0 flag (SPEC §6)
TARGET_ACTUAL_KIND: dict[str, str] = {"T2": "count", "T3": "count", "T4": "flag", "T5": "count"}


def format_target_value(target_id: str, value: float | None) -> str:
    """A target's actual or milestone value as a leader reads it (73.5% / 3 起 / 实现)."""
    if value is None:
        return "—"
    kind = TARGET_ACTUAL_KIND.get(target_id, "share")
    if kind == "flag":
        return "实现" if value >= 1 else "未实现"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:.1%}"


ESCALATION_COLOR: dict[str, str] = {
    "无": "#ffffff",
    "函告": "#fff8e1",
    "通报": "#ffe0b2",
    "约谈": "#ffccbc",
    "曝光": "#ef9a9a",
}

#: the columns record-level tables show, in this order (where the table has them)
LEDGER_COLUMNS = (
    "hazard_id",
    "unit_name",
    "enterprise_name",
    "escalation",
    "overdue_days",
    "status",
    "deadline",
    "found_date",
    "rectified_date",
    "is_listed_supervision",
    "supervision_level",
    "industry_name",
    "source",
    "campaign",
    "department_name",
    "is_stock_2023",
    "credit_code",
)
ACCIDENT_COLUMNS = (
    "accident_id",
    "occurred_at",
    "unit_name",
    "industry_name",
    "accident_type",
    "reporting_group",
    "grade",
    "grade_reported",
    "grade_mismatch",
    "deaths",
    "serious_injuries",
    "direct_loss_10k_yuan",
    "is_liability",
    "is_concealed",
    "report_delay_minutes",
    "is_late_report",
    "investigation_due_date",
    "investigation_closed_date",
    "is_investigation_overdue",
    "unit_code",
)
PENALTY_COLUMNS = (
    "penalty_id",
    "decided_date",
    "unit_name",
    "department_name",
    "credit_code",
    "penalty_kinds",
    "fine_entity_yuan",
    "fine_person_yuan",
    "fines_yuan",
    "is_double_penalty",
    "is_transferred_to_judiciary",
    "inspection_id",
    "unit_code",
)


def pick(df: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """The listed columns the frame has, in that order (a mart without one still shows)."""
    return df.select([c for c in columns if c in df.columns])


def label(column: str) -> str:
    """The Chinese header of a column (the English name when none is known)."""
    return COLUMN_LABELS.get(column, column)


def with_chinese_headers(df: pl.DataFrame) -> pl.DataFrame:
    """Rename columns to their Chinese headers (unique: a clash keeps the English name)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for c in df.columns:
        zh = label(c)
        if zh in used or zh in df.columns and zh != c:
            zh = c
        used.add(zh)
        mapping[c] = zh
    return df.rename(mapping)


def yes_no(df: pl.DataFrame) -> pl.DataFrame:
    """Boolean columns as 是/否 (how the source systems and the leaders write them)."""
    return df.with_columns(
        pl.when(pl.col(c)).then(pl.lit("是")).when(~pl.col(c)).then(pl.lit("否")).alias(c)
        for c, t in df.schema.items()
        if t == pl.Boolean
    )


def rank_arrow(change: int | None) -> str:
    """▲n / ▼n / — for a rank change (positive = moved up)."""
    if change is None:
        return "—"
    if change > 0:
        return f"▲{change}"
    if change < 0:
        return f"▼{-change}"
    return "—"
