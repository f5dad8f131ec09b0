"""The `zhiben` command line: the one front door (generate, build, serve, status …)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from zhiben.config import apply_offline_env
from zhiben.paths import DEFAULT_WAREHOUSE, PROJECT_DIR, WarehousePaths

app = typer.Typer(
    help="治本 (zhiben): 山亭区安全生产治本攻坚三年行动 数据仓库与分析。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

#: exit codes a scheduler can tell apart
EXIT_BAD_EXTRACT = 2
EXIT_DBT_FAILED = 3
EXIT_LOCKED = 75

WarehouseOpt = Annotated[
    Path, typer.Option("--warehouse", "-w", help="对外服务的仓库文件 (served warehouse file)")
]


class Scale(StrEnum):
    tiny = "tiny"
    district = "district"
    city = "city"
    province = "province"


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD: {value!r}") from None


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="输出目录 (the raw drop folder to write)")],
    scale: Annotated[
        Scale, typer.Option(help="数据规模: district ≈ 2,000 家企业; city ×10; province ×100")
    ] = Scale.district,
    seed: Annotated[int, typer.Option(help="随机种子 (same seed + as-of → same files)")] = 42,
    dirty: Annotated[
        bool,
        typer.Option("--dirty", help="加入各类脏数据 (encodings, aliases, bad rows, duplicates)"),
    ] = False,
    broken_file: Annotated[
        bool, typer.Option("--broken-file", help="加入一个缺少必填列的文件")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="数据截止日期 YYYY-MM-DD (默认今天)")
    ] = None,
) -> None:
    """生成演示区域 (山亭区) 的模拟原始数据 (synthetic raw drop per SPEC §3)."""
    from zhiben.generate import generate as run_generate

    t0 = time.perf_counter()
    summary = run_generate(
        out,
        scale=scale.value,
        seed=seed,
        dirty=dirty,
        broken_file=broken_file,
        as_of=_parse_date(as_of),
    )
    typer.echo(f"{summary}\n完成 {time.perf_counter() - t0:.1f} s → {out}")


@app.command()
def build(
    raw: Annotated[Path, typer.Option("--raw", help="原始数据目录 (<raw>/<extract>/*.csv|*.xlsx)")],
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="统计截止日期 D (默认: 数据中最新的更新时间)")
    ] = None,
    wait: Annotated[float, typer.Option("--wait", help="另一个构建正在运行时最多等待的秒数")] = 0.0,
) -> None:
    """校验、落地原始数据，运行 dbt，并原子替换对外服务的仓库。

    Exit codes: 0 ok; 2 a raw file was rejected (nothing changed); 3 dbt failed (nothing changed);
    75 another build holds the lock."""
    from zhiben.build import build as run_build
    from zhiben.dbt import DbtError
    from zhiben.ingest import ExtractFileError
    from zhiben.lock import BuildLocked

    t0 = time.perf_counter()
    try:
        result = run_build(
            raw, warehouse, as_of=_parse_date(as_of), wait_seconds=wait, progress=typer.echo
        )
    except BuildLocked as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(EXIT_LOCKED) from None
    except ExtractFileError as exc:
        typer.echo(f"错误: 原始文件被拒绝，仓库未改动。\n{exc}", err=True)
        raise typer.Exit(EXIT_BAD_EXTRACT) from None
    except DbtError as exc:
        typer.echo(f"错误: dbt 失败，仓库未改动。\n{exc}", err=True)
        raise typer.Exit(EXIT_DBT_FAILED) from None
    bad = [r for r in result.reconciliation if r[2] != r[3] + r[4] + r[5]]
    quarantined = sum(r[4] for r in result.reconciliation)
    typer.echo(
        f"构建成功 {time.perf_counter() - t0:.1f} s: 截止 {result.as_of}, "
        f"{sum(r[2] for r in result.reconciliation)} 行读取, {quarantined} 行隔离, "
        f"{len(result.tables)} 张表 → {result.served}"
    )
    if bad:
        typer.echo(f"警告: {len(bad)} 个文件行数不平衡", err=True)
        raise typer.Exit(1)


@app.command()
def serve(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    port: Annotated[int, typer.Option(help="端口")] = 8501,
    address: Annotated[str, typer.Option(help="监听地址 (默认仅本机)")] = "127.0.0.1",
) -> None:
    """启动 Streamlit 应用 (读取仓库，只读)."""
    apply_offline_env()
    env = {**os.environ, "ZHIBEN_WAREHOUSE": str(Path(warehouse).resolve())}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_DIR / "app" / "streamlit_app.py"),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    raise typer.Exit(subprocess.call(cmd, env=env))


@app.command()
def status(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    last: Annotated[int, typer.Option(help="显示最近几次构建")] = 10,
) -> None:
    """显示最近的构建记录 (run history) 与各数据源的新鲜度."""
    from zhiben import history

    runs = history.read(WarehousePaths(Path(warehouse).resolve()).history_file, last=last)
    if not runs:
        typer.echo("尚无构建记录 (no builds yet)")
        raise typer.Exit(1)
    for r in runs:
        rows = sum(v.get("read", 0) for v in r.get("rows", {}).values())
        line = f"{r['started_at']}  {r['status']:<8} 截止 {r.get('as_of_date') or '-'}  {rows} 行  dbt: {r.get('dbt') or '-'}"
        typer.echo(line + (f"\n    错误: {r['error'].splitlines()[0]}" if r.get("error") else ""))


@app.command()
def notebook(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    port: Annotated[int, typer.Option(help="端口")] = 8888,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="打开浏览器")] = True,
) -> None:
    """在 notebooks/ 中启动 JupyterLab (分析笔记本; ZHIBEN_WAREHOUSE 指向仓库, 只读)."""
    apply_offline_env()
    served = Path(warehouse).resolve()
    if not served.exists():
        typer.echo(f"警告: 仓库文件不存在: {served} (先运行 `zhiben build`)", err=True)
    env = {**os.environ, "ZHIBEN_WAREHOUSE": str(served)}
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    if not browser:
        cmd.append("--no-browser")
    raise typer.Exit(subprocess.call(cmd, env=env, cwd=PROJECT_DIR / "notebooks"))


if __name__ == "__main__":
    app()
