"""Known-answer test of the quarterly evaluation (SPEC §7, §9 "Evaluation").

A hand-made raw schema (docs/ARCHITECTURE.md), dbt built as of 2026-08-15, and the 2026Q2 ranking
computed here by hand — scores, deductions, a veto and a tie — must equal the mart exactly.

The world (2026Q2 = 2026-04-01 … 2026-06-30; weights 25/15/10/15/15/10/10):

| unit | I1 | I2 | I3 | I4 | I5 | I6 | I7 | deductions | total |
| U01 | 1/2 → 50 | 1/2 → 50 | 2/1 (best) → 100 | 1/2 → 50 | 1 met → 50 | 1/1 → 100 | 0.5/0.9 | −2 listed overdue | 58.56 |
| U02 | none → 100 | 0/1 → 0 | 1/1 → 50 | 1/1 (best) → 100 | 0 | 0/1 → 0 | no drill → 0 | 重大 accident: veto | 45 |
| U03 | 100 | 100 | 0/1 → 0 | penalty, no inspection → 0 | 100 | 0 | 1/1 → 100 | −20 较大, −10 瞒报 | 35 |
| U04 | 1/1 → 100 | 1/1 → 100 | 1/2 → 25 | 1/4 → 25 | 100 | 1/2 → 50 | 镇街 drill only → 0 | — | 66.25 |
| U05 | 1/2 → 50 | 100 | 1/2 → 25 | 0 | 100 | 2/2 → 100 | 0 | — | 55 (ties U06…U11, lower I1) |
| U06…U11 | 100 | 100 | no enterprise → 0 | 0 | 100 | 0 | 0 | — | 55 |
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from fixtures.hand_drop import add_build_info, built_drop, t
from fixtures.raw_schema import RawBuilder, pii_hash

from zhiben import ranking

AS_OF = date(2026, 8, 15)
Q = "2026Q2"
WEIGHTS = {"I1": 25, "I2": 15, "I3": 10, "I4": 15, "I5": 15, "I6": 10, "I7": 10}
UNITS = [f"U{i:02d}" for i in range(1, 12)]
TOWNS = {
    "U01": "山城街道",
    "U02": "店子镇",
    "U03": "西集镇",
    "U04": "桑村镇",
    "U05": "北庄镇",
}


def code(n: int) -> str:
    return f"91370406MA3E{n:06d}"


E1, E2, E3, E4, E5, E6, E7, E8 = (code(n) for n in range(1, 9))
P5 = "370406198005050055"
P6 = "370406198006060066"


def _enterprise(credit_code: str, unit: str, status: str, updated: datetime, **kw) -> dict:
    return dict(
        credit_code=credit_code,
        enterprise_name=f"企业{credit_code[-2:]}",
        town=TOWNS[unit],
        unit_code=unit,
        industry="工贸",
        scale="规下",
        standardization_level="三级",
        operating_status=status,
        updated_at=updated,
        **kw,
    )


def _hazard(hazard_id: str, credit_code: str, unit: str, level: str, found: date, **kw) -> dict:
    row = dict(
        hazard_id=hazard_id,
        credit_code=credit_code,
        town=TOWNS[unit],
        unit_code=unit,
        industry="工贸",
        source="企业自查",
        level=level,
        category="现场管理",
        campaign="无",
        found_date=found,
        department="区应急管理局",
        updated_at=datetime.combine(found, datetime.min.time()),
    )
    row.update(kw)
    return row


def _accident(accident_id: str, unit: str, occurred: datetime, deaths: int = 0, **kw) -> dict:
    row = dict(
        accident_id=accident_id,
        occurred_at=occurred,
        town=TOWNS[unit],
        unit_code=unit,
        industry="工贸",
        accident_type="物体打击",
        deaths_excl_missing=deaths,
        reported_at=occurred,
        updated_at=occurred,
    )
    row.update(kw)
    return row


def build_drop(path: Path) -> None:
    rb = RawBuilder(path)
    v0 = t(2024, 1, 1)
    rb.add(
        "enterprises",
        [
            _enterprise(E1, "U01", "在营", v0),
            _enterprise(E2, "U01", "在营", v0),
            _enterprise(E2, "U01", "停产", t(2026, 5, 10)),  # not active at the end of Q2
            _enterprise(E3, "U02", "在营", v0),
            _enterprise(E4, "U03", "在营", v0),
            _enterprise(E4, "U03", "关闭", t(2026, 7, 20)),  # still active at the end of Q2
            _enterprise(E5, "U04", "在营", v0, principal_id_number_hash=pii_hash(P5)),
            _enterprise(E6, "U04", "在营", v0),
            _enterprise(E7, "U05", "在营", v0),
            _enterprise(E8, "U05", "在营", v0),
        ],
    )
    rb.add(
        "hazards",
        [
            # U01: I1 1 of 2 rectified by qe; I2 1 of 2 due in Q2 on time; 2 found in Q2
            _hazard(
                "H1",
                E1,
                "U01",
                "重大隐患",
                date(2025, 3, 1),
                deadline=date(2025, 4, 1),
                status="已整改",
                rectified_date=date(2025, 3, 20),
            ),
            _hazard(
                "H2",
                E1,
                "U01",
                "重大隐患",
                date(2026, 4, 10),
                deadline=date(2026, 5, 10),
                status="未整改",
                is_listed_supervision=True,
                supervision_level="区级",
            ),
            # the latest knowledge: rectified after qe, so open and overdue at qe (−2)
            _hazard(
                "H2",
                E1,
                "U01",
                "重大隐患",
                date(2026, 4, 10),
                deadline=date(2026, 5, 10),
                status="已整改",
                rectified_date=date(2026, 7, 5),
                is_listed_supervision=True,
                supervision_level="区级",
                updated_at=t(2026, 7, 6),
            ),
            _hazard(
                "H3",
                E1,
                "U01",
                "一般隐患",
                date(2026, 5, 1),
                deadline=date(2026, 6, 1),
                status="已整改",
                rectified_date=date(2026, 5, 20),
            ),
            # U02: due in Q2, still open; a version after D (rectified) is not known yet
            _hazard(
                "H4",
                E3,
                "U02",
                "一般隐患",
                date(2026, 4, 5),
                deadline=date(2026, 4, 30),
                status="整改中",
            ),
            _hazard(
                "H4",
                E3,
                "U02",
                "一般隐患",
                date(2026, 4, 5),
                deadline=date(2026, 4, 30),
                status="已整改",
                rectified_date=date(2026, 4, 20),
                updated_at=t(2026, 9, 1),
            ),
            # U04: one 重大隐患, rectified and closed on time
            _hazard(
                "H5",
                E5,
                "U04",
                "重大隐患",
                date(2026, 6, 1),
                deadline=date(2026, 6, 20),
                status="已销号",
                rectified_date=date(2026, 6, 15),
                closed_date=date(2026, 6, 16),
            ),
            # U05: I1 1 of 2 (found in Q1); one found in Q2 due in Q3 after D; one due in Q3
            _hazard(
                "H6",
                E7,
                "U05",
                "重大隐患",
                date(2026, 1, 10),
                deadline=date(2026, 2, 10),
                status="已整改",
                rectified_date=date(2026, 2, 1),
            ),
            _hazard(
                "H7",
                E7,
                "U05",
                "重大隐患",
                date(2026, 1, 15),
                deadline=date(2026, 12, 31),
                status="整改中",
            ),
            _hazard(
                "H8",
                E8,
                "U05",
                "一般隐患",
                date(2026, 5, 1),
                deadline=date(2026, 9, 30),
                status="未整改",
            ),
            _hazard(
                "H9",
                E8,
                "U05",
                "一般隐患",
                date(2026, 7, 2),
                deadline=date(2026, 8, 10),
                status="已整改",
                rectified_date=date(2026, 8, 1),
            ),
        ],
    )
    rb.add(
        "accidents",
        [
            # U01: 2026 1 accident 0 deaths vs 2025 1 accident 1 death → deaths met only
            _accident("A1", "U01", t(2025, 3, 10), deaths=1),
            _accident("A2", "U01", t(2026, 2, 10)),
            # U02: a 重大 accident (10 deaths), reported late: still vetoes Q2
            _accident("A3", "U02", t(2026, 5, 5), deaths=10, updated_at=t(2026, 8, 1)),
            # U03: a 较大 accident, concealed; 2025 had 2 accidents (5 deaths) by 06-30
            _accident("A4", "U03", t(2026, 4, 20), deaths=3, is_concealed=True),
            _accident("A5", "U03", t(2025, 1, 5), deaths=2),
            _accident("A6", "U03", t(2025, 6, 30, 23), deaths=3),
            _accident("A7", "U03", t(2025, 7, 1), deaths=9),  # after the like-for-like span
        ],
    )
    insp = dict(method="日常检查", campaign="无")
    rb.add(
        "inspections",
        [
            dict(
                insp,
                inspection_id="X1",
                inspection_date=date(2026, 4, 2),
                department="区应急管理局",
                credit_code=E1,
                town="山城街道",
                unit_code="U01",
                updated_at=t(2026, 4, 2),
            ),
            dict(
                insp,
                inspection_id="X2",
                inspection_date=date(2026, 5, 2),
                department="区应急管理局",
                credit_code=E1,
                town="山城街道",
                unit_code="U01",
                updated_at=t(2026, 5, 2),
            ),
            dict(
                insp,
                inspection_id="X3",
                inspection_date=date(2026, 5, 3),
                department="店子镇",
                credit_code=E3,
                town="店子镇",
                unit_code="U02",
                updated_at=t(2026, 5, 3),
            ),
            *[
                dict(
                    insp,
                    inspection_id=f"X4{i}",
                    inspection_date=date(2026, 6, i),
                    department="区住房和城乡建设局",
                    credit_code=E5,
                    town="桑村镇",
                    unit_code="U04",
                    updated_at=t(2026, 6, i),
                )
                for i in range(1, 5)
            ],
        ],
    )
    pen = dict(penalty_kinds="罚款", fine_entity_yuan=10000.0)
    rb.add(
        "penalties",
        [
            dict(
                pen,
                penalty_id="F1",
                inspection_id="X1",
                credit_code=E1,
                town="山城街道",
                unit_code="U01",
                department="区应急管理局",
                decided_date=date(2026, 4, 20),
                updated_at=t(2026, 4, 20),
            ),
            dict(
                pen,
                penalty_id="F2",
                inspection_id="X3",
                credit_code=E3,
                town="店子镇",
                unit_code="U02",
                department="店子镇",
                decided_date=date(2026, 5, 20),
                updated_at=t(2026, 5, 20),
            ),
            dict(
                pen,
                penalty_id="F3",
                credit_code=E4,
                town="西集镇",
                unit_code="U03",
                department="区应急管理局",
                decided_date=date(2026, 6, 1),
                updated_at=t(2026, 6, 1),
            ),
            dict(
                pen,
                penalty_id="F4",
                inspection_id="X41",
                credit_code=E5,
                town="桑村镇",
                unit_code="U04",
                department="区住房和城乡建设局",
                decided_date=date(2026, 6, 10),
                updated_at=t(2026, 6, 10),
            ),
        ],
    )
    tr = dict(
        person_role="主要负责人", training_type="主要负责人专题培训", hours=16.0, exam_result="合格"
    )
    rb.add(
        "training",
        [
            dict(
                tr,
                training_id="T1",
                id_number_hash=pii_hash("370406198001010011"),
                credit_code=E1,
                training_date=date(2024, 3, 1),
                updated_at=t(2024, 3, 1),
            ),
            dict(
                tr,
                training_id="T2",
                id_number_hash=pii_hash("370406198002020022"),
                credit_code=E2,
                training_date=date(2024, 3, 1),
                updated_at=t(2024, 3, 1),
            ),
            # E3: trained after qe
            dict(
                tr,
                training_id="T3",
                id_number_hash=pii_hash("370406198003030033"),
                credit_code=E3,
                training_date=date(2026, 7, 1),
                updated_at=t(2026, 7, 1),
            ),
            # E4: failed
            dict(
                tr,
                training_id="T4",
                id_number_hash=pii_hash("370406198004040044"),
                credit_code=E4,
                training_date=date(2025, 3, 1),
                exam_result="不合格",
                updated_at=t(2025, 3, 1),
            ),
            # E5 records its principal's ID: only that person's training counts
            dict(
                tr,
                training_id="T5",
                id_number_hash=pii_hash(P5),
                credit_code=E5,
                training_date=date(2025, 3, 1),
                updated_at=t(2025, 3, 1),
            ),
            dict(
                tr,
                training_id="T6",
                id_number_hash=pii_hash(P6),
                credit_code=E6,
                training_date=date(2023, 12, 1),
                updated_at=t(2023, 12, 1),
            ),  # before 2024
            dict(
                tr,
                training_id="T7",
                id_number_hash=pii_hash("370406198007070077"),
                credit_code=E7,
                training_date=date(2025, 5, 1),
                updated_at=t(2025, 5, 1),
            ),
            dict(
                tr,
                training_id="T8",
                id_number_hash=pii_hash("370406198008080088"),
                credit_code=E8,
                training_date=date(2025, 5, 1),
                updated_at=t(2025, 5, 1),
            ),
        ],
    )
    dr = dict(organiser_type="企业", participants=20)
    rb.add(
        "drills",
        [
            dict(
                dr,
                drill_id="D1",
                credit_code=E1,
                town="山城街道",
                unit_code="U01",
                drill_type="专项演练",
                is_four_no=True,
                drill_date=date(2026, 3, 1),
                updated_at=t(2026, 3, 1),
            ),
            dict(
                dr,
                drill_id="D2",
                credit_code=E1,
                town="山城街道",
                unit_code="U01",
                drill_type="现场处置演练",
                is_four_no=False,
                drill_date=date(2026, 5, 1),
                updated_at=t(2026, 5, 1),
            ),
            # 2026: 综合演练 are left out of the 四不 share
            dict(
                dr,
                drill_id="D3",
                credit_code=E1,
                town="山城街道",
                unit_code="U01",
                drill_type="综合演练",
                is_four_no=True,
                drill_date=date(2026, 5, 2),
                updated_at=t(2026, 5, 2),
            ),
            dict(
                dr,
                drill_id="D4",
                credit_code=E4,
                town="西集镇",
                unit_code="U03",
                drill_type="疏散逃生演练",
                is_four_no=True,
                drill_date=date(2026, 6, 1),
                updated_at=t(2026, 6, 1),
            ),
            # a 镇街's own drill is no 企业 drill
            dict(
                drill_id="D5",
                organiser_type="镇街",
                organiser_name="桑村镇",
                organiser_unit_code="U04",
                town="桑村镇",
                unit_code="U04",
                participants=50,
                drill_type="专项演练",
                is_four_no=True,
                drill_date=date(2026, 6, 2),
                updated_at=t(2026, 6, 2),
            ),
        ],
    )
    add_build_info(
        rb, AS_OF, built_at=t(2026, 8, 16), max_updated_at=t(2026, 8, 15), raw_dir="hand-made"
    )
    rb.close()


# ------------------------------------------------------------------------ the hand computation

SCORES = {  # I1 … I7 scores of 2026Q2, from the table in the module docstring
    "U01": (50.0, 50.0, 100.0, 50.0, 50.0, 100.0, 100.0 * 0.5 / 0.9),
    "U02": (100.0, 0.0, 100.0 * (1.0 / 2.0), 100.0, 0.0, 0.0, 0.0),
    "U03": (100.0, 100.0, 0.0, 0.0, 100.0, 0.0, 100.0),
    "U04": (100.0, 100.0, 100.0 * (0.5 / 2.0), 100.0 * (0.25 / 1.0), 100.0, 50.0, 0.0),
    "U05": (50.0, 100.0, 100.0 * (0.5 / 2.0), 0.0, 100.0, 100.0, 0.0),
    **{u: (100.0, 100.0, 0.0, 0.0, 100.0, 0.0, 0.0) for u in UNITS[5:]},
}
DEDUCTIONS = {"U01": (0.0, 0.0, -2.0), "U03": (-20.0, -10.0, 0.0)}
VETOED = {"U02"}
EXPECTED_ORDER = ["U04", "U01", "U06", "U07", "U08", "U09", "U10", "U11", "U05", "U03", "U02"]


def hand_rows() -> list[dict]:
    rows = []
    for unit in UNITS:
        scores = SCORES[unit]
        weighted = 0.0
        for i, s in enumerate(scores):
            term = WEIGHTS[f"I{i + 1}"] * s
            weighted = term if i == 0 else weighted + term
        weighted = weighted / 100.0
        d = DEDUCTIONS.get(unit, (0.0, 0.0, 0.0))
        total = max(weighted + d[0] + d[1] + d[2], 0.0)
        rows.append(
            {
                "unit_code": unit,
                **{f"i{i + 1}_score": s for i, s in enumerate(scores)},
                "weighted_score": weighted,
                "deduction_major_accidents": d[0],
                "deduction_concealed": d[1],
                "deduction_listed_overdue": d[2],
                "deductions": d[0] + d[1] + d[2],
                "total_score": total,
                "veto": unit in VETOED,
            }
        )
    ranks = ranking.rank(pl.DataFrame([{**r, "quarter": Q} for r in rows]))
    rank_of = dict(zip(ranks["unit_code"], ranks["rank"], strict=True))
    return [{**r, "rank": rank_of[r["unit_code"]]} for r in rows]


# ------------------------------------------------------------------------------------ the build


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory):
    yield from built_drop(
        tmp_path_factory,
        "evaluation",
        build_drop,
        AS_OF,
        (
            "+mart_quarterly_evaluation+",
            "+mart_quarterly_evaluation_by_department+",
            "+mart_evaluation_method",
        ),
    )


def _mart(con, quarter: str) -> dict[str, dict]:
    rel = con.sql(
        f"select * from marts.mart_quarterly_evaluation where quarter = '{quarter}' order by rank"
    )
    return {r[1]: dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()}


def test_grid_every_unit_every_quarter(evaluation):
    got = evaluation.sql(
        "select quarter, count(*) from marts.mart_quarterly_evaluation group by 1 order by 1"
    ).fetchall()
    quarters = [f"{y}Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)][:11]
    assert got == [(q, 11) for q in quarters]


def test_hand_ranking_equals_the_mart(evaluation):
    mart = _mart(evaluation, Q)
    hand = hand_rows()
    assert [r["unit_code"] for r in sorted(hand, key=lambda r: r["rank"])] == EXPECTED_ORDER
    for row in hand:
        got = mart[row["unit_code"]]
        assert {k: got[k] for k in row} == row, row["unit_code"]


def test_raw_values(evaluation):
    m = _mart(evaluation, Q)
    assert (m["U01"]["major_hazards"], m["U01"]["major_hazards_rectified"]) == (2, 1)
    assert (m["U01"]["hazards_found"], m["U01"]["active_enterprises"]) == (2, 1)  # E2 停产
    assert m["U03"]["active_enterprises"] == 1  # 关闭 only after qe
    assert (m["U02"]["hazards_due"], m["U02"]["hazards_due_rectified_on_time"]) == (1, 0)
    assert (m["U03"]["penalty_cases"], m["U03"]["inspections"], m["U03"]["i4_value"]) == (
        1,
        0,
        None,
    )
    assert m["U01"]["i4_best_value"] == 1.0
    assert (m["U03"]["accidents_ytd"], m["U03"]["accidents_prev_ytd"]) == (1, 2)
    assert (m["U03"]["deaths_ytd"], m["U03"]["deaths_prev_ytd"]) == (3, 5)
    assert (m["U01"]["enterprise_drills_ytd"], m["U01"]["four_no_drills_ytd"]) == (2, 1)
    assert m["U01"]["four_no_target"] == 0.9
    assert m["U04"]["enterprise_drills_ytd"] == 0
    assert (m["U04"]["active_enterprises_principal_trained"], m["U04"]["active_enterprises"]) == (
        1,
        2,
    )
    assert (m["U02"]["veto_accidents"], m["U03"]["larger_accidents"]) == (1, 1)
    assert m["U01"]["listed_overdue_major_hazards"] == 1
    assert all(r["is_complete"] and r["evaluated_as_of"] == date(2026, 6, 30) for r in m.values())


def test_running_quarter_is_evaluated_as_of_d(evaluation):
    m = _mart(evaluation, "2026Q3")
    assert all(not r["is_complete"] and r["evaluated_as_of"] == AS_OF for r in m.values())
    # I2 counts deadlines in [qs, D]: H9 (08-10) but not H8 (09-30); H2 is rectified by D now
    assert (m["U05"]["hazards_due"], m["U05"]["hazards_due_rectified_on_time"]) == (1, 1)
    assert (m["U01"]["major_hazards_rectified"], m["U01"]["listed_overdue_major_hazards"]) == (2, 0)
    assert m["U03"]["active_enterprises"] == 0  # 关闭 on 07-20
    assert m["U01"]["active_enterprises"] == 1


def test_rank_change_against_the_quarter_before(evaluation):
    q1, q2 = _mart(evaluation, "2026Q1"), _mart(evaluation, Q)
    for unit, row in q2.items():
        assert row["prev_rank"] == q1[unit]["rank"]
        assert row["rank_change"] == q1[unit]["rank"] - row["rank"]
    assert all(r["prev_rank"] is None for r in _mart(evaluation, "2024Q1").values())


def test_department_variant(evaluation):
    rel = evaluation.sql(
        f"select * from marts.mart_quarterly_evaluation_by_department where quarter = '{Q}'"
    )
    m = {r[1]: dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()}
    # every department has its row (SPEC §9 grid); 区自然资源局 leads no industry and owns no
    # record: not ranked, no scores
    assert sorted(m) == [f"D{i:02d}" for i in range(1, 13)]
    assert [c for c, r in m.items() if not r["is_ranked"]] == ["D08"]
    assert (m["D08"]["rank"], m["D08"]["total_score"], m["D08"]["i1_score"]) == (None, None, None)
    assert sorted(r["rank"] for c, r in m.items() if c != "D08") == list(range(1, 12))
    d01, d02 = m["D01"], m["D02"]
    # D01 (应急) by 责任部门: 重大 H1 H2 H5 H6 H7, of which H1 H5 H6 rectified by qe; X1, X2 and
    # F1, F3 by 执法部门 (店子镇's own X3 / F2 count for no department)
    assert (d01["major_hazards"], d01["major_hazards_rectified"]) == (5, 3)
    assert (d01["inspections"], d01["penalty_cases"]) == (2, 2)
    assert (d02["inspections"], d02["penalty_cases"]) == (4, 1)
    assert d01["i4_score"] == 100.0 and d02["i4_score"] == 100.0 * (0.25 / 1.0)
    # accidents by industry (工贸 → D01): 2026 H1 A2 A3 A4 vs 2025 H1 A1 A5 A6
    assert (d01["accidents_ytd"], d01["accidents_prev_ytd"]) == (3, 3)
    assert d01["i5_score"] == 0.0  # accidents 3 vs 3, deaths 13 vs 6


def test_method_mart_reads_the_seeds(evaluation):
    weights = dict(
        evaluation.sql(
            "select item_id, weight from marts.mart_evaluation_method "
            "where scope = 'unit' and item_type = 'indicator'"
        ).fetchall()
    )
    assert weights == {k: float(v) for k, v in WEIGHTS.items()}
    rules = evaluation.sql(
        "select item_id, points_per_item, cap_points from marts.mart_evaluation_method "
        "where item_type = 'deduction' order by sort_order"
    ).fetchall()
    assert rules == [
        ("deduction_major_accidents", -20.0, None),
        ("deduction_concealed", -10.0, None),
        ("deduction_listed_overdue", -2.0, -10.0),
    ]
