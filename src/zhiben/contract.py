"""The raw extract contract of SPEC §3: Chinese headers, English names, types, enums.

One source of truth for the generator (which writes these headers), the loader (which reads,
validates and lands them) and the docs. Reference data that another district replaces (units,
aliases, departments, industries, accident types) lives in the dbt seeds, not here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "text",  # free text, normalised (NFKC, trimmed)
    "key",  # record key, required text
    "credit_code",  # 统一社会信用代码, GB 32100 with check character
    "town",  # 所属镇街, resolved through the seed alias table
    "department",  # a seed department (or, for inspections, a unit)
    "industry",  # a seed industry name
    "accident_type",  # a seed accident type (GB 6441-1986 or -2025)
    "enum",  # one of `values`
    "enum_list",  # ';'-separated list of `values`
    "date",
    "datetime",
    "int",  # integer >= 0 (empty reads as 0)
    "decimal",  # decimal >= 0
    "bool",  # 是/否, Y/N, 1/0 (empty reads as 否)
    "pii_id",  # 18-char resident ID with check digit: hashed at landing, never stored in clear
    "pii",  # a name or a phone: dropped at landing
]


@dataclass(frozen=True)
class Column:
    zh: str
    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()
    #: the header must be present in the file (a missing optional column is read as empty)
    header_required: bool = True
    #: int / decimal: the largest plausible absolute value (beyond it: `out_of_range`)
    max_value: float | None = None
    #: date / datetime: the value may lie in the future (a deadline, a validity date), up to
    #: PLAUSIBLE_UNTIL; other dates are events, at most the build's clock + CLOCK_TOLERANCE
    future_ok: bool = False
    #: keys (and references to keys): the characters allowed, a regex character class body
    #: (`bad_key_chars` otherwise; `mixed_script_key` when letters of several scripts mix)
    charset: str | None = None
    #: optional columns of SPEC §10.1 (`header_required=False`): in a file WITHOUT the column the
    #: value is unknown (NULL, never 否 / 0 / none); in a file with it an empty cell means none
    unknown_when_absent: bool = False
    #: enum_list: the separator of the values
    sep: str = ";"


@dataclass(frozen=True)
class Extract:
    name: str
    zh: str
    key: str
    columns: tuple[Column, ...]
    #: credit codes must exist among loaded enterprises (else the row is an orphan)
    credit_code_must_exist: bool = False
    notes: tuple[str, ...] = field(default=())
    #: the columns that identify a record's versions, when not `key` alone (monitoring:
    #: credit_code × system)
    version_key: tuple[str, ...] = ()

    @property
    def version_columns(self) -> list[str]:
        return list(self.version_key or (self.key,))

    def __post_init__(self) -> None:
        # every extract takes deletions (SPEC §10.1): the optional 是否删除 column, added here so
        # that an extract defined later gets it too
        if all(c.name != DELETED.name for c in self.columns):
            object.__setattr__(self, "columns", (*self.columns, DELETED))

    @property
    def by_zh(self) -> dict[str, Column]:
        return {c.zh: c for c in self.columns}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


BOOL_TRUE = ("是", "Y", "y", "1", "TRUE", "True", "true")
BOOL_FALSE = ("否", "N", "n", "0", "FALSE", "False", "false")

SCALES = ("规上", "规下", "小微")
STANDARDIZATION_LEVELS = ("一级", "二级", "三级", "小微达标", "未达标")
OPERATING_STATUSES = ("在营", "停产", "关闭")
HAZARD_SOURCES = ("企业自查", "部门检查", "执法检查", "专家排查", "群众举报", "督查暗访")
HAZARD_LEVELS = ("一般隐患", "重大隐患")
HAZARD_CATEGORIES = ("基础管理", "现场管理")
CAMPAIGNS = ("违规电气焊和违规施工", "有限空间", "预防高处坠落", "外包施工", "无")
HAZARD_STATUSES = ("未整改", "整改中", "已整改", "已销号")
SUPERVISION_LEVELS = ("区级", "市级", "省级")
ACCIDENT_GRADES = ("一般", "较大", "重大", "特别重大")
INSPECTION_METHODS = ("四不两直", "双随机", "明查暗访", "异地交叉执法", "非现场执法", "日常检查")
PENALTY_KINDS = (
    "警告",
    "罚款",
    "没收违法所得",
    "责令停产停业整顿",
    "责令停止建设或施工",
    "暂扣许可证",
    "吊销许可证",
    "撤销有关资格",
    "关闭",
    "终身行业禁入",
)
PERSON_ROLES = ("主要负责人", "安全生产管理人员", "特种作业人员", "其他从业人员")
TRAINING_TYPES = (
    "主要负责人专题培训",
    "安全管理人员考核",
    "特种作业操作证",
    "工伤预防能力提升培训",
    "全员安全培训",
)
SPECIAL_WORK_TYPES = (
    "电工作业",
    "焊接与热切割作业",
    "高处作业",
    "制冷与空调作业",
    "煤矿安全作业",
    "金属非金属矿山安全作业",
    "石油天然气安全作业",
    "冶金（有色）生产安全作业",
    "危险化学品安全作业",
    "烟花爆竹安全作业",
)
EXAM_RESULTS = ("合格", "不合格", "未考核")
ORGANISER_TYPES = ("企业", "镇街", "区直部门")
DRILL_TYPES = ("综合演练", "专项演练", "现场处置演练", "疏散逃生演练")
REPORT_CHANNELS = ("12350热线", "12345热线", "网络平台", "来信来访", "企业内部")
VERIFICATIONS = ("查实", "部分查实", "不属实", "核查中")
# phase 2 (SPEC §10.1)
MONITORING_SYSTEMS = (
    "边坡在线监测",
    "粉尘涉爆监测",
    "重大危险源监测",
    "视频监控",
    "气体检测报警",
    "紧急切断",
    "电力监测",
    "智慧工地",
)
SELF_INSPECTION_LEADERS = ("主要负责人", "分管负责人", "安全管理人员", "其他")
RISK_LEVELS = ("低风险", "一般风险", "较大风险", "重大风险")
SUPERVISION_MEASURES = ("函告", "通报", "约谈", "曝光")
VERIFICATION_METHODS = ("三方现场核验", "部门核验", "企业自验")

#: the plausible window of dates (issue 19): no event, version, deadline or validity date before
#: PLAUSIBLE_FROM (`date_too_early`); no event or 更新时间 after the build's own clock plus
#: CLOCK_TOLERANCE (`date_in_future`: time zones, clock skew); no deadline or validity date after
#: PLAUSIBLE_UNTIL (`date_too_late`). The as-of date D defaults to the latest plausible 更新时间.
PLAUSIBLE_FROM = dt.date(2000, 1, 1)
CLOCK_TOLERANCE = dt.timedelta(days=1)
PLAUSIBLE_UNTIL = dt.date(2099, 12, 31)

#: what replaces an ID number (valid GB 11643 check character) or a mobile number found inside
#: any non-PII text before it is landed (build file, quarantine, marts)
PII_MASK = "[已脱敏]"

#: key character sets (`Column.charset`): ASCII letters, digits and - _ / . — and, where real keys
#: have them (处罚决定书编号 山住建罚〔2023〕1号), CJK ideographs and brackets. Compared after NFKC
#: (full-width forms are ASCII by then) and after invisible characters are stripped.
KEY_ASCII = r"0-9A-Za-z_\-/."
KEY_CJK = KEY_ASCII + r"\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}〔〕【】()\[\]"

C = Column


def _opt(zh: str, name: str, kind: Kind, **kw) -> Column:
    """An optional column of SPEC §10.1: absent from a file = unknown (NULL)."""
    return Column(zh, name, kind, header_required=False, unknown_when_absent=True, **kw)


UPDATED_AT = C("更新时间", "updated_at", "datetime", required=True)
#: SPEC §10.1 / §10.5 "Deletions": a version with 是否删除 = 是 deletes its record as of its
#: 更新时间 (a later version restores it). Its row needs only the key and 更新时间: every other
#: cell is neither validated nor kept (`deletion_keeps`).
DELETED = C("是否删除", "is_deleted", "bool", header_required=False)


def deletion_keeps(extract: Extract) -> tuple[str, ...]:
    """The contract columns a deletion row keeps (and is validated on)."""
    return (extract.key, UPDATED_AT.name, DELETED.name)


EXTRACTS: dict[str, Extract] = {
    e.name: e
    for e in (
        Extract(
            "enterprises",
            "企业台账",
            "credit_code",
            (
                C("统一社会信用代码", "credit_code", "credit_code", required=True),
                C("企业名称", "enterprise_name", "text", required=True),
                C("所属镇街", "town", "town", required=True),
                C("行业领域", "industry", "industry", required=True),
                C("企业规模", "scale", "enum", values=SCALES),
                C("是否高危行业", "is_high_risk", "bool"),
                C("是否重大危险源", "has_major_hazard_source", "bool"),
                C(
                    "安全生产标准化等级",
                    "standardization_level",
                    "enum",
                    values=STANDARDIZATION_LEVELS,
                ),
                C("经营状态", "operating_status", "enum", required=True, values=OPERATING_STATUSES),
                C("主要负责人", "principal_name", "pii"),
                C("主要负责人身份证号", "principal_id_number", "pii_id", header_required=False),
                C("联系电话", "phone", "pii"),
                _opt("是否涉有限空间", "is_confined_space", "bool"),
                _opt("是否涉爆粉尘", "is_explosive_dust", "bool"),
                _opt("涉粉作业人数", "dust_workers", "int", max_value=1_000_000),
                _opt("是否涉氨制冷", "is_ammonia_refrigeration", "bool"),
                _opt("是否油气储存", "is_oil_gas_storage", "bool"),
                _opt("露天矿边坡高度米", "open_pit_slope_m", "decimal", max_value=10_000),
                _opt("安全风险等级", "risk_level", "enum", values=RISK_LEVELS),
                _opt("标准化取证日期", "standardization_date", "date"),
                UPDATED_AT,
            ),
        ),
        Extract(
            "hazards",
            "隐患排查治理台账",
            "hazard_id",
            (
                C("隐患编号", "hazard_id", "key", required=True, charset=KEY_ASCII),
                C("统一社会信用代码", "credit_code", "credit_code", required=True),
                C("所属镇街", "town", "town"),
                C("行业领域", "industry", "industry"),
                C("隐患来源", "source", "enum", values=HAZARD_SOURCES),
                C("隐患等级", "level", "enum", required=True, values=HAZARD_LEVELS),
                C("隐患类别", "category", "enum", values=HAZARD_CATEGORIES),
                C("专项整治类别", "campaign", "enum", values=CAMPAIGNS),
                C("隐患描述", "description", "text"),
                C("发现日期", "found_date", "date", required=True),
                C("整改期限", "deadline", "date", future_ok=True),
                C("整改状态", "status", "enum", required=True, values=HAZARD_STATUSES),
                C("整改完成日期", "rectified_date", "date"),
                C("销号日期", "closed_date", "date"),
                C("是否挂牌督办", "is_listed_supervision", "bool"),
                C("督办级别", "supervision_level", "enum", values=SUPERVISION_LEVELS),
                C("整改资金(万元)", "funds_10k_yuan", "decimal", max_value=1e6),
                C("责任部门", "department", "department"),
                _opt(
                    "督办措施",
                    "supervision_measures",
                    "enum_list",
                    values=SUPERVISION_MEASURES,
                    sep="、",
                ),
                _opt("督办日期", "supervision_date", "date"),
                _opt("销号核验方式", "verification_method", "enum", values=VERIFICATION_METHODS),
                _opt("核验日期", "verified_date", "date"),
                UPDATED_AT,
            ),
            credit_code_must_exist=True,
        ),
        Extract(
            "accidents",
            "生产安全事故",
            "accident_id",
            (
                C("事故编号", "accident_id", "key", required=True, charset=KEY_ASCII),
                C("发生时间", "occurred_at", "datetime", required=True),
                C("所属镇街", "town", "town"),
                C("统一社会信用代码", "credit_code", "credit_code"),
                C("行业领域", "industry", "industry"),
                C("事故类型", "accident_type", "accident_type"),
                C("死亡人数", "deaths_excl_missing", "int", max_value=1000),
                C("失踪人数", "missing", "int", max_value=1000),
                C("重伤人数", "serious_injuries", "int", max_value=10_000),
                C("轻伤人数", "minor_injuries", "int", max_value=10_000),
                C("直接经济损失(万元)", "direct_loss_10k_yuan", "decimal", max_value=1e7),
                C("事故等级", "grade_reported", "enum", values=ACCIDENT_GRADES),
                C("是否责任事故", "is_liability", "bool"),
                C("是否瞒报谎报", "is_concealed", "bool"),
                C("报告时间", "reported_at", "datetime"),
                C("调查报告批复日期", "investigation_closed_date", "date"),
                C("事故简况", "description", "text"),
                UPDATED_AT,
            ),
        ),
        Extract(
            "inspections",
            "监管执法检查",
            "inspection_id",
            (
                C("检查编号", "inspection_id", "key", required=True, charset=KEY_ASCII),
                C("检查日期", "inspection_date", "date", required=True),
                C("执法部门", "department", "department", required=True),
                C("统一社会信用代码", "credit_code", "credit_code", required=True),
                C("所属镇街", "town", "town"),
                C("检查方式", "method", "enum", required=True, values=INSPECTION_METHODS),
                C("专项执法类别", "campaign", "enum", values=CAMPAIGNS),
                C("发现隐患数", "hazards_found", "int", max_value=10_000),
                C("其中重大隐患数", "major_hazards_found", "int", max_value=10_000),
                C("是否立案", "case_opened", "bool"),
                UPDATED_AT,
            ),
            credit_code_must_exist=True,
        ),
        Extract(
            "penalties",
            "行政处罚",
            "penalty_id",
            (
                C("处罚决定书编号", "penalty_id", "key", required=True, charset=KEY_CJK),
                C("检查编号", "inspection_id", "text", charset=KEY_ASCII),
                C("统一社会信用代码", "credit_code", "credit_code"),
                C("所属镇街", "town", "town"),
                C("执法部门", "department", "department"),
                C("决定日期", "decided_date", "date", required=True),
                C("处罚种类", "penalty_kinds", "enum_list", values=PENALTY_KINDS),
                C("单位罚款金额(元)", "fine_entity_yuan", "decimal", max_value=1e9),
                C("个人罚款金额(元)", "fine_person_yuan", "decimal", max_value=1e8),
                C("是否移送司法", "transferred_to_judiciary", "bool"),
                UPDATED_AT,
            ),
        ),
        Extract(
            "training",
            "安全培训",
            "training_id",
            (
                C("记录编号", "training_id", "key", required=True, charset=KEY_ASCII),
                C("身份证号", "id_number", "pii_id", required=True),
                C("姓名", "person_name", "pii"),
                C("统一社会信用代码", "credit_code", "credit_code"),
                C("人员类别", "person_role", "enum", required=True, values=PERSON_ROLES),
                C("培训类型", "training_type", "enum", required=True, values=TRAINING_TYPES),
                C("特种作业类别", "special_work_type", "enum", values=SPECIAL_WORK_TYPES),
                C("培训日期", "training_date", "date", required=True),
                C("学时", "hours", "decimal", max_value=1000),
                C("考核结果", "exam_result", "enum", values=EXAM_RESULTS),
                C("证书编号", "certificate_no", "text"),
                C("证书有效期至", "certificate_valid_until", "date", future_ok=True),
                UPDATED_AT,
            ),
        ),
        Extract(
            "drills",
            "应急演练",
            "drill_id",
            (
                C("演练编号", "drill_id", "key", required=True, charset=KEY_ASCII),
                C("组织单位类型", "organiser_type", "enum", required=True, values=ORGANISER_TYPES),
                C("统一社会信用代码", "credit_code", "credit_code"),
                C("组织单位名称", "organiser_name", "text"),
                C("所属镇街", "town", "town"),
                C("演练日期", "drill_date", "date", required=True),
                C("演练类型", "drill_type", "enum", required=True, values=DRILL_TYPES),
                C("是否四不演练", "is_four_no", "bool"),
                C("参演人数", "participants", "int", max_value=100_000),
                UPDATED_AT,
            ),
        ),
        Extract(
            "reports",
            "安全生产举报",
            "report_id",
            (
                C("举报编号", "report_id", "key", required=True, charset=KEY_ASCII),
                C("受理日期", "received_date", "date", required=True),
                C("举报渠道", "channel", "enum", values=REPORT_CHANNELS),
                C("所属镇街", "town", "town"),
                C("被举报单位统一社会信用代码", "credit_code", "credit_code"),
                C("举报人姓名", "reporter_name", "pii"),
                C("举报人电话", "reporter_phone", "pii"),
                C("是否涉及重大隐患", "involves_major_hazard", "bool"),
                C("核查结果", "verification", "enum", values=VERIFICATIONS),
                C("反馈日期", "feedback_date", "date"),
                C("奖励金额(元)", "reward_yuan", "decimal", max_value=1e7),
                UPDATED_AT,
            ),
        ),
        Extract(
            # SPEC §10.1: each owner's progress on the plan's dated tasks (seed plan_tasks); a
            # version's key is (任务编号, the resolved 责任单位 code) — the loader's derived
            # `task_key`; the owner resolves to `owner_code` (a unit by name / alias, a
            # department by its seed name)
            "tasks",
            "任务进展台账",
            "task_key",
            (
                C("任务编号", "task_id", "key", required=True, charset=KEY_CJK),
                C("责任单位", "owner", "text", required=True),
                C("报送日期", "reported_date", "date", required=True),
                C("完成量", "done_qty", "decimal", max_value=1e9),
                C("是否完成", "is_done", "bool"),
                C("完成日期", "completed_date", "date"),
                C("进展情况", "progress_note", "text"),
                UPDATED_AT,
            ),
        ),
        Extract(
            "monitoring",
            "监测预警系统接入",
            "credit_code",
            (
                C("统一社会信用代码", "credit_code", "credit_code", required=True),
                C("系统类型", "system", "enum", required=True, values=MONITORING_SYSTEMS),
                C("是否联网", "is_connected", "bool"),
                C("接入日期", "connected_date", "date"),
                C("停用日期", "disconnected_date", "date"),
                UPDATED_AT,
            ),
            credit_code_must_exist=True,
            version_key=("credit_code", "system"),
        ),
        Extract(
            "self_inspections",
            "企业自查记录",
            "self_inspection_id",
            (
                C("自查编号", "self_inspection_id", "key", required=True, charset=KEY_ASCII),
                C("统一社会信用代码", "credit_code", "credit_code", required=True),
                C("自查日期", "inspection_date", "date", required=True),
                C("带队人员类别", "led_by", "enum", values=SELF_INSPECTION_LEADERS),
                C("发现隐患数", "hazards_found", "int", max_value=10_000),
                C("发现重大隐患数", "major_hazards_found", "int", max_value=10_000),
                UPDATED_AT,
            ),
            credit_code_must_exist=True,
        ),
    )
}

#: order in which extracts are loaded (enterprises first: others check credit codes against it;
#: inspections before penalties: penalties check inspection ids)
LOAD_ORDER = (
    "enterprises",
    "hazards",
    "accidents",
    "inspections",
    "penalties",
    "training",
    "drills",
    "reports",
    "tasks",
    "monitoring",
    "self_inspections",
)

#: Row-level quarantine reasons: code → Chinese text shown in the quarantine mart and the app.
REASONS: dict[str, str] = {
    "missing_required": "必填字段为空",
    "bad_date": "日期无法识别",
    "bad_datetime": "日期时间无法识别",
    "bad_number": "数值无法识别",
    "negative": "数值不能为负",
    "not_positive": "数值必须大于 0",
    "bad_enum": "取值不在规定范围内",
    "bad_bool": "是/否 取值无法识别",
    "bad_credit_code": "统一社会信用代码格式或校验位错误",
    "bad_id_number": "身份证号格式或校验位错误",
    "unknown_town": "所属镇街无法识别",
    "unknown_industry": "行业领域无法识别",
    "unknown_department": "部门无法识别",
    "unknown_accident_type": "事故类型不在 GB 6441 分类中",
    "unknown_organiser": "组织单位名称不是镇街或区直部门",
    "orphan_credit_code": "统一社会信用代码不在企业台账中",
    "orphan_inspection": "检查编号不在执法检查记录中",
    "no_unit": "无法确定所属镇街（本行与企业台账均无）",
    "no_industry": "无法确定行业领域（本行与企业台账均无）",
    "deadline_before_found": "整改期限早于发现日期",
    "found_after_update": "发现日期晚于更新时间",
    "rectified_date_missing": "已整改/已销号但缺少整改完成日期",
    "closed_date_missing": "已销号但缺少销号日期",
    "major_gt_all": "重大隐患数大于发现隐患数",
    "reported_before_occurred": "报告时间早于发生时间",
    # tasks (SPEC §10.1, §10.5)
    "unknown_task": "任务编号不在三年行动任务清单中",
    "unknown_owner": "责任单位无法识别（不是镇街或区直部门）",
    "owner_not_of_task": "责任单位不是该任务的责任单位",
    "completed_date_missing": "已完成但缺少完成日期",
    "completed_after_reported": "完成日期晚于报送日期",
    "reported_after_update": "报送日期晚于更新时间",
    # phase 2 (SPEC §10.1)
    "verified_date_missing": "填写了销号核验方式但缺少核验日期",
    "connected_date_missing": "已联网但缺少接入日期",
    "disconnected_before_connected": "停用日期早于接入日期",
    "inspection_after_update": "自查日期晚于更新时间",
    # hostile rows (issue 19): implausible dates, absurd numbers, keys, in this order
    "date_too_early": f"日期早于合理范围（{PLAUSIBLE_FROM} 之前）",
    "date_in_future": "日期晚于构建时的当前时间（未来日期）",
    "date_too_late": f"日期晚于合理范围（{PLAUSIBLE_UNTIL} 之后）",
    "out_of_range": "数值超出合理范围（过大或非有限数）",
    "bad_key_chars": "编号含有不允许的字符",
    "mixed_script_key": "编号混用不同文字（如拉丁字母与西里尔字母）",
    # a CSV row the reader cannot read as a row: no value of it is kept (column NULL)
    "wrong_field_count": "字段数与表头不符（整行隔离，不保留任何值）",
    "multiline_field": "字段内含换行（整行隔离，不保留任何值）",
}
