"""Known answers of the prevention marts (issue 16; SPEC §10.3, §10.5): 技防 coverage, 主要负责人-led
self-inspections, the ledger's supervision taken vs due and unverified closures — a hand-made drop
built by dbt as of D = 2025-03-15.

The story:
- 油气储存 (R3 视频监控 / R4 气体检测报警 / R5 紧急切断, due 2024-12-31): O1 (店子镇) connected its
  视频监控 on the due date itself (counts), its 气体检测报警 only on 2025-01-05, no 紧急切断; O2
  (西集镇) 停用 its 视频监控 on the due date (not connected then), had its 气体检测报警 marked
  是否联网 = 否 with 停用 2025-03-01 (connected at the due date, not at D) and a 紧急切断 marked 否 with
  no 停用 (never connected); O3's file has no 是否油气储存 column (unknown: not in the population);
  O4 (店子镇) was 停产 at the due date (not required then) and 在营 at D.
- R1 (边坡 ≥ 100 m, due 2024-06-30): M1 at exactly 100 m, connected on the due date; M2 at 99.9 m
  is not required. R9 (智慧工地, due 2025-12-31, not yet due): B1 connected, B2 not.
- self-inspection (山城街道): H is high-risk (monthly), L is not (quarterly). 2024Q3: L's only 自查
  was led by the 分管负责人, H had none → 0 of 2. 2024Q4: H in Oct, Nov and on 2024-12-31, L on
  2024-10-01, all by the 主要负责人 → 2 of 2. 2025Q1 (not ended at D): H in January, none in
  February, one in March (March has not ended: not required); L's quarter has not ended (not
  counted) → 0 of 1.
- 重大隐患 of 山城街道 in 2025Q1: one by 企业自查, one by 部门检查, one with no source (found on D) →
  2 of 3 not self-found.
- ledger: HZ2 due 通报 with 函告 taken (behind); HZ6 due 通报, measures unknown (NULL); HZ7 due 函告
  with 约谈 taken (not behind); HZ1 已销号 by 部门核验 (unverified), HZ4 已销号 with 销号核验方式
  unknown (NULL), HZ5 已销号 by 三方现场核验 (verified).
"""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.hand_drop import add_build_info, built_drop, t
from fixtures.raw_schema import RawBuilder

from zhiben.codes import credit_check_char

AS_OF = date(2025, 3, 15)


def credit(n: int) -> str:
    first17 = f"91370406MA3D{n:05d}"
    return first17 + credit_check_char(first17)


O1, O2, O3, O4, M1, M2, B1, B2, H, L = (credit(i) for i in range(1, 11))
UNIT = {"U01": "山城街道", "U02": "店子镇", "U03": "西集镇", "U05": "北庄镇"}


def ent(code, name, unit, industry, **kw):
    row = dict(
        credit_code=code,
        enterprise_name=name,
        town=UNIT[unit],
        unit_code=unit,
        industry=industry,
        scale="规下",
        is_high_risk=False,
        standardization_level="三级",
        operating_status="在营",
        updated_at=t(2023, 1, 1),
    )
    row.update(kw)
    return row


