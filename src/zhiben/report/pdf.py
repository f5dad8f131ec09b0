"""A Word 通报 as PDF: LibreOffice headless (`soffice --convert-to pdf`, Debian's
libreoffice-writer-nogui, which scripts/setup.sh installs when missing).

Each conversion runs with a private LibreOffice profile in a temporary folder (two conversions at
once, or a user's own LibreOffice, never share one: a shared profile makes the second wait or
fail) and a timeout, after which the whole process group is killed. The fonts the document names
(仿宋_GB2312, 方正小标宋简体 …) are substituted by fontconfig with the machine's CJK font
(fonts-wqy-microhei), which LibreOffice embeds in the PDF.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 180


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(
    docx: str | Path, pdf: str | Path | None = None, *, timeout: float = TIMEOUT_SECONDS
) -> Path:
    """Convert `docx` to `pdf` (default: beside it, .pdf) and return the PDF's path."""
    docx = Path(docx).resolve()
    pdf = Path(pdf) if pdf else docx.with_suffix(".pdf")
    binary = soffice()
    if binary is None:
        raise RuntimeError(
            "未安装 LibreOffice (soffice)，无法生成 PDF；请运行 scripts/setup.sh"
            " (Debian: libreoffice-writer-nogui) / LibreOffice is not installed"
        )
    with tempfile.TemporaryDirectory(prefix="zhiben-pdf-") as work:
        profile = Path(work, "profile")
        outdir = Path(work, "out")
        outdir.mkdir()
        cmd = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            str(docx),
        ]
        env = {**os.environ, "HOME": work}
        with subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: a timeout kills soffice.bin too
        ) as proc:
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise RuntimeError(
                    f"PDF 转换超时 ({timeout:.0f} 秒): {docx.name} / soffice timed out"
                ) from None
        made = outdir / f"{docx.stem}.pdf"
        if proc.returncode != 0 or not made.exists():
            tail = output.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(
                f"PDF 转换失败: {docx.name} (soffice exit {proc.returncode}): {' | '.join(tail)}"
            )
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), pdf)
    return pdf
