"""Reference data the loader validates against, read from the dbt seeds."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class RefData:
    #: normalised unit name / alias → unit code
    town_to_unit: dict[str, str]
    #: unit code → unit name
    unit_names: dict[str, str]
    #: normalised department name (full or short seed name) → department code
    department_codes: dict[str, str]
    #: normalised department name (full or short) → the seed's full name
    department_names: dict[str, str]
    #: normalised industry name → seed spelling
    industries: dict[str, str]
    #: normalised accident type name → seed spelling (either standard)
    accident_types: dict[str, str]
    #: the plan's task ids (seed plan_tasks; empty when the seed is absent)
    task_ids: frozenset[str] = frozenset()
    #: "task_id|owner code" of every owner of every task (seed plan_task_owners, `U*` expanded
    #: to every unit)
    task_owner_pairs: frozenset[str] = frozenset()

    @classmethod
    def load(cls, seeds_dir: Path) -> RefData:
        units = _rows(seeds_dir / "units.csv")
        unit_names = {r["unit_code"]: r["unit_name"] for r in units}
        town_to_unit = {nfkc(r["unit_name"]): r["unit_code"] for r in units}
        for r in _rows(seeds_dir / "unit_aliases.csv"):
            town_to_unit.setdefault(nfkc(r["alias"]), r["unit_code"])
        deps = _rows(seeds_dir / "departments.csv")
        task_ids: set[str] = set()
        pairs: set[str] = set()
        if (seeds_dir / "plan_tasks.csv").exists():
            task_ids = {nfkc(r["task_id"]) for r in _rows(seeds_dir / "plan_tasks.csv")}
        if (seeds_dir / "plan_task_owners.csv").exists():
            for r in _rows(seeds_dir / "plan_task_owners.csv"):
                owners = list(unit_names) if r["owner"].strip() == "U*" else [r["owner"].strip()]
                pairs |= {f"{nfkc(r['task_id'])}|{o}" for o in owners}
        return cls(
            town_to_unit=town_to_unit,
            unit_names=unit_names,
            department_codes={
                **{
                    nfkc(r["short_name"]): r["department_code"] for r in deps if r.get("short_name")
                },
                **{nfkc(r["department_name"]): r["department_code"] for r in deps},
            },
            department_names={
                **{
                    nfkc(r["short_name"]): r["department_name"] for r in deps if r.get("short_name")
                },
                **{nfkc(r["department_name"]): r["department_name"] for r in deps},
            },
            industries={
                nfkc(r["industry_name"]): r["industry_name"]
                for r in _rows(seeds_dir / "industries.csv")
            },
            accident_types={
                nfkc(r["accident_type"]): r["accident_type"]
                for r in _rows(seeds_dir / "accident_types.csv")
            },
            task_ids=frozenset(task_ids),
            task_owner_pairs=frozenset(pairs),
        )

    @property
    def town_to_unit_name(self) -> dict[str, str]:
        return {k: self.unit_names[v] for k, v in self.town_to_unit.items()}
