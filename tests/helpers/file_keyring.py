"""A keychain in a JSON file, for CLI subprocesses in tests (select with PYTHON_KEYRING_BACKEND and
DOCSEND_TEST_KEYRING_FILE). Never used outside tests: it stores secrets in plain text."""

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["DOCSEND_TEST_KEYRING_FILE"])

    def _load(self) -> dict:
        return json.loads(self._path.read_text()) if self._path.exists() else {}

    def _save(self, data: dict) -> None:
        temp = self._path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps(data))
        temp.replace(self._path)

    def get_password(self, service, username):
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service}\n{username}"] = password
        self._save(data)

    def delete_password(self, service, username):
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(data)
