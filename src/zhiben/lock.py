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
                    waited = f"，已等待 {wait_seconds:g} 秒" if wait_seconds > 0 else ""
                    raise BuildLocked(
                        f"另一个 zhiben build 正在运行 (pid {holder or '?'}){waited}，锁文件 "
                        f"{lock_file}; another build holds the lock — this one did nothing"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def holder(lock_file: Path) -> int | None:
    """The pid holding the build lock, or None when it is free — without taking the lock (a
    probe that took it, even shared, could make a starting build fail with exit 75).

    Linux: the flock entries of /proc/locks for the lock file's inode; elsewhere: the pid written
    in the lock file, if that process is alive."""
    try:
        st = os.stat(lock_file)
    except FileNotFoundError:
        return None
    try:
        text = Path("/proc/locks").read_text()
    except OSError:
        text = None
    if text is not None:
        want = (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
        for line in text.splitlines():
            # "1: FLOCK  ADVISORY  WRITE 9951 fe:00:2146464 0 EOF" (waiters: "1: -> FLOCK …")
            parts = line.split()
            if len(parts) < 6 or parts[1] != "FLOCK":
                continue
            try:
                major, minor, ino = parts[5].split(":")
                if (int(major, 16), int(minor, 16), int(ino)) == want:
                    return int(parts[4])
            except ValueError:
                continue
        return None
    try:
        pid = int(lock_file.read_text().strip() or 0)
        if pid:
            os.kill(pid, 0)
            return pid
    except (OSError, ValueError):
        pass
    return None
