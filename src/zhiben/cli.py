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
EXIT_IO_ERROR = 74  # writing failed (disk full, permissions): the served warehouse is untouched

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
    shape: Annotated[
        str | None,
        typer.Option("--shape", help="按某个数据源系统的导出格式写出 (sources/<system>.yml)"),
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
        shape=shape,
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
    full_refresh: Annotated[
        bool,
        typer.Option("--full-refresh", help="重建数据湖: 重新读取、校验每一个文件 (不沿用)"),
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            envvar="ZHIBEN_ENGINE",
            help="运行 dbt 的引擎: duckdb (默认) 或 spark (dbt-spark, 本机 local 模式)",
        ),
    ] = "duckdb",
) -> None:
    """校验、落地原始数据，运行 dbt，并原子替换对外服务的仓库。

    只读取新增或改动的文件 (数据湖沿用其余文件的校验结果); --full-refresh 全部重读。

    Exit codes: 0 ok; 2 a raw file was rejected (nothing changed); 3 dbt failed (nothing changed);
    74 writing failed, e.g. disk full (nothing changed); 75 another build holds the lock."""
    import duckdb

    from zhiben.build import build as run_build
    from zhiben.dbt import DbtError
    from zhiben.engines import ENGINES
    from zhiben.ingest import ExtractFileError
    from zhiben.lock import BuildLocked

    if engine not in ENGINES:
        raise typer.BadParameter(f"{engine!r}: {' / '.join(ENGINES)}", param_hint="--engine")
    t0 = time.perf_counter()
    try:
        result = run_build(
            raw,
            warehouse,
            as_of=_parse_date(as_of),
            wait_seconds=wait,
            progress=typer.echo,
            full_refresh=full_refresh,
            engine=engine,
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
    except (OSError, duckdb.Error) as exc:
        io_failure = isinstance(exc, (OSError, duckdb.IOException)) or any(
            k in str(exc) for k in ("No space left", "Could not write", "Disk quota")
        )
        if not io_failure:
            raise
        typer.echo(f"错误: 写入失败 (磁盘已满或无权限?)，仓库未改动。\n{exc}", err=True)
        raise typer.Exit(EXIT_IO_ERROR) from None
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
def inspect(
    file: Annotated[Path, typer.Argument(help="要检查的原始数据文件 (CSV / XLSX)")],
    extract: Annotated[
        str | None,
        typer.Option("--extract", help="数据集 (enterprises, hazards …)；默认按目录或表头判断"),
    ] = None,
) -> None:
    """检查一个原始数据文件：编码、表头对应哪些约定列、无法对应的取值、会被隔离的行（不构建）。"""
    from zhiben.ingest.sources import SourceMappingError
    from zhiben.onboarding import inspect_file

    try:
        result = inspect_file(file, extract)
    except SourceMappingError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    typer.echo("\n".join(result.lines))
    raise typer.Exit(result.exit_code)


@app.command()
def serve(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    port: Annotated[int, typer.Option(help="端口")] = 8501,
    address: Annotated[str, typer.Option(help="监听地址 (默认仅本机)")] = "127.0.0.1",
    require_login: Annotated[
        bool, typer.Option("--require-login", help="本机访问也要求登录 (非本机地址总是要求)")
    ] = False,
) -> None:
    """启动 Streamlit 应用 (读取仓库，只读)。

    绑定非本机地址时要求登录 (账户: `zhiben user add`)."""
    from zhiben import auth

    apply_offline_env()
    env = {**os.environ, "ZHIBEN_WAREHOUSE": str(Path(warehouse).resolve())}
    login = require_login or not auth.is_loopback(address) or auth.login_required(env)
    env[auth.REQUIRE_LOGIN_ENV] = "1" if login else "0"
    if login:
        accounts = auth.accounts_path()
        try:
            users = auth.list_users()
        except auth.AuthError as exc:
            typer.echo(f"错误: {exc}", err=True)
            raise typer.Exit(2) from None
        if not users:
            typer.echo(
                f"错误: 监听 {address} 需要登录，但账户文件 {accounts} 中没有账户。"
                "先运行 `zhiben user add 用户名 --role 领导`。",
                err=True,
            )
            raise typer.Exit(2)
        typer.echo(f"需要登录 (账户文件 {accounts})")
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


def _lake_line(info: dict, lake_dir: Path) -> str:
    """The lake's size and the last build's reuse (zhiben.ingest.lake)."""
    from zhiben.ingest.lake import size_bytes  # light: no great-expectations

    size = size_bytes(lake_dir) / 2**20
    if not info:
        return f"数据湖 (lake) {lake_dir}: {size:.1f} MiB"
    return (
        f"数据湖 (lake) {lake_dir}: {size:.1f} MiB; 上次构建 {info.get('files', 0)} 个文件: "
        f"沿用 {info.get('files_reused', 0)} (reused), 重新读取 {info.get('files_read', 0)} "
        f"(re-read; {info.get('rows_read', 0)} 行)"
    )


@app.command()
def status(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    last: Annotated[int, typer.Option(help="显示最近几次构建")] = 10,
    check: Annotated[
        bool, typer.Option("--check", help="最近一次构建失败或有数据源过期时以 1 退出 (供监控)")
    ] = False,
) -> None:
    """显示最近的构建记录 (run history) 与各数据源的新鲜度 (dbt source freshness).

    新鲜度: dbt 的 `source freshness`, 在最近一次成功构建保留的构建文件上运行, 各数据源最新的
    更新时间与当前时间相比; 阈值见 models/staging/raw/_raw__sources.yml (月报类 45 天警告,
    日常类 7 天). 警告 (warn) 或错误 (error) 都算过期."""
    from zhiben import history
    from zhiben.lock import holder

    paths = WarehousePaths(Path(warehouse).resolve())
    running = holder(paths.lock_file)
    all_runs = history.mark_interrupted(history.read(paths.history_file), running is not None)
    if not all_runs:
        typer.echo("尚无构建记录 (no builds yet)")
        raise typer.Exit(1)
    typer.echo(
        f"构建记录 (最近 {min(last, len(all_runs))} 次, 共 {len(all_runs)} 次) — {paths.served}"
    )
    for r in all_runs[-last:]:
        per = r.get("rows") or {}
        tests = r.get("dbt_tests") or {}
        rows = (
            f"{sum(v.get('read', 0) for v in per.values())} 行读取 / "
            f"{sum(v.get('loaded', 0) for v in per.values())} 载入 / "
            f"{sum(v.get('quarantined', 0) for v in per.values())} 隔离 / "
            f"{sum(v.get('folded', 0) for v in per.values())} 折叠"
            if per
            else "-"
        )
        took = history._duration(r)
        test_txt = (
            f"  测试 {tests.get('pass', 0)} 通过 {tests.get('warn', 0)} 警告 "
            f"{tests.get('fail', 0) + tests.get('error', 0)} 失败"
            if tests
            else ""
        )
        typer.echo(
            f"{r['started_at']}  {r['status']:<11} "
            f"{f'{took:.0f} s' if took is not None else '-':>6}  截止 {r.get('as_of_date') or '-'}  "
            f"{rows}  dbt: {r.get('dbt') or '-'}{test_txt}"
        )
        if r.get("error"):
            typer.echo(f"    错误: {r['error'].splitlines()[0]}")
        if r.get("warnings"):
            typer.echo(f"    警告 {len(r['warnings'])} 条, 例如: {r['warnings'][0]}")
    if running is not None:
        typer.echo(f"构建进行中 (pid {running})")
    ok = [r for r in all_runs if r.get("status") == "success"]
    if not ok:
        typer.echo("尚无成功的构建: 仓库未发布")
        raise typer.Exit(1)
    good = ok[-1]
    typer.echo(
        f"\n当前服务的仓库来自 {good.get('ended_at') or good['started_at']} 的构建 "
        f"(截止 {good.get('as_of_date') or '-'})"
    )
    typer.echo(_lake_line(good.get("lake") or {}, paths.lake_dir))
    typer.echo("数据新鲜度 (dbt source freshness: 各数据源最新的 更新时间 距现在):")
    from zhiben import docs as catalog
    from zhiben.dbt import DbtError

    try:
        fresh = catalog.source_freshness(paths.served)
    except (catalog.NoBuildError, DbtError) as exc:
        typer.echo(f"警告: 无法检查数据新鲜度: {exc}", err=True)
        fresh, stale = [], ["?"]
    else:
        for f in fresh:
            age = f"{f.age_days:.0f} 天前" if f.age_days is not None else "无数据"
            flag = {"warn": "  ⚠ 过期 (stale, warn)", "pass": ""}.get(
                f.status, f"  ⚠ 过期 (stale, {f.status})"
            )
            typer.echo(
                f"  {f.extract:<12} {f.max_loaded_at or '-':<26} {age:>8}  "
                f"(警告 {f.warn_after} / 错误 {f.error_after}){flag}"
            )
        stale = [f.extract for f in fresh if f.is_stale]
        if stale:
            typer.echo(f"警告: {len(stale)} 个数据源过期: {', '.join(stale)}", err=True)
    last_run = all_runs[-1]
    if last_run.get("status") in ("failed", "interrupted"):
        typer.echo(
            f"警告: 最近一次构建 {last_run['status']} — 应用仍在使用上一次成功的构建", err=True
        )
    if check and (stale or last_run.get("status") in ("failed", "interrupted")):
        raise typer.Exit(1)


@app.command()
def docs(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    port: Annotated[int, typer.Option(help="端口 (仅监听 127.0.0.1)")] = 8580,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="生成后启动只读的本机网页服务")
    ] = True,
    regenerate: Annotated[
        bool, typer.Option("--regenerate", help="即使目录已是最新也重新生成")
    ] = False,
) -> None:
    """数据目录 (dbt docs): 最近一次成功构建的模型、字段说明与血缘, 写入仓库旁的 catalog/ 并在本机提供只读网页."""
    from zhiben import docs as catalog
    from zhiben.dbt import DbtError

    apply_offline_env()
    served = Path(warehouse).resolve()
    try:
        if regenerate or not catalog.site_is_current(served):
            t0 = time.perf_counter()
            typer.echo("生成数据目录 (dbt docs generate) …")
            catalog.generate(served)
            typer.echo(f"完成 {time.perf_counter() - t0:.1f} s")
    except (catalog.NoBuildError, DbtError) as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(1) from None
    site = catalog.catalog_dir(served)
    typer.echo(f"数据目录 → {site / 'index.html'}")
    if serve:
        try:
            catalog.serve(site, port)
        except OSError as exc:  # e.g. the port is taken
            typer.echo(f"错误: 无法在 127.0.0.1:{port} 提供服务 ({exc}); 换一个 --port", err=True)
            raise typer.Exit(1) from None


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
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        cmd.append("--allow-root")
    os.chdir(PROJECT_DIR / "notebooks")
    if os.name == "posix":  # become JupyterLab: signals reach it, no orphaned server on exit
        os.execve(sys.executable, cmd, env)
    raise typer.Exit(subprocess.call(cmd, env=env))