def make_drop(path):
    rb = RawBuilder(path)
    oil = dict(
        is_oil_gas_storage=True,
        is_explosive_dust=False,
        dust_workers=0,
        is_confined_space=False,
        is_ammonia_refrigeration=False,
    )
    rb.add(
        "enterprises",
        [
            ent(O1, "甲油库", "U02", "危险化学品", **oil),
            ent(O2, "乙加油站", "U03", "危险化学品", **oil),
            ent(O3, "丙化工", "U03", "危险化学品"),  # a file without the optional columns
            ent(O4, "丁油库", "U02", "危险化学品", **oil),
            ent(
                O4,
                "丁油库",
                "U02",
                "危险化学品",
                operating_status="停产",
                updated_at=t(2024, 10, 1),
                **oil,
            ),
            ent(O4, "丁油库", "U02", "危险化学品", updated_at=t(2025, 1, 1), **oil),
            ent(M1, "戊石料矿", "U02", "非煤矿山", open_pit_slope_m=100.0),
            ent(M2, "己石料矿", "U02", "非煤矿山", open_pit_slope_m=99.9),
            ent(B1, "庚建设", "U02", "建筑施工"),
            ent(B2, "辛建设", "U05", "建筑施工"),
            ent(H, "壬化工", "U01", "其他", is_high_risk=True),
            ent(L, "癸商贸", "U01", "其他"),
        ],
    )

    def mon(code, system, connected, cdate=None, ddate=None):
        return dict(
            credit_code=code,
            system=system,
            is_connected=connected,
            connected_date=cdate,
            disconnected_date=ddate,
            updated_at=t(2025, 3, 1),
        )

    rb.add(
        "monitoring",
        [
            mon(O1, "视频监控", True, date(2024, 12, 31)),
            mon(O1, "气体检测报警", True, date(2025, 1, 5)),
            mon(O2, "视频监控", True, date(2024, 6, 1), date(2024, 12, 31)),
            mon(O2, "气体检测报警", False, date(2024, 1, 1), date(2025, 3, 1)),
            mon(O2, "紧急切断", False, date(2024, 11, 1)),
            mon(M1, "边坡在线监测", True, date(2024, 6, 30)),
            mon(B1, "智慧工地", True, date(2024, 5, 1)),
        ],
    )

    seq = iter(range(1, 100))

    def sin(code, d, led_by="主要负责人"):
        return dict(
            self_inspection_id=f"S{next(seq)}",
            credit_code=code,
            inspection_date=d,
            led_by=led_by,
            hazards_found=1,
            major_hazards_found=0,
            updated_at=t(d.year, d.month, d.day, 18),
        )

    rb.add(
        "self_inspections",
        [
            sin(L, date(2024, 8, 1), "分管负责人"),
            sin(H, date(2024, 10, 8)),
            sin(H, date(2024, 11, 30)),
            sin(H, date(2024, 12, 31)),
            sin(L, date(2024, 10, 1)),
            sin(H, date(2025, 1, 10)),
            sin(H, date(2025, 3, 5)),
        ],
    )

    def haz(hid, found, **kw):
        row = dict(
            hazard_id=hid,
            credit_code=H,
            level="重大隐患",
            source="企业自查",
            status="整改中",
            found_date=found,
            deadline=None,
            is_supervision_measures_known=True,
            is_verification_method_known=True,
            updated_at=t(2025, 3, 15),
        )
        row.update(kw)
        return row

    closed = dict(status="已销号", rectified_date=date(2025, 2, 1), closed_date=date(2025, 2, 5))
    rb.add(
        "hazards",
        [
            haz(
                "HZ1",
                date(2025, 1, 20),
                verification_method="部门核验",
                verified_date=date(2025, 2, 4),
                **closed,
            ),
            haz(
                "HZ2",
                date(2025, 2, 1),
                source="部门检查",
                deadline=date(2025, 2, 10),
                supervision_measures="函告",
            ),
            haz("HZ3", date(2025, 3, 15), source=None),
            haz("HZ4", date(2024, 6, 1), is_verification_method_known=False, **closed),
            haz(
                "HZ5",
                date(2024, 6, 1),
                verification_method="三方现场核验",
                verified_date=date(2025, 2, 4),
                **closed,
            ),
            haz(
                "HZ6",
                date(2024, 6, 1),
                deadline=date(2025, 1, 20),
                is_supervision_measures_known=False,
            ),
            haz("HZ7", date(2024, 6, 1), deadline=date(2025, 3, 5), supervision_measures="约谈"),
        ],
    )
    add_build_info(
        rb, AS_OF, built_at=t(2025, 3, 15), max_updated_at=t(2025, 3, 15), raw_dir="hand-made"
    )
    rb.close()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    yield from built_drop(
        tmp_path_factory,
        "prevention",
        make_drop,
        AS_OF,
        (
            "+mart_monitoring_coverage",
            "+mart_self_inspection",
            "+mart_major_hazard_ledger",
            "+mart_target_progress",
            "+mart_target_milestones",
            "+mart_target_chase_list",
        ),
    )


def coverage(con, rid, unit, measured_on):
    return con.execute(
        "select required, connected, coverage_share, status from marts.mart_monitoring_coverage"
        " where requirement_id = ? and unit_code is not distinct from ? and measured_on = ?",
        [rid, unit, measured_on],
    ).fetchall()


DUE = date(2024, 12, 31)


@pytest.mark.parametrize(
    ("rid", "unit", "measured_on", "expected"),
    [
        # on the due date: connected that day counts, 停用 that day does not; 停产 not required
        ("R3", None, DUE, [(2, 1, 0.5, "未达成")]),
        ("R3", "U02", DUE, [(1, 1, 1.0, "达成")]),
        ("R3", "U03", DUE, [(1, 0, 0.0, "未达成")]),
        ("R3", None, AS_OF, [(3, 1, 1 / 3, "未达成")]),
        # 是否联网 = 否 with a 停用日期: connected until it; at D after it
        ("R4", None, DUE, [(2, 1, 0.5, "未达成")]),
        ("R4", None, AS_OF, [(3, 1, 1 / 3, "未达成")]),
        # 否 without 停用: never connected
        ("R5", None, DUE, [(2, 0, 0.0, "未达成")]),
        # 100 m is in R1, 99.9 m is not
        ("R1", None, date(2024, 6, 30), [(1, 1, 1.0, "达成")]),
        # not yet due: the share at D against the straight line 439 / 730 days
        ("R9", None, AS_OF, [(2, 1, 0.5, "有风险")]),
        ("R9", "U02", AS_OF, [(1, 1, 1.0, "进行中")]),
        ("R9", "U05", AS_OF, [(1, 0, 0.0, "有风险")]),
        ("R9", None, date(2025, 12, 31), []),
        # nobody required: NULL share, counts as met
        ("R3", "U01", DUE, [(0, 0, None, "达成")]),
        ("R9", "U01", AS_OF, [(0, 0, None, "进行中")]),
    ],
)
def test_monitoring_coverage(con, rid, unit, measured_on, expected):
    got = coverage(con, rid, unit, measured_on)
    assert [r[:2] for r in got] == [e[:2] for e in expected]
    assert [r[3] for r in got] == [e[3] for e in expected]
    for r, e in zip(got, expected, strict=True):
        assert (r[2] is None and e[2] is None) or r[2] == pytest.approx(e[2])


