"""The lake (SPEC §11): one entry per input file, reused while the file and the loader are unchanged.

An entry ``<lake>/<extract>/<key>/`` holds what depends on that one file only:

- ``rows.parquet``: every row read (quarantined ones too), its landed columns (as the build file's
  raw tables had them: typed, PII hashed with the salt or dropped) in landed order, then the
  loader's own columns, prefixed ``_lk_``: ``_lk_row`` (0-based position in the file),
  ``_lk_reason`` (the reader's reason for a row it could not read), ``_lk_pii`` (a salted hash of
  the dropped PII values: rows that differ only there must not fold), and what the whole-extract
  rules read beyond the landed columns (the text of event dates, the credit codes' check);
- ``failures.parquet``: the row-wise rules' failures of the file (``_lk_row``, ``_rule`` — the
  rule's position in the suite —, ``column_name``, ``reason_code``, ``value``);
- ``meta.json``: the file, its rows, encoding and the reader's warnings.

The key hashes the file's relative path, its content and the fingerprints of the loader (the
contract and the code that reads, normalises and checks), the salt and the seeds: any change of
them gives other keys, so a changed contract / salt / seed invalidates every entry. Entries no file
of the last build uses are pruned (:func:`prune`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

#: bump when an entry's layout changes
LAKE_FORMAT = 1
#: the loader's modules whose code decides an entry's contents
_CODE = (
    "contract.py",
    "ingest/read.py",
    "ingest/normalise.py",
    "ingest/checks.py",
    "ingest/suites.py",
    "ingest/refdata.py",
    "ingest/land.py",
    "ingest/lake.py",
    "ingest/pipeline.py",
    "ingest/sources.py",
)
ROWS = "rows.parquet"
FAILURES = "failures.parquet"
META = "meta.json"

FAILURES_SCHEMA = {
    "_lk_row": pl.Int64,
    "_rule": pl.Int32,
    "column_name": pl.String,
    "reason_code": pl.String,
    "value": pl.String,
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(seeds_dir: Path, salt: str) -> str:
    """The loader's, the salt's and the seeds' fingerprint (one hash)."""
    pkg = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(
        f"lake {LAKE_FORMAT} polars {pl.__version__} duckdb {duckdb.__version__}".encode()
    )
    for rel in _CODE:
        h.update(rel.encode() + b"\0" + (pkg / rel).read_bytes())
    h.update(b"salt\0" + _sha(salt.encode()).encode())
    from zhiben.ingest.sources import sources_dir  # the mappings decide an entry's rows too

    for mapping in sorted(sources_dir().glob("*.yml")):
        h.update(b"mapping\0" + mapping.name.encode() + b"\0" + mapping.read_bytes())
    for seed in sorted(Path(seeds_dir).glob("*.csv")):
        h.update(seed.name.encode() + b"\0" + seed.read_bytes())
    return h.hexdigest()


def file_hash(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def entry_key(rel: str, content_hash: str, fp: str) -> str:
    """40 letters a–p (the hex digits of a sha256, shifted): no run of digits in a path that the
    build file records could ever read as an ID or a phone number."""
    hexed = _sha(f"{rel}\0{content_hash}\0{fp}".encode())[:40]
    return hexed.translate(_LETTERS)


_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


@dataclass
class Entry:
    """One input file's place in the lake."""

    extract: str
    path: Path  # the input file
    rel: str  # relative to the raw dir
    dir: Path  # the entry's folder
    reused: bool = False
    rows: int = 0
    encoding: str = ""
    warnings: tuple[str, ...] = ()
    #: a file of a mapped source system: contract column → the file's own column name
    own_names: dict[str, str] = field(default_factory=dict)

    @property
    def rows_file(self) -> Path:
        return self.dir / ROWS

    @property
    def failures_file(self) -> Path:
        return self.dir / FAILURES

    def load_meta(self) -> bool:
        """Read meta.json of a complete entry; False when there is none."""
        try:
            meta = json.loads((self.dir / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if meta.get("file") != self.rel or not self.rows_file.exists():
            return False
        self.rows = int(meta["rows"])
        self.encoding = meta["encoding"]
        self.warnings = tuple(meta["warnings"])
        self.own_names = dict(meta.get("own_names", {}))
        return True


def plan(
    lake_dir: Path, found: dict[str, list[tuple[Path, str]]], fp: str
) -> dict[str, list[Entry]]:
    """Per extract, the entries of the drop's files (sorted path order), `reused` where the lake
    holds a complete one."""
    out: dict[str, list[Entry]] = {}
    for extract, files in found.items():
        entries = []
        for path, rel in files:
            key = entry_key(rel, file_hash(path), fp)
            e = Entry(extract, path, rel, lake_dir / extract / key)
            e.reused = e.load_meta()
            entries.append(e)
        out[extract] = entries
    return out


def write_entry(entry: Entry, rows: pl.DataFrame, failures: pl.DataFrame) -> None:
    """Write an entry atomically: into a temporary folder, renamed into place when complete."""
    tmp = entry.dir.with_name(f".{entry.dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    write_parquet(rows, tmp / ROWS)
    write_parquet(
        failures.select([pl.col(k).cast(v) for k, v in FAILURES_SCHEMA.items()]), tmp / FAILURES
    )
    meta = {
        "file": entry.rel,
        "rows": entry.rows,
        "encoding": entry.encoding,
        "warnings": list(entry.warnings),
        "own_names": entry.own_names,
    }
    (tmp / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(entry.dir, ignore_errors=True)
    os.replace(tmp, entry.dir)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """pyarrow's writer (it raises OSError on a full disk), then the footer read back: an entry is
    never committed incomplete."""
    import pyarrow.parquet as pq

    pq.write_table(frame.to_arrow(), path, compression="zstd")
    try:
        ok = pq.read_metadata(path).num_rows == frame.height
    except Exception:  # noqa: BLE001 (a truncated file: its footer cannot be read)
        ok = False
    if not ok:
        raise OSError(errno.ENOSPC, f"No space left on device? lake file {path} is incomplete")


def prune(lake_dir: Path, keep: set[Path]) -> int:
    """Remove the entries (and leftovers of interrupted writes) not in `keep`; return how many."""
    removed = 0
    if not lake_dir.is_dir():
        return 0
    keep = {p.resolve() for p in keep}
    for extract_dir in lake_dir.iterdir():
        if not extract_dir.is_dir() or extract_dir.name.startswith("_"):  # _schema: the views'
            continue
        for d in extract_dir.iterdir():
            if d.resolve() not in keep:
                shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
                removed += 1
    return removed


def size_bytes(lake_dir: Path) -> int:
    if not lake_dir.is_dir():
        return 0
    return sum(p.stat().st_size for p in lake_dir.rglob("*") if p.is_file())