user_app = typer.Typer(
    help="应用账户 (绑定非本机地址时需要登录): add / list / remove。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", help="领导 (看全部) 或 unit (本单位明细)")],
    unit: Annotated[str | None, typer.Option("--unit", help="unit 账户的单位代码, 如 U03")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码 (一行)")
    ] = False,
    replace: Annotated[bool, typer.Option("--replace", help="已存在时重设")] = False,
) -> None:
    """创建账户 (密码加盐 scrypt 哈希, 存于 $ZHIBEN_ACCOUNTS 或 ~/.config/zhiben/accounts.toml)."""
    from zhiben import auth

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    try:
        account = auth.add_user(name, password, role, unit, replace=replace)
    except auth.AuthError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"已保存账户 {account.label} → {auth.accounts_path()}")


@user_app.command("list")
def user_list() -> None:
    """列出账户 (不显示密码)."""
    from zhiben import auth

    users = auth.list_users()
    if not users:
        typer.echo(f"没有账户 ({auth.accounts_path()})")
    for u in users:
        typer.echo(u.label)


@user_app.command("remove")
def user_remove(name: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """删除账户."""
    from zhiben import auth

    if not auth.remove_user(name):
        typer.echo(f"错误: 没有此用户: {name}", err=True)
        raise typer.Exit(1)
    typer.echo(f"已删除 {name}")


@app.command()
def report(
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            "-q",
            help="考评季度 YYYYQn, 例如 2026Q3 (默认: 数据截止日前最后一个完整季度)",
        ),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            "-m",
            help="月调度通报的月份 YYYY-MM, 例如 2026-11 (与 --quarter 二选一; 未结束的月份标注“暂定”)",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="docx (Word 通报) | xlsx (工作簿) | pdf (由 Word 通报转换, 需 LibreOffice) | "
            "both (= docx + xlsx) | all (三种); 可用逗号组合, 例如 docx,pdf",
        ),
    ] = "both",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="输出文件 (默认 通报-<季度>.xlsx / .docx / .pdf, 月调度通报-<月份>.*; 多种格式时按扩展名各写一份)",
        ),
    ] = None,
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
) -> None:
    """导出通报. 季度通报 (--quarter, 默认最后一个完整季度): Word 晾晒通报 (docx, GB/T 9704 公文格式) 与工作簿
    (xlsx: 晾晒考评排名、得分明细、重大隐患台账、零处罚单位、目标进展、考评办法). 月调度通报 (--month YYYY-MM):
    Word 通报 (总体情况、各镇街情况与近 12 个月走势图、较上月恶化的镇街、逾期重大隐患) 与工作簿 (各镇街本月数字及
    环比、同比). pdf 由 Word 通报经 LibreOffice 转换. 未结束的季度或月份标注“暂定，截至某月某日”."""
    from zhiben.report import write_monthly, write_quarterly

    if quarter is not None and month is not None:
        typer.echo("错误: --quarter 与 --month 只能指定一个 (季度通报或月调度通报)", err=True)
        raise typer.Exit(2)
    try:
        if month is not None:
            paths = write_monthly(month, fmt, out, warehouse=warehouse)
        else:
            paths = write_quarterly(quarter, fmt, out, warehouse=warehouse)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(1) from None
    for path in paths:
        typer.echo(f"已生成通报 → {path}")


