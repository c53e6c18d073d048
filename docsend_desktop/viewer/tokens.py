"""The viewer's secrets and the tokens it hands out: visit tokens, signed cookies, anonymous viewer ids.

A *visit token* is what a page load earns once the link's gates are passed: it binds the link, the
document and the visitor (email or anonymous viewer id). Beacons, page images and downloads carry it;
the server never takes a link, document or email from a request body. Tokens are encrypted and
authenticated (Fernet, AES-CBC + HMAC-SHA256, checked in constant time), so a visitor can't forge or
alter one, nor read the internal ids inside it.

Cookies (the remembered email, a passed passcode, the owner session) are signed with itsdangerous.
Every expiry follows the injected clock, so tests can jump time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from ..clock import Clock
from ..store import settings

SECRET_KEY = "viewer.secret"
VISIT_TOKEN_TTL = timedelta(hours=12)
MAX_TOKEN_CHARS = 1024
VIEWER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def load_or_create_secret() -> str:
    """The installation's viewer secret, generated on first use and kept in the settings table.

    It signs cookies and keys visit tokens; it is not a Salesforce credential. Changing it signs every
    visitor and the owner out. BEGIN IMMEDIATE makes two processes starting at once agree on one secret.
    """
    return settings.get_or_create_internal(SECRET_KEY, lambda: secrets.token_urlsafe(32))


def new_viewer_id() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


def derive_key(secret: str, purpose: str) -> bytes:
    """A separate 32-byte key per purpose, so no token kind can be replayed as another."""
    return hashlib.sha256(f"docsend-desktop viewer\0{purpose}\0{secret}".encode()).digest()


@dataclass(frozen=True)
class VisitGrant:
    """What a visit token proves: this visitor passed the gates of this link for this document."""

    link_id: int
    document_id: int
    email: str | None
    name: str
    viewer_id: str | None
    nonce: str  # one per page load: the beacon rate limit's key


class VisitTokens:
    def __init__(self, secret: str, clock: Clock, ttl: timedelta = VISIT_TOKEN_TTL) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret, "visit-token")))
        self._clock = clock
        self._ttl = int(ttl.total_seconds())

    def issue(self, link_id: int, document_id: int, *, email: str | None, name: str, viewer_id: str | None) -> str:
        payload = {"l": link_id, "d": document_id, "e": email, "n": name, "v": viewer_id,
                   "i": secrets.token_urlsafe(9)}
        data = json.dumps(payload, separators=(",", ":")).encode()
        return self._fernet.encrypt_at_time(data, int(self._clock.now().timestamp())).decode("ascii")

    def read(self, token: Any) -> VisitGrant | None:
        """The grant inside a genuine, unexpired token; ``None`` for anything else."""
        if not isinstance(token, str) or not (0 < len(token) <= MAX_TOKEN_CHARS) or not token.isascii():
            return None
        try:
            data = self._fernet.decrypt_at_time(token.encode("ascii"), self._ttl, int(self._clock.now().timestamp()))
            payload = json.loads(data)
            return VisitGrant(link_id=int(payload["l"]), document_id=int(payload["d"]), email=payload["e"],
                              name=payload["n"], viewer_id=payload["v"], nonce=payload["i"])
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None


class _ClockSigner(TimestampSigner):
    clock: Clock

    def get_timestamp(self) -> int:
        return int(self.clock.now().timestamp())


class SignedValues:
    """Sign and check small JSON values for cookies, with a purpose (salt) and a maximum age."""

    def __init__(self, secret: str, clock: Clock) -> None:
        self._signer = type("BoundClockSigner", (_ClockSigner,), {"clock": clock})
        self._secret = secret

    def dumps(self, purpose: str, value: Any) -> str:
        return self._serializer(purpose).dumps(value)

    def loads(self, purpose: str, text: str | None, max_age: timedelta) -> Any | None:
        if not text or len(text) > 2048:
            return None
        try:
            return self._serializer(purpose).loads(text, max_age=int(max_age.total_seconds()))
        except (BadSignature, ValueError, TypeError):
            return None

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=f"docsend-desktop {purpose}", signer=self._signer)
