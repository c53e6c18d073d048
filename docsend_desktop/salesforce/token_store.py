"""The refresh token in the OS keychain (keyring), under a service name per profile (data dir).

The demo's data dir and a real one therefore never share a grant. Nothing else is stored there; the
access token lives only in memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from ..redaction import register_secret

_ENTRY = "salesforce-refresh-token"


class KeychainUnavailable(Exception):
    """No usable keychain: sign-in works for this session but won't be remembered."""


def service_name(data_dir: Path) -> str:
    profile = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"DocSend Desktop ({profile})"


class TokenStore:
    def __init__(self, data_dir: Path) -> None:
        self.service = service_name(data_dir)

    def load(self) -> str | None:
        try:
            token = keyring.get_password(self.service, _ENTRY)
        except KeyringError as exc:
            raise KeychainUnavailable(_why(exc)) from None
        register_secret(token)
        return token

    def save(self, refresh_token: str) -> None:
        try:
            keyring.set_password(self.service, _ENTRY, refresh_token)
        except KeyringError as exc:
            raise KeychainUnavailable(_why(exc)) from None

    def delete(self) -> None:
        try:
            keyring.delete_password(self.service, _ENTRY)
        except PasswordDeleteError:
            pass  # nothing stored
        except KeyringError as exc:
            raise KeychainUnavailable(_why(exc)) from None


def _why(exc: Exception) -> str:
    first = str(exc).split(". ")[0].splitlines()[0] if str(exc) else "unavailable"
    return f"no usable keychain ({type(exc).__name__}: {first})"
