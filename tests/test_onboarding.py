"""`zhiben inspect FILE`: a file explained before anything is built (README "Pointing it at real
extracts")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_ingest import row, write_csv
from typer.testing import CliRunner

from zhiben.cli import app
from zhiben.generate import generate
from zhiben.onboarding import inspect_file


def test_wrong_headers_are_explained_one_by_one(tmp_path):
    good = row("hazards")
    renamed = {"隐患编号": "隐患编码", "隐患等级": "隐患级别"}
    header = [renamed.get(h, h) for h in good] + ["备注"]
    bad = {renamed.get(h, h): v for h, v in good.items()}
    path = write_csv(tmp_path / "hazards" / "h.csv", [bad], header=header)
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 2
    out = result.output
    assert "编码：UTF-8" in out
    assert "数据集：hazards（隐患排查治理台账），依据：所在目录 hazards/" in out
    assert "隐患编码 → 无：不是约定列名，读取时忽略；是否应为「隐患编号」？" in out
    assert "隐患级别 → 无：不是约定列名，读取时忽略" in out
    assert "备注 → 无：不是约定列名，读取时忽略" in out
    assert "整改状态 → 整改状态（status）" in out
    assert "整个文件将被拒收" in out
    assert "缺少必需列「隐患编号」（hazard_id）" in out
    assert "缺少必需列「隐患等级」（level）" in out
    # only those two are missing
    assert out.count("缺少必需列") == 2


def test_values_that_do_not_map_and_rows_that_would_be_quarantined(tmp_path):
    rows = [
        row("hazards"),
        row("hazards", **{"隐患编号": "H2", "隐患等级": "重大", "所属镇街": "火星镇"}),
        row("hazards", **{"隐患编号": "H3", "隐患等级": "重大", "发现日期": "2024-13-05"}),
        row("hazards", **{"隐患编号": "H4", "是否删除": "也许"}),
    ]
    header = [*row("hazards"), "是否删除"]
    path = write_csv(tmp_path / "hazards" / "h.csv", rows, header=header, encoding="gb18030")
    r = inspect_file(path)
    out = "\n".join(r.lines)
    assert "编码：GB18030 / GBK" in out
    assert r.rows_read == 4 and r.rows_quarantined == 3 and r.exit_code == 1
    assert "数据行：4 行，其中将被隔离 3 行" in out
    assert "  隐患等级：「重大」× 2（取值不在规定范围内，第 3 行起）" in out
    assert "  所属镇街：「火星镇」× 1（所属镇街无法识别，第 3 行起）" in out
    assert "  是否删除：「也许」× 1（是/否 取值无法识别，第 5 行起）" in out
    assert "  第 4 行 列「发现日期」：日期无法识别（值「2024-13-05」）" in out


def test_a_mapped_export_is_explained_in_its_own_names(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, scale="tiny", seed=7, as_of=dt.date(2026, 11, 30), shape="yhpc_center")
    path = sorted((raw / "hazards").glob("T_DAILY_CHECK_*.csv"))[-1]
    moved = tmp_path / "export" / path.name  # outside any extract folder: found by its headers
    moved.parent.mkdir()
    text = path.read_bytes().decode("gb18030").splitlines()
    cells = text[1].split(",")
    cells[4] = "9"  # HIDDEN_LEVEL
    moved.write_bytes("\n".join([text[0], ",".join(cells), *text[2:]]).encode("gb18030"))
    r = inspect_file(Path(moved))
    out = "\n".join(r.lines)
    assert "数据集：hazards（隐患排查治理台账），依据：表头符合数据源映射" in out
    assert (
        "数据源映射：sources/yhpc_center.yml 的表 T_DAILY_CHECK（yhpc_center），按映射读取" in out
    )
    assert "HIDDEN_LEVEL → 隐患等级（level），代码按映射转换" in out
    assert "THIRD_AREA → 所属镇街（town）（区域列，经种子别名表识别镇街）" in out
    assert "CREATE_TIME" not in out
    assert "  HIDDEN_LEVEL：「9」× 1（取值不在规定范围内，第 2 行起）" in out
