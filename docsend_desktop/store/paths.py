"""Where the data lives: one data dir per profile, from platformdirs unless overridden.

Nothing is created at import time; ``resolve_data_dir`` only computes, ``ensure_data_dir`` creates.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "DocSend Desktop"
DATA_DIR_ENV = "DOCSEND_DESKTOP_HOME"
DATABASE_FILE = "docsend.db"
DOCUMENTS_DIR = "documents"
BACKUPS_DIR = "backups"


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then the ``DOCSEND_DESKTOP_HOME`` environment variable, then platformdirs."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return user_data_path(APP_NAME, appauthor=False)


def ensure_data_dir(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DOCUMENTS_DIR).mkdir(exist_ok=True)
    return data_dir
