"""The reference data the generator needs, read from the dbt seeds (units, aliases, departments,
industries with their lead department, accident types of both standards)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from zhiben.generate.common import project_dir


@dataclass(frozen=True)
class Seeds:
    unit_codes: list[str]
    unit_names: list[str]
    aliases: dict[str, list[str]]  # unit_code → aliases (sorted, without the canonical name)
    dept_codes: list[str]
    dept_names: list[str]
    dept_short: list[str]
    industry_names: list[str]
    industry_lead: list[int]  # index into dept lists
    industry_high_risk: list[bool]
    accident_types_1986: list[str]
    accident_types_2025: list[str]

    def industry_index(self, name: str) -> int:
        return self.industry_names.index(name)

    def unit_index(self, name: str) -> int:
        return self.unit_names.index(name)


def load_seeds(seeds_dir: Path | None = None) -> Seeds:
    d = seeds_dir or project_dir() / "seeds"
    units = pl.read_csv(d / "units.csv", infer_schema=False).sort("sort_order", descending=False)
    units = units.with_columns(pl.col("sort_order").cast(pl.Int32)).sort("sort_order")
    aliases = pl.read_csv(d / "unit_aliases.csv", infer_schema=False)
    depts = pl.read_csv(d / "departments.csv", infer_schema=False)
    depts = depts.with_columns(pl.col("sort_order").cast(pl.Int32)).sort("sort_order")
    inds = pl.read_csv(d / "industries.csv", infer_schema=False)
    inds = inds.with_columns(pl.col("sort_order").cast(pl.Int32)).sort("sort_order")
    types = pl.read_csv(d / "accident_types.csv", infer_schema=False)
    types = types.with_columns(pl.col("type_order").cast(pl.Int32)).sort("standard", "type_order")

    unit_codes = units["unit_code"].to_list()
    unit_names = units["unit_name"].to_list()
    al: dict[str, list[str]] = {}
    for code, name in zip(unit_codes, unit_names, strict=True):
        al[code] = sorted(
            a for a in aliases.filter(pl.col("unit_code") == code)["alias"].to_list() if a != name
        )
    dept_codes = depts["department_code"].to_list()
    return Seeds(
        unit_codes=unit_codes,
        unit_names=unit_names,
        aliases=al,
        dept_codes=dept_codes,
        dept_names=depts["department_name"].to_list(),
        dept_short=depts["short_name"].to_list(),
        industry_names=inds["industry_name"].to_list(),
        industry_lead=[dept_codes.index(c) for c in inds["lead_department_code"].to_list()],
        industry_high_risk=[v.lower() == "true" for v in inds["is_high_risk_industry"].to_list()],
        accident_types_1986=types.filter(pl.col("standard") == "GB 6441-1986")[
            "accident_type"
        ].to_list(),
        accident_types_2025=types.filter(pl.col("standard") == "GB 6441-2025")[
            "accident_type"
        ].to_list(),
    )
