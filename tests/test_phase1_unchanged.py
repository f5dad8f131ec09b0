"""A drop without the phase-2 prevention data (SPEC §10.1: no monitoring, no self_inspections, no
optional column) builds with the same phase-1 marts as the drop with them, and its new columns
read unknown (NULL), never 否 / none (issue 16)."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fixtures.warehouses import copy_warehouse

from zhiben.contract import EXTRACTS

AS_OF = date(2026, 11, 28)
NEW_TABLES = {"mart_monitoring_coverage", "mart_self_inspection"}
#: tables about the build itself (files, rows, times), not about the data
BUILD_TABLES = {
    "mart_build_info",
    "mart_load_reconciliation",
    "mart_build_runs",
    "mart_build_run_extracts",
    "mart_quarantine",
}
#: the ledger's phase-2 columns (SPEC §10.3; `verification` is also fct_reports' 核查结果: compared)
LEDGER_NEW_COLUMNS = {
    "escalation_taken",
    "escalation_due",
    "is_escalation_behind",
    "supervision_date",
    "verification",
    "verified_date",
    "is_closed_unverified",
}


def strip_phase2(src: Path, dst: Path) -> None:
    """A copy of the drop as phase 1 wrote it: no new extract, no optional §10.1 column."""
    shutil.copytree(src, dst)
    for extract in ("monitoring", "self_inspections"):
        shutil.rmtree(dst / extract)
    for extract in ("enterprises", "hazards"):
        optional = {c.zh for c in EXTRACTS[extract].columns if c.unknown_when_absent}
        for path in sorted((dst / extract).glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            keep = [i for i, h in enumerate(rows[0]) if h not in optional]
            with path.open("w", encoding="utf-8", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])


@pytest.fixture(scope="module")
def builds(tiny_clean_drop, tiny_clean_warehouse, tmp_path_factory):
    """The full drop's build is the session's build of the tiny clean drop as of AS_OF (conftest
    `tiny_clean_warehouse`); the phase-1 copy of the same drop is built here, as of AS_OF too, on
    a copy of that warehouse (as before: after the full build, its lake entries reused)."""
    from zhiben.build import build

    tmp = tmp_path_factory.mktemp("phase1")
    strip_phase2(tiny_clean_drop, tmp / "phase1")
    served = copy_warehouse(tiny_clean_warehouse, tmp / "wh")
    build(tmp / "phase1", served, as_of=AS_OF, progress=lambda _m: None)
    out = {
        "full": duckdb.connect(str(tiny_clean_warehouse), read_only=True),
        "phase1": duckdb.connect(str(served), read_only=True),
    }
    yield out
    for con in out.values():
        con.close()


def tables(con) -> list[str]:
    return [r[0] for r in con.execute("show tables").fetchall()]


def test_phase1_marts_identical(builds):
    full, phase1 = builds["full"], builds["phase1"]
    names = set(tables(phase1)) - NEW_TABLES - BUILD_TABLES
    assert "fct_hazards" in names and "mart_quarterly_evaluation" in names
    for name in sorted(names):
        cols = [r[0] for r in phase1.execute(f"describe {name}").fetchall()]
        if name == "mart_major_hazard_ledger":
            cols = [c for c in cols if c not in LEDGER_NEW_COLUMNS]
        sel = ", ".join(f'"{c}"' for c in cols)
        # the phase-2 targets (T14–T17) read the phase-2 data: only T1–T13 are phase 1's
        where = (
            " where target_id not in ('T14', 'T15', 'T16', 'T17')" if "target_id" in cols else ""
        )
        if "extract" in cols:  # the per-extract data quality: the phase-2 extracts are new
            where = " where extract not in ('monitoring', 'self_inspections')"
        a = full.execute(f"select {sel} from {name}{where} order by all").fetchall()
        b = phase1.execute(f"select {sel} from {name}{where} order by all").fetchall()
        assert a == b, name


def test_phase1_drop_reads_unknown(builds):
    phase1 = builds["phase1"]
    # the optional columns are unknown: no 油气储存 / 涉爆粉尘 population, no supervision known
    req = dict(
        phase1.execute(
            "select requirement_id, sum(required) from mart_monitoring_coverage"
            " where unit_code is null group by 1"
        ).fetchall()
    )
    assert {k: v for k, v in req.items() if k in ("R1", "R2", "R3", "R4", "R5", "R7")} == {
        "R1": 0,
        "R2": 0,
        "R3": 0,
        "R4": 0,
        "R5": 0,
        "R7": 0,
    }
    # R8 / R9 read phase-1 columns only: required, never connected (no monitoring extract)
    assert req["R9"] > 0
    assert phase1.execute(
        "select sum(connected) from mart_monitoring_coverage where unit_code is null"
    ).fetchone() == (0,)
    ledger = phase1.execute(
        "select count(*), count(escalation_taken), count(verification),"
        " count(is_closed_unverified) filter (where status = '已销号')"
        " from mart_major_hazard_ledger"
    ).fetchone()
    assert ledger[0] > 0 and ledger[1:] == (0, 0, 0)
    # the full drop has them
    full = builds["full"]
    assert full.execute(
        "select count(escalation_taken) > 0, count(verification) > 0 from mart_major_hazard_ledger"
    ).fetchone() == (True, True)
