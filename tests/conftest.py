"""Shared fixtures: a temporary data dir and database per test, an injected clock, sample PDFs.

Qt runs on the offscreen platform; no test touches the user's real data dir or keychain.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from docsend_desktop.clock import FakeClock  # noqa: E402
from docsend_desktop.content.sample_pdf import make_pdf  # noqa: E402
from docsend_desktop.store.database import close_database, open_database  # noqa: E402
from docsend_desktop.store.paths import DATA_DIR_ENV, ensure_data_dir  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point the default data dir somewhere disposable so a forgotten --data-dir can't hit real data."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path_factory.mktemp("default-home")))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return ensure_data_dir(tmp_path / "data")


@pytest.fixture
def database(data_dir):
    database = open_database(data_dir)
    yield database
    close_database()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pdf_file(tmp_path):
    """``pdf_file(title, pages)`` writes a real PDF and returns its path."""

    def make(title: str = "Deck", pages: int = 3, name: str | None = None) -> Path:
        path = tmp_path / (name or f"{title}.pdf")
        path.write_bytes(make_pdf(title, pages))
        return path

    return make
