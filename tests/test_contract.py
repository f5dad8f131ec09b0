"""The served schema is a contract (issue 12): every table the app, the notebooks and the report
read is listed in that consumer's exposure (models/exposures.yml) and has an enforced dbt contract
with a data_type on each column — so a renamed or retyped column fails the build, not a page."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
import yaml

ROOT = Path(__file__).parents[1]
#: exposure → the code that reads the served file for it
CONSUMERS = {
    "zhiben_app": ("app", "src/zhiben/app_logic"),
    "zhiben_notebooks": ("notebooks",),
    "zhiben_report": ("src/zhiben/report",),
}
#: served tables that are no dbt model (zhiben.publish writes them from the run history)
NOT_MODELS = {"mart_build_runs", "mart_build_run_extracts"}


def _yml(pattern: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) or {} for p in sorted(ROOT.glob(pattern))]


def _mart_models() -> dict[str, dict]:
    return {m["name"]: m for doc in _yml("models/marts/**/*.yml") for m in doc.get("models", [])}


def _tables_read(folders: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".ipynb") and path.is_file():
                names |= set(re.findall(r"\b((?:mart|fct|dim)_[a-z0-9_]+)", path.read_text()))
    return names - NOT_MODELS


def _exposures() -> dict[str, set[str]]:
    return {
        e["name"]: {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in e["depends_on"]}
        for doc in _yml("models/**/*.yml")
        for e in doc.get("exposures", [])
    }


@pytest.mark.parametrize("exposure", sorted(CONSUMERS))
def test_exposure_lists_every_table_its_code_reads(exposure: str) -> None:
    models = set(_mart_models())
    read = _tables_read(CONSUMERS[exposure])
    assert read, f"{exposure}: no served table found in its code"
    assert read - models == set(), f"{exposure} reads tables no dbt model builds"
    assert read - _exposures()[exposure] == set(), f"{exposure} exposure is missing tables"


def test_every_exposed_mart_has_an_enforced_contract() -> None:
    models = _mart_models()
    exposed = set().union(*_exposures().values())
    assert {"mart_evaluation_method", "mart_build_info"} <= exposed
    for name in sorted(exposed):
        m = models[name]
        assert m.get("config", {}).get("contract", {}).get("enforced") is True, name
        untyped = [c["name"] for c in m.get("columns", []) if not c.get("data_type")]
        assert m.get("columns") and not untyped, f"{name}: columns without data_type {untyped}"


def test_every_served_column_has_its_label_in_the_yml() -> None:
    """Column labels live as `meta: {label: …}` in the marts' yml, read by one function."""
    from zhiben.app_logic import labels

    unlabelled = [
        f"{name}.{c['name']}"
        for name, m in _mart_models().items()
        for c in m.get("columns", [])
        if not (c.get("meta") or {}).get("label")
    ]
    assert unlabelled == []
    found = labels.served_column_labels()
    assert found["is_zero_penalty"] == "零处罚(只检查不处罚)"
    # a label's {parameter} is filled from the seed (target_parameters)
    assert found["certificates_due"] == "90天内到期/复审证书"
    assert found["i7_score"].startswith("I7 ") and "{" not in found["i7_score"]
    assert labels.label("own_inspections") == found["own_inspections"]


def test_labels_per_table_where_two_tables_clash() -> None:
    """`verification` is 核查结果 on 举报 (fct_reports) and 销号核验方式 on the ledger (SPEC §10.3):
    looked up per table, never by the column name alone."""
    from zhiben.app_logic import export, labels

    assert labels.label("verification", "fct_reports") == "核查结果"
    assert labels.label("verification", "mart_major_hazard_ledger") == "销号核验方式"
    assert "verification" not in labels.served_column_labels()
    assert set(labels.CLASHING_COLUMNS["verification"]) == {
        "fct_reports",
        "mart_major_hazard_ledger",
    }
    with pytest.raises(ValueError, match="verification"):
        labels.label("verification")
    with pytest.raises(ValueError, match="verification"):
        labels.label("verification", "mart_accident_trend")
    # the other columns of a table: its own label, else the one every table shares
    assert labels.label("hazard_id", "mart_major_hazard_ledger") == labels.label("hazard_id")
    assert labels.has_label("verification", "fct_reports")
    assert not labels.has_label("verification")
    ledger = pl.DataFrame({"hazard_id": ["HZ1"], "verification": ["三方现场核验"]})
    assert labels.with_chinese_headers(ledger, "mart_major_hazard_ledger").columns == [
        labels.label("hazard_id"),
        "销号核验方式",
    ]
    data = export.to_xlsx_bytes(ledger, table="mart_major_hazard_ledger")
    assert export.read_xlsx_headers(data) == [labels.label("hazard_id"), "销号核验方式"]
