"""The single-builder lock: never two writers on one warehouse."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class BuildLocked(RuntimeError):
    """Another `zhiben build` holds the lock of this warehouse."""


@contextmanager
def build_lock(lock_file: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold an exclusive flock on `lock_file`; wait at most `wait_seconds` for it.

    flock is released by the kernel when the holder dies (kill -9 included), so a crashed build
    never leaves a stale lock behind."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                    raise BuildLocked(
                        f"另一个 zhiben build 正在运行 (pid {holder or '?'})，锁文件 {lock_file}; "
                        "another build holds the lock"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
