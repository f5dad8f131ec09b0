"""Hostile and careless files (issue 19, the reader's part): each test mutates a copy of the tiny
dirty drop the way a supplier's export or a hostile user could, and runs the real loader
(`zhiben.ingest.ingest`, in a child process under a memory limit where the file could blow it up,
or the `zhiben build` command where the served file must stay untouched)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from fixtures.loader_child import SALT, SEEDS, run_loader

from zhiben.contract import EXTRACTS
from zhiben.ingest import ExtractFileError, ingest
from zhiben.ingest.read import MAX_HEADER_BYTES, MAX_LINE_BYTES

#: the address-space limit of a loader child (a bomb must be rejected well within it)
LIMIT_MIB = 2048


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    from zhiben.generate import generate

    raw = tmp_path_factory.mktemp("tiny") / "raw"
    generate(raw, scale="tiny", seed=7, dirty=True)
    return raw


def copy_drop(tiny: Path, dest: Path) -> Path:
    raw = dest / "raw"
    shutil.copytree(tiny, raw)
    (raw / "_planted.json").unlink(missing_ok=True)
    return raw


def utf8_csv(raw: Path, extract: str, min_rows: int = 3) -> Path:
    """A UTF-8 CSV of the extract with at least `min_rows` data rows, none quoted."""
    for p in sorted((raw / extract).glob("*.csv")):
        data = p.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.startswith("\ufeff") and '"' not in text and text.count("\n") > min_rows:
            return p
    raise AssertionError(f"no plain UTF-8 CSV in {extract}")


def _plain_utf8(p: Path) -> bool:
    """UTF-8 without a BOM and without quotes: safe to edit by lines and commas."""
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.startswith("\ufeff") and '"' not in text


def lines_of(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").split("\n")


def header_index(extract: str, zh: str) -> int:
    return [c.zh for c in EXTRACTS[extract].columns].index(zh)


def data_rows(p: Path) -> int:
    return sum(1 for r in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))) if any(r)) - 1


def text_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every text value of every landed table of schema raw."""
    out: list[str] = []
    for (table,) in con.execute(
        "select table_name from information_schema.tables where table_schema='raw'"
    ).fetchall():
        cols = [
            c
            for c, t in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema='raw' and table_name=?",
                [table],
            ).fetchall()
            if t == "VARCHAR"
        ]
        for c in cols:
            out += [
                v
                for (v,) in con.execute(f'select "{c}" from raw.{table}').fetchall()
                if v is not None
            ]
    return out


