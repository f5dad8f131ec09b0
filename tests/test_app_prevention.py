"""AppTest of the 技防与自查 page (issue 16): its tables equal the marts, each table exportable,
and the T14 / T15 named lists on the targets page."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
from test_app_pages import assert_clean, frame, open_page, served  # noqa: F401 (fixture)


def test_prevention_page(served: Path) -> None:  # noqa: F811
    at = open_page("prevention.py")
    assert_clean(at)
    con = duckdb.connect(str(served), read_only=True)
    try:
        as_of = con.execute("select as_of_date from mart_build_info").fetchone()[0]
        region = con.execute(
            "select requirement_id, required, connected from mart_monitoring_coverage"
            " where unit_code is null and measured_on = ? order by requirement_id",
            [as_of],
        ).fetchall()
        behind = con.execute(
            "select count(*) from mart_major_hazard_ledger where is_escalation_behind"
        ).fetchone()[0]
        unverified = con.execute(
            "select count(*) from mart_major_hazard_ledger where is_closed_unverified"
        ).fetchone()[0]
    finally:
        con.close()
    shown = frame(at, "pv_cov_region", "requirement_id", "coverage_share")
    assert shown.select("requirement_id", "required", "connected").rows() == region
    assert [r[0] for r in region] == [f"R{i}" for i in range(1, 10)]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["督办措施滞后"] == f"{behind:,}"
    assert metrics["销号未经三方现场核验"] == f"{unverified:,}"
    units = frame(at, "pv_si_units", "compliance_share", "major_hazards_not_self_found_share")
    assert units.height > 0 and units["unit_code"].n_unique() == units.height
    # every table has its Excel download
    keys = {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}
    for key in ("pv_cov_region", "pv_cov_units", "pv_si_units", "pv_behind", "pv_unverified"):
        assert f"{key}_xlsx" in keys, key


def test_targets_page_chases_t14_t15(served: Path) -> None:  # noqa: F811
    at = open_page("targets.py")
    assert_clean(at)
    con = duckdb.connect(str(served), read_only=True)
    try:
        n = dict(
            con.execute(
                "select target_id, count(*) from mart_target_chase_list"
                " where target_id in ('T14', 'T15') group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    titles = [e.label for e in at.expander]
    for tid in ("T14", "T15"):
        assert any(t.startswith(f"{tid} ") and f"缺 {n.get(tid, 0)} 项" in t for t in titles), tid
    assert pl.Series(titles).str.starts_with("T15").any()


def _column_labels(at) -> list[dict[str, str]]:
    """The headers of every table on the page: column → its label (st.column_config)."""
    out = []
    for df in at.dataframe:
        cfg = json.loads(df.proto.columns or "{}")
        out.append({k.removeprefix("col:"): (v or {}).get("label") for k, v in cfg.items()})
    return out


def test_verification_is_headed_by_its_own_table(served: Path) -> None:  # noqa: F811
    """`verification` is 销号核验方式 in the ledger and 核查结果 in 举报 (labels per table)."""
    at = open_page("prevention.py")
    assert_clean(at)
    ledger = [c for c in _column_labels(at) if "verification" in c]
    assert len(ledger) == 2 and {c["verification"] for c in ledger} == {"销号核验方式"}
    at = open_page("reports.py")
    assert_clean(at)
    reports = [c for c in _column_labels(at) if "verification" in c]
    assert len(reports) == 1 and {c["verification"] for c in reports} == {"核查结果"}
