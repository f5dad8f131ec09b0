"""The pandas pipeline an analyst would otherwise write for the same three outputs as the floor
(fct_hazards as of D, mart_region_industry_stats, the last full quarter of
mart_quarterly_evaluation), from a CLEAN raw drop, with the same rules (SPEC §3, §7, §9):

    python -m bench.pandas_pipeline --raw DROP --as-of YYYY-MM-DD --out DIR [--seeds DIR]

writes DIR/<output>.parquet. Idiomatic pandas: read_csv per file + concat, sort + drop_duplicates
for the current versions, merges, groupbys, one loop over quarters where a state at each quarter's
end is needed."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from zhiben.contract import EXTRACTS

REPO = Path(__file__).resolve().parents[1]
DATES = {"date"}
TIMES = {"datetime"}
NUMBERS = {"int", "decimal"}


# ------------------------------------------------------------------ reading


def read_extract(raw: Path, name: str) -> pd.DataFrame:
    """Every CSV of an extract, English column names, typed; `_order` = read order."""
    # the generated drops carry no 是否删除 (no deletions): the optional column is left out
    cols = [c for c in EXTRACTS[name].columns if c.name != "is_deleted"]
    frames = [
        pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""])
        for f in sorted((raw / name).glob("*.csv"))
    ]
    df = pd.concat(frames, ignore_index=True)
    df.columns = [c.name for c in cols]
    for c in cols:
        if c.kind in DATES:
            df[c.name] = pd.to_datetime(df[c.name], format="%Y-%m-%d")
        elif c.kind in TIMES:
            df[c.name] = pd.to_datetime(df[c.name], format="%Y-%m-%d %H:%M:%S")
        elif c.kind in NUMBERS:
            df[c.name] = pd.to_numeric(df[c.name])
        elif c.kind == "bool":
            df[c.name] = df[c.name].eq("是").fillna(False).astype(bool)
    df["_order"] = np.arange(len(df))
    return df


def current(df: pd.DataFrame, key: str, d_end: pd.Timestamp) -> pd.DataFrame:
    """The latest version of each key with updated_at before the end of day D."""
    df = df[df["updated_at"] < d_end]
    return df.sort_values(["updated_at", "_order"]).drop_duplicates(key, keep="last")


def quarter_key(s: pd.Series) -> pd.Series:
    return s.dt.year.astype("Int64").astype(str) + "Q" + s.dt.quarter.astype("Int64").astype(str)


def read_seed(seeds: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(seeds / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])


# ------------------------------------------------------------------ the pipeline


def run(raw: Path, as_of: date, seeds: Path = REPO / "seeds") -> dict[str, pd.DataFrame]:
    d = pd.Timestamp(as_of)
    d_end = d + pd.Timedelta(days=1)

    units = read_seed(seeds, "units")
    aliases = read_seed(seeds, "unit_aliases")
    town_unit = dict(zip(units["unit_name"], units["unit_code"], strict=True))
    town_unit.update(dict(zip(aliases["alias"], aliases["unit_code"], strict=True)))
    industries = read_seed(seeds, "industries")
    industry_code = dict(zip(industries["industry_name"], industries["industry_code"], strict=True))
    thresholds = read_seed(seeds, "accident_grade_thresholds")
    thresholds = thresholds.astype(
        {
            "grade_rank": int,
            "min_deaths": int,
            "min_serious_injuries": int,
            "min_direct_loss_10k_yuan": float,
        }
    ).sort_values("grade_rank", ascending=False)
    bands = read_seed(seeds, "escalation_bands")
    weights = read_seed(seeds, "evaluation_indicators")
    weights = weights[weights["scope"] == "unit"].set_index("indicator_id")["weight"].astype(float)
    rules = read_seed(seeds, "evaluation_deductions").set_index("rule_id")
    params = read_seed(seeds, "target_parameters").set_index("parameter_name")["parameter_value"]
    milestones = read_seed(seeds, "target_milestones")
    t6 = milestones[milestones["target_id"] == "T6"].copy()
    t6["milestone_date"] = pd.to_datetime(t6["milestone_date"])
    t6["target_value"] = t6["target_value"].astype(float)

    # enterprises: every version known by D, and the state as of D
    ent_versions = read_extract(raw, "enterprises")
    ent_versions = ent_versions[ent_versions["updated_at"] < d_end]
    ent_versions["unit_code"] = ent_versions["town"].map(town_unit)
    ent_versions["industry_code"] = ent_versions["industry"].map(industry_code)
    ent = current(ent_versions, "credit_code", d_end)[
        ["credit_code", "unit_code", "industry_code"]
    ].rename(columns={"unit_code": "ent_unit", "industry_code": "ent_industry"})

    def resolve(df: pd.DataFrame, own_industry: bool = True) -> pd.DataFrame:
        df = df.merge(ent, on="credit_code", how="left")
        df["unit_code"] = df["town"].map(town_unit).fillna(df["ent_unit"])
        if own_industry:
            df["industry_code"] = df["industry"].map(industry_code).fillna(df["ent_industry"])
        else:
            df["industry_code"] = df["ent_industry"]
        return df

    # ---------------------------------------------------------------- fct_hazards
    hz = current(read_extract(raw, "hazards"), "hazard_id", d_end)
    hz = resolve(hz[hz["found_date"] <= d])
    hz["is_rectified"] = hz["status"].isin(["已整改", "已销号"]) & (hz["rectified_date"] <= d)
    hz["is_overdue"] = ~hz["is_rectified"] & (hz["deadline"] < d)
    hz["overdue_days"] = np.where(hz["is_overdue"], (d - hz["deadline"]).dt.days, 0).astype(int)
    hz["rectified_on_time"] = (hz["rectified_date"] <= hz["deadline"]).where(
        hz["is_rectified"], None
    )
    hz["is_major"] = hz["level"] == "重大隐患"
    hz["is_stock_2023"] = hz["found_date"] <= pd.Timestamp("2023-12-31")
    hz["escalation"] = None
    for _, b in bands.iterrows():
        hi = float(b["max_overdue_days"]) if pd.notna(b["max_overdue_days"]) else np.inf
        in_band = hz["is_major"] & hz["overdue_days"].between(float(b["min_overdue_days"]), hi)
        hz.loc[in_band, "escalation"] = b["escalation"]
    fct_hazards = hz[
        [
            "hazard_id",
            "credit_code",
            "unit_code",
            "industry_code",
            "level",
            "source",
            "campaign",
            "found_date",
            "deadline",
            "status",
            "rectified_date",
            "closed_date",
            "is_major",
            "is_rectified",
            "is_overdue",
            "overdue_days",
            "rectified_on_time",
            "is_stock_2023",
            "is_listed_supervision",
            "escalation",
        ]
    ].reset_index(drop=True)

    # ---------------------------------------------------------------- other facts
    acc = current(read_extract(raw, "accidents"), "accident_id", d_end)
    acc = resolve(acc[acc["occurred_at"] < d_end])
    acc["occurred_date"] = acc["occurred_at"].dt.normalize()
    acc["deaths"] = acc["deaths_excl_missing"].fillna(0) + acc["missing"].fillna(0)
    acc["grade"] = None
    for _, t in thresholds.iloc[::-1].iterrows():  # lowest first: the highest reached wins
        reached = (
            (acc["deaths"] >= t["min_deaths"])
            | (acc["serious_injuries"].fillna(0) >= t["min_serious_injuries"])
            | (acc["direct_loss_10k_yuan"].fillna(0) >= t["min_direct_loss_10k_yuan"])
        )
        acc.loc[reached, "grade"] = t["grade"]
    insp = current(read_extract(raw, "inspections"), "inspection_id", d_end)
    insp = resolve(insp[insp["inspection_date"] <= d], own_industry=False)
    pen = current(read_extract(raw, "penalties"), "penalty_id", d_end)
    pen = resolve(pen[pen["decided_date"] <= d], own_industry=False)
    pen["fines_yuan"] = pen["fine_entity_yuan"].fillna(0) + pen["fine_person_yuan"].fillna(0)

    # ---------------------------------------------------------------- mart_region_industry_stats
    q_starts = pd.date_range("2023-01-01", d, freq="QS")
    quarters = pd.DataFrame({"quarter_start": q_starts})
    quarters["quarter"] = quarter_key(quarters["quarter_start"])
    quarters["year"] = quarters["quarter_start"].dt.year
    quarters["quarter_end"] = quarters["quarter_start"] + pd.offsets.QuarterEnd(0)
    quarters["quarter_as_of"] = quarters["quarter_end"].clip(upper=d)
    other = industry_code["其他"]
    keys = ["quarter", "unit_code", "industry_code"]
    grid = quarters.merge(units[["unit_code"]], how="cross").merge(
        industries[["industry_code"]], how="cross"
    )
    hz["found_quarter"] = quarter_key(hz["found_date"])
    hz["rectified_quarter"] = quarter_key(hz["rectified_date"])
    parts = [
        hz.groupby(["found_quarter", "unit_code", "industry_code"])
        .agg(hazards_found=("hazard_id", "size"), major_hazards_found=("is_major", "sum"))
        .rename_axis(keys),
        hz[hz["is_rectified"]]
        .groupby(["rectified_quarter", "unit_code", "industry_code"])
        .size()
        .rename("hazards_rectified")
        .rename_axis(keys),
    ]
    open_overdue = []
    for q in quarters.itertuples():
        t = q.quarter_as_of
        mask = (
            (hz["found_date"] <= t)
            & ~(hz["is_rectified"] & (hz["rectified_date"] <= t))
            & (hz["deadline"] < t)
        )
        g = hz[mask].groupby(["unit_code", "industry_code"]).size()
        open_overdue.append(pd.concat({q.quarter: g}, names=["quarter"]))
    parts.append(pd.concat(open_overdue).rename("open_overdue_at_quarter_end").rename_axis(keys))
    acc["quarter"] = quarter_key(acc["occurred_date"])
    parts.append(acc.groupby(keys).agg(accidents=("accident_id", "size"), deaths=("deaths", "sum")))
    insp["quarter"] = quarter_key(insp["inspection_date"])
    insp["industry_or_other"] = insp["industry_code"].fillna(other)
    parts.append(
        insp.groupby(["quarter", "unit_code", "industry_or_other"])
        .size()
        .rename("inspections")
        .rename_axis(keys)
    )
    pen["quarter"] = quarter_key(pen["decided_date"])
    pen["industry_or_other"] = pen["industry_code"].fillna(other)
    parts.append(
        pen.groupby(["quarter", "unit_code", "industry_or_other"])
        .agg(penalty_cases=("penalty_id", "size"), fines_yuan=("fines_yuan", "sum"))
        .rename_axis(keys)
    )
    stats = grid.set_index(keys)
    for p in parts:
        stats = stats.join(p, how="left")
    counts = [
        "hazards_found",
        "major_hazards_found",
        "hazards_rectified",
        "open_overdue_at_quarter_end",
        "accidents",
        "deaths",
        "inspections",
        "penalty_cases",
    ]
    stats[counts] = stats[counts].fillna(0).astype("int64")
    stats["fines_yuan"] = stats["fines_yuan"].fillna(0.0)
    region = stats.reset_index()

    # ---------------------------------------------------------------- mart_quarterly_evaluation
    full = quarters[(quarters["quarter_end"] <= d) & (quarters["year"] >= 2024)].tail(2)
    training = current(read_extract(raw, "training"), "training_id", d_end)
    since = pd.Timestamp(params["training_since_date"])
    principal = training[
        (training["training_date"] <= d)
        & (training["training_type"] == "主要负责人专题培训")
        & (training["person_role"] == "主要负责人")
        & (training["exam_result"] == "合格")
        & (training["training_date"] >= since)
    ][["credit_code", "id_number", "training_date"]]
    drills = current(read_extract(raw, "drills"), "drill_id", d_end)
    drills = resolve(
        drills[(drills["drill_date"] <= d) & (drills["organiser_type"] == "企业")],
        own_industry=False,
    )
    no_comprehensive_from = int(params["four_no_excludes_comprehensive_from_year"])
    deducted_grade = rules.loc["deduction_major_accidents", "accident_grade"]
    veto_grades = set(rules.loc[rules["rule_type"] == "veto", "accident_grade"])

    rows = []
    for q in full.itertuples():
        qs, qe = q.quarter_start, q.quarter_end
        ys = pd.Timestamp(qs.year, 1, 1)
        pys, pye = ys - pd.DateOffset(years=1), qe - pd.DateOffset(years=1)
        u = pd.DataFrame(index=units["unit_code"])
        h = hz[hz["found_date"] <= qe]
        rect_by_qe = h["is_rectified"] & (h["rectified_date"] <= qe)
        due = h["deadline"].between(qs, qe)
        g = pd.DataFrame(
            {
                "unit_code": h["unit_code"],
                "major_hazards": h["is_major"],
                "major_hazards_rectified": h["is_major"] & rect_by_qe,
                "hazards_due": due,
                "hazards_due_rectified_on_time": due
                & h["is_rectified"]
                & (h["rectified_date"] <= h["deadline"]),
                "hazards_found": h["found_date"] >= qs,
                "listed_overdue_major_hazards": h["is_major"]
                & h["is_listed_supervision"]
                & ~rect_by_qe
                & (h["deadline"] < qe),
            }
        )
        u = u.join(g.groupby("unit_code").sum())
        a = acc[(acc["occurred_date"] >= pys) & (acc["occurred_date"] <= qe)]
        ytd, prev = a["occurred_date"] >= ys, a["occurred_date"] <= pye
        in_q = a["occurred_date"] >= qs
        g = pd.DataFrame(
            {
                "unit_code": a["unit_code"],
                "accidents_ytd": ytd,
                "deaths_ytd": a["deaths"].where(ytd, 0),
                "accidents_prev_ytd": prev,
                "deaths_prev_ytd": a["deaths"].where(prev, 0),
                "larger_accidents": in_q & (a["grade"] == deducted_grade),
                "concealed_accidents": in_q & a["is_concealed"],
                "veto_accidents": in_q & a["grade"].isin(veto_grades),
            }
        )
        u = u.join(g.groupby("unit_code").sum())
        u = u.join(
            insp[insp["inspection_date"].between(qs, qe)]
            .groupby("unit_code")
            .size()
            .rename("inspections")
        )
        u = u.join(
            pen[pen["decided_date"].between(qs, qe)]
            .groupby("unit_code")
            .size()
            .rename("penalty_cases")
        )
        # I6: the state of each enterprise at qe; active ones whose principal passed the training
        states = current(ent_versions, "credit_code", qe + pd.Timedelta(days=1))
        active = states[states["operating_status"] == "在营"]
        m = active.merge(principal, on="credit_code", how="inner")
        m = m[
            (m["training_date"] <= qe)
            & (m["principal_id_number"].isna() | (m["principal_id_number"] == m["id_number"]))
        ]
        active = active.assign(trained=active["credit_code"].isin(m["credit_code"]))
        u = u.join(
            active.groupby("unit_code").agg(
                active_enterprises=("credit_code", "size"),
                active_enterprises_principal_trained=("trained", "sum"),
            )
        )
        # I7: 企业 drills Jan 1 → qe (from the seeded year on without 综合演练)
        dr = drills[drills["drill_date"].between(ys, qe)]
        if qs.year >= no_comprehensive_from:
            dr = dr[dr["drill_type"] != "综合演练"]
        u = u.join(
            dr.groupby("unit_code").agg(
                enterprise_drills_ytd=("drill_id", "size"),
                four_no_drills_ytd=("is_four_no", "sum"),
            )
        )
        u = u.fillna(0).astype("int64")
        target = t6[t6["milestone_date"].dt.year <= qs.year].sort_values("milestone_date")
        u["four_no_target"] = target["target_value"].iloc[-1] if len(target) else np.nan
        u["quarter"] = q.quarter
        rows.append(u.reset_index())
    ev = pd.concat(rows, ignore_index=True)

    def share(num: str, den: str) -> pd.Series:
        return (ev[num] / ev[den].replace(0, np.nan)).astype(float)

    ev["i1_value"] = share("major_hazards_rectified", "major_hazards")
    ev["i2_value"] = share("hazards_due_rectified_on_time", "hazards_due")
    ev["i3_value"] = share("hazards_found", "active_enterprises")
    ev["i4_value"] = share("penalty_cases", "inspections")

    def met(cur: str, prev: str) -> pd.Series:
        return (ev[cur] < ev[prev]) | ((ev[cur] == 0) & (ev[prev] == 0))

    ev["i5_value"] = met("accidents_ytd", "accidents_prev_ytd").astype(int) + met(
        "deaths_ytd", "deaths_prev_ytd"
    ).astype(int)
    ev["i6_value"] = share("active_enterprises_principal_trained", "active_enterprises")
    ev["i7_value"] = share("four_no_drills_ytd", "enterprise_drills_ytd")
    ev["i1_score"] = (100.0 * ev["i1_value"]).fillna(100.0)
    ev["i2_score"] = (100.0 * ev["i2_value"]).fillna(100.0)
    for i, when_best_zero in (("i3", 100.0), ("i4", 0.0)):
        best = ev.groupby("quarter")[f"{i}_value"].transform("max")
        score = 100.0 * (ev[f"{i}_value"] / best)
        score = score.where(best.fillna(0) != 0, when_best_zero)
        ev[f"{i}_score"] = score.where(ev[f"{i}_value"].notna(), 0.0)
    ev["i5_score"] = 50.0 * ev["i5_value"]
    ev["i6_score"] = (100.0 * ev["i6_value"]).fillna(0.0)
    ev["i7_score"] = np.where(
        ev["i7_value"].isna(),
        0.0,
        np.where(
            ev["four_no_target"].fillna(0) <= 0,
            100.0,
            np.minimum(100.0, 100.0 * ev["i7_value"] / ev["four_no_target"]),
        ),
    )
    ev["weighted_score"] = sum(weights[f"I{k}"] * ev[f"i{k}_score"] for k in range(1, 8)) / 100.0

    def points(rule: str) -> float:
        return float(rules.loc[rule, "points_per_item"])

    ev["deduction_major_accidents"] = ev["larger_accidents"] * points("deduction_major_accidents")
    ev["deduction_concealed"] = ev["concealed_accidents"] * points("deduction_concealed")
    cap = rules.loc["deduction_listed_overdue", "cap_points"]
    listed = ev["listed_overdue_major_hazards"] * points("deduction_listed_overdue")
    ev["deduction_listed_overdue"] = listed.clip(lower=float(cap)) if pd.notna(cap) else listed
    ev["deductions"] = (
        ev["deduction_major_accidents"] + ev["deduction_concealed"] + ev["deduction_listed_overdue"]
    )
    ev["total_score"] = (ev["weighted_score"] + ev["deductions"]).clip(lower=0.0)
    ev["veto"] = ev["veto_accidents"] > 0

    # rank: vetoed last; totals within 1e-9 tie (consecutive, descending); then I1 score, code
    ranked = []
    for _, g in ev.groupby("quarter"):
        g = g.sort_values(
            ["veto", "total_score", "i1_score", "unit_code"], ascending=[True, False, False, True]
        )
        prev_total = g.groupby("veto")["total_score"].shift(1)
        new_group = prev_total.isna() | (prev_total - g["total_score"] > 1e-9)
        g["tie_group"] = new_group.groupby(g["veto"]).cumsum()
        g = g.sort_values(
            ["veto", "tie_group", "i1_score", "unit_code"], ascending=[True, True, False, True]
        )
        g["rank"] = np.arange(1, len(g) + 1)
        ranked.append(g)
    ev = pd.concat(ranked)
    last = full["quarter"].iloc[-1]
    prev_q = full["quarter"].iloc[0] if len(full) == 2 else None
    out = ev[ev["quarter"] == last].merge(
        ev[ev["quarter"] == prev_q][["unit_code", "rank"]].rename(columns={"rank": "prev_rank"}),
        on="unit_code",
        how="left",
    )
    out["prev_rank"] = out["prev_rank"].astype("Int64")
    out["rank_change"] = out["prev_rank"] - out["rank"]
    evaluation = out.drop(columns=["tie_group"]).sort_values("rank").reset_index(drop=True)

    return {
        "fct_hazards": fct_hazards,
        "mart_region_industry_stats": region,
        "mart_quarterly_evaluation": evaluation,
    }


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.pandas_pipeline", description=__doc__)
    ap.add_argument("--raw", type=Path, required=True)
    ap.add_argument("--as-of", type=date.fromisoformat, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds")
    a = ap.parse_args()
    t0 = time.perf_counter()
    outputs = run(a.raw, a.as_of, a.seeds)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, df in outputs.items():
        df.to_parquet(a.out / f"{name}.parquet", index=False)
    print(f"pandas {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