# ------------------------------------------------------------------ rows read as rows or not at all
@pytest.fixture(scope="module")
def mutated(tiny, tmp_path_factory):
    """One drop with every row-level mutation (one loader run for all of them)."""
    tmp = tmp_path_factory.mktemp("mutated")
    raw = copy_drop(tiny, tmp)
    planted: dict[str, dict] = {}

    # defect 1: an unquoted comma in a principal's name; a reporter's name; a training row
    # missing its 记录编号 field
    ent = utf8_csv(raw, "enterprises")
    lines = lines_of(ent)
    rows_ent = data_rows(ent)
    f = lines[1].split(",")
    phone = f[header_index("enterprises", "联系电话")]
    i = header_index("enterprises", "主要负责人")
    f[i] = f[i][:1] + "," + f[i][1:]
    lines[1] = ",".join(f)
    ent.write_text("\n".join(lines), encoding="utf-8")
    planted["enterprise"] = {"rows": rows_ent, "file": ent, "line": 2, "phone": phone}

    # a report with a reporter's phone (anonymous reports have none): the first such row
    rep, k = next(
        (path, k)
        for path in sorted((raw / "reports").glob("reports_2*.csv"))
        if _plain_utf8(path)
        for k, line in enumerate(lines_of(path)[1:], start=1)
        if line and line.split(",")[header_index("reports", "举报人电话")]
    )
    lines = lines_of(rep)
    rows_rep = data_rows(rep)
    f = lines[k].split(",")
    i = header_index("reports", "举报人姓名")
    rep_phone = f[header_index("reports", "举报人电话")]
    f[i] = "高,永"
    lines[k] = ",".join(f)
    rep.write_text("\n".join(lines), encoding="utf-8")
    planted["report"] = {"rows": rows_rep, "file": rep, "line": k + 1, "phone": rep_phone}

    tra = utf8_csv(raw, "training")
    lines = lines_of(tra)
    rows_tra = data_rows(tra)
    f = lines[2].split(",")
    id_number = f[header_index("training", "身份证号")]
    lines[2] = ",".join(f[1:])  # the first field (记录编号) is missing
    tra.write_text("\n".join(lines), encoding="utf-8")
    planted["training"] = {"rows": rows_tra, "file": tra, "line": 3, "id_number": id_number}

    # defect 2 (benign shape): a quoted name holding a line break
    haz = utf8_csv(raw, "hazards")
    lines = lines_of(haz)
    rows_haz = data_rows(haz)
    f = lines[2].split(",")
    i = header_index("hazards", "隐患描述")
    f[i] = '"' + f[i] + "\n王五 13912345678" + '"'
    lines[2] = ",".join(f)
    haz.write_text("\n".join(lines), encoding="utf-8")
    planted["multiline"] = {"rows": rows_haz, "file": haz, "line": 3, "after": 5}

    # defect 11: an XLSX whose first two rows are blank, with a merged range and a formula
    # without a cached value
    import openpyxl

    xlsx = sorted(raw.rglob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.worksheets[0]
    n_rows = ws.max_row
    ws.insert_rows(1, 2)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=2)
    ws.cell(row=5, column=ws.max_column).value = "=1+1"
    wb.save(xlsx)
    planted["xlsx"] = {"file": xlsx, "rows": n_rows - 1}

    db = tmp / "build.duckdb"
    result = ingest(raw, db, seeds_dir=SEEDS, salt=SALT, progress=lambda _m: None)
    con = duckdb.connect(str(db), read_only=True)
    yield raw, result, con, planted
    con.close()


def rel(raw: Path, p: Path) -> str:
    return p.relative_to(raw).as_posix()


def quarantine_at(con, file: str, line: int) -> list[tuple]:
    return con.execute(
        "select reason_code, column_name, column_zh, value, record_key, unit_code, month "
        "from raw.quarantine where file=? and line=?",
        [file, line],
    ).fetchall()


@pytest.mark.parametrize("which", ["enterprise", "report", "training"])
def test_wrong_field_count_is_quarantined_with_no_value(mutated, which):
    raw, result, con, planted = mutated
    p = planted[which]
    file = rel(raw, p["file"])
    assert quarantine_at(con, file, p["line"]) == [
        ("wrong_field_count", None, None, None, None, None, None)
    ]
    # nothing of the row anywhere: not its phone / ID number in any landed text column
    secret = p.get("phone") or p["id_number"]
    assert secret and all(secret not in v for v in text_values(con))
    fc = next(f for f in result.files if f.file == file)
    assert fc.rows_read == p["rows"]
    assert fc.rows_read == fc.rows_loaded + fc.rows_quarantined + fc.rows_folded
    assert any(file in w and "field count" in w for w in result.warnings)


def test_quoted_field_with_a_line_break_is_quarantined_at_its_first_line(mutated):
    raw, result, con, planted = mutated
    p = planted["multiline"]
    file = rel(raw, p["file"])
    assert quarantine_at(con, file, p["line"]) == [
        ("multiline_field", None, None, None, None, None, None)
    ]
    # the rows after it keep their physical line numbers (one more than before)
    lines = {
        r[0] for r in con.execute("select _line from raw.hazards where _file=?", [file]).fetchall()
    }
    q = {
        r[0] for r in con.execute("select line from raw.quarantine where file=?", [file]).fetchall()
    }
    assert p["after"] in lines | q
    assert not any("13912345678" in v for v in text_values(con))
    fc = next(f for f in result.files if f.file == file)
    assert fc.rows_read == p["rows"]
    assert fc.rows_read == fc.rows_loaded + fc.rows_quarantined + fc.rows_folded


