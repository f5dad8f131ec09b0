"""What the build's child processes (dbt, the great-expectations worker) share: an offline
environment, and dying with the build."""

from __future__ import annotations

import os

from zhiben.config import OFFLINE_ENV


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment with telemetry off, plus `extra`."""
    return {**os.environ, **OFFLINE_ENV, **extra}


def die_with_parent() -> None:
    """In a child (as `preexec_fn`): ask the kernel to SIGKILL it when the build process dies
    (kill -9 included), so a killed build never leaves a child writing on (Linux; a no-op
    elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig, sigkill = 1, 9
        libc.prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)
    except (OSError, AttributeError):
        pass
