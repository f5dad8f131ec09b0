"""Source mappings as data (SPEC §10.1): the hazard-center export of `sources/yhpc_center.yml`
loads into the same marts as the contract-shaped drop of the same data; a mapping that does not
fit the contract is an error naming the mapping file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixtures.hand_drop import dbt_child

from zhiben.config import pii_salt
from zhiben.generate import generate
from zhiben.ingest import ingest
from zhiben.ingest.sources import SourceMappingError, load_mapping

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 30)
SALT = "test-salt"
#: marts that name files or the build itself (compared by extract totals instead)
NOT_COMPARED = {"mart_build_info", "mart_load_reconciliation", "mart_quarantine"}


#: D of the two builds compared: the session's tiny clean build (conftest `tiny_clean_warehouse`)
BUILD_AS_OF = dt.date(2026, 11, 28)


def _build(raw: Path, out: Path, tmp_path_factory) -> Path:
    """Load (the session's PII salt, as `zhiben build`) and `dbt build` without the tests."""
    db = out / "build.duckdb"
    ingest(
        raw,
        db,
        seeds_dir=REPO / "seeds",
        salt=pii_salt(),
        as_of=BUILD_AS_OF,
        progress=lambda _m: None,
    )
    dbt_child(tmp_path_factory).build(
        db, BUILD_AS_OF, ("build", "--exclude-resource-type", "test", "unit_test")
    )
    return db


@pytest.fixture(scope="module")
def both(tiny_clean_warehouse, tmp_path_factory) -> tuple[Path, Path, Path]:
    """(shaped drop, build file of the contract-shaped drop, build file of the shaped drop). The
    contract-shaped drop is the session's tiny clean drop (seed 7), its build the session's
    (`zhiben build` as of BUILD_AS_OF: its kept build file); the same data in the hazard
    center's export shape is generated, loaded and built here."""
    from zhiben.docs import last_build_file
    from zhiben.paths import WarehousePaths

    root = tmp_path_factory.mktemp("shapes")
    generate(root / "shaped", scale="tiny", seed=7, as_of=BUILD_AS_OF, shape="yhpc_center")
    (root / "b").mkdir()
    _run, contract_build = last_build_file(WarehousePaths(tiny_clean_warehouse))
    return root / "shaped", contract_build, _build(root / "shaped", root / "b", tmp_path_factory)


def test_the_shaped_drop_is_the_export_shape(both):
    shaped = both[0]
    names = sorted(p.name.rsplit("_", 1)[0] for p in (shaped / "hazards").glob("*.csv"))
    assert set(names) == {"T_DAILY_CHECK", "T_LAW_YH_INFO"}
    assert {p.name.rsplit("_", 1)[0] for p in (shaped / "enterprises").glob("*.csv")} == {
        "T_COMPANY"
    }
    head = next((shaped / "hazards").glob("T_DAILY_CHECK_*.csv")).read_bytes().split(b"\n")[0]
    assert head.decode("gb18030").split(",")[:4] == [
        "ASSEMBLEID",
        "UUID",
        "INDUSTRY_NAME",
        "HIDDEN_SOURCE",
    ]


def test_mapped_drop_gives_the_same_marts(both):
    _shaped, a, b = both
    ca = duckdb.connect(str(a), read_only=True)
    cb = duckdb.connect(str(b), read_only=True)
    marts = [
        r[0]
        for r in ca.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        ).fetchall()
    ]
    assert len(marts) > 20
    compared = 0
    for m in marts:
        if m in NOT_COMPARED:
            continue
        fa = ca.execute(f"select * from marts.{m}").pl()
        fb = cb.execute(f"select * from marts.{m}").pl()
        assert fa.height > 0 or m.startswith("mart_target_chase"), m
        cols = fa.columns
        assert fb.columns == cols, m
        fa, fb = fa.sort(cols, nulls_last=True), fb.sort(cols, nulls_last=True)
        assert fa.equals(fb), m
        compared += 1
    assert compared > 20
    recon = (
        "select extract, sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
        "sum(rows_folded) from marts.mart_load_reconciliation group by 1 order by 1"
    )
    assert ca.execute(recon).fetchall() == cb.execute(recon).fetchall()
    assert cb.execute("select count(*) from marts.mart_quarantine").fetchone() == (0,)


