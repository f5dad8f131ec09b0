"""The plan's task ledger seeds (`plan_tasks`, `plan_task_owners`, SPEC §10.2) checked against the
plan itself (docs/plan/shanan-fa-2024-6.txt, the text of 山安发〔2024〕6号; its PDF line breaks fall
mid-sentence, so the text is read with all whitespace removed).

Every due sentence — "20xx年(x月)底前 …" or "20xx年，…" — runs from its date to the next date, the
next numbered item or heading; each is either covered by a task of the seed with that § and due
date (its title inside that span), or by an entry of EXCLUDED_AS_TARGETS below, which names the
target T1–T18 that already measures that deliverable. Conversely every task and every exclusion
lies in a due sentence of its own § and date, so a wrong date or § fails too."""

from __future__ import annotations

import calendar
import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "docs" / "plan" / "shanan-fa-2024-6.txt"
SEEDS = REPO / "seeds"

#: the brief's two forms; applied to the text without whitespace, "\s*" stays harmless
DUE = re.compile(r"(20\d\d)\s*年\s*(?:(\d{1,2})\s*月)?\s*底前|(20\d\d)\s*年，")


@dataclass(frozen=True)
class Excluded:
    section: str
    due: date
    clause: str  # the plan's words, a substring of the due sentence
    target: str  # the target of SPEC §6 / §10.3 that measures it


#: Dated deliverables of the plan that a target already measures — no tasks (SPEC §10.2).
EXCLUDED_AS_TARGETS = [
    Excluded("一", date(2024, 12, 31), "基本消除2023年及以前排查发现的重大事故隐患存量", "T1"),
    Excluded("一", date(2025, 12, 31), "有效遏制重大事故隐患增量", "T2"),
    Excluded("一", date(2026, 12, 31), "形成重大事故隐患动态清零的常态化机制", "T3"),
    # §二.7 and §二.9's monitoring systems are the requirements R1–R9 of T14 (SPEC §10.2)
    Excluded(
        "二.7",
        date(2024, 6, 30),
        "设计边坡高度100米及以上的正常生产建设非煤露天矿山应当完成边坡监测系统建设及联网工作",
        "T14",  # R1
    ),
    Excluded("二.7", date(2024, 12, 31), "涉粉作业10人以上金属粉尘企业全部接入监测预警系统", "T14"),
    Excluded(
        "二.7",
        date(2025, 12, 31),
        "实现危化品重大危险源、重点粉尘涉爆等企业安全风险监测预警全覆盖",
        "T14",  # R6, R7
    ),
    Excluded(
        "二.7",
        date(2025, 12, 31),
        "全面推广“智慧工地”建设，实现对房屋建筑在建工程项目全覆盖监管",
        "T14",  # R9
    ),
    Excluded(
        "二.7",
        date(2026, 12, 31),
        "危化品、非煤矿山、重点工贸行业全量纳入电力监测预警系统监测范围",
        "T14",  # R8
    ),
    Excluded("二.9", date(2024, 12, 31), "化工企业全部达到较低安全风险等级", "T16"),
    Excluded(
        "二.9",
        date(2024, 12, 31),
        "油气存储企业全面完成视频监控、气体检测、紧急切断“三个系统”配备投用",
        "T14",  # R3, R4, R5
    ),
    Excluded(
        "二.11",
        date(2024, 12, 31),
        "全面开展其他七类行业三类人员工伤预防能力提升培训，完成三年培训任务的60%",
        "T7",
    ),
    Excluded("二.11", date(2025, 12, 31), "全面完成各项培训任务", "T7"),
    Excluded(
        "二.13",
        date(2025, 12, 31),
        "正常生产的非煤矿山、民爆企业安全生产标准化水平全部达到二级及以上",
        "T10",
    ),
    Excluded(
        "二.13",
        date(2025, 12, 31),
        "新建非煤矿山自取得安全生产许可证之日起一年内，应达到安全生产标准化二级及以上水平",
        "T10",  # a standing rule for new mines, inside T10's population
    ),
    Excluded(
        "二.13",
        date(2026, 12, 31),
        "粉尘涉爆、涉氨制冷领域规模以上企业全部达到安全生产标准化三级及以上水平",
        "T17",
    ),
    Excluded("二.14", date(2026, 12, 31), "各镇街具备非现场执法能力", "T11"),
    Excluded(
        "二.17",
        date(2026, 12, 31),
        "细化完善举报投诉工作各个环节，形成比较完善的举报投诉受理、核查、反馈、奖励等工作体系",
        "T12",
    ),
    Excluded("二.19", date(2024, 12, 31), "企业“四不”演练占比达到40%", "T6"),
    Excluded("二.19", date(2025, 12, 31), "占比达到60%", "T6"),
    Excluded("二.19", date(2026, 12, 31), "除综合性演练外，基本实现“四不”演练常态化", "T6"),
]

