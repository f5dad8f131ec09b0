#!/usr/bin/env bash
# Installs everything zhiben needs on a fresh clone: the Python venv with all packages (uv, with
# compiled bytecode), and — for the browser tests and exported images — Debian's chromium and a
# CJK font; for the PDF 通报 (`--format pdf`) LibreOffice headless (libreoffice-writer-nogui: soffice)
# and poppler-utils (pdftoppm / pdftotext / pdffonts, which the document tests use); for the
# Spark engine, Debian's headless JRE when no `java` is on the PATH. Debian packages are installed
# only when missing. Idempotent; the Makefile runs it once per change of pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
    echo "==> 创建虚拟环境 .venv ($("$PYTHON" --version))"
    "$PYTHON" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
    echo "==> 安装 uv"
    .venv/bin/python -m pip install -q --disable-pip-version-check uv 2>&1 | grep -v "is ignored" || true
fi
echo "==> 安装 Python 依赖 (pyproject.toml)"
.venv/bin/uv pip install -q --python .venv/bin/python --compile-bytecode -c constraints.txt -e '.[dev]'

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need_apt+=(fonts-wqy-microhei)
command -v soffice >/dev/null || need_apt+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null && command -v pdffonts >/dev/null || need_apt+=(poppler-utils)
# Spark (zhiben build --engine spark, tests/test_spark.py) runs on Java 17+: Debian's headless JRE
command -v java >/dev/null || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    if [ -z "$SUDO" ] || command -v sudo >/dev/null; then
        echo "==> 安装 Debian 软件包: ${need_apt[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" fontconfig >/dev/null
    else
        echo "!! 需要 root 安装 ${need_apt[*]} (浏览器测试、中文字体、PDF 转换)" >&2
    fi
fi
echo "==> 环境就绪"
