"""zhiben.ingest — read, validate (great-expectations) and land a raw drop (SPEC §3, §9).

    ingest(raw_dir, build_db, *, seeds_dir, salt, as_of=None, progress=print) -> IngestResult

writes schema `raw` of the build file: `raw.<extract>`, `raw.quarantine`,
`raw.load_reconciliation`, `raw.build_info` (docs/ARCHITECTURE.md). A file that cannot be read as a
whole raises :class:`ExtractFileError` before anything is written.
"""

from zhiben.ingest.pipeline import FileCount, IngestResult, ingest
from zhiben.ingest.read import ExtractFileError

__all__ = ["ExtractFileError", "FileCount", "IngestResult", "ingest"]
