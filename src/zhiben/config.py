"""Run-time configuration: the PII salt and offline / no-telemetry settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SALT_ENV = "ZHIBEN_PII_SALT"
SALT_FILE_ENV = "ZHIBEN_PII_SALT_FILE"
DEFAULT_SALT_FILE = Path.home() / ".config" / "zhiben" / "pii_salt"

#: environment that keeps dbt, Streamlit and great-expectations from calling home
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "STREAMLIT_SERVER_HEADLESS": "true",
}


def apply_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def pii_salt() -> str:
    """The salt for hashing ID numbers: the same across builds (people are counted across
    builds and years), kept outside the warehouse. From $ZHIBEN_PII_SALT, else from the salt
    file ($ZHIBEN_PII_SALT_FILE or ~/.config/zhiben/pii_salt), created on first use."""
    if os.environ.get(SALT_ENV):
        return os.environ[SALT_ENV]
    path = Path(os.environ.get(SALT_FILE_ENV, DEFAULT_SALT_FILE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
