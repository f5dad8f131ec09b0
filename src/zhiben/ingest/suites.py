"""great-expectations suites derived from the contract: the validator of record.

One ExpectationSuite per extract (``raw.<extract>``). Each expectation carries in its ``meta`` the
contract column a failure is reported on and the quarantine reason code. Suites run on a pandas
DataFrame (GX 1.x cannot validate DuckDB SQL, STACK-NOTES) with ``result_format=COMPLETE``: every
unexpected row index becomes a quarantine row.

Cross-row and cross-extract facts (orphans, the enterprise's unit / industry, check characters,
status-dependent requirements) are computed beforehand in polars as boolean columns (NULL = not
applicable) and validated here with ``expect_column_values_to_be_in_set([True])``. PII columns never
enter a GX frame: only their ``__ok`` booleans do.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any

import polars as pl

from zhiben.contract import Extract
from zhiben.ingest.checks import CREDIT_CODE_RE
from zhiben.ingest.refdata import RefData

TOWN_EXTRACTS_NEEDING_UNIT = (
    "hazards",
    "accidents",
    "inspections",
    "penalties",
    "drills",
    "reports",
)
INDUSTRY_EXTRACTS = ("hazards", "accidents")
POSITIVE = {("training", "hours"), ("drills", "participants")}
#: rows per GX validation (bounds the pandas copy and GX's working memory)
CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class Rule:
    column: str  # contract column (English name) a failure is reported on
    reason: str  # zhiben.contract.REASONS code
    type: str  # GX expectation class name
    kwargs: dict[str, Any]

    @property
    def gx_columns(self) -> list[str]:
        return [self.kwargs[k] for k in ("column", "column_A", "column_B") if k in self.kwargs]


def _in_true(col: str, column: str, reason: str) -> Rule:
    return Rule(column, reason, "ExpectColumnValuesToBeInSet", {"column": col, "value_set": [True]})


def rules_for(extract: Extract, ref: RefData) -> list[Rule]:
    rules: list[Rule] = []
    name = extract.name
    for col in extract.columns:
        c, k = col.name, col.kind
        if col.required:
            if k in ("pii_id", "pii"):
                rules.append(
                    Rule(
                        c,
                        "missing_required",
                        "ExpectColumnValuesToNotBeNull",
                        {"column": f"{c}__ok"},
                    )
                )
            else:
                rules.append(
                    Rule(c, "missing_required", "ExpectColumnValuesToNotBeNull", {"column": c})
                )
        if k == "credit_code":
            rules.append(
                Rule(
                    c,
                    "bad_credit_code",
                    "ExpectColumnValuesToMatchRegex",
                    {"column": c, "regex": CREDIT_CODE_RE},
                )
            )
            rules.append(_in_true(f"{c}__ok", c, "bad_credit_code"))
        elif k == "pii_id":
            rules.append(_in_true(f"{c}__ok", c, "bad_id_number"))
        elif k == "enum":
            rules.append(
                Rule(
                    c,
                    "bad_enum",
                    "ExpectColumnValuesToBeInSet",
                    {"column": c, "value_set": list(col.values)},
                )
            )
        elif k == "enum_list":
            rules.append(_in_true(f"{c}__ok", c, "bad_enum"))
        elif k == "industry":
            rules.append(
                Rule(
                    c,
                    "unknown_industry",
                    "ExpectColumnValuesToBeInSet",
                    {"column": c, "value_set": sorted(set(ref.industries.values()))},
                )
            )
        elif k == "accident_type":
            rules.append(
                Rule(
                    c,
                    "unknown_accident_type",
                    "ExpectColumnValuesToBeInSet",
                    {"column": c, "value_set": sorted(set(ref.accident_types.values()))},
                )
            )
        elif k == "department":
            allowed = set(ref.department_names.values())
            if name in ("inspections", "penalties"):
                allowed |= set(ref.unit_names.values())
            rules.append(
                Rule(
                    c,
                    "unknown_department",
                    "ExpectColumnValuesToBeInSet",
                    {"column": c, "value_set": sorted(allowed)},
                )
            )
        elif k == "town":
            rules.append(
                Rule(
                    c,
                    "unknown_town",
                    "ExpectColumnValuesToBeInSet",
                    {"column": c, "value_set": sorted(ref.town_to_unit)},
                )
            )
        elif k in ("date", "datetime"):
            rules.append(_in_true(f"{c}__ok", c, "bad_date" if k == "date" else "bad_datetime"))
        elif k in ("int", "decimal"):
            rules.append(_in_true(f"{c}__ok", c, "bad_number"))
            if (name, c) in POSITIVE:
                rules.append(
                    Rule(
                        c,
                        "not_positive",
                        "ExpectColumnValuesToBeBetween",
                        {"column": f"{c}__v", "min_value": 0, "strict_min": True},
                    )
                )
            else:
                rules.append(
                    Rule(
                        c,
                        "negative",
                        "ExpectColumnValuesToBeBetween",
                        {"column": f"{c}__v", "min_value": 0},
                    )
                )
        elif k == "bool":
            rules.append(_in_true(f"{c}__ok", c, "bad_bool"))

    if extract.credit_code_must_exist:
        rules.append(_in_true("credit_code__known", "credit_code", "orphan_credit_code"))
    if name in TOWN_EXTRACTS_NEEDING_UNIT:
        rules.append(_in_true("_unit_ok", "town", "no_unit"))
    if name in INDUSTRY_EXTRACTS:
        rules.append(_in_true("_industry_ok", "industry", "no_industry"))
    if name == "hazards":
        rules.append(_in_true("_rectified_ok", "rectified_date", "rectified_date_missing"))
        rules.append(_in_true("_closed_ok", "closed_date", "closed_date_missing"))
        rules.append(
            Rule(
                "deadline",
                "deadline_before_found",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "deadline__v",
                    "column_B": "found_date__v",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            )
        )
        rules.append(
            Rule(
                "found_date",
                "found_after_update",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "updated_at__v",
                    "column_B": "found_date__ts",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            )
        )
    if name == "inspections":
        rules.append(
            Rule(
                "major_hazards_found",
                "major_gt_all",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "hazards_found__v",
                    "column_B": "major_hazards_found__v",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            )
        )
    if name == "accidents":
        rules.append(
            Rule(
                "reported_at",
                "reported_before_occurred",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "reported_at__v",
                    "column_B": "occurred_at__v",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            )
        )
    if name == "penalties":
        rules.append(_in_true("inspection_id__known", "inspection_id", "orphan_inspection"))
    if name == "drills":
        rules.append(_in_true("_credit_needed_ok", "credit_code", "missing_required"))
        rules.append(_in_true("_organiser_ok", "organiser_name", "unknown_organiser"))
    return rules


def _to_pandas(frame: pl.DataFrame):
    """polars → pandas for GX: strings as pyarrow-backed arrays (zero-copy), booleans as the
    nullable "boolean" dtype (object True/False/None is slow), the rest as polars converts."""
    import pandas as pd

    data = {}
    for c, dtype in frame.schema.items():
        s = frame[c]
        if dtype == pl.String:
            data[c] = s.to_pandas(use_pyarrow_extension_array=True)
        elif dtype == pl.Boolean:
            data[c] = s.to_pandas().astype("boolean")
        else:
            data[c] = s.to_pandas()
    return pd.DataFrame(data)


def _raised(info: Any) -> str | None:
    """The exception message in a GX `exception_info` (flat, or keyed by metric), else None."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for v in info.values():
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message"))
    return None


