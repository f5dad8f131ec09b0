"""The analysts' catalog (dbt docs) and dbt's source freshness, for the served warehouse.

Both read the build file of the last successful build (`.zhiben-build/build-<run id>.duckdb`,
kept beside the served file): dbt runs on a hard link of it named `build.duckdb` in
`.zhiben-build/readonly/` — the same catalog name (`build`) the build's own dbt used, one fixed
profile path (so consecutive runs parse partially) and its own target dir (a running build's
target dir is never touched). Neither writes to the data.

The catalog is the static site bundled with dbt-core (index.html, loading manifest.json and
catalog.json beside it; no remote script: the tracking snippet in index.html loads only when the
manifest says `send_anonymous_usage_stats`, which the offline environment turns off and
:func:`install_site` forces off). It is written to `<warehouse dir>/catalog/` and served
read-only on 127.0.0.1 by :func:`serve`; while it is served `catalog/.server.json` names its URL
(the app's sidebar links it)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhiben import history
from zhiben.children import child_env
from zhiben.dbt import DbtError, _common_args, dbt_executable
from zhiben.paths import PROJECT_DIR, WarehousePaths

SITE_FILES = ("index.html", "manifest.json", "catalog.json")
SERVER_MARKER = ".server.json"


class NoBuildError(RuntimeError):
    """There is no successful build whose build file is kept."""


def catalog_dir(served: Path) -> Path:
    return Path(served).resolve().parent / "catalog"


def last_build_file(paths: WarehousePaths) -> tuple[dict[str, Any], Path]:
    """(run record, kept build file) of the last successful build."""
    for run in reversed(history.read(paths.history_file)):
        if run.get("status") != "success":
            continue
        f = paths.work_dir / f"build-{run['run_id']}.duckdb"
        if f.exists():
            return run, f
        break
    raise NoBuildError(
        f"没有可用的成功构建文件 (no kept build file of a successful build) in {paths.work_dir}; "
        "先运行 `zhiben build`"
    )


@contextmanager
def _readonly_dbt(paths: WarehousePaths) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """(build.duckdb link, target dir, environment) for one dbt run on the last successful
    build's file (D of that build in the environment, as the build passed it); one such run per
    warehouse at a time (flock)."""
    run, kept = last_build_file(paths)
    work = paths.work_dir / "readonly"
    work.mkdir(parents=True, exist_ok=True)
    with open(work / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        link = work / "build.duckdb"
        for f in (link, link.with_name("build.duckdb.wal")):
            f.unlink(missing_ok=True)
        os.link(kept, link)
        try:
            yield link, work / "target", {"ZHIBEN_AS_OF_DATE": str(run.get("as_of_date") or "")}
        finally:
            link.unlink(missing_ok=True)
            link.with_name("build.duckdb.wal").unlink(missing_ok=True)


def _dbt(link: Path, target: Path, env: dict[str, str], args: list[str]):
    return subprocess.run(
        [dbt_executable(), *args, *_common_args(target, target.parent / "logs")],
        env=child_env(ZHIBEN_BUILD_DB=str(link), **env),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )


def _chinese_column_descriptions(manifest: dict[str, Any]) -> None:
    """Lead every column's description with its Chinese label (`meta.label` in the yml, the one
    place labels live), so the catalog describes each column in Chinese: '【检查次数】 …'."""
    for node in manifest.get("nodes", {}).values():
        for column in (node.get("columns") or {}).values():
            label = (column.get("meta") or {}).get("label")
            if label and not str(column.get("description", "")).startswith(f"【{label}】"):
                column["description"] = f"【{label}】 {column.get('description', '')}".rstrip()


def install_site(target_dir: Path, dest: Path) -> Path:
    """Copy index.html, manifest.json and catalog.json of a dbt target dir into `dest`
    (each file replaced atomically). The manifest's `send_anonymous_usage_stats` is forced off:
    with it on, index.html would load a tracking script from a CDN."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SITE_FILES:
        tmp = dest / f".{name}.tmp"
        if name == "manifest.json":
            manifest = json.loads((target_dir / name).read_text(encoding="utf-8"))
            manifest.setdefault("metadata", {})["send_anonymous_usage_stats"] = False
            _chinese_column_descriptions(manifest)
            tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        else:
            shutil.copyfile(target_dir / name, tmp)
        os.replace(tmp, dest / name)
    return dest