@app.command()
def closeout(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="docx (Word 文档) | pdf (由 Word 文档转换, 需 LibreOffice) | docx,pdf | all",
        ),
    ] = "docx",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="输出文件 (默认 三年行动总结评估-<数据截止日>.docx / .pdf)",
        ),
    ] = None,
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
) -> None:
    """三年行动总结评估 (截至数据截止日): 每项目标 (T1 起) 的最终状态及判定依据 (决定状态的节点、应达值与实际值),
    每项方案任务的完成状态, 三年趋势 (事故起数、死亡人数、重大隐患, 附图),
    三年综合排名 (各季度考评得分的平均, 与季度排名同一规则), 逾期事项最多的镇街和部门.
    Word 公文格式 (GB/T 9704), 可转 PDF."""
    from zhiben.report import write_closeout

    try:
        paths = write_closeout(fmt, out, warehouse=warehouse)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(1) from None
    for path in paths:
        typer.echo(f"已生成总结评估 → {path}")


@app.command()
def rank(
    quarter: Annotated[str, typer.Option("--quarter", "-q", help="考评季度 YYYYQn")],
    weights: Annotated[
        Path, typer.Option("--weights", help="权重 CSV: indicator_id,weight (I1 … I7)")
    ],
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
) -> None:
    """按另一组权重重新计算总分与排名 (不重建仓库), 显示原排名、新排名与变化."""
    from zhiben.report.rank import load_weights, quarter_evaluation, render_rerank, rerank

    try:
        new_weights = load_weights(weights)
        result = rerank(quarter_evaluation(quarter, path=warehouse), new_weights)
    except (ValueError, FileNotFoundError, OSError) as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("\n".join(render_rerank(quarter, new_weights, result)))


if __name__ == "__main__":
    app()
