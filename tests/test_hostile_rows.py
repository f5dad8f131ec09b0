"""Hostile rows (issue 19, row-level defects 3, 6, 9, 10, 11): each test plants rows in a COPY of
the tiny dirty drop (`zhiben generate --scale tiny --dirty`) and loads it with the real loader (on a
copy of the lake of the session's build of that drop: the planted files are read, the rest reused).

- implausible dates: a 更新时间 in year 9999 (or after the build's clock) and event dates before
  2000 / after the clock are quarantined, and the as-of date D comes from plausible rows only;
- absurd numbers: integer overflow, 20-digit counts, 400 nines, values beyond the contract's
  plausibility limits → `out_of_range`, never a crash, never 0; `1,5` → `bad_number`;
- invisible characters: zero-width and bidi controls are stripped from all text; a key outside its
  contract character set or mixing scripts is quarantined;
- PII patterns (ID numbers with a valid check character, mobile numbers) inside non-PII text —
  `证书编号` "T" + an ID number, a description, an enterprise name, a town — are masked before
  anything is landed (build file, quarantine values).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import zhiben.contract as contract
from zhiben.codes import id_check_char, is_valid_id_number
from zhiben.config import pii_salt
from zhiben.contract import EXTRACTS
from zhiben.ingest import ingest
from zhiben.paths import WarehousePaths

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
AS_OF = dt.date(2026, 11, 28)

generate_mod = pytest.importorskip("zhiben.generate")

ID_NUMBER = "37040619800101123" + id_check_char("37040619800101123")
PHONE = "13912345678"
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def pii_in(text: str) -> list[str]:
    """ID numbers (valid check character) and mobile numbers anywhere in `text`."""
    found = _PHONE.findall(text)
    for m in re.finditer(r"(?=(\d{17}[\dXx]))", text):
        if is_valid_id_number(m.group(1).upper()):
            found.append(m.group(1))
    return found


@dataclass(frozen=True)
class Tiny:
    drop: Path
    lake: Path


@pytest.fixture(scope="module")
def tiny(tiny_dirty_drop: Path, tiny_dirty_warehouse: Path) -> Tiny:
    """The session's tiny dirty drop, seed 7, as of AS_OF, and the lake of the session's build of
    it (conftest `tiny_dirty_warehouse`, the session's salt): every test copies both, so that its
    load reads only the files it plants; the drop's own files are the entries the same loader
    wrote for them (tests/test_lake.py: a reused entry loads as the file read again)."""
    return Tiny(tiny_dirty_drop, WarehousePaths(tiny_dirty_warehouse).lake_dir)


def _planted_lines(raw: Path) -> set[tuple[str, int]]:
    planted = json.loads((raw / "_planted.json").read_text(encoding="utf-8"))
    return {
        (p["file"], p["line"])
        for section in planted.values()
        if isinstance(section, list)
        for p in section
        if "line" in p
    }


def clean_rows(raw: Path, extract: str, n: int = 1) -> list[dict[str, str]]:
    """`n` rows of the drop that nothing was planted on (UTF-8 CSV files only)."""
    planted = _planted_lines(raw)
    out: list[dict[str, str]] = []
    for path in sorted((raw / extract).glob("*.csv")):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if text.startswith("\ufeff"):
            continue
        rel = f"{extract}/{path.name}"
        for i, r in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            if (rel, i) not in planted and all(v == v.strip() for v in r.values()):
                out.append(r)
                if len(out) == n:
                    return out
    raise AssertionError(f"no clean {extract} rows")


def plant(raw: Path, extract: str, rows: list[dict[str, str]]) -> str:
    """Write `rows` as a new UTF-8 file of `extract` (lines 2, 3, …); return its path in the drop."""
    header = [c.zh for c in EXTRACTS[extract].columns]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    rel = f"{extract}/zz_hostile.csv"
    (raw / rel).write_bytes(buf.getvalue().encode("utf-8"))
    return rel


def copy_drop(tiny: Tiny, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(tiny.drop, raw)
    shutil.copytree(tiny.lake, tmp_path / "lake")  # the lake of `load`'s build file
    return raw


def load(raw: Path, tmp_path: Path):
    db = tmp_path / "build.duckdb"
    result = ingest(raw, db, seeds_dir=SEEDS, salt=pii_salt(), progress=lambda _m: None)
    return result, duckdb.connect(str(db), read_only=True)


def quarantined(con, rel: str) -> set[tuple[int, str, str]]:
    return set(
        con.execute(
            "select line, column_name, reason_code from raw.quarantine where file = ?", [rel]
        ).fetchall()
    )


def later(ts: str, minutes: int = 1) -> str:
    t = dt.datetime.strptime(ts.replace("/", "-"), "%Y-%m-%d %H:%M:%S")
    return (t + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


# ------------------------------------------------------------------ defect 3: implausible dates


def test_update_in_year_9999_is_quarantined_and_does_not_move_the_as_of_date(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    base = clean_rows(raw, "hazards")[0]
    rel = plant(raw, "hazards", [{**base, "隐患编号": "YH2026999901", "更新时间": "9999-12-31"}])
    result, con = load(raw, tmp_path)
    assert result.as_of <= AS_OF
    assert result.max_updated_at is not None and result.max_updated_at.date() <= AS_OF
    assert (2, "updated_at", "date_in_future") in quarantined(con, rel)
    assert con.execute("select max(as_of_date) from raw.build_info").fetchone()[0] <= AS_OF


def test_dates_outside_the_plausible_window_are_quarantined(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    now = dt.datetime.now()
    soon = (now + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    ins = clean_rows(raw, "inspections", 5)
    rel_i = plant(
        raw,
        "inspections",
        [
            {**ins[0], "检查编号": "JC20269999901", "检查日期": "2999-01-01"},
            {**ins[1], "检查编号": "JC20269999902", "检查日期": "1999-12-31"},
            {**ins[2], "检查编号": "JC20269999903", "更新时间": soon},
            # a plausible row in the same file loads
            {**ins[3], "检查编号": "JC20269999904"},
        ],
    )
    haz = clean_rows(raw, "hazards")[0]
    in_a_month = (now + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    rel_h = plant(
        raw,
        "hazards",
        [
            # a deadline may lie in the future …
            {**haz, "隐患编号": "YH2026999902", "整改期限": in_a_month},
            # … but not in year 9999
            {**haz, "隐患编号": "YH2026999903", "整改期限": "9999-12-31"},
        ],
    )
    result, con = load(raw, tmp_path)
    q = quarantined(con, rel_i)
    assert (2, "inspection_date", "date_in_future") in q
    assert (3, "inspection_date", "date_too_early") in q
    assert (4, "updated_at", "date_in_future") in q
    assert not [x for x in q if x[0] == 5], q
    assert quarantined(con, rel_h) == {(3, "deadline", "date_too_late")}
    loaded = {r[0] for r in con.execute("select hazard_id from raw.hazards").fetchall()}
    assert "YH2026999902" in loaded and "YH2026999903" not in loaded
    assert result.as_of <= AS_OF
    assert dt.date(2000, 1, 1) == contract.PLAUSIBLE_FROM


def test_generator_never_writes_a_version_after_its_as_of_date(tmp_path):
    """The demo drops keep loading as before: `zhiben generate` (as of today, its default) writes
    no 更新时间 after the end of its as-of day, so the clock rule quarantines none of its rows."""
    raw = tmp_path / "raw"
    today = dt.date.today()
    generate_mod.generate(raw, scale="tiny", seed=3, dirty=False, as_of=today)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    latest = dt.datetime.min
    for path in raw.glob("*/*.csv"):
        for r in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))):
            latest = max(latest, dt.datetime.strptime(r["更新时间"], "%Y-%m-%d %H:%M:%S"))
    assert dt.datetime.combine(today - dt.timedelta(days=40), dt.time()) < latest < end
    result, con = load(raw, tmp_path)
    assert result.as_of <= today
    assert not con.execute(
        "select count(*) from raw.quarantine where reason_code like 'date_%'"
    ).fetchone()[0]


# --------------------------------------------------------------------- defect 6: absurd numbers


def test_integer_overflow_is_a_row_rule_not_a_crash(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    acc = clean_rows(raw, "accidents")[0]
    rel = plant(
        raw,
        "accidents",
        [
            {**acc, "事故编号": "SG20269901", "死亡人数": "99999999999999"},
            {**acc, "事故编号": "SG20269902", "重伤人数": "12345678901234567890"},
            {**acc, "事故编号": "SG20269903", "直接经济损失(万元)": "9" * 400},
        ],
    )
    _result, con = load(raw, tmp_path)
    assert quarantined(con, rel) == {
        (2, "deaths_excl_missing", "out_of_range"),
        (3, "serious_injuries", "out_of_range"),
        (4, "direct_loss_10k_yuan", "out_of_range"),
    }
    keys = {r[0] for r in con.execute("select accident_id from raw.accidents").fetchall()}
    assert not keys & {"SG20269901", "SG20269902", "SG20269903"}
    assert not con.execute(
        "select count(*) from raw.accidents where isinf(direct_loss_10k_yuan)"
    ).fetchone()[0]


def test_numbers_beyond_the_contract_limits_are_quarantined(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    acc = clean_rows(raw, "accidents")[0]
    pen = clean_rows(raw, "penalties", 2)
    limit = EXTRACTS["accidents"].column("deaths_excl_missing").max_value
    assert limit is not None
    rel_a = plant(
        raw,
        "accidents",
        [
            {**acc, "事故编号": "SG20269904", "死亡人数": str(int(limit) + 1)},
            {**acc, "事故编号": "SG20269905", "死亡人数": str(int(limit))},
        ],
    )
    rel_p = plant(
        raw,
        "penalties",
        [{**pen[0], "处罚决定书编号": "山应急罚〔2026〕9901号", "单位罚款金额(元)": "1e400"}],
    )
    _result, con = load(raw, tmp_path)
    assert quarantined(con, rel_a) == {(2, "deaths_excl_missing", "out_of_range")}
    assert quarantined(con, rel_p) == {(2, "fine_entity_yuan", "bad_number")}
    assert every_limited_column_is_a_number()


def every_limited_column_is_a_number() -> bool:
    limited = [c for e in EXTRACTS.values() for c in e.columns if c.max_value is not None]
    numbers = [c for e in EXTRACTS.values() for c in e.columns if c.kind in ("int", "decimal")]
    return bool(limited) and limited == numbers


def test_ambiguous_separators_are_rejected(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    haz = clean_rows(raw, "hazards")[0]
    rel = plant(
        raw,
        "hazards",
        [
            {**haz, "隐患编号": "YH2026999911", "整改资金(万元)": "1,5"},
            {**haz, "隐患编号": "YH2026999912", "整改资金(万元)": "12,34,567"},
            {**haz, "隐患编号": "YH2026999913", "整改资金(万元)": "1,234.5"},
            {**haz, "隐患编号": "YH2026999914", "整改资金(万元)": ",5"},
        ],
    )
    _result, con = load(raw, tmp_path)
    assert quarantined(con, rel) == {
        (2, "funds_10k_yuan", "bad_number"),
        (3, "funds_10k_yuan", "bad_number"),
        (5, "funds_10k_yuan", "bad_number"),
    }
    got = con.execute(
        "select funds_10k_yuan from raw.hazards where hazard_id = 'YH2026999913'"
    ).fetchone()
    assert got == (1234.5,)


# ---------------------------------------------------------------- defect 9: invisible characters


def test_invisible_characters_are_stripped_and_keys_keep_their_character_set(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    haz = clean_rows(raw, "hazards", 4)
    key = haz[0]["隐患编号"]
    ent = clean_rows(raw, "enterprises")[0]
    rel = plant(
        raw,
        "hazards",
        [
            # a later version of a real record, its key with a zero-width space inside
            {
                **haz[0],
                "隐患编号": key[:6] + "\u200b" + key[6:],
                "更新时间": later(haz[0]["更新时间"]),
                "隐患描述": "\u202e" + (haz[0]["隐患描述"] or "描述") + "\u2066",
            },
            # a Cyrillic Н (U+041D) for the Latin H: mixed scripts
            {**haz[1], "隐患编号": "Y\u041d2026999921"},
            # characters outside the key's set
            {**haz[2], "隐患编号": "YH2026 999922"},
            {**haz[3], "隐患编号": "YH2026#999923"},
        ],
    )
    rel_e = plant(
        raw,
        "enterprises",
        [
            {
                **ent,
                "企业名称": "\u202e" + ent["企业名称"] + "\u200d",
                "更新时间": later(ent["更新时间"]),
            }
        ],
    )
    _result, con = load(raw, tmp_path)
    assert quarantined(con, rel) == {
        (3, "hazard_id", "mixed_script_key"),
        (4, "hazard_id", "bad_key_chars"),
        (5, "hazard_id", "bad_key_chars"),
    }
    assert not quarantined(con, rel_e)
    mine = con.execute(
        "select hazard_id, description from raw.hazards where _file = ?", [rel]
    ).fetchall()
    assert [m[0] for m in mine] == [key]
    assert (
        con.execute("select count(*) from raw.hazards where hazard_id = ?", [key]).fetchone()[0]
        >= 2
    )
    invisible = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
    for table, col in (
        ("hazards", "hazard_id"),
        ("hazards", "description"),
        ("enterprises", "enterprise_name"),
    ):
        values = [r[0] for r in con.execute(f"select {col} from raw.{table}").fetchall()]
        assert not [v for v in values if v and invisible.search(v)], (table, col)
    assert not [
        v
        for (v,) in con.execute("select value from raw.quarantine").fetchall()
        if v and invisible.search(v)
    ]


# ------------------------------------------------------- defect 10: PII patterns in non-PII text


def test_no_pii_pattern_in_any_text_of_the_build_file(tiny, tmp_path):
    """The tiny drop's 证书编号 are "T" + the holder's ID number; planted rows carry an ID number
    and a mobile number in a description, an enterprise name, a key reference and a town."""
    raw = copy_drop(tiny, tmp_path)
    haz = clean_rows(raw, "hazards", 2)
    ent = clean_rows(raw, "enterprises")[0]
    rel_h = plant(
        raw,
        "hazards",
        [
            {
                **haz[0],
                "隐患描述": f"联系人电话{PHONE}，身份证 {ID_NUMBER}；另 T{ID_NUMBER}",
                "更新时间": later(haz[0]["更新时间"]),
            },
            {**haz[1], "隐患编号": "YH2026999931", "所属镇街": PHONE},
        ],
    )
    plant(
        raw,
        "enterprises",
        [{**ent, "企业名称": f"某公司（负责人电话 {PHONE}）", "更新时间": later(ent["更新时间"])}],
    )
    _result, con = load(raw, tmp_path)
    assert (3, "town", "unknown_town") in quarantined(con, rel_h)
    hits = []
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and column_name not like '%\\_hash' escape '\\'"
    ).fetchall():  # `*_hash`: hex SHA-256 digests
        for (v,) in con.execute(
            f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
        ).fetchall():
            if pii_in(v):
                hits.append((table, column, v))
    assert not hits, hits[:10]
    desc = con.execute(
        "select description from raw.hazards where _file = ? and _line = 2", [rel_h]
    ).fetchone()[0]
    assert desc.count(contract.PII_MASK) == 3 and "联系人电话" in desc
    certs = [
        r[0]
        for r in con.execute(
            "select certificate_no from raw.training where certificate_no is not null"
        ).fetchall()
    ]
    assert certs and all(c == "T" + contract.PII_MASK for c in certs if c.startswith("T"))
    town = con.execute(
        "select value from raw.quarantine where file = ? and line = 3 and column_name = 'town'",
        [rel_h],
    ).fetchone()[0]
    assert town == contract.PII_MASK
