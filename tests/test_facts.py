"""Known-answer tests of the core facts: a hand-made raw schema (tests/fixtures/known_rows.py),
one dbt build of the spine as of 2026-11-28, exact values asserted."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fixtures.hand_drop import built_drop
from fixtures.known_rows import AS_OF, ENT_A, ENT_B, ENT_C, UNKNOWN, build


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    yield from built_drop(
        tmp_path_factory, "facts", build, AS_OF, ("+path:models/marts/core", "path:data_tests/core")
    )


def rows(con, sql: str) -> dict[str, dict]:
    """{first column: {column: value}} of a query."""
    rel = con.sql(sql)
    names = rel.columns
    return {r[0]: dict(zip(names, r, strict=True)) for r in rel.fetchall()}


@pytest.fixture(scope="module")
def hazards(warehouse):
    return rows(warehouse, "select * from marts.fct_hazards")


@pytest.fixture(scope="module")
def accidents(warehouse):
    return rows(warehouse, "select * from marts.fct_accidents")


# ---------------------------------------------------------------- hazards: the overdue rule
def test_deadline_on_d_is_not_overdue(hazards):
    h = hazards["H-DUE-TODAY"]
    assert (h["is_rectified"], h["is_overdue"], h["overdue_days"]) == (False, False, 0)
    assert h["rectified_on_time"] is None


def test_deadline_d_minus_1_is_overdue_by_one_day(hazards):
    h = hazards["H-OVERDUE-1"]
    assert (h["is_overdue"], h["overdue_days"]) == (True, 1)


def test_rectified_after_d_counts_as_open(hazards):
    h = hazards["H-RECT-AFTER-D"]
    assert h["status"] == "已整改" and h["rectified_date"] == date(2026, 11, 30)
    assert (h["is_rectified"], h["is_overdue"], h["overdue_days"]) == (False, True, 8)
    assert h["rectified_on_time"] is None and h["rectified_as_of_date"] is None
    assert h["is_major"] and h["is_listed_supervision"] and h["escalation"] == "函告"


def test_no_deadline_is_never_overdue(hazards):
    h = hazards["H-NO-DEADLINE"]
    assert (h["is_overdue"], h["overdue_days"], h["is_rectified"]) == (False, 0, False)


def test_rectified_on_d_on_time(hazards):
    h = hazards["H-RECT-ON-D"]
    assert (h["is_rectified"], h["is_overdue"], h["rectified_on_time"]) == (True, False, True)


def test_stock_2023_rectified_late(hazards):
    h = hazards["H-STOCK-LATE"]
    assert h["is_stock_2023"] is True and h["is_major"] is True
    assert (h["is_rectified"], h["rectified_on_time"], h["overdue_days"]) == (True, False, 0)
    assert h["closed_date"] == date(2024, 4, 20)
    assert h["rectified_as_of_date"] == date(2024, 4, 10)
    assert h["department_code"] == "D02" and h["attributed_department_code"] == "D02"
    assert h["escalation"] == "无"
    assert (h["month"], h["quarter"], h["year"]) == ("2023-12", "2023Q4", 2023)
    assert (h["rectified_month"], h["rectified_quarter"]) == ("2024-04", "2024Q2")


def test_found_2024_is_not_stock_and_escalates_by_overdue_days(hazards):
    h = hazards["H-MAJOR-100"]
    assert h["is_stock_2023"] is False
    assert (h["is_overdue"], h["overdue_days"], h["escalation"]) == (True, 100, "曝光")


def test_ordinary_hazards_have_no_escalation(hazards):
    assert hazards["H-OVERDUE-1"]["escalation"] is None


# ---------------------------------------------------------------- hazards: versions and as-of
def test_latest_updated_at_wins_whatever_the_read_order(hazards):
    h = hazards["H-VERSIONS"]
    assert h["status"] == "已整改" and h["is_rectified"] is True
    assert h["updated_at"] == datetime(2026, 1, 20, 9, 0)


def test_equal_updated_at_later_read_wins(hazards):
    assert hazards["H-TIE"]["status"] == "已整改"


def test_versions_after_the_end_of_d_are_ignored(hazards):
    h = hazards["H-AFTER-D"]
    assert h["status"] == "整改中" and h["rectified_date"] is None
    assert (h["is_overdue"], h["overdue_days"]) == (True, 1)


def test_hazards_found_after_d_are_ignored(hazards):
    assert "H-FUTURE" not in hazards
    assert len(hazards) == 10


def test_unit_and_industry_own_else_enterprise(hazards):
    own = hazards["H-OVERDUE-1"]
    assert (own["unit_code"], own["industry_code"]) == ("U05", "I08")  # 北庄, 燃气
    fallback = hazards["H-MAJOR-100"]
    # enterprise B as of D: 山城街道 / 建筑施工 (its move to 西集 / 燃气 is dated after D)
    assert (fallback["unit_code"], fallback["industry_code"]) == ("U01", "I06")
    assert fallback["attributed_department_code"] == "D02"  # 建筑施工 is led by 住建


# ---------------------------------------------------------------- accidents
def test_missing_count_as_deaths_and_grade(accidents):
    a = accidents["A-MISSING"]
    assert (a["deaths_excl_missing"], a["missing"], a["deaths"]) == (2, 1, 3)
    assert (a["grade"], a["grade_reported"], a["grade_mismatch"]) == ("较大", "较大", False)
    assert a["is_larger_or_above"] is True and a["is_liability"] is True


def test_grade_mismatch_true_and_null(accidents):
    assert accidents["A-ONTIME"]["grade"] == "一般"
    assert accidents["A-ONTIME"]["grade_mismatch"] is True
    assert accidents["A-SERIOUS-50"]["grade_reported"] is None
    assert accidents["A-SERIOUS-50"]["grade_mismatch"] is None


def test_grade_by_serious_injuries_and_loss(accidents):
    assert accidents["A-SERIOUS-50"]["grade"] == "重大"
    assert accidents["A-LOSS-1000"]["grade"] == "较大"


def test_late_report(accidents):
    assert accidents["A-MISSING"]["report_delay_minutes"] == pytest.approx(61)
    assert accidents["A-MISSING"]["is_late_report"] is True
    assert accidents["A-ONTIME"]["report_delay_minutes"] == pytest.approx(60)
    assert accidents["A-ONTIME"]["is_late_report"] is False
    assert accidents["A-SERIOUS-50"]["report_delay_minutes"] is None
    assert accidents["A-SERIOUS-50"]["is_late_report"] is False


def test_investigation_overdue(accidents):
    late = accidents["A-INV-LATE"]
    assert late["investigation_due_date"] == date(2026, 11, 15)
    assert late["is_investigation_overdue"] is True
    assert accidents["A-INV-OK"]["is_investigation_overdue"] is False
    due_d = accidents["A-INV-DUE-D"]
    assert due_d["investigation_due_date"] == AS_OF
    assert due_d["is_investigation_overdue"] is False


def test_concealed_and_periods(accidents):
    a = accidents["A-SERIOUS-50"]
    assert a["is_concealed"] is True
    assert (a["year"], a["quarter"], a["month"]) == (2025, "2025Q2", "2025-06")


def test_accidents_after_d_are_ignored(accidents):
    assert "A-FUTURE" not in accidents
    assert len(accidents) == 7


def test_accident_unit_industry_and_known_enterprise(accidents):
    own = accidents["A-LOSS-1000"]
    assert (own["unit_code"], own["industry_code"], own["is_known_enterprise"]) == (
        "U08",
        "I07",
        False,
    )
    assert own["credit_code"] == UNKNOWN
    fallback = accidents["A-INV-DUE-D"]
    assert (fallback["unit_code"], fallback["industry_code"]) == ("U01", "I06")
    assert fallback["lead_department_code"] == "D02"


def test_accident_type_standard_and_reporting_group(accidents):
    # 物体打击 is in both standards: GB 6441-2025 from 2026-07-01
    assert accidents["A-MISSING"]["accident_type_standard"] == "GB 6441-1986"
    assert accidents["A-INV-LATE"]["accident_type_standard"] == "GB 6441-2025"
    assert accidents["A-LOSS-1000"]["reporting_group"] == "车辆伤害"


# ---------------------------------------------------------------- the other facts and dims
def test_enterprise_versions(warehouse):
    ents = rows(warehouse, "select * from marts.dim_enterprise")
    assert ents[ENT_B]["unit_code"] == "U01" and ents[ENT_B]["is_active"] is True
    assert ents[ENT_C]["operating_status"] == "关闭" and ents[ENT_C]["is_active"] is False
    assert ents[ENT_A]["has_principal_id"] is True
    cols = warehouse.sql("select * from marts.dim_enterprise").columns
    assert not [c for c in cols if "principal_id_hash" in c or "phone" in c]


def test_penalties(warehouse):
    p = rows(warehouse, "select * from marts.fct_penalties")
    assert p["P-1"]["is_double_penalty"] is True and p["P-1"]["fines_yuan"] == 25000
    assert (p["P-1"]["department_code"], p["P-1"]["unit_code"], p["P-1"]["industry_code"]) == (
        "D01",
        "U02",
        "I03",
    )
    assert p["P-2"]["is_double_penalty"] is False and p["P-2"]["fines_yuan"] == 3000
    assert (p["P-2"]["unit_code"], p["P-2"]["is_known_enterprise"]) == ("U09", False)
    assert p["P-2"]["quarter"] == "2026Q2"


def test_inspections(warehouse):
    i = rows(warehouse, "select * from marts.fct_inspections")
    assert (i["I-1"]["is_non_site"], i["I-1"]["department_code"]) == (True, "D01")
    # a 镇街's own enforcement: no department, the enforcing unit; the place's unit is its own
    assert (i["I-2"]["department_code"], i["I-2"]["enforcing_unit_code"]) == (None, "U02")
    assert (i["I-2"]["unit_code"], i["I-2"]["industry_code"]) == ("U05", "I03")


def test_training_drills_reports(warehouse):
    t = rows(warehouse, "select * from marts.fct_training")
    assert t["T-1"]["is_principal_training_passed"] is True
    assert t["T-1"]["is_enterprise_principal"] is True
    assert t["T-2"]["is_enterprise_principal"] is None
    assert t["T-2"]["certificate_review_date"] == date(2026, 12, 1)
    assert t["T-1"]["person_key"] != t["T-2"]["person_key"]
    d = rows(warehouse, "select * from marts.fct_drills")
    assert (d["DR-1"]["unit_code"], d["DR-1"]["is_four_no"]) == ("U02", True)
    assert (d["DR-2"]["unit_code"], d["DR-2"]["organiser_unit_code"]) == ("U03", "U03")
    assert d["DR-3"]["organiser_department_code"] == "D01"
    r = rows(warehouse, "select * from marts.fct_reports")
    assert (r["R-1"]["is_verified"], r["R-1"]["has_feedback"], r["R-1"]["is_anonymous"]) == (
        True,
        True,
        False,
    )
    assert (r["R-2"]["is_verified"], r["R-2"]["is_anonymous"], r["R-2"]["unit_code"]) == (
        False,
        True,
        "U06",
    )


def test_no_personal_columns_in_marts(warehouse):
    cols = warehouse.sql(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    ).fetchall()
    banned = ("_hash", "_name", "phone", "reporter", "id_number", "certificate_no")
    allowed = {"enterprise_name", "unit_name", "department_name", "industry_name", "short_name"}
    allowed |= {"column_name"}  # mart_quarantine: the name of the broken column
    allowed |= {"owner_name"}  # 挂图作战: a task's owner, a unit or department (never a person)
    leaks = [(t, c) for t, c in cols if any(b in c for b in banned) and c not in allowed]
    assert not leaks


def test_loader_pass_through(warehouse):
    rec = warehouse.sql(
        "select bool_and(is_balanced), count(*) from marts.mart_load_reconciliation"
    )
    assert rec.fetchone() == (True, 10)
    info = warehouse.sql("select as_of_date from marts.mart_build_info").fetchall()
    assert info == [(AS_OF,)]
    q = warehouse.sql(
        "select record_key, reason_code, value from marts.mart_quarantine order by record_key"
    ).fetchall()
    assert q == [("H-BAD", "bad_date", "2026-13-01"), ("T-BAD", "bad_id_number", None)]


def test_dim_date_spans_2023_to_the_end_of_the_as_of_year(warehouse):
    r = warehouse.sql(
        "select min(date_day), max(date_day), count(*) from marts.dim_date"
    ).fetchone()
    assert r == (date(2023, 1, 1), date(2026, 12, 31), 365 * 4 + 1)
    d = rows(warehouse, "select * from marts.dim_date where date_day = date '2024-08-05'")
    row = next(iter(d.values()))
    assert (row["month"], row["quarter"], row["year"], row["half"], row["month_day"]) == (
        "2024-08",
        "2024Q3",
        2024,
        "2024H2",
        "08-05",
    )
