"""PII never leaves staging (SPEC §3: names, phones, 举报人 fields; ID numbers only salted-hashed).

Scanned for resident ID numbers (18 characters, valid GB 11643 check character, also inside a
longer code such as 证书编号 "T" + an ID number), mobile numbers (1[3-9] + 9 digits) and every
person name present in the raw drop (its 姓名 / 主要负责人 / 举报人姓名 columns, read here
independently of the loader):
- every column of every table of the served demo warehouse;
- every export the product writes: the 通报 workbooks (`zhiben report`, quarterly and
  `--month`), the Word 通报 (quarterly, monthly, the three-year close-out), and the app's Excel export
  (`zhiben.app_logic.export.to_xlsx_bytes`) of every record-level table;
- the run history and the dbt logs beside the served file;
- by pattern, every text column of every table of the private build file (raw, seeds, marts):
  the loader masks ID and mobile numbers inside non-PII text before landing them.
No column of the served file may be named like a PII field either. The dbt data test
`assert_no_personal_data_in_marts` does the pattern scan on every mart inside the build; it is
shown here to fail on planted values.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest

from zhiben import auth
from zhiben.app_logic import report_handling
from zhiben.app_logic.export import to_xlsx_bytes
from zhiben.paths import WarehousePaths
from zhiben.report import write_report
from zhiben.report.quarterly import write_quarterly_docx

#: raw columns holding person names, ID numbers and phones (SPEC §3)
NAME_COLUMNS = ("姓名", "主要负责人", "举报人姓名")
ID_COLUMNS = ("身份证号", "主要负责人身份证号")
PHONE_COLUMNS = ("联系电话", "举报人电话")

#: column names the served file must not have
FORBIDDEN_COLUMN = re.compile(
    r"reporter|举报人|id_number|id_no\b|idcard|身份证|phone|mobile|电话|手机|person_name|"
    r"principal_name|姓名|负责人",
    re.IGNORECASE,
)

#: an ID number may follow a letter ("T" + ID in a certificate number): only digits bound it (the
#: check character, the province and the birth date keep digit runs of hashes out)
_ID = re.compile(r"(?<![0-9])(\d{17}[\dXx])(?![0-9])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9})(?![0-9A-Za-z])")
_SEPARATORS = re.compile(r"[\s,，;；、/|:：()（）\[\]【】<>《》\"'“”‘’=。.!！?？-]+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


#: first two digits of a resident ID: the province (GB/T 2260)
_PROVINCES = {
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
}


def id_check_ok(candidate: str) -> bool:
    """A resident ID number (GB 11643): a province, a real birth date, the check character.
    (All-digit credit codes pass the check character 1 time in 11; they fail the rest.)"""
    if int(candidate[:2]) not in _PROVINCES:
        return False
    try:
        born = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    if not date(1900, 1, 1) <= born <= date.today():
        return False
    body, check = candidate[:17], candidate[17].upper()
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11] == check


def norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().strip("\u3000\ufeff")


# ----------------------------------------------------------------------------- the raw drop


def _raw_rows(path: Path) -> Iterable[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [norm(str(h or "")) for h in next(rows, [])]
        for r in rows:
            yield {h: "" if v is None else str(v) for h, v in zip(header, r, strict=False)}
        wb.close()
        return
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return
    reader = csv.reader(io.StringIO(text))
    header = [norm(h) for h in next(reader, [])]
    for r in reader:
        yield dict(zip(header, r, strict=False))


@dataclass
class RawPii:
    names: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    files: int = 0

    @classmethod
    def of(cls, raw: Path) -> RawPii:
        pii = cls()
        for path in sorted(raw.glob("*/*")):
            if path.suffix.lower() not in (".csv", ".xlsx"):
                continue
            pii.files += 1
            for row in _raw_rows(path):
                for cols, bucket in (
                    (NAME_COLUMNS, pii.names),
                    (ID_COLUMNS, pii.ids),
                    (PHONE_COLUMNS, pii.phones),
                ):
                    for c in cols:
                        v = norm(row.get(c) or "")
                        if v:
                            bucket.add(v)
        return pii


# ------------------------------------------------------------------------------- scanning


@dataclass
class Hit:
    where: str
    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} in {self.value[:120]!r}"


class PiiScanner:
    """Finds ID numbers, mobile numbers and the drop's person names in text."""

    def __init__(self, pii: RawPii):
        self.pii = pii
        self.names = {n for n in pii.names if len(n) >= 2}
        self.lengths = sorted({len(n) for n in self.names})
        self.exact = pii.names | pii.ids | pii.phones

    def scan(self, text: str, where: str) -> list[Hit]:
        hits: list[Hit] = []
        if not text:
            return hits
        t = norm(text)
        if t in self.exact:
            hits.append(Hit(where, "raw PII value", t))
        for m in _ID.finditer(t):
            if id_check_ok(m.group(1)):
                hits.append(Hit(where, f"ID number {m.group(1)[:6]}…", t))
        for m in _PHONE.finditer(t):
            hits.append(Hit(where, f"phone {m.group(1)[:3]}…", t))
        # names of 3+ characters: anywhere in the text; 2-character names (金建, 方新 …) are also
        # pieces of ordinary words and company names (瑞金建筑, 方新水泥厂), so: as a whole value or
        # a whole token between separators ("负责人:张伟", "张伟;李娜")
        for k in self.lengths:
            if k < 3:
                continue
            for i in range(len(t) - k + 1):
                if t[i : i + k] in self.names:
                    hits.append(Hit(where, f"name {t[i : i + k]}", t))
                    break
        for token in _SEPARATORS.split(t):
            if len(token) == 2 and token in self.names:
                hits.append(Hit(where, f"name {token}", t))
        return hits

    def scan_many(self, texts: Iterable[str], where: str, limit: int = 50) -> list[Hit]:
        out: list[Hit] = []
        for text in texts:
            out.extend(self.scan(text, where))
            if len(out) >= limit:
                break
        return out

    def scan_warehouse(self, path: Path) -> tuple[list[Hit], int]:
        """Every distinct value of every column (cast to text) of every table."""
        hits: list[Hit] = []
        cells = 0
        with duckdb.connect(str(path), read_only=True) as con:
            cols = con.execute(
                "select table_name, column_name from information_schema.columns "
                "order by table_name, ordinal_position"
            ).fetchall()
            for table, column in cols:
                values = con.execute(
                    f'select distinct cast("{column}" as varchar) from "{table}" '
                    f'where "{column}" is not null'
                ).fetchall()
                cells += len(values)
                hits += self.scan_many((v for (v,) in values), f"{path.name}:{table}.{column}")
        return hits, cells

    def scan_xlsx(self, data: bytes, where: str) -> list[Hit]:
        """Every text node of every XML part of an Office file: a workbook's sheets (shared
        strings, inline strings, numbers), a Word document's body, headers, footers, properties."""
        hits: list[Hit] = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if not name.endswith(".xml"):
                    continue
                xml = z.read(name).decode("utf-8", errors="replace")
                texts = re.findall(r">([^<>]+)<", xml)
                hits += self.scan_many(texts, f"{where}:{name}")
        return hits