def preload_gx() -> None:
    """Import great-expectations (slow: seconds), e.g. in a thread while files are read."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    with contextlib.suppress(Exception):  # the real import in Validator reports it
        import great_expectations  # noqa: F401


class Validator:
    """An ephemeral GX context with one pandas data source; one suite per extract."""

    def __init__(self) -> None:
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.ctx.data_sources.add_pandas("zhiben_raw")
        self.suites: dict[str, Any] = {}

    def suite(self, extract: str, rules: list[Rule]):
        gx = self.gx
        suite = gx.ExpectationSuite(name=f"raw.{extract}")
        for r in rules:
            cls = getattr(gx.expectations, r.type)
            suite.add_expectation(
                cls(**r.kwargs, meta={"column": r.column, "reason_code": r.reason})
            )
        return self.ctx.suites.add(suite)

    def validate(
        self, extract: str, rules: list[Rule], frame: pl.DataFrame, chunk_rows: int | None = None
    ) -> pl.DataFrame:
        """Run the extract's suite on `frame` (in chunks of `chunk_rows`, bounding memory); return
        the failures: ``_idx`` (row position in `frame`), ``column_name``, ``reason_code``."""
        empty = pl.DataFrame(
            schema={"_idx": pl.Int64, "column_name": pl.String, "reason_code": pl.String}
        )
        if frame.height == 0 or not rules:
            return empty
        chunk_rows = chunk_rows or CHUNK_ROWS
        cols = list(dict.fromkeys(c for r in rules for c in r.gx_columns))
        batch_definition = self.source.add_dataframe_asset(
            extract
        ).add_batch_definition_whole_dataframe("all")
        suite = self.suite(extract, rules)
        parts = []
        for offset in range(0, frame.height, chunk_rows):
            pdf = _to_pandas(frame.slice(offset, chunk_rows).select(cols))
            pdf.index = range(offset, offset + len(pdf))
            batch = batch_definition.get_batch(batch_parameters={"dataframe": pdf})
            result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
            del pdf, batch
            for r in result.results:
                message = _raised(r.exception_info)
                if message is not None or r.success is None:
                    raise RuntimeError(
                        f"great-expectations failed on raw.{extract} "
                        f"{r.expectation_config.type} {r.expectation_config.kwargs}: {message}"
                    )
                idx = r.result.get("unexpected_index_list") or []
                if not idx:
                    continue
                meta = r.expectation_config.meta
                parts.append(
                    pl.DataFrame(
                        {
                            "_idx": pl.Series([int(i) for i in idx], dtype=pl.Int64),
                            "column_name": meta["column"],
                            "reason_code": meta["reason_code"],
                        }
                    )
                )
        return pl.concat(parts).unique(maintain_order=True) if parts else empty
