"""great-expectations in a child process (:func:`main`, started by :class:`GxWorker`).

Importing GX costs ~5 s of CPU; in a child it runs on the other core while the loader reads and
normalises the first files. Only the small dictionary frames (see
:func:`zhiben.ingest.suites.validate`) travel to it, pickled over a pipe; the rows never leave
the loader. Protocol: the child writes ``("ready", None)`` once GX is set up, then answers each
request ``(name, rules, frame)`` with ``("ok", failures)`` or ``("error", message)``; ``None``
ends it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import BinaryIO

import polars as pl

from zhiben.children import child_env, die_with_parent
from zhiben.ingest.suites import Rule, Validator


class GxWorker:
    """The parent's handle on the child; :meth:`run_suite` as :class:`Validator`'s."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from zhiben.ingest.gx_worker import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_env(),
            preexec_fn=die_with_parent,
        )
        self._ready = False

    def _receive(self):
        assert self._proc.stdout is not None
        try:
            kind, value = pickle.load(self._proc.stdout)
        except EOFError:
            code = self._proc.wait()
            raise RuntimeError(f"great-expectations worker exited ({code})") from None
        if kind == "error":
            raise RuntimeError(value)
        return value

    def wait_ready(self) -> None:
        if not self._ready:
            self._receive()
            self._ready = True

    def run_suite(
        self, name: str, rules: list[Rule], frame: pl.DataFrame
    ) -> list[tuple[int, list[int]]]:
        self.wait_ready()
        assert self._proc.stdin is not None
        pickle.dump((name, rules, frame), self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self._proc.stdin.flush()
        return self._receive()

    def __enter__(self) -> GxWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc.poll() is None:
            if not self._ready:  # e.g. a file was rejected before any validation
                self._proc.kill()
            else:
                assert self._proc.stdin is not None
                try:
                    pickle.dump(None, self._proc.stdin)
                    self._proc.stdin.close()
                except BrokenPipeError:
                    pass
        self._proc.wait()


def _send(out: BinaryIO, kind: str, value) -> None:
    pickle.dump((kind, value), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def main() -> None:
    # the protocol owns the real stdout; anything printed goes to stderr
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    # jsonschema's optional IRI format checker builds a parser at import (~1.7 s of the ~5 s GX
    # import); GX never checks that format here: import jsonschema without it
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    # GX probes for pyspark (installed for the Spark engine, SPEC §11); under `python -c`
    # pyspark.sql.connect takes this process for a doctest run and exits. GX validates pandas
    # frames here: it never needs Spark
    sys.modules.setdefault("pyspark", None)  # type: ignore[arg-type]
    try:
        validator = Validator()
    except Exception as e:  # noqa: BLE001 (reported to the parent)
        _send(out, "error", f"great-expectations could not start: {e!r}")
        return
    _send(out, "ready", None)
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        if request is None:
            return
        try:
            _send(out, "ok", validator.run_suite(*request))
        except Exception as e:  # noqa: BLE001 (reported to the parent)
            _send(out, "error", str(e))
