"""Link passcodes, stored as salted scrypt hashes and checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from ..errors import InputError

PASSCODE_MIN = 4
PASSCODE_MAX = 128
# scrypt parameters: ~16 MiB and tens of ms per check: cheap for one visitor, costly for a guesser.
_N, _R, _P = 2**14, 8, 1


def hash_passcode(passcode: str) -> str:
    if not (PASSCODE_MIN <= len(passcode) <= PASSCODE_MAX):
        raise InputError(f"passcode must be {PASSCODE_MIN} to {PASSCODE_MAX} characters")
    if passcode != passcode.strip():
        raise InputError("passcode must not start or end with spaces")
    salt = secrets.token_bytes(16)
    digest = _scrypt(passcode, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_passcode(passcode: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest + "==")
        actual = _scrypt(passcode[:PASSCODE_MAX], base64.urlsafe_b64decode(salt + "=="), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(passcode: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(passcode.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
