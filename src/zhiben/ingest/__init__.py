"""zhiben.ingest — read, validate (great-expectations) and land a raw drop (SPEC §3, §9).

    ingest(raw_dir, build_db, *, seeds_dir, salt, as_of=None, progress=print, lake_dir=None,
           full_refresh=False) -> IngestResult

keeps the lake (one Parquet entry per input file, zhiben.ingest.lake; only new or changed files are
read) and writes schema `raw` of the build file: `raw.<extract>` (views over the lake),
`raw.quarantine`, `raw.load_reconciliation`, `raw.build_info`, `raw.lake_*` (docs/ARCHITECTURE.md,
"The lake and the raw relations"). A file that cannot be read as a whole raises
:class:`ExtractFileError` before anything is written to the build file.
"""

from zhiben.ingest.pipeline import FileCount, IngestResult, ingest
from zhiben.ingest.read import ExtractFileError

__all__ = ["ExtractFileError", "FileCount", "IngestResult", "ingest"]