# --------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def raw_pii(demo_drop: Path) -> RawPii:
    pii = RawPii.of(demo_drop)
    assert pii.names and pii.phones and pii.ids, "the demo drop has no PII to look for"
    return pii


@pytest.fixture(scope="module")
def scanner(raw_pii: RawPii) -> PiiScanner:
    return PiiScanner(raw_pii)


def test_scanner_finds_planted_pii(raw_pii: RawPii, scanner: PiiScanner) -> None:
    """The scanner itself works: it finds each kind when it is there."""
    name, phone, idn = sorted(raw_pii.names)[0], sorted(raw_pii.phones)[0], sorted(raw_pii.ids)[0]
    long_name = next(n for n in sorted(raw_pii.names) if len(n) >= 3)
    short_name = next(n for n in sorted(raw_pii.names) if len(n) == 2)
    assert scanner.scan(f"负责人{long_name}称", "t")
    assert scanner.scan(f"负责人:{short_name}，电话见附件", "t")
    assert scanner.scan(short_name, "t")
    assert scanner.scan(name, "t")
    assert scanner.scan(f"电话:{phone}。", "t")
    assert scanner.scan(f"证件 {idn}", "t")
    assert not scanner.scan("91370406MA3C4XYZ1K 山亭区 2026-11-28 13.5", "t")
    assert not scanner.scan("913704060589590627", "t")  # an all-digit credit code
    assert not scanner.scan("a" * 10 + "13912345678" + "f" * 10, "t")  # inside a hex hash
    assert scanner.scan(f"T{idn}", "t")  # a certificate number made of an ID number
    wrong = next(c for c in "0123456789X" if c != idn[17].upper())
    assert not scanner.scan(f"T{idn[:17]}{wrong}", "t")  # its check character wrong
    valid = [i for i in raw_pii.ids if _ID.fullmatch(i)]
    assert valid and all(id_check_ok(i) for i in valid[:50])


# -------------------------------------------------------------------------------- the tests


