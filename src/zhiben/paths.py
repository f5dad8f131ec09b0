"""Where things are: the dbt project (the repo root) and the files of one warehouse."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: the dbt project lives at the repository root (dbt_project.yml, models/, seeds/ …)
PROJECT_DIR = Path(os.environ.get("ZHIBEN_PROJECT_DIR", Path(__file__).resolve().parents[2]))
SEEDS_DIR = PROJECT_DIR / "seeds"
DEFAULT_WAREHOUSE = PROJECT_DIR / "data" / "warehouse.duckdb"


@dataclass(frozen=True)
class WarehousePaths:
    """The served file and, beside it, the builder's private work folder (same filesystem, so
    the final `os.replace` is atomic)."""

    served: Path

    @property
    def work_dir(self) -> Path:
        return self.served.parent / ".zhiben-build"

    @property
    def build_file(self) -> Path:
        """The file a build lands into and dbt writes (the profile's path): one fixed name per
        warehouse, so dbt's profile is the same from build to build and dbt parses partially.
        Only the lock holder uses it; after dbt it is renamed `build-<run id>.duckdb`."""
        return self.work_dir / "build.duckdb"

    @property
    def lake_dir(self) -> Path:
        """The lake (zhiben.ingest.lake): one Parquet entry per input file, reused by builds."""
        return self.work_dir / "lake"

    @property
    def lock_file(self) -> Path:
        return self.work_dir / f"{self.served.name}.lock"

    @property
    def history_file(self) -> Path:
        return self.work_dir / f"{self.served.name}.runs.jsonl"

    @property
    def dbt_target_dir(self) -> Path:
        return self.work_dir / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.work_dir / "logs"
