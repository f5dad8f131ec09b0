"""The synthetic raw-drop generator (``zhiben generate``) and the shared code validators."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from zhiben.codes import credit_check_char, id_check_char, is_valid_credit_code, is_valid_id_number
from zhiben.contract import EXTRACTS, LOAD_ORDER, REASONS
from zhiben.generate import generate
from zhiben.generate.seeds import load_seeds
from zhiben.generate.tasks import task_owners

AS_OF = date(2026, 11, 28)


# ---------------------------------------------------------------- validators


def test_credit_code_validator_known_values():
    assert is_valid_credit_code("91110000802100433B")
    assert credit_check_char("91110000802100433") == "B"
    assert not is_valid_credit_code("91110000802100433C")  # wrong check character
    assert not is_valid_credit_code("91110000802100433")  # too short
    assert not is_valid_credit_code("9111000080210043IB")  # I is not in the charset
    assert not is_valid_credit_code("91110000802100433b")  # lower case: normalise first
    assert not is_valid_credit_code(None)


def test_id_number_validator_known_values():
    assert is_valid_id_number("11010519491231002X")
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id_number("110101199003074477")
    assert not is_valid_id_number("110105194912310021")  # wrong check digit
    assert not is_valid_id_number("11010519491331002X")  # month 13
    assert not is_valid_id_number("11010519491231002x")  # lower-case x: normalise first
    assert not is_valid_id_number("1101051949123100X")


# ---------------------------------------------------------------- drops


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, scale="tiny", seed=7, as_of=AS_OF)
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    generate(out, scale="tiny", seed=7, as_of=AS_OF, dirty=True, broken_file=True)
    return out


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_deterministic(tmp_path, dirty):
    generate(tmp_path, scale="tiny", seed=7, as_of=AS_OF, dirty=True, broken_file=True)
    assert _digest(tmp_path) == _digest(dirty)


def test_seed_changes_data(tmp_path, clean):
    generate(tmp_path, scale="tiny", seed=8, as_of=AS_OF)
    a, b = _digest(tmp_path), _digest(clean)
    assert a.keys() == b.keys()
    assert a != b


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = []
    for row in ws.iter_rows(values_only=True):
        out = []
        for v in row:
            if v is None:
                out.append("")
            elif isinstance(v, datetime):
                out.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, float) and v.is_integer():
                out.append(str(int(v)))
            else:
                out.append(str(v))
        rows.append(out)
    wb.close()
    return rows


def _read(path: Path) -> list[list[str]]:
    return _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)


def test_layout_and_headers(clean):
    months = pl.date_range(date(2023, 1, 1), AS_OF, "1mo", eager=True).dt.strftime("%Y-%m")
    for name in LOAD_ORDER:
        # the generator writes every contract column but the optional 是否删除 (no deletions)
        header = [c.zh for c in EXTRACTS[name].columns if c.name != "is_deleted"]
        assert "主要负责人身份证号" in header or name != "enterprises"
        files = sorted((clean / name).glob("*.csv"))
        assert [f.name for f in files] == [f"{name}_{m}.csv" for m in months]
        for f in files:
            first = f.read_text(encoding="utf-8").splitlines()[0]
            assert first.split(",") == header, f


def test_dirty_headers_and_encodings(dirty):
    manifest = json.loads((dirty / "_planted.json").read_text(encoding="utf-8"))
    encs = {v["encoding"] for v in manifest["loadable_variants"] if v.get("kind") == "encoding"}
    assert encs == {"gb18030", "utf-8-sig"}
    for name in LOAD_ORDER:
        header = [c.zh for c in EXTRACTS[name].columns if c.name != "is_deleted"]
        xlsx = list((dirty / name).glob("*.xlsx"))
        assert len(xlsx) == 1
        for f in sorted((dirty / name).iterdir()):
            if f.name == "hazards_broken.csv":
                assert "隐患编号" not in _read(f)[0]
                continue
            # the planted deletions' file has the optional 是否删除 (SPEC §10.1)
            deletions = f.name == f"{name}_deletions.csv"
            assert _read(f)[0] == header + ["是否删除"] * deletions, f


def test_dirty_deletions(dirty):
    """Deletions (SPEC §10.1) on hazards and reports: per extract two records deleted for good
    and one deleted then restored, each after its last version and by D; a deletion row holds
    the key, 更新时间 and 是否删除 = 是 only; the restore repeats the record's last version with
    是否删除 = 否; nothing else follows a deletion."""
    manifest = json.loads((dirty / "_planted.json").read_text(encoding="utf-8"))
    for name in ("hazards", "reports"):
        entries = [e for e in manifest["deletions"] if e["extract"] == name]
        rel = f"{name}/{name}_deletions.csv"
        assert {e["file"] for e in entries} == {rel}
        rows = _read(dirty / rel)
        header = rows[0]
        at = {h: i for i, h in enumerate(header)}
        key = EXTRACTS[name].column(EXTRACTS[name].key).zh
        versions: dict[str, list[list[str]]] = {}
        for f in sorted((dirty / name).iterdir()):
            if f.name != f"{name}_deletions.csv":
                for r in _read(f)[1:]:
                    versions.setdefault(r[0], []).append(r)
        deletes = {e["record_key"]: e for e in entries if e["kind"] == "delete"}
        restores = {e["record_key"]: e for e in entries if e["kind"] == "restore"}
        assert len(deletes) == 3 and set(restores) == {
            k for k, e in deletes.items() if e["restored"]
        }
        assert len(restores) == 1
        for record, e in deletes.items():
            row = rows[e["line"] - 1]
            deleted_at = row[at["更新时间"]]
            assert row[at[key]] == record and row[at["是否删除"]] == "是"
            assert [
                c
                for h, c in zip(header, row, strict=True)
                if h not in (key, "更新时间", "是否删除")
            ] == [""] * (len(header) - 3)
            last = max(versions[record], key=lambda r: r[at["更新时间"]])
            assert last[at["更新时间"]] < deleted_at <= f"{AS_OF} 23:59:59"
            if record in restores:
                again = rows[restores[record]["line"] - 1]
                assert again[at["是否删除"]] == "否"
                assert deleted_at < again[at["更新时间"]] <= f"{AS_OF} 23:59:59"
                same = [h for h in header if h not in ("更新时间", "是否删除")]
                assert [again[at[h]] for h in same] == [last[at[h]] for h in same]
        # no other version of a deleted record in the deletions' file
        assert sorted(r[at[key]] for r in rows[1:]) == sorted([*deletes, *restores])


def _rows(root: Path, name: str) -> pl.DataFrame:
    frames = []
    for f in sorted((root / name).glob("*.csv")):
        rows = _read_csv(f)
        body = [[v if v != "" else None for v in r] for r in rows[1:]]
        frames.append(pl.DataFrame(body, schema=dict.fromkeys(rows[0], pl.String), orient="row"))
    return pl.concat(frames)


def test_no_version_after_as_of(tmp_path):
    as_of = date(2025, 6, 30)
    generate(tmp_path, scale="tiny", seed=3, as_of=as_of)
    end = "2025-06-30 23:59:59"
    for name in LOAD_ORDER:
        df = _rows(tmp_path, name)
        assert df.height > 0, name
        assert df["更新时间"].max() <= end, name
        assert df["更新时间"].min() >= "2023-01-01", name
    assert sorted(p.name for p in (tmp_path / "hazards").iterdir())[-1] == "hazards_2025-06.csv"
    _assert_escalation_bands(tmp_path, as_of)


def _assert_escalation_bands(root: Path, as_of: date) -> None:
    h = _rows(root, "hazards").sort("更新时间")
    cur = h.group_by("隐患编号").last()
    open_major = cur.filter(
        (pl.col("隐患等级") == "重大隐患")
        & pl.col("整改状态").is_in(["未整改", "整改中"])
        & (pl.col("是否挂牌督办") == "是")
    ).with_columns(od=(pl.lit(as_of) - pl.col("整改期限").str.to_date()).dt.total_days())
    od = open_major["od"].to_list()
    for lo, hi in ((1, 30), (31, 60), (61, 90), (91, 10**6)):
        assert any(lo <= d <= hi for d in od), (lo, hi, sorted(od))


def test_escalation_bands(clean):
    _assert_escalation_bands(clean, AS_OF)


def test_ledger_versions_and_codes(clean):
    h = _rows(clean, "hazards")
    per = h.group_by("隐患编号").agg(pl.col("整改状态").sort_by("更新时间"), pl.len())
    assert per["len"].max() >= 3
    order = {"未整改": 0, "整改中": 1, "已整改": 2, "已销号": 3}
    for states in per["整改状态"].to_list():
        ranks = [order[s] for s in states]
        assert ranks == sorted(ranks)
    done = h.filter(pl.col("整改状态").is_in(["已整改", "已销号"]))
    assert done["整改完成日期"].null_count() == 0
    e = _rows(clean, "enterprises")
    assert all(is_valid_credit_code(c) for c in e["统一社会信用代码"].to_list())
    assert all(is_valid_id_number(c) for c in e["主要负责人身份证号"].to_list())
    t = _rows(clean, "training")
    assert all(is_valid_id_number(c) for c in t["身份证号"].to_list())
    codes = set(e["统一社会信用代码"].to_list())
    assert set(h["统一社会信用代码"].to_list()) <= codes
    assert set(_rows(clean, "inspections")["统一社会信用代码"].to_list()) <= codes
    ids = set(_rows(clean, "inspections")["检查编号"].to_list())
    assert set(_rows(clean, "penalties")["检查编号"].drop_nulls().to_list()) <= ids
    a = _rows(clean, "accidents")
    new_types = set(a.filter(pl.col("发生时间") >= "2026-07-01")["事故类型"].to_list())
    old_types = set(a.filter(pl.col("发生时间") < "2026-07-01")["事故类型"].to_list())
    seeds = load_seeds()
    assert new_types <= set(seeds.accident_types_2025)
    assert old_types <= set(seeds.accident_types_1986)


# ---------------------------------------------------------------- the dirty manifest


REPO_SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _owner_spellings(s) -> dict[str, list[str]]:
    out = {
        c: [n, short] for c, n, short in zip(s.dept_codes, s.dept_names, s.dept_short, strict=True)
    }
    for c, n in zip(s.unit_codes, s.unit_names, strict=True):
        out[c] = [n, *s.aliases.get(c, [])]
    return out


class MiniValidator:
    """An independent, minimal reading of SPEC §3's row rules, to check the planted rows."""

    def __init__(self, root: Path) -> None:
        s = load_seeds()
        self.towns = set(s.unit_names) | {a for v in s.aliases.values() for a in v}
        self.depts = set(s.dept_names)
        self.units = set(s.unit_names)
        self.industries = set(s.industry_names)
        self.types = set(s.accident_types_1986) | set(s.accident_types_2025)
        self.enterprises = self._keys(root, "enterprises", "统一社会信用代码")
        self.owner_codes = {n: c for c, ns in _owner_spellings(s).items() for n in ns}
        self.task_owners = {k: set(v) for k, v in task_owners(s.unit_codes, REPO_SEEDS).items()}
        self.inspections = self._keys(root, "inspections", "检查编号")

    def _keys(self, root: Path, name: str, zh: str) -> set[str]:
        keys = set()
        for f in sorted((root / name).iterdir()):
            rows = _read(f)
            if zh not in rows[0]:
                continue
            j = rows[0].index(zh)
            for r in rows[1:]:
                v = self.norm(r[j]).upper()
                if is_valid_credit_code(v) or name == "inspections":
                    keys.add(v)
        return keys

    @staticmethod
    def norm(v: str) -> str:
        return unicodedata.normalize("NFKC", v or "").strip()

    @staticmethod
    def date(v: str):
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"):
            try:
                return datetime.strptime(v, fmt)
            except ValueError:
                pass
        return None

    def datetime(self, v: str):
        for tf in ("", " %H:%M:%S", " %H:%M"):
            for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"):
                try:
                    return datetime.strptime(v, fmt + tf)
                except ValueError:
                    pass
        return None

    def task_reasons(self, row: dict[str, str]) -> set[str]:
        """tasks (SPEC §10.1): a seed task, an owner that resolves and owns it, 完成日期 when done
        and not after 报送日期, 报送日期 not after 更新时间."""
        out: set[str] = set()
        if row["task_id"] and row["task_id"] not in self.task_owners:
            out.add("unknown_task")
        owner = self.owner_codes.get(row["owner"])
        if row["owner"] and owner is None:
            out.add("unknown_owner")
        elif owner and owner not in self.task_owners.get(row["task_id"], {owner}):
            out.add("owner_not_of_task")
        done = row.get("is_done") in ("是", "Y", "1")
        rep, comp = self.date(row["reported_date"]), self.date(row.get("completed_date", ""))
        if done and not row.get("completed_date"):
            out.add("completed_date_missing")
        if done and rep and comp and comp > rep:
            out.add("completed_after_reported")
        upd = self.datetime(row["updated_at"])
        if rep and upd and rep > upd:
            out.add("reported_after_update")
        return out

    def reasons(self, extract: str, header: list[str], raw: list[str]) -> set[str]:
        ex = EXTRACTS[extract]
        row = {ex.by_zh[h].name: self.norm(v) for h, v in zip(header, raw, strict=True)}
        out: set[str] = set()
        for c in ex.columns:
            v = row.get(c.name, "")
            if not v:
                if c.required:
                    out.add("missing_required")
                continue
            k = c.kind
            if k == "credit_code" and not is_valid_credit_code(v.upper()):
                out.add("bad_credit_code")
            elif k == "pii_id" and not is_valid_id_number(v.upper()):
                out.add("bad_id_number")
            elif k == "town" and v not in self.towns:
                out.add("unknown_town")
            elif k == "industry" and v not in self.industries:
                out.add("unknown_industry")
            elif k == "accident_type" and v not in self.types:
                out.add("unknown_accident_type")
            elif k == "department" and v not in self.depts | self.units:
                out.add("unknown_department")
            elif k in ("enum", "enum_list"):
                allowed = {self.norm(x) for x in c.values}
                if not set(v.split(c.sep) if k == "enum_list" else [v]) <= allowed:
                    out.add("bad_enum")
            elif k == "date" and self.date(v) is None:
                out.add("bad_date")
            elif k == "datetime" and self.datetime(v) is None:
                out.add("bad_datetime")
            elif k in ("int", "decimal"):
                try:
                    x = float(v)
                except ValueError:
                    out.add("bad_number")
                    continue
                if x < 0:
                    out.add("negative")
            elif k == "bool" and v not in ("是", "否", "Y", "N", "1", "0"):
                out.add("bad_bool")
        d = {n: self.date(row.get(n, "")) for n in ("found_date", "deadline", "rectified_date")}
        if extract == "hazards":
            if d["found_date"] and d["deadline"] and d["deadline"] < d["found_date"]:
                out.add("deadline_before_found")
            if row["status"] in ("已整改", "已销号") and not row.get("rectified_date"):
                out.add("rectified_date_missing")
            if row["status"] == "已销号" and not row.get("closed_date"):
                out.add("closed_date_missing")
            upd = self.datetime(row["updated_at"])
            if d["found_date"] and upd and d["found_date"] > upd:
                out.add("found_after_update")
        if extract == "tasks":
            out |= self.task_reasons(row)
        code = row.get("credit_code", "").upper()
        if extract == "hazards" and row.get("verification_method") and not row.get("verified_date"):
            out.add("verified_date_missing")
        if extract == "monitoring":
            if row["is_connected"] in ("是", "Y", "1") and not row.get("connected_date"):
                out.add("connected_date_missing")
            dc, dd = (
                self.date(row.get("connected_date", "")),
                self.date(row.get("disconnected_date", "")),
            )
            if dc and dd and dd < dc:
                out.add("disconnected_before_connected")
        if extract == "self_inspections":
            upd, day = self.datetime(row["updated_at"]), self.date(row.get("inspection_date", ""))
            if day and upd and day.date() > upd.date():
                out.add("inspection_after_update")
        if (
            extract in ("hazards", "inspections", "monitoring", "self_inspections")
            and "bad_credit_code" not in out
            and code not in self.enterprises
        ):
            out.add("orphan_credit_code")
        if extract in ("inspections", "self_inspections"):
            try:
                if int(float(row["major_hazards_found"] or 0)) > int(
                    float(row["hazards_found"] or 0)
                ):
                    out.add("major_gt_all")
            except ValueError:
                pass
        iid = row.get("inspection_id")
        if extract == "penalties" and iid and iid not in self.inspections:
            out.add("orphan_inspection")
        if extract == "accidents":
            occ, rep = self.datetime(row["occurred_at"]), self.datetime(row.get("reported_at", ""))
            if occ and rep and rep < occ:
                out.add("reported_before_occurred")
        return out


