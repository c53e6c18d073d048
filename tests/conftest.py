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


# -- keychain and Salesforce ------------------------------------------------------------------------
import keyring  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.errors import PasswordDeleteError  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """An in-memory keychain: tests never touch (or prompt for) a real one."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def salesforce_server():
    from salesforce_emulator import Emulator

    with Emulator() as server:
        yield server


@pytest.fixture
def salesforce_org(salesforce_server):
    """The emulator, back at its seed state (rep@example.com, client docsend-desktop) for each test."""
    salesforce_server.admin.reset()
    return salesforce_server


@pytest.fixture
def connected(database, data_dir, salesforce_org):
    """A stored, live connection as rep@example.com (tokens issued without the browser step)."""
    from docsend_desktop.salesforce.connection import complete_sign_in, http_session
    from docsend_desktop.salesforce.oauth import Grant

    tokens = salesforce_org.admin.issue_tokens()
    grant = Grant(tokens["access_token"], tokens["refresh_token"], tokens["instance_url"], tokens["id"])
    ca = salesforce_org.ca_path
    _, connection = complete_sign_in(data_dir, salesforce_org.login_url, "docsend-desktop", grant,
                                     http_session(data_dir, ca), ca)
    return connection