def test_served_warehouse_has_no_pii_columns(demo_warehouse: Path) -> None:
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        cols = con.execute(
            "select table_name, column_name from information_schema.columns"
        ).fetchall()
    bad = [f"{t}.{c}" for t, c in cols if FORBIDDEN_COLUMN.search(c)]
    assert not bad, bad
    # fct_reports: no reporter fields at all (SPEC §5)
    assert not [c for t, c in cols if t == "fct_reports" and "report" in c and "er" in c]


def test_served_warehouse_has_no_pii_values(demo_warehouse: Path, scanner: PiiScanner) -> None:
    hits, cells = scanner.scan_warehouse(demo_warehouse)
    assert cells > 10_000
    assert not hits, "\n".join(map(str, hits[:30]))


def test_report_workbook_has_no_pii(
    demo_warehouse: Path, scanner: PiiScanner, tmp_path: Path
) -> None:
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        quarters = [
            r[0]
            for r in con.execute(
                "select distinct quarter from mart_quarterly_evaluation order by 1"
            ).fetchall()
        ]
    assert quarters
    path = write_report(quarters[-1], tmp_path / "通报.xlsx", warehouse=demo_warehouse)
    hits = scanner.scan_xlsx(Path(path).read_bytes(), Path(path).name)
    assert not hits, "\n".join(map(str, hits[:30]))


def test_monthly_report_workbook_has_no_pii(
    demo_warehouse: Path, scanner: PiiScanner, tmp_path: Path
) -> None:
    """`zhiben report --month`: its ledger sheet lists 重大隐患 with their enterprises."""
    from zhiben.report.monthly import write_monthly_report
    from zhiben.warehouse import as_of_date

    month = f"{as_of_date(demo_warehouse):%Y-%m}"
    path = write_monthly_report(month, tmp_path / "月调度通报.xlsx", warehouse=demo_warehouse)
    hits = scanner.scan_xlsx(Path(path).read_bytes(), Path(path).name)
    assert not hits, "\n".join(map(str, hits[:30]))


def test_report_document_has_no_pii(
    demo_warehouse: Path, scanner: PiiScanner, tmp_path: Path
) -> None:
    """The Word 晾晒通报 (its chart is an image: rendered or not, no text in it)."""
    import docx

    def no_chart(_fig):
        raise RuntimeError("chart not needed here")

    planted = docx.Document()
    planted.add_paragraph(f"联系电话{sorted(scanner.pii.phones)[0]}")
    planted.save(str(tmp_path / "planted.docx"))
    assert scanner.scan_xlsx((tmp_path / "planted.docx").read_bytes(), "planted.docx")
    path = write_quarterly_docx(
        "2026Q3", tmp_path / "通报.docx", warehouse=demo_warehouse, render=no_chart
    )
    data = Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/document.xml" in z.namelist()
    hits = scanner.scan_xlsx(data, Path(path).name)
    assert not hits, "\n".join(map(str, hits[:30]))


@pytest.mark.parametrize("document", ["monthly", "closeout"])
def test_other_documents_have_no_pii(
    document: str, demo_warehouse: Path, scanner: PiiScanner, tmp_path: Path
) -> None:
    """The Word 月调度通报 and the 三年行动总结评估 (charts left out: images hold no text)."""
    from zhiben.report.closeout import write_closeout_docx
    from zhiben.report.monthly_doc import write_monthly_docx
    from zhiben.warehouse import as_of_date

    def no_chart(_fig):
        raise RuntimeError("chart not needed here")

    out = tmp_path / f"{document}.docx"
    if document == "monthly":
        month = f"{as_of_date(demo_warehouse):%Y-%m}"
        path = write_monthly_docx(month, out, warehouse=demo_warehouse, render=no_chart)
    else:
        path = write_closeout_docx(out, warehouse=demo_warehouse, render=no_chart)
    data = Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/document.xml" in z.namelist()
    hits = scanner.scan_xlsx(data, Path(path).name)
    assert not hits, "\n".join(map(str, hits[:30]))


def test_app_excel_exports_have_no_pii(demo_warehouse: Path, scanner: PiiScanner) -> None:
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables order by 1"
            ).fetchall()
        ]
        hits: list[Hit] = []
        exported = 0
        for t in tables:
            if not auth.is_detail_table(t):
                continue
            # the export path (labels, 说明 sheet, value formatting) on a sample of each table;
            # every value of every table is scanned in the served file above
            df = con.execute(f'select * from "{t}" using sample 3000 rows (reservoir, 7)').pl()
            hits += scanner.scan_xlsx(to_xlsx_bytes(df, title=t, table=t), f"{t}.xlsx")
            exported += 1
        # the 举报 page's exports: the handling loop by channel and by unit, the overdue list
        as_of = con.execute("select as_of_date from mart_build_info").fetchone()[0]
        reports = con.execute("select * from fct_reports").pl()
        for title, df in (
            ("举报处理(按渠道)", report_handling.handling_loop(reports, as_of, by="channel")),
            ("举报处理(按镇街)", report_handling.handling_loop(reports, as_of, by="unit_code")),
            ("逾期举报", report_handling.overdue_reports(reports, as_of)),
        ):
            assert df.height > 0, title
            data = to_xlsx_bytes(df, title=title, table="fct_reports")
            hits += scanner.scan_xlsx(data, f"{title}.xlsx")
            exported += 1
    assert exported >= 9
    assert not hits, "\n".join(map(str, hits[:30]))