def _mapping(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.yml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD_HEAD = """system: x
tables:
  - table: T
    extract: hazards
    match:
      headers: [ID]
    columns:
"""
GOOD_COLUMNS = """      隐患编号: ID
      统一社会信用代码: UUID
      隐患等级: LEVEL
      发现日期: FOUND
      整改状态: STATUS
      更新时间: MODIFY_TIME
"""


def test_good_mapping_loads(tmp_path):
    (t,) = load_mapping(_mapping(tmp_path, GOOD_HEAD + GOOD_COLUMNS))
    assert t.columns["level"] == "LEVEL"


def test_unknown_target_column_names_file_and_line(tmp_path):
    text = GOOD_HEAD + GOOD_COLUMNS + "      隐患级别: HIDDEN_LEVEL\n"
    with pytest.raises(SourceMappingError) as e:
        load_mapping(_mapping(tmp_path, text))
    assert e.value.line == 14
    assert "bad.yml" in str(e.value) and "第 14 行" in str(e.value)
    assert "目标列「隐患级别」不是 hazards" in str(e.value)


def test_unmapped_required_column_names_file_and_line(tmp_path):
    text = GOOD_HEAD + GOOD_COLUMNS.replace("      隐患等级: LEVEL\n", "")
    with pytest.raises(SourceMappingError) as e:
        load_mapping(_mapping(tmp_path, text))
    assert e.value.line == 7
    assert "必填列「隐患等级」没有映射" in str(e.value)


def test_mapped_file_quarantine_names_its_own_columns(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, scale="tiny", seed=7, as_of=AS_OF, shape="yhpc_center")
    f = sorted((raw / "hazards").glob("T_DAILY_CHECK_*.csv"))[-1]
    df = pl.read_csv(f.read_bytes().decode("gb18030").encode(), infer_schema=False)
    df = df.with_columns(pl.lit("9").alias("HIDDEN_LEVEL"), pl.lit("火星").alias("THIRD_AREA"))
    f.write_bytes(df.write_csv().encode("gb18030"))
    # a record state of `delete` (RECORD_STATE) is a deletion row: key and 更新时间 only
    ent = sorted((raw / "enterprises").glob("T_COMPANY_*.csv"))[0]
    companies = pl.read_csv(ent.read_bytes().decode("gb18030").encode(), infer_schema=False)
    gone = companies.head(1).with_columns(
        pl.lit("20260101080000").alias("MODIFY_TIME"), pl.lit("delete").alias("RECORD_STATE")
    )
    ent.write_bytes(pl.concat([companies, gone]).write_csv().encode("gb18030"))
    db = tmp_path / "b.duckdb"
    ingest(raw, db, seeds_dir=REPO / "seeds", salt=SALT, as_of=AS_OF, progress=lambda _m: None)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "select credit_code, enterprise_name, unit_code, updated_at from raw.enterprises "
        "where is_deleted"
    ).fetchall() == [(gone["UUID"][0], None, None, dt.datetime(2026, 1, 1, 8))]
    q = con.execute(
        "select distinct column_zh, reason_code, value from raw.quarantine where file = ? "
        "order by 1",
        [f"hazards/{f.name}"],
    ).fetchall()
    assert q == [
        ("FIRST_AREA/SECOND_AREA/THIRD_AREA", "unknown_town", "火星"),
        ("HIDDEN_LEVEL", "bad_enum", "9"),
    ]


def test_a_mapping_applies_by_folder(tmp_path, monkeypatch):
    from zhiben.ingest.sources import table_for

    d = tmp_path / "sources"
    d.mkdir()
    text = GOOD_HEAD.replace("      headers: [ID]\n", "      folder: hazards/center\n")
    (d / "center.yml").write_text(text + GOOD_COLUMNS, encoding="utf-8")
    monkeypatch.setenv("ZHIBEN_SOURCES_DIR", str(d))
    assert table_for("hazards", "hazards/center/2024.csv", ["ID"]).table == "T"
    assert table_for("hazards", "hazards/2024.csv", ["ID"]) is None
    assert table_for("enterprises", "hazards/center/2024.csv", ["ID"]) is None


def test_a_bad_mapping_stops_the_build_naming_file_and_line(tmp_path, monkeypatch):
    from zhiben.ingest.read import ExtractFileError, check_all

    d = tmp_path / "sources"
    d.mkdir()
    (d / "bad.yml").write_text(GOOD_HEAD + GOOD_COLUMNS + "      级别: X\n", encoding="utf-8")
    monkeypatch.setenv("ZHIBEN_SOURCES_DIR", str(d))
    raw = tmp_path / "raw"
    generate(raw, scale="tiny", seed=7, as_of=AS_OF)
    with pytest.raises(ExtractFileError, match="映射文件 sources/bad.yml 第 14 行"):
        check_all(raw, progress=lambda _m: None)