def test_monitoring_grid(con):
    # 9 requirements × (11 units + region) × dates: R1–R5 twice (due passed), R6–R9 once
    n = con.execute("select count(*) from marts.mart_monitoring_coverage").fetchone()[0]
    assert n == (5 * 2 + 4) * 12
    exp = con.execute(
        "select distinct expected_share from marts.mart_monitoring_coverage"
        " where requirement_id = 'R9'"
    ).fetchall()
    assert exp == [(pytest.approx(439 / 730),)]


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        ("2024Q3", (2, 0, 0.0)),
        ("2024Q4", (2, 2, 1.0)),  # a 自查 on the period's last day counts
        ("2025Q1", (1, 0, 0.0)),  # the quarter not yet ended: H's Jan + Feb only; L not counted
    ],
)
def test_self_inspection_compliance(con, quarter, expected):
    got = con.execute(
        "select required, compliant, compliance_share from marts.mart_self_inspection"
        " where quarter = ? and unit_code = 'U01'",
        [quarter],
    ).fetchone()
    assert got == expected


def test_self_inspection_grid_and_not_self_found(con):
    n = con.execute("select count(*) from marts.mart_self_inspection").fetchone()[0]
    assert n == 5 * 11  # 2024Q1 … 2025Q1
    got = con.execute(
        "select major_hazards_found, major_hazards_not_self_found,"
        " major_hazards_not_self_found_share from marts.mart_self_inspection"
        " where quarter = '2025Q1' and unit_code = 'U01'"
    ).fetchone()
    assert got[:2] == (3, 2) and got[2] == pytest.approx(2 / 3)
    assert con.execute(
        "select required, major_hazards_found, major_hazards_not_self_found_share"
        " from marts.mart_self_inspection where quarter = '2025Q1' and unit_code = 'U05'"
    ).fetchone() == (0, 0, None)


def test_ledger_supervision_and_verification(con):
    rows = con.execute(
        "select hazard_id, escalation_taken, escalation_due, is_escalation_behind, verification,"
        " is_closed_unverified from marts.mart_major_hazard_ledger order by hazard_id"
    ).fetchall()
    assert rows == [
        ("HZ1", "无", "无", False, "部门核验", True),
        ("HZ2", "函告", "通报", True, "无", False),
        ("HZ3", "无", "无", False, "无", False),
        ("HZ4", "无", "无", False, None, None),
        ("HZ5", "无", "无", False, "三方现场核验", False),
        ("HZ6", None, "通报", None, "无", False),
        ("HZ7", "约谈", "函告", False, "无", False),
    ]


def test_targets_t14_to_t17(con):
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "select target_id, next_milestone::varchar, actual, status from marts.mart_target_progress"
            " where target_id in ('T14', 'T15', 'T16', 'T17')"
        ).fetchall()
    }
    # T14: 2024-12-31 missed (R5 0 %); next: 2025-12-31, R9 at 50 % (R6 / R7 nobody: 100 %)
    assert got["T14"] == ("2025-12-31", 0.5, "未达成")
    # T15: 2025Q1 so far: H missed February
    assert got["T15"] == ("2025-03-31", 0.0, "未达成")
    # T16: the 危险化学品 enterprises' 安全风险等级 unknown (NULL) counts as not met
    assert got["T16"] == (None, 0.0, "未达成")
    # T17: nobody required: 100 %
    assert got["T17"] == ("2026-12-31", 1.0, "进行中")
    ms = dict(
        con.execute(
            "select milestone_date::varchar, actual from marts.mart_target_milestones"
            " where target_id = 'T14' and is_passed"
        ).fetchall()
    )
    assert ms == {"2024-06-30": 1.0, "2024-12-31": 0.0}
    # T15 2024Q4: H and L compliant, the 7 other enterprises active at the quarter's end
    # (quarterly) without 自查 — O4, 停产 then, is not required
    q4 = con.execute(
        "select actual from marts.mart_target_milestones where target_id = 'T15'"
        " and milestone_date = '2024-12-31'"
    ).fetchone()[0]
    assert q4 == pytest.approx(2 / 9)


def test_chase_list_t14_t15(con):
    rows = con.execute(
        "select target_id, subject_id, missing_item, unit_code from marts.mart_target_chase_list"
        " where target_id in ('T14', 'T15') order by target_id, subject_id"
    ).fetchall()
    three = "未接入监测预警系统：气体检测报警、紧急切断、视频监控"
    assert rows == sorted(
        [
            ("T14", O1, "未接入监测预警系统：紧急切断", "U02"),
            ("T14", O2, three, "U03"),
            ("T14", O4, three, "U02"),
            ("T14", B2, "未接入监测预警系统：智慧工地", "U05"),
            ("T15", H, "2025-02起的自查周期内无主要负责人带队自查", "U01"),
        ]
    )