def generate(served: Path) -> Path:
    """Generate the catalog of the last successful build into `<warehouse dir>/catalog/`."""
    paths = WarehousePaths(Path(served).resolve())
    with _readonly_dbt(paths) as (link, target, env):
        # `parse` writes manifest.json (docs generate --no-compile does not); no compile: the
        # catalog shows each model's SQL as written (compiling every model took seconds more)
        proc = _dbt(link, target, env, ["parse"])
        if proc.returncode == 0:
            proc = _dbt(link, target, env, ["docs", "generate", "--no-compile"])
        if proc.returncode != 0:
            raise DbtError(
                f"dbt docs generate 失败 (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
            )
        return install_site(target, catalog_dir(paths.served))


def site_is_current(served: Path) -> bool:
    """The catalog exists and is not older than the last successful build's file."""
    paths = WarehousePaths(Path(served).resolve())
    d = catalog_dir(paths.served)
    try:
        _run, kept = last_build_file(paths)
        return all((d / n).stat().st_mtime >= kept.stat().st_mtime for n in SITE_FILES)
    except (NoBuildError, OSError):
        return False


# ------------------------------------------------------------------------------- serving


def serve(directory: Path, port: int, host: str = "127.0.0.1") -> None:
    """Serve `directory` read-only (GET/HEAD only) until interrupted; while serving, a marker
    file in it names the URL (for the app's sidebar)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # quiet
            pass

    handler = functools.partial(Handler, directory=str(directory))
    with ThreadingHTTPServer((host, port), handler) as httpd:
        url = f"http://{host}:{httpd.server_address[1]}/"
        marker = directory / SERVER_MARKER
        marker.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
        print(f"数据目录 (dbt docs) → {url}  (Ctrl+C 停止)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            marker.unlink(missing_ok=True)


def running_url(served: Path) -> str | None:
    """The URL of the catalog's server when one is running for this warehouse."""
    marker = catalog_dir(served) / SERVER_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        os.kill(int(info["pid"]), 0)
        return str(info["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------------------ freshness


@dataclass(frozen=True)
class SourceFreshness:
    extract: str
    status: str  # pass / warn / error / runtime error
    max_loaded_at: str | None
    age_days: float | None
    warn_after: str
    error_after: str

    @property
    def is_stale(self) -> bool:
        return self.status != "pass"


def _threshold(t: dict | None) -> str:
    if not t or not t.get("count"):
        return "-"
    return f"{t['count']} {t.get('period', '')}"


def source_freshness(served: Path) -> list[SourceFreshness]:
    """`dbt source freshness` of the raw extracts (thresholds: models/staging/raw/_raw__sources.yml)
    on the last successful build's file, measured against now (the database's clock)."""
    paths = WarehousePaths(Path(served).resolve())
    with _readonly_dbt(paths) as (link, target, env):
        out = target / "sources.json"
        out.unlink(missing_ok=True)
        proc = _dbt(link, target, env, ["source", "freshness"])
        if not out.exists():
            raise DbtError(
                f"dbt source freshness 失败 (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
            )
        results = json.loads(out.read_text(encoding="utf-8"))["results"]
    fresh = []
    for r in results:
        crit = r.get("criteria") or {}
        ago = r.get("max_loaded_at_time_ago_in_s")
        fresh.append(
            SourceFreshness(
                extract=r["unique_id"].rsplit(".", 1)[-1],
                status=r.get("status", "runtime error"),
                max_loaded_at=r.get("max_loaded_at"),
                age_days=ago / 86400 if ago is not None else None,
                warn_after=_threshold(crit.get("warn_after")),
                error_after=_threshold(crit.get("error_after")),
            )
        )
    return sorted(fresh, key=lambda f: f.extract)
