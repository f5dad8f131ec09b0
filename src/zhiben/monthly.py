"""月调度 (SPEC §10.4, plan §三.四): the month × unit figures of `mart_monthly_dispatch` with their
month-over-month (环比: against the month before) and year-over-year (同比: against the same month a
year before) change, the region's 12-month trend and the units that worsened. One place for the
page (app/app_pages/monthly.py) and the monthly 通报 (`zhiben report --month`).

The frames are the mart's rows (month, unit_code, the metrics; unit_name when joined); a change is
this month − the compared month, NULL when the compared month is not in the frame (before 2023-01).
"""

from __future__ import annotations

import polars as pl

from zhiben.periods import shift_month

#: the mart's figures, in the order the page and the workbook show them
METRICS: tuple[str, ...] = (
    "hazards_found",
    "major_hazards_found",
    "hazards_rectified",
    "major_open_at_month_end",
    "major_overdue_at_month_end",
    "accidents",
    "deaths",
    "inspections",
    "penalty_cases",
    "fines_yuan",
)
#: a unit worsened when one of these rose against the month before (more is worse)
WORSE_WHEN_UP: tuple[str, ...] = ("major_overdue_at_month_end", "accidents", "deaths")
MOM, YOY = "_mom", "_yoy"


def change_labels(labels: dict[str, str]) -> dict[str, str]:
    """Labels of the change columns from the metrics' labels: '事故起数环比' / '事故起数同比'."""
    return {
        f"{m}{suffix}": f"{labels[m]}{word}"
        for m in METRICS
        if m in labels
        for suffix, word in ((MOM, "环比"), (YOY, "同比"))
    }


def month_changes(
    dispatch: pl.DataFrame, month: str, metrics: tuple[str, ...] = METRICS
) -> pl.DataFrame:
    """The month's rows (one per unit) with, beside each metric, `<metric>_mom` (this month −
    the month before) and `<metric>_yoy` (this month − the same month a year before)."""
    keys = ["unit_code"]

    def at(m: str, suffix: str = "") -> pl.DataFrame:
        return dispatch.filter(pl.col("month") == m).select(
            *keys, *(pl.col(c).alias(f"{c}{suffix}") for c in metrics)
        )

    current = dispatch.filter(pl.col("month") == month)
    out = current.join(at(shift_month(month, -1), "__prev"), on=keys, how="left").join(
        at(shift_month(month, -12), "__year"), on=keys, how="left"
    )
    changes = []
    for c in metrics:
        changes += [
            (pl.col(c) - pl.col(f"{c}__prev")).alias(f"{c}{MOM}"),
            (pl.col(c) - pl.col(f"{c}__year")).alias(f"{c}{YOY}"),
        ]
    lead = [c for c in ("month", "unit_code", "unit_name") if c in out.columns]
    ordered = [x for c in metrics for x in (c, f"{c}{MOM}", f"{c}{YOY}")]
    return out.with_columns(changes).select(*lead, *ordered).sort("unit_code")


def region_trend(dispatch: pl.DataFrame, month: str, months: int = 12) -> pl.DataFrame:
    """The region's (the frame's units summed) figures of the `months` months ending at
    `month`, one row per month in order (a month the frame lacks is absent)."""
    window = [shift_month(month, -i) for i in range(months - 1, -1, -1)]
    present = [c for c in METRICS if c in dispatch.columns]
    return (
        dispatch.filter(pl.col("month").is_in(window))
        .group_by("month")
        .agg(pl.col(present).sum())
        .sort("month")
    )


def worsened(changes: pl.DataFrame) -> pl.DataFrame:
    """The units of `month_changes` where a WORSE_WHEN_UP figure rose against the month before,
    with `worsened_on` naming what rose (e.g. '月末重大隐患逾期 +2；事故起数 +1')."""
    from zhiben.app_logic.labels import label

    watched = [c for c in WORSE_WHEN_UP if f"{c}{MOM}" in changes.columns]
    rose = [pl.col(f"{c}{MOM}").fill_null(0) > 0 for c in watched]
    parts = [
        pl.when(pl.col(f"{c}{MOM}").fill_null(0) > 0).then(
            pl.format(f"{label(c)} +{{}}", pl.col(f"{c}{MOM}"))
        )
        for c in watched
    ]
    lead = [c for c in ("month", "unit_code", "unit_name") if c in changes.columns]
    cols = [x for c in watched for x in (c, f"{c}{MOM}")]
    return (
        changes.filter(pl.any_horizontal(rose))
        .with_columns(pl.concat_str(parts, separator="；", ignore_nulls=True).alias("worsened_on"))
        .select(*lead, "worsened_on", *cols)
    )