def test_dirty_manifest_rows_carry_exactly_their_defect(dirty):
    manifest = json.loads((dirty / "_planted.json").read_text(encoding="utf-8"))
    v = MiniValidator(dirty)
    cache: dict[str, list[list[str]]] = {}

    def line(entry) -> tuple[list[str], list[str]]:
        rows = cache.setdefault(entry["file"], _read(dirty / entry["file"]))
        return rows[0], rows[entry["line"] - 1]

    q = manifest["quarantine"]
    assert {e["extract"] for e in q} == set(LOAD_ORDER)
    planted_reasons = {e["reason_code"] for e in q}
    for must in (
        "bad_credit_code",
        "orphan_credit_code",
        "unknown_town",
        "deadline_before_found",
        "negative",
        "bad_enum",
        "bad_date",
        "bad_id_number",
        "rectified_date_missing",
        "orphan_inspection",
    ):
        assert must in planted_reasons, must
    for e in q:
        assert e["reason_code"] in REASONS
        header, row = line(e)
        assert v.reasons(e["extract"], header, row) == {e["reason_code"]}, (e, row)
    # loadable variants at a line: still valid after normalisation
    variants = [e for e in manifest["loadable_variants"] if "line" in e]
    kinds = {e["kind"] for e in variants}
    assert {
        "town_alias",
        "date_slash",
        "date_chinese",
        "fullwidth",
        "blanks",
        "equal_updated_at",
    } <= kinds
    for e in variants:
        header, row = line(e)
        assert v.reasons(e["extract"], header, row) == set(), (e, row)
    # folded: identical (after normalisation) to a row read before it
    assert manifest["folded"]
    files = sorted(
        (
            p.relative_to(dirty).as_posix()
            for p in dirty.rglob("*")
            if p.suffix in (".csv", ".xlsx")
        ),
    )
    for e in manifest["folded"]:
        header, row = line(e)
        key = [v.norm(x) for x in row]
        seen = False
        for rel in files:
            if not rel.startswith(e["extract"] + "/") or rel > e["file"]:
                continue
            rows = cache.setdefault(rel, _read(dirty / rel))
            stop = e["line"] - 1 if rel == e["file"] else len(rows)
            if any([v.norm(x) for x in r] == key for r in rows[1:stop]):
                seen = True
                break
        assert seen, e
        assert v.reasons(e["extract"], header, row) == set()


