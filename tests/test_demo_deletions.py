"""The demo drop's planted deletions (``--dirty``, SPEC §10.1 / §10.5 "Deletions") end to end: a
record deleted for good is in no fact table of the demo warehouse, a record deleted then restored
is back, and the deletions' files balance (every row loaded, none quarantined)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

FACTS = {"hazards": ("fct_hazards", "hazard_id"), "reports": ("fct_reports", "report_id")}


def test_demo_deletions_reach_the_marts(demo_drop: Path, demo_warehouse: Path) -> None:
    planted = json.loads((demo_drop / "_planted.json").read_text(encoding="utf-8"))
    deletes = [e for e in planted["deletions"] if e["kind"] == "delete"]
    assert {e["extract"] for e in deletes} == set(FACTS)
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        for extract, (table, key) in FACTS.items():
            gone = sorted(e["record_key"] for e in deletes if e["extract"] == extract)
            back = sorted(
                e["record_key"] for e in deletes if e["extract"] == extract and e["restored"]
            )
            assert len(gone) == 3 and len(back) == 1
            found = con.execute(
                f"select {key} from {table} where list_contains(?, {key}) order by 1", [gone]
            ).fetchall()
            assert [r[0] for r in found] == back, extract
            rec = con.execute(
                "select rows_read, rows_loaded, rows_quarantined, rows_folded"
                " from mart_load_reconciliation where file = ?",
                [f"{extract}/{extract}_deletions.csv"],
            ).fetchall()
            assert rec == [(4, 4, 0, 0)], extract
    finally:
        con.close()
