"""`suites.validate` takes the extract and the GX asset name apart: the extract decides which
cells of a deletion row are checked (SPEC §10.5: its key, 更新时间 and 是否删除 only), the asset
only names the suite run — the loader's whole-extract part (``<extract>__wide``) is judged like
any other run, by the extract it is given."""

from __future__ import annotations

import polars as pl
import pytest

from zhiben.ingest.suites import Rule, Validator

RULES = [
    Rule("hazard_id", "missing_required", "ExpectColumnValuesToNotBeNull", {"column": "hazard_id"}),
    Rule(
        "description",
        "missing_required",
        "ExpectColumnValuesToNotBeNull",
        {"column": "description"},
    ),
]
# row 0: a deletion without its key; row 1: a deletion (its description is not checked);
# row 2: an ordinary version without a description
FRAME = pl.DataFrame(
    {
        "hazard_id": [None, "YH1", "YH2"],
        "description": [None, None, None],
        "is_deleted__v": [True, True, False],
    }
)


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


@pytest.mark.parametrize("asset", [None, "hazards__wide", "h_any"])
def test_deletion_rows_checked_by_the_extract_whatever_the_asset(validator, asset) -> None:
    name = f"t_{asset or 'default'}"  # one asset per run in a context
    got = validator.validate("hazards", RULES, FRAME, asset=asset and f"{asset}_{name}")
    assert got.rows() == [
        (0, "hazard_id", "missing_required"),
        (2, "description", "missing_required"),
    ]


def test_without_deletions_every_cell_is_checked(validator) -> None:
    got = validator.validate("hazards", RULES, FRAME.drop("is_deleted__v"), asset="h_plain")
    assert got.rows() == [
        (0, "hazard_id", "missing_required"),
        (0, "description", "missing_required"),
        (1, "description", "missing_required"),
        (2, "description", "missing_required"),
    ]