def test_cr_only_line_ends_are_line_ends(tiny, tmp_path):
    """An old Mac "CSV (Macintosh)" export: a CR alone ends a line (it raised `_csv.Error`)."""
    raw = copy_drop(tiny, tmp_path)
    p = utf8_csv(raw, "inspections")
    rows = data_rows(p)
    p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    result = ingest(
        raw, tmp_path / "b.duckdb", seeds_dir=SEEDS, salt=SALT, progress=lambda _m: None
    )
    fc = next(f for f in result.files if f.file == rel(raw, p))
    assert fc.rows_read == rows and fc.rows_loaded > 0


def test_xlsx_lines_are_sheet_rows_and_empty_reads_warn(mutated):
    raw, result, con, planted = mutated
    p = planted["xlsx"]
    file = rel(raw, p["file"])
    fc = next(f for f in result.files if f.file == file)
    assert fc.rows_read == p["rows"]
    # header in sheet row 3: the data rows are sheet rows 4 …
    got = sorted(
        r[0]
        for r in con.execute(
            f"select _line from raw.{fc.extract} where _file=? union all "
            "select distinct line from raw.quarantine where file=?",
            [file, file],
        ).fetchall()
    )
    assert got == list(range(4, 4 + p["rows"]))
    assert any(file in w and "merged" in w for w in result.warnings), result.warnings
    assert any(file in w and "formula" in w for w in result.warnings), result.warnings


# ------------------------------------------------------------------ files rejected as a whole
def reject(raw: Path, tmp: Path, file: Path, *words: str) -> None:
    with pytest.raises(ExtractFileError) as err:
        ingest(raw, tmp / "b.duckdb", seeds_dir=SEEDS, salt=SALT, progress=lambda _m: None)
    msg = str(err.value)
    assert rel(raw, file) in msg, msg
    for w in words:
        assert w in msg, msg
    assert not (tmp / "b.duckdb").exists()


def test_stray_quote_swallowing_rows_rejects_the_file(tiny, tmp_path):
    """Three physical lines, the first opening a quote, the third closing it: the middle one is
    a whole row (names, ID numbers, phones) inside one field."""
    raw = copy_drop(tiny, tmp_path)
    p = utf8_csv(raw, "enterprises", min_rows=4)
    lines = lines_of(p)
    i = header_index("enterprises", "企业名称")
    f = lines[1].split(",")
    f[i] = '"' + f[i]
    lines[1] = ",".join(f)
    lines[3] = lines[3] + '"'
    p.write_text("\n".join(lines), encoding="utf-8")
    reject(raw, tmp_path, p, "swallow")