#: Dated words of the plan that are NOT of the two forms, so no task (a reader's question, answered):
#: a start date, the 四项整治's yearly rhythm, and §二.25's 2026 sentence without "底前" or "，".
NOT_OF_THE_FORM = [
    "自2024年3月起，各培训机构要将重大事故隐患排查整治有关要求作为培训考核的重要内容",
    "2024年继续开展集中整治",
    "2025年、2026年常态化推进",
    "2026年依托电焊作业智能监管平台充分发挥监管效能",
]

#: The plan's words for an industry → the seed industry (its lead department must own the task).
INDUSTRY_WORDS = {
    "危化品": "危险化学品",
    "矿山": "非煤矿山",
    "工贸": "工贸",
    "消防安全责任人": "消防",
    "消防供水": "消防",
    "火灾": "消防",
    "医院": "医疗卫生",
    "文物": "文化旅游",
    "公路": "交通运输",
    "交通安全设施": "交通运输",
    "货车": "交通运输",
    "拖拉机": "农业机械",
}

#: yes/no tasks naming 镇（街） that are not every unit's: only "具备条件的镇街", pushed by the district
NOT_EVERY_UNIT = {"二.15-3"}


def _read_csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def plan() -> str:
    return re.sub(r"\s+", "", PLAN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tasks() -> list[dict[str, str]]:
    return _read_csv("plan_tasks.csv")[1]


@pytest.fixture(scope="module")
def owners() -> dict[str, set[str]]:
    by_task: dict[str, set[str]] = defaultdict(set)
    for row in _read_csv("plan_task_owners.csv")[1]:
        by_task[row["task_id"]].add(row["owner"])
    return by_task


def _headings(plan: str) -> list[tuple[int, str | None]]:
    """(position, section) where a section starts — or None where only a span ends (a heading
    such as （三）开展… inside §二)."""
    start_1 = plan.index("一、总体要求")
    start_2 = plan.index("二、聚力实施")
    start_3 = plan.index("三、强化保障措施")
    end = plan.index("附件全区安全生产治本攻坚三年行动任务分工")
    marks: list[tuple[int, str | None]] = [(start_1, "一"), (start_2, "二"), (start_3, "三")]
    items = list(re.finditer(r"(?<![\d.])(\d{1,2})\.(?!\d)", plan[start_2:start_3]))
    assert [int(m.group(1)) for m in items] == list(range(1, 29)), "the plan numbers 二.1 … 二.28"
    marks += [(start_2 + m.start(), f"二.{m.group(1)}") for m in items]
    marks += [
        (start_2 + m.start(), None)
        for m in re.finditer(r"（[一二三四五六七八九十]+）", plan[start_2:start_3])
    ]
    subsections = list(re.finditer(r"（([一二三四五六])）", plan[start_3:end]))
    marks += [(start_3 + m.start(), f"三.{n}") for n, m in enumerate(subsections, 1)]
    marks.append((end, None))
    return sorted(marks)


def _due(m: re.Match[str]) -> date:
    if m.group(3):
        return date(int(m.group(3)), 12, 31)
    year, month = int(m.group(1)), int(m.group(2) or 12)
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Span:
    section: str
    due: date
    text: str  # from the date to the next date, numbered item or heading


def _due_spans(plan: str) -> list[Span]:
    heads = _headings(plan)
    matches = list(DUE.finditer(plan))
    bounds = sorted({p for p, _ in heads} | {m.start() for m in matches})
    spans = []
    for m in matches:
        section = None
        for pos, sec in heads:
            if pos > m.start():
                break
            if sec is not None:
                section = sec
        assert section is not None, m.group(0)
        stop = next(b for b in bounds if b > m.start())
        spans.append(Span(section, _due(m), plan[m.start() : stop]))
    return spans


@pytest.fixture(scope="module")
def spans(plan: str) -> list[Span]:
    return _due_spans(plan)


def _task_due(row: dict[str, str]) -> date:
    return date.fromisoformat(row["due_date"])


def test_seed_columns_are_exactly_the_contract() -> None:
    assert _read_csv("plan_tasks.csv")[0] == [
        "task_id",
        "section",
        "title",
        "due_date",
        "target_qty",
        "measure",
    ]
    assert _read_csv("plan_task_owners.csv")[0] == ["task_id", "owner"]


def test_the_plan_text_has_the_due_sentences_expected(spans: list[Span]) -> None:
    # a guard on the reading itself: 58 dated sentences, in §一, §二.1 … §二.26 and none in §三
    assert len(spans) == 58
    assert {s.section for s in spans} >= {"一", "二.7", "二.20", "二.26"}
    assert not [s for s in spans if s.section.startswith("三")]
    assert min(s.due for s in spans) == date(2024, 3, 31)
    assert max(s.due for s in spans) == date(2026, 12, 31)


def test_every_title_is_the_plans_own_words(plan: str, tasks: list[dict[str, str]]) -> None:
    not_in_plan = [
        r["task_id"] for r in tasks if re.sub(r"\s+", "", r["title"]) not in plan or not r["title"]
    ]
    assert not not_in_plan


def test_every_due_sentence_is_a_task_or_a_target(
    spans: list[Span], tasks: list[dict[str, str]]
) -> None:
    uncovered = []
    for span in spans:
        covering_tasks = [
            r["task_id"]
            for r in tasks
            if r["section"] == span.section and _task_due(r) == span.due and r["title"] in span.text
        ]
        covering_targets = [
            e.target
            for e in EXCLUDED_AS_TARGETS
            if e.section == span.section and e.due == span.due and e.clause in span.text
        ]
        if not covering_tasks and not covering_targets:
            uncovered.append((span.section, span.due.isoformat(), span.text[:40]))
    assert not uncovered


def test_every_task_lies_in_a_due_sentence_of_its_section_and_date(
    spans: list[Span], tasks: list[dict[str, str]]
) -> None:
    misplaced = [
        (r["task_id"], r["due_date"])
        for r in tasks
        if not any(
            s.section == r["section"] and s.due == _task_due(r) and r["title"] in s.text
            for s in spans
        )
    ]
    assert not misplaced


def test_every_exclusion_lies_in_a_due_sentence_and_names_its_target(spans: list[Span]) -> None:
    targets = {r["target_id"]: r for r in _read_csv("targets.csv")[1]}
    for e in EXCLUDED_AS_TARGETS:
        assert any(
            s.section == e.section and s.due == e.due and e.clause in s.text for s in spans
        ), e
        assert re.fullmatch(r"T([1-9]|1[0-8])", e.target), e
        if e.target in targets:  # T14–T18 join the seed with phase 2
            assert e.section in targets[e.target]["plan_section"].split(), e


def test_no_deliverable_is_both_a_task_and_a_target(tasks: list[dict[str, str]]) -> None:
    both = [
        (r["task_id"], e.target)
        for r in tasks
        for e in EXCLUDED_AS_TARGETS
        if r["section"] == e.section and (r["title"] in e.clause or e.clause in r["title"])
    ]
    assert not both


def test_dated_words_not_of_the_form_are_not_due_sentences(plan: str) -> None:
    for words in NOT_OF_THE_FORM:
        at = plan.index(words)
        assert not DUE.match(plan, at) and not DUE.search(words), words


def test_task_ids_are_the_section_and_a_number_in_the_plans_order(
    plan: str, tasks: list[dict[str, str]]
) -> None:
    by_section: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in tasks:
        by_section[r["section"]].append(r)
    assert len({r["task_id"] for r in tasks}) == len(tasks)
    for section, rows in by_section.items():
        assert re.fullmatch(r"二\.([1-9]|1\d|2[0-8])|三\.[1-6]", section), section
        in_order = sorted(rows, key=lambda r: (r["due_date"], plan.index(r["title"])))
        assert [r["task_id"] for r in in_order] == [
            f"{section}-{n}" for n in range(1, len(rows) + 1)
        ]


def test_quantities_are_the_plans_numbers(tasks: list[dict[str, str]]) -> None:
    for r in tasks:
        named = re.findall(r"(\d+)([个支])", r["title"])
        if r["target_qty"]:
            qty = float(r["target_qty"])
            assert (f"{qty:g}", r["measure"]) in named, r["task_id"]
        else:
            assert not named and not r["measure"], r["task_id"]


def test_owners_are_codes_of_the_seeds_and_every_task_has_one(
    tasks: list[dict[str, str]], owners: dict[str, set[str]]
) -> None:
    departments = {r["department_code"] for r in _read_csv("departments.csv")[1]}
    units = {r["unit_code"] for r in _read_csv("units.csv")[1]}
    task_ids = {r["task_id"] for r in tasks}
    assert set(owners) == task_ids
    unknown = {o for codes in owners.values() for o in codes} - departments - units - {"U*"}
    assert not unknown


def test_owners_follow_the_plans_words(
    tasks: list[dict[str, str]], owners: dict[str, set[str]]
) -> None:
    industries = {r["industry_name"]: r for r in _read_csv("industries.csv")[1]}
    leads = {r["lead_department_code"] for r in industries.values()}
    functional = {r["unit_code"] for r in _read_csv("units.csv")[1] if r["unit_type"] == "功能区"}
    problems = []
    for r in tasks:
        title, got = r["title"], owners[r["task_id"]]
        for word, industry in INDUSTRY_WORDS.items():
            if word in title and industries[industry]["lead_department_code"] not in got:
                problems.append((r["task_id"], word))
        if "行业领域" in title and not leads <= got:
            problems.append((r["task_id"], "行业领域"))
        if "功能区" in title and not functional <= got:
            problems.append((r["task_id"], "功能区"))
        names_units = "镇街" in title or "镇（街）" in title
        every_unit = not r["target_qty"] and r["task_id"] not in NOT_EVERY_UNIT
        if names_units and every_unit and "U*" not in got:
            problems.append((r["task_id"], "镇街"))
        if r["target_qty"] and len(got) != 1:
            # an owner's progress is its own 完成量 ÷ target_qty: a region's quantity has one owner
            problems.append((r["task_id"], "quantity with several owners"))
    assert not problems
