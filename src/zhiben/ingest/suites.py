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

import os
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl

from zhiben.contract import EXTRACTS, Extract, deletion_keeps
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
            # the plausible window (contract.PLAUSIBLE_FROM …; columns from pipeline._add_context)
            rules.append(_in_true(f"{c}__not_early", c, "date_too_early"))
            late = "date_too_late" if col.future_ok else "date_in_future"
            rules.append(_in_true(f"{c}__not_late", c, late))
        elif k in ("int", "decimal"):
            rules.append(_in_true(f"{c}__ok", c, "bad_number"))
            rules.append(_in_true(f"{c}__range_ok", c, "out_of_range"))
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
        if col.charset is not None:
            rules.append(_in_true(f"{c}__script_ok", c, "mixed_script_key"))
            rules.append(_in_true(f"{c}__chars_ok", c, "bad_key_chars"))

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
                    # updated_at ≥ found_date 00:00 ⟺ the date of updated_at ≥ found_date
                    "column_A": "updated_at__date",
                    "column_B": "found_date__v",
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
    if name == "tasks":
        rules += _task_rules(ref)
    if name == "hazards":
        rules.append(_in_true("_verified_ok", "verified_date", "verified_date_missing"))
    if name == "monitoring":
        rules.append(_in_true("_connected_ok", "connected_date", "connected_date_missing"))
        rules.append(
            Rule(
                "disconnected_date",
                "disconnected_before_connected",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "disconnected_date__v",
                    "column_B": "connected_date__v",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            )
        )
    if name == "self_inspections":
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
        rules.append(
            Rule(
                "inspection_date",
                "inspection_after_update",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "updated_at__date",
                    "column_B": "inspection_date__v",
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


def _task_rules(ref: RefData) -> list[Rule]:
    """tasks (SPEC §10.1, §10.5): a task of the seed, an owner that resolves and is an owner of
    that task, 完成日期 when done and not after 报送日期, 报送日期 not after 更新时间."""

    def pair(column: str, reason: str, a: str, b: str) -> Rule:
        return Rule(
            column,
            reason,
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": a,
                "column_B": b,
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        )

    return [
        Rule(
            "task_id",
            "unknown_task",
            "ExpectColumnValuesToBeInSet",
            {"column": "task_id", "value_set": sorted(ref.task_ids)},
        ),
        _in_true("_owner_ok", "owner", "unknown_owner"),
        _in_true("_owner_of_task_ok", "owner", "owner_not_of_task"),
        _in_true("_completed_ok", "completed_date", "completed_date_missing"),
        pair(
            "completed_date",
            "completed_after_reported",
            "reported_date__v",
            "completed_date__if_done",
        ),
        # updated_at ≥ reported_date 00:00 ⟺ the date of updated_at ≥ reported_date
        pair("reported_date", "reported_after_update", "updated_at__date", "reported_date__v"),
    ]


def context_checks(extract: Extract) -> list[pl.Expr]:
    """The row-level facts of the phase-2 rules (SPEC §10.1) that GX checks as booleans (NULL =
    not applicable): 核验日期 when 销号核验方式 is set; 接入日期 when 是否联网 = 是; the date of
    更新时间 for 自查日期 ≤ 更新时间."""
    name = extract.name
    if name == "hazards":
        return [
            pl.when(pl.col("verification_method").is_not_null())
            .then(pl.col("verified_date").is_not_null())
            .alias("_verified_ok")
        ]
    if name == "monitoring":
        return [
            pl.when(pl.col("is_connected__v").fill_null(False))
            .then(pl.col("connected_date").is_not_null())
            .alias("_connected_ok")
        ]
    if name == "self_inspections":
        return [pl.col("updated_at__v").dt.date().alias("updated_at__date")]
    return []


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


def _groups(rules: list[Rule]) -> list[list[str]]:
    """The GX columns in groups that must be seen together: a pair rule joins its two columns
    (union-find over the rules), every other column stands alone."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for r in rules:
        cols = r.gx_columns
        for c in cols:
            find(c)
        for c in cols[1:]:
            parent[find(c)] = find(cols[0])
    groups: dict[str, list[str]] = {}
    for c in parent:
        groups.setdefault(find(c), []).append(c)
    return list(groups.values())


def _projections(rules: list[Rule]) -> dict[str, pl.Expr]:
    """What GX needs to see of each column: its values, or — when every rule on it is
    not-null — only whether it is null (an ID column has as many values as rows)."""
    kinds: dict[str, set[str]] = {}
    for r in rules:
        for c in r.gx_columns:
            kinds.setdefault(c, set()).add(r.type)
    return {
        c: pl.when(pl.col(c).is_not_null()).then(pl.lit(True)).alias(c)
        if types == {"ExpectColumnValuesToNotBeNull"}
        else pl.col(c)
        for c, types in kinds.items()
    }


class Validator:
    """An ephemeral GX context with one pandas data source: runs a suite of rules on a frame."""

    def __init__(self) -> None:
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.ctx.data_sources.add_pandas("zhiben_raw")
        #: name → (rules, batch definition, suite) of the suites run so far
        self._suites: dict[str, tuple[list[Rule], Any, Any]] = {}
        self._names: set[str] = set()

    def suite(self, name: str, rules: list[Rule]):
        gx = self.gx
        suite = gx.ExpectationSuite(name=f"raw.{name}")
        for i, r in enumerate(rules):
            cls = getattr(gx.expectations, r.type)
            suite.add_expectation(
                cls(**r.kwargs, meta={"column": r.column, "reason_code": r.reason, "rule": i})
            )
        return self.ctx.suites.add(suite)

    def run_suite(
        self, name: str, rules: list[Rule], frame: pl.DataFrame
    ) -> list[tuple[int, list[int]]]:
        """Validate `frame` (as pandas) with a suite of `rules` (result_format COMPLETE); return,
        per rule that failed, (its position in `rules`, the unexpected row positions)."""
        # one asset and suite per extract, reused by its later batches (the loader validates
        # new files a batch at a time); other rules under the same name get a new one
        cached = self._suites.get(name)
        if cached is None or cached[0] != rules:
            key = name if name not in self._suites else f"{name}.{len(self._suites)}"
            while key in self._names:
                key += "+"
            self._names.add(key)
            batch_definition = self.source.add_dataframe_asset(
                key
            ).add_batch_definition_whole_dataframe("all")
            cached = (list(rules), batch_definition, self.suite(key, rules))
            self._suites[name] = cached
        _rules, batch_definition, suite = cached
        batch = batch_definition.get_batch(batch_parameters={"dataframe": _to_pandas(frame)})
        result = batch.validate(
            suite,
            result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
        )
        out: list[tuple[int, list[int]]] = []
        for r in result.results:
            message = _raised(r.exception_info)
            if message is not None or r.success is None:
                raise RuntimeError(
                    f"great-expectations failed on raw.{name} "
                    f"{r.expectation_config.type} {r.expectation_config.kwargs}: {message}"
                )
            idx = r.result.get("unexpected_index_list") or []
            if idx:
                out.append((int(r.expectation_config.meta["rule"]), [int(i) for i in idx]))
        return sorted(out)

    def validate(
        self, extract: str, rules: list[Rule], frame: pl.DataFrame, *, asset: str | None = None
    ) -> pl.DataFrame:
        """:func:`validate` in this process."""
        return validate(self, extract, rules, frame, asset=asset)


class SuiteRunner(Protocol):
    def run_suite(
        self, name: str, rules: list[Rule], frame: pl.DataFrame
    ) -> list[tuple[int, list[int]]]: ...


def validate(
    runner: SuiteRunner,
    extract: str,
    rules: list[Rule],
    frame: pl.DataFrame,
    *,
    asset: str | None = None,
    rule_index: bool = False,
) -> pl.DataFrame:
    """Run the extract's suite on `frame`; return the failures: ``_idx`` (row position in
    `frame`), ``column_name`` (contract column), ``reason_code`` — rows in frame order, for a row
    its rules in suite order. `extract`: the contract's extract (name) the frame holds — its
    deletion rows are checked on their key, 更新时间 and 是否删除 only; `asset`: the GX data asset
    and suite the rules run as, one per run in a context (default: the extract; the loader's
    whole-extract part runs as ``<extract>__wide``).

    GX runs on the *dictionary* of the frame rather than on its rows: every rule is row-wise and
    reads only its own columns, so a row fails a rule exactly when its value (pair rules: its pair
    of values) does. GX validates one frame holding every distinct value of each column (of each
    column pair) that occurs — thousands of rows where the extract has millions — and polars maps
    the unexpected values back to the rows that hold them.

    `rule_index`: also ``_rule``, the failed rule's position in `rules`.
    """
    schema = {"_idx": pl.Int64, "column_name": pl.String, "reason_code": pl.String}
    if rule_index:
        schema["_rule"] = pl.Int32
    empty = pl.DataFrame(schema=schema)
    if frame.height == 0 or not rules:
        return empty
    proj = _projections(rules)
    # one group at a time: all of them at once held every projected column and hash table together
    uniques = [
        frame.lazy().select(proj[c] for c in g).unique(maintain_order=True).collect()
        for g in _groups(rules)
    ]
    size = max(u.height for u in uniques)
    # one frame of `size` rows: each group's distinct tuples, repeated to the common length
    dictionary = pl.concat(
        [u.gather(pl.int_range(size, eager=True) % u.height) for u in uniques],
        how="horizontal",
    )
    failed = runner.run_suite(asset or extract, rules, dictionary)
    if not failed:
        return empty
    parts = []
    for i, idx in failed:
        rule = rules[i]
        cols = rule.gx_columns
        bad = dictionary.select(cols)[idx].unique()
        parts.append(
            frame.lazy()
            .select(proj[c] for c in cols)
            .with_row_index("_idx")
            .join(bad.lazy(), on=cols, how="semi", nulls_equal=True)
            .select(
                pl.col("_idx").cast(pl.Int64),
                pl.lit(rule.column).alias("column_name"),
                pl.lit(rule.reason).alias("reason_code"),
                pl.lit(i, dtype=pl.Int32).alias("_rule"),
            )
        )
    failures = pl.concat(pl.collect_all(parts)).sort("_idx", maintain_order=True)
    failures = failures.unique(
        ["_idx", "column_name", "reason_code"], keep="first", maintain_order=True
    )
    failures = _deletion_cells_unchecked(extract, frame, failures)
    return failures if rule_index else failures.drop("_rule")


def _deletion_cells_unchecked(
    extract: str, frame: pl.DataFrame, failures: pl.DataFrame
) -> pl.DataFrame:
    """SPEC §10.5: a deletion row is validated on its key, 更新时间 and 是否删除 only (its other
    cells are blanked by `normalise.blank_deletions`)."""
    if "is_deleted__v" not in frame.columns:
        return failures
    deleted = frame.select(pl.col("is_deleted__v").fill_null(False)).to_series()
    if not deleted.any():
        return failures
    idx = pl.Series("_idx", deleted.arg_true(), dtype=pl.Int64)
    keeps = list(deletion_keeps(EXTRACTS[extract]))
    return failures.filter(
        ~pl.col("_idx").is_in(idx.implode()) | pl.col("column_name").is_in(keeps)
    )