def test_duplicated_header_column_rejects_the_file(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    p = utf8_csv(raw, "enterprises")
    lines = lines_of(p)
    lines = [ln + ",其他镇" if k else ln + ",所属镇街" for k, ln in enumerate(lines) if ln]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reject(raw, tmp_path, p, "所属镇街", "2 times")


@pytest.mark.parametrize(
    "extra, words",
    [
        ("," * 20, ["blank"]),  # 20 empty column names
        ("".join(f",备注{k}" for k in range(70)), ["unknown"]),  # 70 unknown names
        ("," * 100_000, ["header line"]),  # a header followed by 100 k empty columns
    ],
    ids=["blank-names", "unknown-names", "100k-columns"],
)
def test_wide_header_rejects_the_file_before_any_row(tiny, tmp_path, extra, words):
    raw = copy_drop(tiny, tmp_path)
    p = utf8_csv(raw, "hazards")
    lines = lines_of(p)
    lines[0] += extra
    p.write_text("\n".join(lines), encoding="utf-8")
    reject(raw, tmp_path, p, *words)


def test_header_of_50_mb_of_commas_is_rejected_reading_16_kib(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    p = raw / "hazards" / "wide.csv"
    with open(p, "wb") as f:
        f.write(",".join(c.zh for c in EXTRACTS["hazards"].columns).encode())
        for _ in range(50):
            f.write(b"," * 2**20)
    run = run_loader(raw, tmp_path, limit_mib=LIMIT_MIB)
    assert run.code == 2 and "hazards/wide.csv" in run.err and "header line" in run.err, run.err
    assert 0 < run.peak_mib < 1024, run.peak_mib
    assert MAX_HEADER_BYTES < 2**20


def test_long_line_without_newline_is_rejected(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    p = utf8_csv(raw, "hazards")
    p.write_bytes(p.read_bytes().rstrip(b"\n") + b"\n" + b"x" * (MAX_LINE_BYTES + 10))
    reject(raw, tmp_path, p, "line")


def test_file_that_is_one_long_line_is_rejected(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    p = raw / "hazards" / "one-line.csv"
    p.write_bytes(b"x" * 3 * 2**20)
    reject(raw, tmp_path, p, "header line")


# ------------------------------------------------------------------ XLSX bombs
def bomb(path: Path, row: int, col: int) -> Path:
    """A contract header and one cell far away (xlsxwriter: 0-based row / column)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [c.zh for c in EXTRACTS["hazards"].columns])
    ws.write_string(row, col, "x")
    wb.close()
    return path


@pytest.mark.parametrize(
    "row, col", [(1048575, 16383), (1048575, 99)], ids=["XFD1048576", "CV1048576"]
)
def test_xlsx_dimension_bomb_is_rejected_within_memory(tiny, tmp_path, row, col):
    raw = copy_drop(tiny, tmp_path)
    p = bomb(raw / "hazards" / "bomb.xlsx", row, col)
    assert p.stat().st_size < 20_000
    run = run_loader(raw, tmp_path, limit_mib=LIMIT_MIB)
    assert run.code == 2 and "hazards/bomb.xlsx" in run.err and "range" in run.err, (
        run.code,
        run.err[-2000:],
    )
    assert 0 < run.peak_mib < 1024, run.peak_mib


def test_xlsx_decompression_bomb_is_rejected(tiny, tmp_path):
    import zipfile

    raw = copy_drop(tiny, tmp_path)
    p = bomb(raw / "hazards" / "zip.xlsx", 1, 1)
    with zipfile.ZipFile(p, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (600 << 20))
    assert p.stat().st_size < 2 << 20
    reject(raw, tmp_path, p, "decompress")


def test_build_with_a_bomb_exits_2_and_leaves_the_served_file(tiny, tmp_path):
    raw = copy_drop(tiny, tmp_path)
    bomb(raw / "enterprises" / "bomb.xlsx", 1048575, 16383)
    served = tmp_path / "wh" / "warehouse.duckdb"
    served.parent.mkdir()
    served.write_bytes(b"the served warehouse, untouched")
    env = dict(os.environ, ZHIBEN_PII_SALT=SALT)
    limit = LIMIT_MIB << 20

    def cap():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    p = subprocess.run(
        [
            str(Path(sys.executable).parent / "zhiben"),
            "build",
            "--raw",
            str(raw),
            "--warehouse",
            str(served),
        ],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=cap,
        timeout=300,
    )
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert "enterprises/bomb.xlsx" in p.stderr
    assert served.read_bytes() == b"the served warehouse, untouched"


def test_reconciliation_of_the_mutated_drop_balances(mutated):
    _raw, result, con, _planted = mutated
    for f in result.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined + f.rows_folded, f
    assert json.dumps(result.warnings, ensure_ascii=False)
    assert not [w for w in result.warnings if re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", w)]
