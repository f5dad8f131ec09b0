"""zhiben.ingest on hand-written tiny extracts (no generator): every reason code, normalisation,
encodings, XLSX, folding and reconciliation, warnings, file-level errors, PII."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest

from zhiben.contract import EXTRACTS, REASONS
from zhiben.ingest import ExtractFileError, ingest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SALT = "test-salt"

_CC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cc(first17: str) -> str:
    """A valid credit code from its first 17 characters (GB 32100 check character)."""
    total = sum(_CC.index(c) * w for c, w in zip(first17, _CC_W, strict=True))
    return first17 + _CC[(31 - total % 31) % 31]


def idn(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_W, strict=True))
    return first17 + "10X98765432"[total % 11]


E1 = "91110000802100433B"  # known valid
E2 = cc("91370406MA3C00002")
E3 = cc("91370406MA3C00003")  # valid but never in enterprises
BAD_CC = E2[:-1] + ("0" if E2[-1] != "0" else "1")
PID = "11010519491231002X"  # known valid
PID2 = idn("37040619800101123")
PNAME = "王秘密"
PPHONE = "13912345678"
RNAME = "赵举报"
RPHONE = "13700001111"

assert idn(PID[:17]) == PID

ENT = {
    "统一社会信用代码": E1,
    "企业名称": "甲公司",
    "所属镇街": "山城街道",
    "行业领域": "工贸",
    "企业规模": "规上",
    "是否高危行业": "否",
    "是否重大危险源": "否",
    "安全生产标准化等级": "二级",
    "经营状态": "在营",
    "主要负责人": PNAME,
    "主要负责人身份证号": PID,
    "联系电话": PPHONE,
    "更新时间": "2024-01-01 08:00",
}
HAZ = {
    "隐患编号": "H1",
    "统一社会信用代码": E1,
    "所属镇街": "",
    "行业领域": "",
    "隐患来源": "企业自查",
    "隐患等级": "一般隐患",
    "隐患类别": "现场管理",
    "专项整治类别": "无",
    "隐患描述": "消防通道堵塞",
    "发现日期": "2024-03-05",
    "整改期限": "2024-03-20",
    "整改状态": "整改中",
    "整改完成日期": "",
    "销号日期": "",
    "是否挂牌督办": "否",
    "督办级别": "",
    "整改资金(万元)": "0.5",
    "责任部门": "区应急管理局",
    "更新时间": "2024-03-06 09:00",
}
ACC = {
    "事故编号": "A1",
    "发生时间": "2024-05-01 10:00",
    "所属镇街": "店子镇",
    "统一社会信用代码": E1,
    "行业领域": "工贸",
    "事故类型": "机械伤害",
    "死亡人数": "0",
    "失踪人数": "",
    "重伤人数": "1",
    "轻伤人数": "2",
    "直接经济损失(万元)": "12.5",
    "事故等级": "一般",
    "是否责任事故": "是",
    "是否瞒报谎报": "否",
    "报告时间": "2024-05-01 10:40",
    "调查报告批复日期": "",
    "事故简况": "手部卷入",
    "更新时间": "2024-05-02 08:00",
}
INS = {
    "检查编号": "I1",
    "检查日期": "2024-04-01",
    "执法部门": "区应急管理局",
    "统一社会信用代码": E1,
    "所属镇街": "",
    "检查方式": "双随机",
    "专项执法类别": "无",
    "发现隐患数": "3",
    "其中重大隐患数": "1",
    "是否立案": "是",
    "更新时间": "2024-04-01 17:00",
}
PEN = {
    "处罚决定书编号": "P1",
    "检查编号": "I1",
    "统一社会信用代码": E1,
    "所属镇街": "",
    "执法部门": "区应急管理局",
    "决定日期": "2024-04-15",
    "处罚种类": "警告;罚款",
    "单位罚款金额(元)": "20000",
    "个人罚款金额(元)": "5000",
    "是否移送司法": "否",
    "更新时间": "2024-04-15 12:00",
}
TRA = {
    "记录编号": "T1",
    "身份证号": PID,
    "姓名": PNAME,
    "统一社会信用代码": E1,
    "人员类别": "主要负责人",
    "培训类型": "主要负责人专题培训",
    "特种作业类别": "",
    "培训日期": "2024-06-01",
    "学时": "16",
    "考核结果": "合格",
    "证书编号": "",
    "证书有效期至": "",
    "更新时间": "2024-06-02 09:00",
}
DRI = {
    "演练编号": "D1",
    "组织单位类型": "企业",
    "统一社会信用代码": E1,
    "组织单位名称": "甲公司",
    "所属镇街": "",
    "演练日期": "2024-06-10",
    "演练类型": "疏散逃生演练",
    "是否四不演练": "是",
    "参演人数": "30",
    "更新时间": "2024-06-10 18:00",
}
REP = {
    "举报编号": "R1",
    "受理日期": "2024-07-01",
    "举报渠道": "12350热线",
    "所属镇街": "西集镇",
    "被举报单位统一社会信用代码": E1,
    "举报人姓名": RNAME,
    "举报人电话": RPHONE,
    "是否涉及重大隐患": "否",
    "核查结果": "查实",
    "反馈日期": "2024-07-20",
    "奖励金额(元)": "500",
    "更新时间": "2024-07-20 10:00",
}
TASK = {
    "任务编号": "二.1-1",
    "责任单位": "区应急管理局",
    "报送日期": "2024-07-05",
    "完成量": "",
    "是否完成": "否",
    "完成日期": "",
    "进展情况": "推进中",
    "更新时间": "2024-07-05 10:00",
}
MON = {
    "统一社会信用代码": E1,
    "系统类型": "视频监控",
    "是否联网": "是",
    "接入日期": "2024-03-01",
    "停用日期": "",
    "更新时间": "2024-03-01 12:00",
}
SIN = {
    "自查编号": "S1",
    "统一社会信用代码": E1,
    "自查日期": "2024-03-10",
    "带队人员类别": "主要负责人",
    "发现隐患数": "2",
    "发现重大隐患数": "0",
    "更新时间": "2024-03-10 17:00",
}
BASE = {
    "enterprises": ENT,
    "hazards": HAZ,
    "accidents": ACC,
    "inspections": INS,
    "penalties": PEN,
    "training": TRA,
    "drills": DRI,
    "reports": REP,
    "tasks": TASK,
    "monitoring": MON,
    "self_inspections": SIN,
}


def row(extract: str, **changes: str) -> dict[str, str]:
    r = dict(BASE[extract])
    r.update(changes)
    return r


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or list(rows[0])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def run(raw: Path, tmp_path: Path, **kw):
    db = tmp_path / "build.duckdb"
    if db.exists():
        db.unlink()
    result = ingest(raw, db, seeds_dir=SEEDS, salt=SALT, progress=lambda _m: None, **kw)
    return result, duckdb.connect(str(db), read_only=True)


def minimal_drop(raw: Path) -> None:
    write_csv(
        raw / "enterprises" / "e.csv",
        [
            ENT,
            row(
                "enterprises",
                **{"统一社会信用代码": E2, "所属镇街": "店子", "行业领域": "建筑施工"},
            ),
        ],
    )


# ------------------------------------------------------------------------------ reason codes

#: (extract, row, expected reason code, expected column name)
BAD_ROWS: list[tuple[str, dict[str, str], str, str]] = [
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": cc("91370406MA3C00010"), "企业名称": ""}),
        "missing_required",
        "enterprise_name",
    ),
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": BAD_CC}),
        "bad_credit_code",
        "credit_code",
    ),
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": cc("91370406MA3C00011"), "所属镇街": "火星镇"}),
        "unknown_town",
        "town",
    ),
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": cc("91370406MA3C00012"), "行业领域": "航天"}),
        "unknown_industry",
        "industry",
    ),
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": cc("91370406MA3C00013"), "企业规模": "巨型"}),
        "bad_enum",
        "scale",
    ),
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": cc("91370406MA3C00014"), "是否高危行业": "也许"}),
        "bad_bool",
        "is_high_risk",
    ),
    (
        "enterprises",
        row("enterprises", **{"统一社会信用代码": cc("91370406MA3C00015"), "更新时间": "昨天"}),
        "bad_datetime",
        "updated_at",
    ),
    (
        "enterprises",
        row(
            "enterprises",
            **{"统一社会信用代码": cc("91370406MA3C00016"), "主要负责人身份证号": PID[:-1] + "1"},
        ),
        "bad_id_number",
        "principal_id_number",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB1", "发现日期": "2024-13-45"}),
        "bad_date",
        "found_date",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB2", "整改资金(万元)": "很多"}),
        "bad_number",
        "funds_10k_yuan",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB3", "整改资金(万元)": "-3"}),
        "negative",
        "funds_10k_yuan",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB4", "责任部门": "区外星局"}),
        "unknown_department",
        "department",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB5", "统一社会信用代码": E3}),
        "orphan_credit_code",
        "credit_code",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB6", "整改期限": "2024-03-01"}),
        "deadline_before_found",
        "deadline",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB7", "更新时间": "2024-03-04 09:00"}),
        "found_after_update",
        "found_date",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB8", "整改状态": "已整改"}),
        "rectified_date_missing",
        "rectified_date",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB9", "整改状态": "已销号", "整改完成日期": "2024-03-10"}),
        "closed_date_missing",
        "closed_date",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HB10", "隐患等级": "特大隐患"}),
        "bad_enum",
        "level",
    ),
    (
        "accidents",
        row("accidents", **{"事故编号": "AB1", "事故类型": "天灾"}),
        "unknown_accident_type",
        "accident_type",
    ),
    (
        "accidents",
        row("accidents", **{"事故编号": "AB2", "报告时间": "2024-05-01 09:00"}),
        "reported_before_occurred",
        "reported_at",
    ),
    (
        "accidents",
        row("accidents", **{"事故编号": "AB3", "统一社会信用代码": "", "所属镇街": ""}),
        "no_unit",
        "town",
    ),
    (
        "accidents",
        row("accidents", **{"事故编号": "AB4", "统一社会信用代码": "", "行业领域": ""}),
        "no_industry",
        "industry",
    ),
    (
        "accidents",
        row("accidents", **{"事故编号": "AB5", "死亡人数": "-1"}),
        "negative",
        "deaths_excl_missing",
    ),
    (
        "inspections",
        row("inspections", **{"检查编号": "IB1", "其中重大隐患数": "5"}),
        "major_gt_all",
        "major_hazards_found",
    ),
    (
        "inspections",
        row("inspections", **{"检查编号": "IB2", "统一社会信用代码": E3}),
        "orphan_credit_code",
        "credit_code",
    ),
    (
        "inspections",
        row("inspections", **{"检查编号": "IB3", "检查方式": "随便看看"}),
        "bad_enum",
        "method",
    ),
    (
        "penalties",
        row("penalties", **{"处罚决定书编号": "PB1", "检查编号": "I999"}),
        "orphan_inspection",
        "inspection_id",
    ),
    (
        "penalties",
        row("penalties", **{"处罚决定书编号": "PB2", "处罚种类": "警告;打板子"}),
        "bad_enum",
        "penalty_kinds",
    ),
    (
        "penalties",
        row("penalties", **{"处罚决定书编号": "PB3", "执法部门": "区外星局"}),
        "unknown_department",
        "department",
    ),
    (
        "training",
        row("training", **{"记录编号": "TB1", "身份证号": PID[:-1] + "1"}),
        "bad_id_number",
        "id_number",
    ),
    ("training", row("training", **{"记录编号": "TB2", "学时": "0"}), "not_positive", "hours"),
    (
        "training",
        row("training", **{"记录编号": "TB3", "身份证号": ""}),
        "missing_required",
        "id_number",
    ),
    (
        "drills",
        row(
            "drills",
            **{
                "演练编号": "DB1",
                "组织单位类型": "镇街",
                "统一社会信用代码": "",
                "组织单位名称": "不存在镇",
            },
        ),
        "unknown_organiser",
        "organiser_name",
    ),
    (
        "drills",
        row("drills", **{"演练编号": "DB2", "统一社会信用代码": ""}),
        "missing_required",
        "credit_code",
    ),
    (
        "drills",
        row("drills", **{"演练编号": "DB3", "参演人数": "0"}),
        "not_positive",
        "participants",
    ),
    (
        "reports",
        row("reports", **{"举报编号": "RB1", "被举报单位统一社会信用代码": "", "所属镇街": ""}),
        "no_unit",
        "town",
    ),
    ("reports", row("reports", **{"举报编号": "RB2", "举报渠道": "托梦"}), "bad_enum", "channel"),
    # hostile rows (issue 19)
    (
        "reports",
        row("reports", **{"举报编号": "RB3", "受理日期": "1999-12-31"}),
        "date_too_early",
        "received_date",
    ),
    (
        "reports",
        row("reports", **{"举报编号": "RB4", "更新时间": "9999-12-31"}),
        "date_in_future",
        "updated_at",
    ),
    (
        "training",
        row("training", **{"记录编号": "TB9", "证书有效期至": "2100-01-01"}),
        "date_too_late",
        "certificate_valid_until",
    ),
    (
        "reports",
        row("reports", **{"举报编号": "RB5", "奖励金额(元)": "99999999999"}),
        "out_of_range",
        "reward_yuan",
    ),
    ("reports", row("reports", **{"举报编号": "RB 6"}), "bad_key_chars", "report_id"),
    ("reports", row("reports", **{"举报编号": "R\u0412"}), "mixed_script_key", "report_id"),
    # tasks (SPEC §10.1)
    ("tasks", row("tasks", **{"任务编号": "二.99-1"}), "unknown_task", "task_id"),
    ("tasks", row("tasks", **{"责任单位": "区外星局"}), "unknown_owner", "owner"),
    ("tasks", row("tasks", **{"责任单位": "区水务局"}), "owner_not_of_task", "owner"),
    ("tasks", row("tasks", **{"是否完成": "是"}), "completed_date_missing", "completed_date"),
    (
        "tasks",
        row("tasks", **{"是否完成": "是", "完成日期": "2024-07-06"}),
        "completed_after_reported",
        "completed_date",
    ),
    ("tasks", row("tasks", **{"报送日期": "2024-07-06"}), "reported_after_update", "reported_date"),
    # phase 2 (SPEC §10.1)
    (
        "hazards",
        row("hazards", **{"隐患编号": "HV1", "销号核验方式": "三方现场核验", "核验日期": ""}),
        "verified_date_missing",
        "verified_date",
    ),
    (
        "hazards",
        row("hazards", **{"隐患编号": "HV2", "督办措施": "函告、罚站"}),
        "bad_enum",
        "supervision_measures",
    ),
    (
        "enterprises",
        row(
            "enterprises",
            **{"统一社会信用代码": cc("91370406MA3C00011"), "安全风险等级": "极高风险"},
        ),
        "bad_enum",
        "risk_level",
    ),
    (
        "enterprises",
        row(
            "enterprises",
            **{"统一社会信用代码": cc("91370406MA3C00012"), "露天矿边坡高度米": "-5"},
        ),
        "negative",
        "open_pit_slope_m",
    ),
    (
        "monitoring",
        row("monitoring", **{"系统类型": "气体检测报警", "接入日期": ""}),
        "connected_date_missing",
        "connected_date",
    ),
    (
        "monitoring",
        row("monitoring", **{"系统类型": "紧急切断", "停用日期": "2024-02-01"}),
        "disconnected_before_connected",
        "disconnected_date",
    ),
    ("monitoring", row("monitoring", **{"系统类型": "雷达"}), "bad_enum", "system"),
    (
        "monitoring",
        row("monitoring", **{"统一社会信用代码": E3, "系统类型": "电力监测"}),
        "orphan_credit_code",
        "credit_code",
    ),
    (
        "self_inspections",
        row("self_inspections", **{"自查编号": "SB1", "发现重大隐患数": "3"}),
        "major_gt_all",
        "major_hazards_found",
    ),
    (
        "self_inspections",
        row("self_inspections", **{"自查编号": "SB2", "自查日期": "2024-03-11"}),
        "inspection_after_update",
        "inspection_date",
    ),
    (
        "self_inspections",
        row("self_inspections", **{"自查编号": "SB3", "带队人员类别": "门卫"}),
        "bad_enum",
        "led_by",
    ),
    (
        "self_inspections",
        row("self_inspections", **{"自查编号": "SB4", "自查日期": ""}),
        "missing_required",
        "inspection_date",
    ),
]


@pytest.fixture(scope="module")
def reasons_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reasons")
    raw = tmp / "raw"
    good = {
        "enterprises": [
            ENT,
            row(
                "enterprises",
                **{"统一社会信用代码": E2, "所属镇街": "店子", "行业领域": "建筑施工"},
            ),
        ],
        "hazards": [HAZ],
        "accidents": [ACC],
        "inspections": [INS],
        "penalties": [PEN, row("penalties", **{"处罚决定书编号": "P2", "检查编号": ""})],
        "training": [TRA],
        "drills": [
            DRI,
            row(
                "drills",
                **{
                    "演练编号": "D2",
                    "组织单位类型": "镇街",
                    "统一社会信用代码": "",
                    "组织单位名称": "店子镇人民政府",
                },
            ),
            row(
                "drills",
                **{
                    "演练编号": "D3",
                    "组织单位类型": "区直部门",
                    "统一社会信用代码": "",
                    "组织单位名称": "区住房和城乡建设局",
                },
            ),
        ],
        "tasks": [TASK, row("tasks", **{"责任单位": "山城", "任务编号": "二.26-1"})],
        "reports": [
            REP,
            row(
                "reports",
                **{
                    "举报编号": "R2",
                    "举报人姓名": "",
                    "举报人电话": "",
                    "被举报单位统一社会信用代码": E3,
                },
            ),
        ],
        "monitoring": [MON],
        "self_inspections": [SIN],
    }
    expected = []
    for extract, rows in good.items():
        bad = [(r, code, col) for e, r, code, col in BAD_ROWS if e == extract]
        all_rows = rows + [r for r, _, _ in bad]
        write_csv(
            raw / extract / f"{extract}.csv",
            all_rows,
            header=[c.zh for c in EXTRACTS[extract].columns],
        )
        for i, (_r, code, col) in enumerate(bad):
            expected.append((extract, f"{extract}/{extract}.csv", len(rows) + i + 2, code, col))
    # rows the reader cannot read as rows (no column): an unquoted comma in a name, a quoted
    # field spanning lines
    for extract, changes, code in (
        ("reports", {"举报编号": "RB9", "举报人姓名": "高,永"}, "wrong_field_count"),
        ("hazards", {"隐患编号": "HB9", "隐患描述": '"第一行\n第二行"'}, "multiline_field"),
    ):
        path = raw / extract / f"{extract}.csv"
        line = len(path.read_bytes().splitlines()) + 1
        r = row(extract, **changes)
        text = ",".join(r.get(c.zh, "") for c in EXTRACTS[extract].columns)
        path.write_bytes(path.read_bytes() + text.encode() + b"\n")
        expected.append((extract, f"{extract}/{extract}.csv", line, code, None))
    result, con = run(raw, tmp)
    return result, con, expected, good


def test_every_reason_code_is_triggered(reasons_build):
    result, con, expected, _good = reasons_build
    got = set(
        con.execute(
            "select extract, file, line, reason_code, column_name from raw.quarantine"
        ).fetchall()
    )
    for e in expected:
        assert e in got, f"expected quarantine row {e}"
    assert {e[3] for e in expected} == set(REASONS), set(REASONS) - {e[3] for e in expected}


def test_bad_rows_are_not_loaded_and_good_rows_are(reasons_build):
    result, con, expected, good = reasons_build
    for extract, rows in good.items():
        n = con.execute(f"select count(*) from raw.{extract}").fetchone()[0]
        assert n == len(rows), extract
    # each bad row: quarantined once in the reconciliation
    rec = {
        r[0]: r[1:]
        for r in con.execute(
            "select file, rows_read, rows_loaded, rows_quarantined, rows_folded from raw.load_reconciliation"
        ).fetchall()
    }
    for extract, rows in good.items():
        n_bad = sum(1 for e in BAD_ROWS if e[0] == extract)
        n_bad += sum(1 for e in expected if e[0] == extract and e[4] is None)  # unreadable rows
        assert rec[f"{extract}/{extract}.csv"] == (len(rows) + n_bad, len(rows), n_bad, 0)


def test_quarantine_row_carries_context(reasons_build):
    _result, con, _expected, _good = reasons_build
    q = con.execute(
        "select column_zh, reason, value, record_key, unit_code, month from raw.quarantine "
        "where reason_code = 'deadline_before_found'"
    ).fetchall()
    assert q == [
        ("整改期限", REASONS["deadline_before_found"], "2024-03-01", "HB6", "U01", "2024-03")
    ]
    q = con.execute(
        "select value, unit_code from raw.quarantine where reason_code = 'unknown_town'"
    ).fetchall()
    assert q == [("火星镇", None)]


def test_landed_columns_and_resolution(reasons_build):
    _result, con, _expected, _good = reasons_build
    assert con.execute(
        "select credit_code, unit_code from raw.enterprises order by _read_seq"
    ).fetchall() == [(E1, "U01"), (E2, "U02")]
    # hazards: empty town stays NULL (dbt takes the enterprise's)
    assert con.execute("select town, unit_code, industry from raw.hazards").fetchall() == [
        (None, None, None)
    ]
    drills = con.execute(
        "select drill_id, organiser_unit_code, organiser_department_code from raw.drills order by drill_id"
    ).fetchall()
    assert drills == [("D1", None, None), ("D2", "U02", None), ("D3", None, "D02")]
    reports = con.execute(
        "select report_id, is_anonymous, credit_code from raw.reports order by report_id"
    ).fetchall()
    assert reports == [("R1", False, E1), ("R2", True, E3)]
    cols = [r[0] for r in con.execute("describe raw.training").fetchall()]
    assert "id_number_hash" in cols and "id_number" not in cols and "person_name" not in cols
    import hashlib

    h = con.execute("select id_number_hash from raw.training").fetchone()[0]
    assert h == hashlib.sha256((SALT + PID).encode()).hexdigest()
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns where table_schema='raw' and table_name='accidents'"
        ).fetchall()
    )
    assert types["occurred_at"] == "TIMESTAMP" and types["deaths_excl_missing"] == "INTEGER"
    assert types["direct_loss_10k_yuan"] == "DOUBLE" and types["is_liability"] == "BOOLEAN"
    assert types["investigation_closed_date"] == "DATE"
    info = con.execute("select as_of_date, max_updated_at from raw.build_info").fetchone()
    assert info == (dt.date(2024, 7, 20), dt.datetime(2024, 7, 20, 10, 0))


def test_no_pii_anywhere(reasons_build):
    _result, con, _expected, _good = reasons_build
    secrets = [PID, PNAME, PPHONE, RNAME, RPHONE, PID[:-1] + "1"]
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    ]
    for t in tables:
        cols = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema='raw' and table_name=? and data_type='VARCHAR'",
                [t],
            ).fetchall()
        ]
        for c in cols:
            for s in secrets:
                n = con.execute(
                    f'select count(*) from raw.{t} where contains("{c}", ?)', [s]
                ).fetchone()[0]
                assert n == 0, (t, c, s)


def test_no_pii_in_warnings_or_progress(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    write_csv(
        raw / "training" / "t.csv",
        [
            TRA,
            row("training", **{"学时": "8"}),
            row("training", **{"记录编号": "T9", "身份证号": PID[:-1] + "1"}),
        ],
    )
    messages: list[str] = []
    result = ingest(
        raw, tmp_path / "b.duckdb", seeds_dir=SEEDS, salt=SALT, progress=messages.append
    )
    assert result.warnings
    for m in messages + result.warnings:
        for s in (PID, PNAME, PPHONE, PID[:-1] + "1"):
            assert s not in m


# ------------------------------------------------------------------------------ normalisation


def test_normalisation(tmp_path):
    raw = tmp_path / "raw"
    write_csv(
        raw / "enterprises" / "e.csv",
        [
            row(
                "enterprises",
                **{
                    "统一社会信用代码": "\u3000"
                    + E1.lower().translate(str.maketrans("0123456789b", "０１２３４５６７８９ｂ"))
                    + " ",
                    "企业名称": "  甲公司\u3000",
                    "所属镇街": " 山城街道办事处 ",
                    "是否高危行业": "Y",
                    "是否重大危险源": "n",
                    "更新时间": "２０２４年１月２日 ８:０５",
                },
            ),
            row(
                "enterprises",
                **{
                    "统一社会信用代码": E2,
                    "所属镇街": "开发区",
                    "是否高危行业": "1",
                    "是否重大危险源": "",
                    "更新时间": "2024/1/3",
                },
            ),
        ],
    )
    write_csv(
        raw / "hazards" / "h.csv",
        [
            row(
                "hazards",
                **{
                    "隐患编号": "Ｈ１",
                    "发现日期": "2024年3月5日",
                    "整改期限": "2024/3/20",
                    "责任部门": "应急",
                    "整改资金(万元)": "",
                    "隐患等级": " 重大隐患　",
                },
            ),
        ],
    )
    write_csv(
        raw / "training" / "t.csv",
        [
            row(
                "training",
                **{
                    "身份证号": PID.lower(),
                    "特种作业类别": "冶金(有色)生产安全作业",
                    "人员类别": "特种作业人员",
                    "培训类型": "特种作业操作证",
                },
            ),
        ],
    )
    write_csv(
        raw / "accidents" / "a.csv",
        [
            row(
                "accidents", **{"事故类型": "厂（场）内车辆致害", "死亡人数": "", "失踪人数": "１"}
            ),
        ],
    )
    result, con = run(raw, tmp_path)
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0, con.sql(
        "select * from raw.quarantine"
    ).fetchall()
    ents = con.execute(
        "select credit_code, enterprise_name, town, unit_code, is_high_risk, has_major_hazard_source, updated_at from raw.enterprises order by _read_seq"
    ).fetchall()
    assert ents == [
        (E1, "甲公司", "山城街道办事处", "U01", True, False, dt.datetime(2024, 1, 2, 8, 5)),
        (E2, "甲公司", "开发区", "U11", True, False, dt.datetime(2024, 1, 3)),
    ]
    h = con.execute(
        "select hazard_id, found_date, deadline, department, funds_10k_yuan, level from raw.hazards"
    ).fetchall()
    assert h == [
        ("H1", dt.date(2024, 3, 5), dt.date(2024, 3, 20), "区应急管理局", None, "重大隐患")
    ]
    t = con.execute("select special_work_type, id_number_hash from raw.training").fetchone()
    import hashlib

    assert t == ("冶金（有色）生产安全作业", hashlib.sha256((SALT + PID).encode()).hexdigest())
    a = con.execute(
        "select accident_type, deaths_excl_missing, missing from raw.accidents"
    ).fetchone()
    assert a == ("厂(场)内车辆致害", 0, 1)


# ------------------------------------------------------------------------------ encodings, XLSX


def test_gb18030_and_bom_files(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "a_gbk.csv", [ENT], encoding="gb18030")
    write_csv(
        raw / "enterprises" / "b_bom.csv",
        [row("enterprises", **{"统一社会信用代码": E2})],
        encoding="utf-8-sig",
    )
    write_csv(raw / "hazards" / "h.csv", [HAZ], encoding="gb18030")
    result, con = run(raw, tmp_path)
    assert con.execute(
        "select enterprise_name from raw.enterprises order by _read_seq"
    ).fetchall() == [("甲公司",), ("甲公司",)]
    assert con.execute("select description from raw.hazards").fetchone() == ("消防通道堵塞",)
    assert all(f.rows_loaded == 1 for f in result.files)


def test_undecodable_file_is_rejected(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    p = write_csv(raw / "hazards" / "h.csv", [HAZ])
    p.write_bytes(p.read_bytes() + b"\xff\xff\xff\n")
    with pytest.raises(ExtractFileError, match="hazards/h.csv") as err:
        run(raw, tmp_path)
    assert "编码" in str(err.value) and "encoding" in str(err.value)
    assert not (tmp_path / "build.duckdb").exists()


def test_other_file_types_are_rejected_hidden_and_top_level_ignored(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    (raw / "_planted.json").write_text("{}")
    (raw / "enterprises" / ".DS_Store").write_text("x")
    result, _con = run(raw, tmp_path)
    assert [f.file for f in result.files] == ["enterprises/e.csv"]
    (raw / "hazards").mkdir()
    (raw / "hazards" / "notes.txt").write_text("x")
    with pytest.raises(ExtractFileError, match="hazards/notes.txt"):
        run(raw, tmp_path)


def test_enterprises_required(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "hazards" / "h.csv", [HAZ])
    with pytest.raises(ExtractFileError, match="enterprises"):
        run(raw, tmp_path)


def test_missing_required_column(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    header = [h for h in HAZ if h != "发现日期"] + ["备注"]
    write_csv(raw / "hazards" / "2024" / "h.csv", [HAZ], header=header)
    with pytest.raises(ExtractFileError) as err:
        run(raw, tmp_path)
    assert "hazards/2024/h.csv" in str(err.value) and "发现日期" in str(err.value)
    assert not (tmp_path / "build.duckdb").exists()


def test_optional_column_missing_and_extra_columns(tmp_path):
    raw = tmp_path / "raw"
    header = [h for h in ENT if h != "主要负责人身份证号"] + ["备注"]
    write_csv(raw / "enterprises" / "e.csv", [dict(ENT, 备注="x")], header=header)
    result, con = run(raw, tmp_path)
    assert con.execute("select principal_id_number_hash from raw.enterprises").fetchall() == [
        (None,)
    ]


def test_xlsx(tmp_path):
    import xlsxwriter

    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    (raw / "hazards").mkdir()
    wb = xlsxwriter.Workbook(str(raw / "hazards" / "h.xlsx"))
    ws = wb.add_worksheet("台账")
    other = wb.add_worksheet("其他")
    other.write(0, 0, "ignored")
    header = list(HAZ)
    ws.write_row(0, 0, header)
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for i, hid in enumerate(["HX1", "HX2"], start=1):
        for j, h in enumerate(header):
            if h == "发现日期":
                ws.write_datetime(i, j, dt.datetime(2024, 3, 5), fmt)
            elif h == "更新时间":
                ws.write_datetime(i, j, dt.datetime(2024, 3, 6, 9, 30), fmt)
            elif h == "整改资金(万元)":
                ws.write_number(i, j, 2)
            elif h == "隐患编号":
                ws.write_string(i, j, hid)
            else:
                ws.write_string(i, j, HAZ[h]) if HAZ[h] else None
    ws.write_string(2, header.index("隐患等级"), "坏等级")
    wb.close()
    result, con = run(raw, tmp_path)
    assert con.execute(
        "select hazard_id, found_date, updated_at, funds_10k_yuan from raw.hazards"
    ).fetchall() == [("HX1", dt.date(2024, 3, 5), dt.datetime(2024, 3, 6, 9, 30), 2.0)]
    assert con.execute("select file, line, reason_code from raw.quarantine").fetchall() == [
        ("hazards/h.xlsx", 3, "bad_enum")
    ]


# ------------------------------------------------------------------------------ folding, warnings, lines


def test_duplicate_folding_and_reconciliation(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    h2 = row(
        "hazards",
        **{"整改状态": "已整改", "整改完成日期": "2024-03-10", "更新时间": "2024-03-10 09:00"},
    )
    bad = row("hazards", **{"隐患编号": "HB", "隐患等级": "x"})
    write_csv(raw / "hazards" / "2024-03.csv", [HAZ, HAZ, bad, bad])
    # the same rows re-exported in another format, with blanks and full-width digits
    write_csv(
        raw / "hazards" / "2024-04.csv",
        [row("hazards", **{"发现日期": "2024/3/5", "隐患编号": " Ｈ1 "}), h2, bad],
    )
    result, con = run(raw, tmp_path)
    rec = con.execute(
        "select file, rows_read, rows_loaded, rows_quarantined, rows_folded from raw.load_reconciliation where extract='hazards' order by file"
    ).fetchall()
    assert rec == [("hazards/2024-03.csv", 4, 1, 2, 1), ("hazards/2024-04.csv", 3, 1, 1, 1)]
    for _f, r, lo, q, fo in rec:
        assert r == lo + q + fo
    assert con.execute(
        "select _file, _line, status from raw.hazards order by _read_seq"
    ).fetchall() == [
        ("hazards/2024-03.csv", 2, "整改中"),
        ("hazards/2024-04.csv", 3, "已整改"),
    ]
    counts = result.extracts["hazards"]
    assert counts == {"files": 2, "read": 7, "loaded": 2, "quarantined": 3, "folded": 2}
    assert not result.warnings


def test_equal_updated_at_warning(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    write_csv(raw / "hazards" / "a.csv", [HAZ])
    write_csv(raw / "hazards" / "b.csv", [row("hazards", **{"隐患描述": "改了描述"})])
    result, con = run(raw, tmp_path)
    assert any("H1" in w and "read last wins" in w for w in result.warnings), result.warnings
    assert con.execute("select count(*) from raw.hazards").fetchone()[0] == 2


def test_multiline_quoted_fields_are_quarantined_at_their_physical_line(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    write_csv(
        raw / "hazards" / "h.csv",
        [
            row("hazards", **{"隐患描述": "第一行\n第二行\n第三行"}),
            row("hazards", **{"隐患编号": "H2", "隐患等级": "x"}),
        ],
    )
    result, con = run(raw, tmp_path)
    # a field spanning lines: the row is quarantined whole at the line where it starts, no value
    assert con.execute("select count(*) from raw.hazards").fetchone() == (0,)
    assert con.execute(
        "select line, reason_code, column_name, value, record_key from raw.quarantine order by line"
    ).fetchall() == [(2, "multiline_field", None, None, None), (5, "bad_enum", "level", "x", "H2")]


def test_blank_lines_are_not_rows(tmp_path):
    raw = tmp_path / "raw"
    p = write_csv(raw / "enterprises" / "e.csv", [ENT])
    p.write_bytes(p.read_bytes() + b"\n,,,,,,,,,,,,\n")
    write_csv(
        raw / "hazards" / "h.csv", [HAZ, row("hazards", **{"隐患编号": "H2", "隐患等级": "x"})]
    )
    hp = raw / "hazards" / "h.csv"
    lines = hp.read_bytes().split(b"\n")
    hp.write_bytes(b"\n".join([lines[0], lines[1], b"", lines[2], b""]))
    result, con = run(raw, tmp_path)
    assert result.extracts["enterprises"]["read"] == 1
    assert con.execute("select line from raw.quarantine").fetchall() == [(4,)]


def test_as_of_given_and_enterprise_state(tmp_path):
    raw = tmp_path / "raw"
    # the enterprise moves from 山城 to no town later: as of 2024-02-01 it is still U01
    write_csv(
        raw / "enterprises" / "e.csv",
        [ENT, row("enterprises", **{"所属镇街": "店子镇", "更新时间": "2024-06-01"})],
    )
    write_csv(raw / "hazards" / "h.csv", [HAZ])
    result, con = run(raw, tmp_path, as_of=dt.date(2024, 2, 1))
    assert result.as_of == dt.date(2024, 2, 1)
    assert con.execute("select as_of_date from raw.build_info").fetchone() == (dt.date(2024, 2, 1),)
    assert set(result.timings) >= {"read", "validate", "land"}


@pytest.mark.parametrize("read_ahead", ["1", "0"])
def test_timings_split_the_loaders_thread(tmp_path, monkeypatch, read_ahead):
    """The split adds up on the loader's own thread: check + read_wait + normalise + validate +
    land = total, no part negative (validate is the remainder; the reading thread's read and
    read_normalise overlap the rest and are not subtracted, only the wait for them)."""
    monkeypatch.setenv("ZHIBEN_LAKE_READ_AHEAD", read_ahead)
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    write_csv(raw / "hazards" / "h.csv", [HAZ, row("hazards", **{"隐患编号": "H2"})])
    result, _con = run(raw, tmp_path)
    t = result.timings
    assert all(v >= 0 for v in t.values()), t
    parts = t["check"] + t["read_wait"] + t["normalise"] + t["validate"] + t["land"]
    assert parts == pytest.approx(t["total"], abs=0.05), t
    assert t["read"] > 0 and t["read_normalise"] > 0
    if read_ahead == "0":  # no thread: the loader did the reading itself
        assert t["read_wait"] >= t["read"] + t["read_normalise"] - 0.01, t


def test_unbalanced_quote_rejects_the_file(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    p = write_csv(raw / "hazards" / "h.csv", [HAZ, row("hazards", **{"隐患编号": "H2"})])
    text = p.read_text(encoding="utf-8").replace("消防通道堵塞", '"消防通道堵塞', 1)
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ExtractFileError, match="hazards/h.csv"):
        run(raw, tmp_path)


def test_unknown_folder_warns(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    write_csv(raw / "misc" / "x.csv", [ENT])
    result, _con = run(raw, tmp_path)
    assert any("misc/" in w for w in result.warnings)


def test_gx_on_the_dictionary_equals_gx_on_every_row(reasons_build):
    """Validating the distinct values (the loader's way) finds exactly the failures that running
    the same suite on every row of the frame finds."""
    import polars as pl

    from zhiben.ingest.normalise import normalise
    from zhiben.ingest.pipeline import _add_context, _Context
    from zhiben.ingest.read import read_csv
    from zhiben.ingest.refdata import RefData
    from zhiben.ingest.suites import Validator, rules_for

    _result, con, _expected, _good = reasons_build
    raw_file = con.execute(
        "select file from raw.load_reconciliation where extract='hazards'"
    ).fetchone()[0]
    raw_dir = Path(con.execute("select raw_dir from raw.build_info").fetchone()[0])
    ex = EXTRACTS["hazards"]
    ref = RefData.load(SEEDS)
    rf = read_csv(raw_dir / raw_file, raw_file, ex)
    frame = rf.frame.with_columns(
        pl.lit(raw_file).alias("_file"),
        pl.int_range(1, rf.rows_read + 1, dtype=pl.Int64).alias("_read_seq"),
        pl.lit(True).alias("_nfkc_dirty"),
    )
    n = _add_context(ex, normalise(ex, frame, ref).with_row_index("_idx"), _Context())
    rules = rules_for(ex, ref)
    v = Validator()
    by_dictionary = v.validate("hazards", rules, n, asset="h_dictionary")
    cols = list(dict.fromkeys(c for r in rules for c in r.gx_columns))
    every_row = pl.DataFrame(
        [
            (i, rules[rule].column, rules[rule].reason)
            for rule, idx in v.run_suite("h_rows", rules, n.select(cols))
            for i in idx
        ],
        schema={"_idx": pl.Int64, "column_name": pl.String, "reason_code": pl.String},
        orient="row",
    ).unique()
    assert by_dictionary.height > 10
    # every reason the file plants is found, and the same rows for each
    assert by_dictionary.sort(pl.all()).equals(every_row.sort(pl.all()))
    assert by_dictionary["reason_code"].n_unique() >= 8


def test_gx_worker_ends_with_the_load_and_with_a_rejected_file(tmp_path):
    """great-expectations runs in a child process: it is gone after a load, and after a load
    stopped by a rejected file before any validation."""
    import psutil

    def workers() -> list[psutil.Process]:
        return [
            p
            for p in psutil.Process().children(recursive=True)
            if "gx_worker" in " ".join(p.cmdline())
        ]

    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    result, con = run(raw, tmp_path)
    con.close()
    assert result.files[0].rows_loaded == 1
    assert workers() == []
    write_csv(raw / "hazards" / "h.csv", [HAZ]).write_bytes(b"\xff\xfe\xff\n")
    with pytest.raises(ExtractFileError, match="hazards/h.csv"):
        run(raw, tmp_path)
    assert workers() == []
