"""The analysts' catalog (issue 20): `zhiben docs` (dbt docs of the last successful build, served
read-only on 127.0.0.1), dbt's source freshness behind `zhiben status --check`, and the
validation report of each build. One tiny build (as of a fixed past date) serves them all: a copy of
the session's shared one."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest
from fixtures.warehouses import copy_warehouse

REPO = Path(__file__).resolve().parents[1]
ZHIBEN = str(Path(sys.executable).with_name("zhiben"))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def site(tiny_dirty_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's build of the tiny dirty drop as of 2026-11-28 (conftest
    `tiny_dirty_warehouse`): these tests write to it (the catalog, hand-made 更新时间)."""
    return copy_warehouse(tiny_dirty_warehouse, tmp_path_factory.mktemp("catalog") / "wh")


def _marts() -> set[str]:
    return {p.stem for p in (REPO / "models" / "marts").rglob("*.sql")}


def test_docs_no_serve_writes_the_site_of_the_last_build(site: Path) -> None:
    out = subprocess.run(
        [ZHIBEN, "docs", "--warehouse", str(site), "--no-serve"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    d = site.parent / "catalog"
    assert {"index.html", "manifest.json", "catalog.json"} <= {p.name for p in d.iterdir()}
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((d / "catalog.json").read_text(encoding="utf-8"))
    # every mart is in the catalog, with its columns as built
    in_catalog = {k.split(".")[-1] for k in catalog["nodes"]}
    assert _marts() <= in_catalog, _marts() - in_catalog
    qe = catalog["nodes"]["model.zhiben.mart_quarterly_evaluation"]["columns"]
    assert "weighted_total" in {c.lower() for c in qe} or len(qe) > 10
    # … and described in Chinese (the description or the columns' Chinese labels)
    for name in _marts():
        node = manifest["nodes"][f"model.zhiben.{name}"]
        text = node["description"] + " ".join(
            str((c.get("meta") or {}).get("label", "")) + c.get("description", "")
            for c in node["columns"].values()
        )
        assert CJK.search(text), name
    node = manifest["nodes"]["model.zhiben.mart_quarterly_evaluation"]
    labels = [(c.get("meta") or {}).get("label", "") for c in node["columns"].values()]
    assert sum(bool(CJK.search(x)) for x in labels) >= len(labels) // 2
    # every labelled column's description, as the site shows it, leads with its Chinese label
    for name in _marts():
        for col in manifest["nodes"][f"model.zhiben.{name}"]["columns"].values():
            label = (col.get("meta") or {}).get("label")
            if label:
                assert col["description"].startswith(f"【{label}】"), (name, col["name"])
    # lineage: its parents, and the exposures (app, notebooks, report) reading it
    assert "model.zhiben.dim_unit" in node["depends_on"]["nodes"]
    assert manifest["exposures"]
    assert any(
        "model.zhiben.mart_quarterly_evaluation" in e["depends_on"]["nodes"]
        for e in manifest["exposures"].values()
    )
    # offline: no remote script (the CDN tracker only loads with usage stats on)
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
    html = (d / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", html)
    # a second call finds the site current and does not regenerate it
    mtime = (d / "catalog.json").stat().st_mtime
    out = subprocess.run(
        [ZHIBEN, "docs", "--warehouse", str(site), "--no-serve"], capture_output=True, text=True
    )
    assert out.returncode == 0 and (d / "catalog.json").stat().st_mtime == mtime


def test_docs_serves_read_only_on_localhost(site: Path) -> None:
    from zhiben.docs import catalog_dir, running_url

    if not (catalog_dir(site) / "catalog.json").exists():
        subprocess.run([ZHIBEN, "docs", "-w", str(site), "--no-serve"], check=True)
    proc = subprocess.Popen(
        [ZHIBEN, "docs", "--warehouse", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        for _ in range(200):
            url = running_url(site)
            if url:
                break
            time.sleep(0.1)
        assert url and url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "catalog.json", timeout=10) as r:
            assert "mart_quarterly_evaluation" in r.read().decode("utf-8")
        with urllib.request.urlopen(url, timeout=10) as r:
            assert b"dbt" in r.read()
        with pytest.raises(urllib.error.HTTPError) as e:  # read-only: no PUT / POST
            urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST"))
        assert e.value.code == 501
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert running_url(site) is None  # stopped: the sidebar link disappears


def _set_updated_at(site: Path, ages_days: dict[str, int]) -> None:
    """Hand-make the kept build file's 更新时间: each extract's versions `age` days old."""
    from zhiben.docs import last_build_file
    from zhiben.paths import WarehousePaths

    _run, kept = last_build_file(WarehousePaths(site))
    with duckdb.connect(str(kept)) as con:
        for extract, age in ages_days.items():
            # raw.<extract> is a view over the lake: a hand-made table takes its place (and its
            # statement leaves raw.lake_views, which dbt's on-run-start would run again)
            con.execute(
                f"create or replace table raw._{extract} as select * replace ("
                f"localtimestamp - interval '{age} days' - interval '1 hour' as updated_at) "
                f"from raw.{extract}"
            )
            if con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'raw' and table_name = ? and table_type = 'VIEW'",
                [extract],
            ).fetchone()[0]:
                con.execute(f"drop view raw.{extract}")
            else:
                con.execute(f"drop table raw.{extract}")
            con.execute(f"alter table raw._{extract} rename to {extract}")
            con.execute("delete from raw.lake_views where extract = ?", [extract])


EXTRACTS = (
    "enterprises",
    "hazards",
    "accidents",
    "inspections",
    "penalties",
    "training",
    "drills",
    "reports",
    "monitoring",
    "self_inspections",
)


def _status(site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ZHIBEN, "status", "--warehouse", str(site), "--check"], capture_output=True, text=True
    )


def test_status_check_reports_dbt_source_freshness(site: Path) -> None:
    # the drop as of 2026-11-28 (tiny, dirty), all fresh today …
    _set_updated_at(site, dict.fromkeys(EXTRACTS, 1))
    st = _status(site)
    assert st.returncode == 0 and "⚠" not in st.stdout, st.stdout + st.stderr
    assert "dbt source freshness" in st.stdout and "45 day" in st.stdout
    # … a monthly extract 20 days old is still fresh (warn after 45), hazards 10 days old is not
    _set_updated_at(site, {"training": 20, "hazards": 10})
    st = _status(site)
    assert st.returncode == 1, st.stdout
    stale = [ln for ln in st.stdout.splitlines() if "⚠ 过期" in ln]
    assert [ln.split()[0] for ln in stale] == ["hazards"], st.stdout
    assert "warn" in stale[0]
    # past error_after (30 days) it is an error, still stale
    _set_updated_at(site, {"hazards": 40})
    st = _status(site)
    assert st.returncode == 1 and "stale, error" in st.stdout, st.stdout
    _set_updated_at(site, dict.fromkeys(EXTRACTS, 1))


def test_primary_keys_are_enforced_in_the_build(site: Path, tmp_path: Path) -> None:
    """Every fact and dimension (and each mart with a grain) carries its key as a PRIMARY KEY
    of the built table: a duplicate key cannot be written."""
    import shutil

    from zhiben.docs import last_build_file
    from zhiben.paths import WarehousePaths

    _run, kept = last_build_file(WarehousePaths(site))
    copy = tmp_path / "build.duckdb"
    shutil.copyfile(kept, copy)
    with duckdb.connect(str(copy)) as con:
        pks = dict(
            con.execute(
                "select table_name, constraint_column_names from duckdb_constraints() "
                "where schema_name = 'marts' and constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
        for table in [t for t in _marts() if t.startswith(("dim_", "fct_"))]:
            assert table in pks, f"{table} has no primary key"
        assert pks["fct_hazards"] == ["hazard_id"]
        assert pks["mart_quarterly_evaluation"] == ["quarter", "unit_code"]
        for table in ("fct_hazards", "dim_unit", "mart_quarterly_evaluation"):
            with pytest.raises(duckdb.ConstraintException):
                con.execute(f"insert into marts.{table} select * from marts.{table} limit 1")


def test_validation_report_of_each_build(site: Path) -> None:
    from zhiben import history
    from zhiben.contract import LOAD_ORDER
    from zhiben.paths import WarehousePaths
    from zhiben.validation_report import report_path

    run = [r for r in history.read(WarehousePaths(site).history_file) if r["status"] == "success"]
    page = report_path(site, run[-1]["run_id"])
    data = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert [x["extract"] for x in data["extracts"]] == list(LOAD_ORDER)
    text = page.read_text(encoding="utf-8")
    for x in data["extracts"]:
        assert x["expectations"] and f"id='{x['extract']}'" in text
    failed = [r for x in data["extracts"] for r in x["expectations"] if r["unexpected_rows"]]
    assert failed, "the dirty drop breaks some expectations"
    assert any(r["unexpected_sample"] for r in failed)
    # the counts are the quarantine's rows per rule
    with duckdb.connect(str(site), read_only=True) as con:
        (quarantined,) = con.execute(
            "select count(*) from (select distinct extract, file, line, column_name, reason_code "
            "from mart_quarantine)"
        ).fetchone()
    assert sum(r["unexpected_rows"] for r in failed) == quarantined
    # PII columns never show a value; no script, nothing remote
    assert all(not r["unexpected_sample"] for r in failed if r["is_pii_column"])
    assert "<script" not in text and "http" not in text


@pytest.mark.browser
def test_browser_finds_the_evaluation_mart_with_chinese_labels_and_lineage(site: Path) -> None:
    """Issue 20's done-when: in the served catalog a browser finds mart_quarterly_evaluation with
    its Chinese column labels and its lineage, and loads nothing from outside 127.0.0.1."""
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip(f"{chromium} missing: run `bash scripts/setup.sh`")
    from playwright.sync_api import sync_playwright

    from zhiben.docs import running_url

    subprocess.run([ZHIBEN, "docs", "--warehouse", str(site), "--no-serve"], check=True)
    proc = subprocess.Popen(
        [ZHIBEN, "docs", "--warehouse", str(site), "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = None
        for _ in range(300):
            if url := running_url(site):
                break
            time.sleep(0.1)
        assert url
        remote: list[str] = []
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = b.new_page()
            page.on(
                "request",
                lambda r: (
                    None if r.url.startswith((url, "data:", "blob:")) else remote.append(r.url)
                ),
            )
            page.goto(url + "#!/model/model.zhiben.mart_quarterly_evaluation")
            page.locator("h1", has_text="mart_quarterly_evaluation").first.wait_for(timeout=120_000)

            def shows(text: str) -> None:
                page.wait_for_function(
                    "t => document.body.innerText.includes(t)", arg=text, timeout=60_000
                )

            shows("晾晒考评")  # the description, in Chinese
            shows("total_score")  # its columns
            shows("【总分】")  # … each described in Chinese (its label leads the description)
            # lineage: the models it is built from (Depends On)
            shows("int_evaluation_unit_counts")
            page.screenshot(path=str(site.parent / "catalog-mart_quarterly_evaluation.png"))
            b.close()
        assert not remote, remote
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
