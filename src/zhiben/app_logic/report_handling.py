"""举报 handling loop (SPEC §10.4 "举报", §6 T12) over `fct_reports` rows: received, verified,
查实 (含部分查实), answered (反馈日期 set), rewarded; and what is overdue by stage, as of D —
not verified `OVERDUE_DAYS` or more days after receipt, or verified but (unless anonymous) not
answered by then: exactly T12's unmet reports. fct_reports has no reporter field, and nothing here
adds one (举报人保密, plan §二.17)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

#: T12's age (seed target_parameters.report_closure_min_age_days): a report received this many
#: days before D should be verified and, unless anonymous, answered
OVERDUE_DAYS = 60
#: verification results counted as 查实
SUBSTANTIATED = ("查实", "部分查实")

#: the loop's stages, in order, with their Chinese headers
STAGES: dict[str, str] = {
    "received": "受理",
    "verified": "已核查",
    "substantiated": "查实(含部分查实)",
    "answered": "已反馈",
    "rewarded": "已奖励",
    "overdue_unverified": f"逾期未核查(受理满{OVERDUE_DAYS}日)",
    "overdue_unanswered": f"逾期未反馈(受理满{OVERDUE_DAYS}日,实名)",
}
#: Chinese headers of the columns this module computes
LABELS: dict[str, str] = {
    **STAGES,
    "reward_total_yuan": "奖励金额合计(元)",
    "overdue_stage": "逾期环节",
    "days_since_received": "受理至今天数",
}
#: the columns of the overdue list (no reporter field exists to show)
OVERDUE_COLUMNS = [
    "report_id",
    "unit_code",
    "unit_name",
    "channel",
    "received_date",
    "verification",
    "is_anonymous",
    "overdue_stage",
    "days_since_received",
]


def stage_flags(
    reports: pl.DataFrame, as_of: date, overdue_days: int = OVERDUE_DAYS
) -> pl.DataFrame:
    """The reports with one boolean column per stage (see STAGES)."""
    old = pl.col("received_date") <= as_of - timedelta(days=overdue_days)
    verified = pl.col("is_verified").fill_null(False)
    answered = pl.col("has_feedback").fill_null(False)
    anonymous = pl.col("is_anonymous").fill_null(False)
    return reports.with_columns(
        received=pl.lit(True),
        verified=verified,
        substantiated=pl.col("verification").is_in(SUBSTANTIATED).fill_null(False),
        answered=answered,
        rewarded=pl.col("reward_yuan").fill_null(0) > 0,
        overdue_unverified=old & ~verified,
        overdue_unanswered=old & verified & ~anonymous & ~answered,
    )


def in_period(reports: pl.DataFrame, start: date | None, end: date | None) -> pl.DataFrame:
    """The reports received between start and end (inclusive; None: unbounded)."""
    if start is not None:
        reports = reports.filter(pl.col("received_date") >= start)
    if end is not None:
        reports = reports.filter(pl.col("received_date") <= end)
    return reports


def handling_loop(reports: pl.DataFrame, as_of: date, by: str | None = None) -> pl.DataFrame:
    """Counts per stage (and the rewards paid), in total or per value of `by` (e.g. channel,
    unit_name); every stage is a column, in loop order."""
    flags = stage_flags(reports, as_of)
    aggs = [pl.col(s).sum().cast(pl.Int64).alias(s) for s in STAGES] + [
        pl.col("reward_yuan").fill_null(0).sum().alias("reward_total_yuan")
    ]
    if by is None:
        return flags.select(aggs)
    return flags.group_by(by).agg(aggs).sort(by, nulls_last=True)


def overdue_reports(reports: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The reports overdue at some stage, oldest first, with the stage."""
    flags = stage_flags(reports, as_of)
    cols = [c for c in OVERDUE_COLUMNS if c in flags.columns or c in LABELS]
    return (
        flags.filter(pl.col("overdue_unverified") | pl.col("overdue_unanswered"))
        .with_columns(
            overdue_stage=pl.when(pl.col("overdue_unverified"))
            .then(pl.lit("未核查"))
            .otherwise(pl.lit("已核查未反馈")),
            days_since_received=(pl.lit(as_of) - pl.col("received_date")).dt.total_days(),
        )
        .sort("received_date", "report_id")
        .select(cols)
    )