def test_run_history_and_logs_have_no_pii(demo_warehouse: Path, scanner: PiiScanner) -> None:
    work = WarehousePaths(demo_warehouse).work_dir
    files = [WarehousePaths(demo_warehouse).history_file]
    files += sorted((work / "logs").glob("*.log")) if (work / "logs").exists() else []
    # the validation reports (great-expectations results with unexpected values) of each run
    reports = sorted((work / "validation").glob("*.*"))
    assert {f.suffix for f in reports} >= {".html", ".json"}, f"no validation report in {work}"
    files += reports
    files = [f for f in files if f.exists()]
    assert files, f"no history or log beside {demo_warehouse}"
    hits: list[Hit] = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        hits += scanner.scan_many(text.splitlines(), f.name)
    assert not hits, "\n".join(map(str, hits[:30]))


def test_build_file_has_no_pii_pattern(demo_build_db: Path) -> None:
    """The private build file: no ID number or mobile number in any text of any table (the hex
    `*_hash` columns aside) — 证书编号, descriptions, names and quarantine values are masked."""
    scanner = PiiScanner(RawPii())  # patterns only: names are dropped, not masked
    hits: list[Hit] = []
    cells = 0
    with duckdb.connect(str(demo_build_db), read_only=True) as con:
        cols = con.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
            "join information_schema.tables t using (table_catalog, table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR' "
            "and c.column_name not like '%hash' order by 1, 2, 3"
        ).fetchall()
        for schema, table, column in cols:
            values = con.execute(
                f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            cells += len(values)
            hits += scanner.scan_many((v for (v,) in values), f"{schema}.{table}.{column}")
        certs = con.execute(
            "select count(*) from raw.training where certificate_no like 'T%'"
        ).fetchone()[0]
    assert {s for s, _t, _c in cols} >= {"raw", "marts"}
    assert cells > 10_000 and certs > 0
    assert not hits, "\n".join(map(str, hits[:30]))


def test_dbt_pii_test_finds_pii_patterns_in_any_mart(demo_build_db: Path, tmp_path: Path) -> None:
    """`assert_no_personal_data_in_marts` scans every text column of every mart (columns from the
    adapter): a mobile number in a description and an ID number inside an enterprise name fail it;
    the failure rows name table, column and problem, with the first characters only."""
    import shutil

    from zhiben.dbt import DbtError, run_dbt

    copy = tmp_path / "build.duckdb"
    shutil.copyfile(demo_build_db, copy)
    idn = (
        "37040619800101123"
        + _ID_CHECK[
            sum(int(c) * w for c, w in zip("37040619800101123", _ID_WEIGHTS, strict=True)) % 11
        ]
    )
    with duckdb.connect(str(copy)) as con:
        as_of = con.execute("select max(as_of_date) from raw.build_info").fetchone()[0]
        con.execute(
            "update marts.fct_hazards set description = '联系电话13912345678' "
            "where hazard_id = (select min(hazard_id) from marts.fct_hazards)"
        )
        con.execute(
            "update marts.dim_enterprise set enterprise_name = ? "
            "where credit_code = (select min(credit_code) from marts.dim_enterprise)",
            [f"某公司T{idn}"],
        )
    args = ("test", "--select", "assert_no_personal_data_in_marts", "--store-failures")
    with pytest.raises(DbtError):
        run_dbt(copy, as_of, args, target_dir=tmp_path / "target", log_dir=tmp_path / "logs")
    with duckdb.connect(str(copy), read_only=True) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables "
            "where table_name = 'assert_no_personal_data_in_marts'"
        ).fetchone()[0]
        rows = set(
            con.execute(
                f"select table_name, column_name, problem, match_start "
                f'from "{schema}".assert_no_personal_data_in_marts'
            ).fetchall()
        )
    assert rows == {
        ("fct_hazards", "description", "mobile number", "139"),
        ("dim_enterprise", "enterprise_name", "ID number", "370406"),
    }