def test_clean_rows_pass_the_mini_validator(clean):
    v = MiniValidator(clean)
    for name in LOAD_ORDER:
        for f in sorted((clean / name).glob("*.csv"))[::7]:
            rows = _read(f)
            for r in rows[1:200]:
                assert v.reasons(name, rows[0], r) == set(), (f, r)


def test_realism_targets(clean):
    e = _rows(clean, "enterprises").sort("更新时间").group_by("统一社会信用代码").last()
    assert e["经营状态"].n_unique() >= 2
    a = _rows(clean, "accidents").sort("更新时间").group_by("事故编号").last()
    deaths = a["死亡人数"].cast(int) + a["失踪人数"].cast(int)
    assert (deaths >= 3).sum() >= 1
    assert (a["是否瞒报谎报"] == "是").sum() >= 2
    delay = (a["报告时间"].str.to_datetime() - a["发生时间"].str.to_datetime()).dt.total_minutes()
    assert (delay > 60).sum() >= 2
    due = a["发生时间"].str.slice(0, 10).str.to_date() + timedelta(days=75)
    assert ((due < AS_OF) & a["调查报告批复日期"].is_null()).sum() >= 1
    p = _rows(clean, "penalties")
    assert ((p["单位罚款金额(元)"].cast(int) > 0) & (p["个人罚款金额(元)"].cast(int) > 0)).sum() > 0
    assert p["检查编号"].null_count() > 0
    d = _rows(clean, "drills")
    assert set(d["组织单位类型"].to_list()) == {"企业", "镇街", "区直部门"}
    r = _rows(clean, "reports")
    assert (r["举报人姓名"].is_null() & r["举报人电话"].is_null()).sum() > 0


