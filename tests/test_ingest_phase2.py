"""Phase-2 extracts and optional columns (SPEC §10.1, §10.5) through the real loader: a file
WITHOUT an optional column gives NULL (unknown) there, a file WITH it and an empty cell gives
否 / 0 / none; monitoring versions are keyed by credit code × system."""

from __future__ import annotations

from test_ingest import ENT, HAZ, MON, SIN, cc, row, run, write_csv

from zhiben.contract import EXTRACTS

E4 = cc("91370406MA3C00044")
E5 = cc("91370406MA3C00055")

PHASE1_ENT = list(ENT)  # the phase-1 header (no optional §10.1 column)
FULL_ENT = [c.zh for c in EXTRACTS["enterprises"].columns]
PHASE1_HAZ = list(HAZ)
FULL_HAZ = [c.zh for c in EXTRACTS["hazards"].columns]


def test_absent_optional_column_is_null_and_empty_cell_is_none(tmp_path):
    raw = tmp_path / "raw"
    # file 1: no optional column at all (a phase-1 export)
    write_csv(raw / "enterprises" / "a.csv", [ENT], header=PHASE1_ENT)
    # file 2: every optional column, E4's cells empty, E5's filled
    write_csv(
        raw / "enterprises" / "b.csv",
        [
            row("enterprises", **{"统一社会信用代码": E4}),
            row(
                "enterprises",
                **{
                    "统一社会信用代码": E5,
                    "是否涉有限空间": "是",
                    "是否涉爆粉尘": "Y",
                    "涉粉作业人数": "12",
                    "是否涉氨制冷": "否",
                    "是否油气储存": "1",
                    "露天矿边坡高度米": "120.5",
                    "安全风险等级": "一般风险",
                    "标准化取证日期": "2024/5/6",
                },
            ),
        ],
        header=FULL_ENT,
    )
    write_csv(raw / "hazards" / "a.csv", [HAZ], header=PHASE1_HAZ)
    write_csv(
        raw / "hazards" / "b.csv",
        [
            row("hazards", **{"隐患编号": "H2"}),
            row(
                "hazards",
                **{
                    "隐患编号": "H3",
                    "隐患等级": "重大隐患",
                    "整改状态": "已销号",
                    "整改完成日期": "2024-03-10",
                    "销号日期": "2024-03-12",
                    "督办措施": "函告、 约谈",
                    "督办日期": "2024-03-08",
                    "销号核验方式": "部门核验",
                    "核验日期": "2024-03-11",
                    "更新时间": "2024-03-12 09:00",
                },
            ),
        ],
        header=FULL_HAZ,
    )
    _result, con = run(raw, tmp_path)
    ents = con.execute(
        "select credit_code, is_confined_space, is_explosive_dust, dust_workers,"
        " is_ammonia_refrigeration, is_oil_gas_storage, open_pit_slope_m, risk_level,"
        " standardization_date::varchar from raw.enterprises order by _read_seq"
    ).fetchall()
    assert ents == [
        (ENT["统一社会信用代码"], None, None, None, None, None, None, None, None),
        (E4, False, False, 0, False, False, None, None, None),
        (E5, True, True, 12, False, True, 120.5, "一般风险", "2024-05-06"),
    ]
    # the phase-1 columns load as before
    assert con.execute(
        "select is_high_risk, scale from raw.enterprises order by _read_seq limit 1"
    ).fetchone() == (False, "规上")
    haz = con.execute(
        "select hazard_id, supervision_measures, is_supervision_measures_known,"
        " supervision_date::varchar, verification_method, is_verification_method_known,"
        " verified_date::varchar from raw.hazards order by _read_seq"
    ).fetchall()
    assert haz == [
        ("H1", None, False, None, None, False, None),
        ("H2", None, True, None, None, True, None),
        ("H3", "函告、约谈", True, "2024-03-08", "部门核验", True, "2024-03-11"),
    ]
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)


def test_monitoring_versions_are_keyed_by_enterprise_and_system(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "enterprises" / "e.csv", [ENT])
    # two systems of one enterprise at the same 更新时间: two records, no equal-version warning
    write_csv(
        raw / "monitoring" / "m.csv",
        [
            MON,
            row("monitoring", **{"系统类型": "紧急切断", "是否联网": "否", "接入日期": ""}),
            row(
                "monitoring",
                **{"系统类型": "气体检测报警", "是否联网": "否", "停用日期": "2024-03-01"},
            ),
        ],
    )
    write_csv(raw / "self_inspections" / "s.csv", [SIN])
    result, con = run(raw, tmp_path)
    assert not [w for w in result.warnings if "monitoring" in w]
    assert con.execute(
        "select system, is_connected, connected_date::varchar, disconnected_date::varchar"
        " from raw.monitoring order by _read_seq"
    ).fetchall() == [
        ("视频监控", True, "2024-03-01", None),
        ("紧急切断", False, None, None),
        ("气体检测报警", False, "2024-03-01", "2024-03-01"),
    ]
    assert con.execute(
        "select self_inspection_id, led_by, hazards_found, major_hazards_found"
        " from raw.self_inspections"
    ).fetchall() == [("S1", "主要负责人", 2, 0)]
    con.close()
    # the same system twice at the same 更新时间 does warn
    write_csv(raw / "monitoring" / "m2.csv", [row("monitoring", **{"接入日期": "2024-02-01"})])
    result, _con = run(raw, tmp_path)
    assert any("monitoring" in w and "system=视频监控" in w for w in result.warnings)
