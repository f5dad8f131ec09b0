"""Known answers of T14 监测预警全覆盖's status (SPEC §10.5 "Monitoring"; macro
monitoring_target_judgement): one milestone per requirement, each judged on the region's pooled
share; 未达成 if any passed milestone was missed; otherwise each requirement not yet due is judged
on its OWN straight line (0 at 2024-01-01 → 100 % at its due date) and T14 is 有风险 if any falls
short. The deciding milestone is the earliest missed (then the lowest share); its requirement
(deciding_requirement_id, deciding_system) is named in the status reason (SPEC §10.4).

Four hand-made drops, each built by dbt:
- risk (D = 2025-07-01): nothing has been missed (R1–R5 required nobody). R9 智慧工地 (due
  2025-12-31): 3 of 4 建筑施工 connected, 75 % ≥ its line 547 ÷ 730 = 74.9 % (ahead). R8 电力监测
  (due 2026-12-31): 1 of 4 工贸 规上 connected, 25 % < its line 547 ÷ 1095 = 49.95 % → 有风险, R8
  deciding. (The next milestone, 2025-12-31, is ahead: judging it alone says 进行中.)
- on_track: the same with 2 of 4 on R8, 50 % ≥ 49.95 % → 进行中, the next milestone deciding
  (R9's 75 % against its line).
- missed (D = 2026-03-01): 2024-12-31: R3 / R4 2 of 2 油气储存, R5 紧急切断 1 of 2 (50 %, one on
  the due date itself) → missed;
  2025-12-31: R9 0 of 1 (0 %) → missed too, lower but later → 未达成, 2024-12-31 deciding at 50 %
  (the lowest share of that date, not R3's 100 %).
- done (D = 2026-12-31, the last due date itself): R9 and R8 connected in time, the rest required
  nobody (NULL: met) → 达成, the last milestone deciding.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fixtures.hand_drop import add_build_info, built_drop, t
from fixtures.raw_schema import RawBuilder
from test_prevention_marts import ent as enterprise

from zhiben.app_logic.labels import target_status_reason
from zhiben.codes import credit_check_char

DAYS_TO_D = (date(2025, 7, 1) - date(2024, 1, 1)).days  # 547
LINE_2025 = DAYS_TO_D / (date(2025, 12, 31) - date(2024, 1, 1)).days  # 547 / 730
LINE_2026 = DAYS_TO_D / (date(2026, 12, 31) - date(2024, 1, 1)).days  # 547 / 1095


def credit(n: int) -> str:
    first17 = f"91370406MA3T{n:05d}"
    return first17 + credit_check_char(first17)


def ent(n: int, industry: str, **kw) -> dict:
    """An enterprise row of test_prevention_marts' builder: 企业<n> of 店子镇 (U02), 规上."""
    return enterprise(credit(n), f"企业{n}", "U02", industry, **{"scale": "规上", **kw})


def mon(n: int, system: str, connected: date) -> dict:
    return dict(
        credit_code=credit(n),
        system=system,
        is_connected=True,
        connected_date=connected,
        updated_at=t(connected.year, connected.month, connected.day),
    )


def builders(r8_connected: int) -> tuple[list[dict], list[dict]]:
    """4 建筑施工 (R9), 3 of them connected; 4 工贸 规上 (R8), `r8_connected` of them connected."""
    ents = [ent(i, "建筑施工") for i in range(1, 5)]
    ents += [ent(i, "工贸") for i in range(11, 15)]
    mons = [mon(i, "智慧工地", date(2024, 5, 1)) for i in range(1, 4)]
    mons += [mon(i, "电力监测", date(2025, 3, 1)) for i in range(11, 11 + r8_connected)]
    return ents, mons


def scenario(name: str) -> tuple[date, list[dict], list[dict]]:
    if name == "risk":
        return (date(2025, 7, 1), *builders(1))
    if name == "on_track":
        return (date(2025, 7, 1), *builders(2))
    if name == "missed":
        oil = dict(is_oil_gas_storage=True)
        ents = [ent(21, "危险化学品", **oil), ent(22, "危险化学品", **oil), ent(1, "建筑施工")]
        mons = [
            mon(n, s, date(2024, 12, 1)) for n in (21, 22) for s in ("视频监控", "气体检测报警")
        ]
        mons.append(mon(21, "紧急切断", date(2024, 12, 31)))  # on the due date: counts
        mons.append(mon(1, "智慧工地", date(2026, 1, 1)))  # a day late
        return date(2026, 3, 1), ents, mons
    assert name == "done"
    ents = [ent(1, "建筑施工"), ent(11, "工贸")]
    mons = [mon(1, "智慧工地", date(2025, 12, 31)), mon(11, "电力监测", date(2026, 12, 31))]
    return date(2026, 12, 31), ents, mons