@pytest.mark.parametrize("as_of", [date(2023, 1, 1)])
def test_early_as_of(tmp_path, as_of):
    s = generate(tmp_path, scale="tiny", seed=1, as_of=as_of, dirty=True, broken_file=True)
    assert s.rows["enterprises"] > 0
    for name in LOAD_ORDER:
        for f in (tmp_path / name).glob("*.csv"):
            rows = _read(f)
            if "更新时间" in rows[0]:
                j = rows[0].index("更新时间")
                for r in rows[1:]:
                    upd = MiniValidator.datetime(MiniValidator, MiniValidator.norm(r[j]))
                    assert upd is None or upd.date() <= as_of, (f, r)


def test_chunked_generation(tmp_path, monkeypatch):
    """Large scales generate chunk by chunk and append to the month files: the same checks hold."""
    import zhiben.generate as g

    monkeypatch.setattr(g, "CHUNK", 40)
    s = g.generate(tmp_path, scale="tiny", seed=5, as_of=AS_OF, dirty=True)
    assert s.rows["hazards"] > 0
    test_dirty_manifest_rows_carry_exactly_their_defect(tmp_path)
    clean = tmp_path / "clean"
    g.generate(clean, scale="tiny", seed=5, as_of=AS_OF)
    _assert_escalation_bands(clean, AS_OF)
    for name, key in (
        ("hazards", "隐患编号"),
        ("inspections", "检查编号"),
        ("training", "记录编号"),
    ):
        ids = pl.concat(
            [
                pl.DataFrame({"k": [r[0] for r in _read(f)[1:]]}, schema={"k": pl.String})
                for f in sorted((tmp_path / name).iterdir())
            ]
        )["k"]
        assert ids.n_unique() > 0, key
    t = pl.concat(
        [
            pl.DataFrame(
                {"id": [r[1] for r in _read(f)[1:]], "name": [r[2] for r in _read(f)[1:]]},
                schema={"id": pl.String, "name": pl.String},
            )
            for f in sorted((tmp_path / "training").iterdir())
        ]
    ).unique()
    # one person, one name (ID pools of the chunks are disjoint)
    norm = t.with_columns(pl.col("id").str.strip_chars(), pl.col("name").str.strip_chars()).unique()
    assert norm.filter(pl.col("id").str.len_chars() == 18).group_by("id").len()["len"].max() == 1
    pen = pl.concat(
        [
            pl.DataFrame({"k": [r[0] for r in _read(f)[1:]]}, schema={"k": pl.String})
            for f in sorted((tmp_path / "penalties").iterdir())
        ]
    )
    # penalty numbers continue across chunks (only planted copies repeat a number)
    manifest = json.loads((tmp_path / "_planted.json").read_text(encoding="utf-8"))
    planted = sum(
        1 for sec in ("quarantine", "folded") for e in manifest[sec] if e["extract"] == "penalties"
    ) + sum(
        1
        for e in manifest["loadable_variants"]
        if e["extract"] == "penalties" and e.get("kind") == "equal_updated_at"
    )
    assert pen.height - pen["k"].n_unique() <= planted