def make_drop(name: str) -> Callable[[Path], None]:
    as_of, ents, mons = scenario(name)

    def write(path: Path) -> None:
        rb = RawBuilder(path)
        rb.add("enterprises", ents)
        rb.add("monitoring", mons)
        add_build_info(
            rb,
            as_of,
            built_at=t(as_of.year, as_of.month, as_of.day),
            max_updated_at=t(2025, 6, 1),
            raw_dir="hand-made",
        )
        rb.close()

    return write


@pytest.fixture(scope="module", params=["risk", "on_track", "missed", "done"])
def t14(request, tmp_path_factory) -> tuple[str, dict, dict]:
    """(scenario, T14's row of mart_target_progress, milestone date → actual of the passed ones)."""
    name = request.param
    as_of = scenario(name)[0]
    for con in built_drop(
        tmp_path_factory, f"t14_{name}", make_drop(name), as_of, ("+mart_target_progress",)
    ):
        cur = con.execute("select * from marts.mart_target_progress where target_id = 'T14'")
        row = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
        passed = dict(
            con.execute(
                "select milestone_date, actual from marts.mart_target_milestones"
                " where target_id = 'T14' and is_passed"
            ).fetchall()
        )
        return name, row, passed
    raise AssertionError("no build")


def test_t14_status_and_deciding_milestone(t14) -> None:
    name, row, passed = t14
    got = (
        row["status"],
        row["deciding_milestone"],
        row["deciding_target_value"],
        pytest.approx(row["deciding_actual"]),
    )
    if name == "risk":
        # R8, due later, is behind its own line while the next milestone (R9) is ahead
        assert got == ("有风险", date(2026, 12, 31), 1.0, 0.25)
        assert (row["deciding_requirement_id"], row["deciding_system"]) == ("R8", "电力监测")
        assert row["actual"] == pytest.approx(0.25)
        assert row["expected_value"] == pytest.approx(LINE_2026)
        assert row["next_milestone"] == date(2025, 12, 31) and row["milestones_missed"] == 0
        assert target_status_reason(row) == (
            "T14 有风险：R8 电力监测 2026-12-31 节点应达 100.0%，实际 25.0%"
            f"（当前应达 {LINE_2026:.1%}）"
        )
    elif name == "on_track":
        # R8 at 50 % is on its line (49.95 %): 进行中, the next milestone's lowest share decides
        assert got == ("进行中", date(2025, 12, 31), 1.0, 0.75)
        assert (row["deciding_requirement_id"], row["deciding_system"]) == ("R9", "智慧工地")
        assert row["actual"] == pytest.approx(0.75)
        assert row["expected_value"] == pytest.approx(LINE_2025)
        assert LINE_2025 < 0.75 and LINE_2026 < 0.5  # the boundaries this case sits on
    elif name == "missed":
        # the earliest missed date decides, at its lowest share (R5 50 %; R3 / R4 100 %) — not
        # the lower, later R9 (0 %)
        assert got == ("未达成", date(2024, 12, 31), 1.0, 0.5)
        assert (row["deciding_requirement_id"], row["deciding_system"]) == ("R5", "紧急切断")
        assert passed == {date(2024, 6, 30): 1.0, date(2024, 12, 31): 0.5, date(2025, 12, 31): 0.0}
        assert row["milestones_missed"] == 2
        assert target_status_reason(row) == (
            "T14 未达成：R5 紧急切断 2024-12-31 节点应达 100.0%，实际 50.0%"
        )
    else:
        # every milestone passed (the last on D itself) and met; nobody required counts as met
        assert got == ("达成", date(2026, 12, 31), 1.0, 1.0)
        assert (row["deciding_requirement_id"], row["deciding_system"]) == ("R8", "电力监测")
        assert row["next_milestone"] is None and row["milestones_missed"] == 0
        assert set(passed.values()) == {1.0} and len(passed) == 4
