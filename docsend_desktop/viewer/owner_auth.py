"""Owner sign-in: an owner password, or a one-time sign-in link the desktop app opens; then a session cookie.

The owner password is kept as a salted scrypt hash, one-time links as SHA-256 hashes of their tokens
(valid once, for ``SIGN_IN_TTL``); both in the settings table's private keys. A session is a signed
cookie scoped to ``/owner`` carrying the current *session epoch*: changing the password or signing out
everywhere bumps the epoch, which ends every session. A visitor's cookies never open an owner page.

For the desktop app::

    set_owner_password("correct horse battery")          # from the settings dialog
    url = create_owner_sign_in_url(clock, next_path=owner_path, base_url=server.url)
    QDesktopServices.openUrl(QUrl(url))                  # signs the browser in, once
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from ..clock import Clock
from ..content.passcodes import hash_passcode, verify_passcode
from ..content.urls import viewer_base_url
from ..errors import InputError
from ..store import settings
from ..store.database import write_transaction
from .context import ViewerContext
from .security import delete_cookie, set_cookie

PASSWORD_KEY = "viewer.owner_password"
SIGN_IN_TOKENS_KEY = "viewer.owner_sign_in_tokens"
EPOCH_KEY = "viewer.owner_session_epoch"
OWNER_COOKIE = "dsd_owner"
OWNER_COOKIE_PATH = "/owner"
PASSWORD_MIN = 8
PASSWORD_MAX = 128
SESSION_TTL = timedelta(hours=12)
SIGN_IN_TTL = timedelta(minutes=5)
MAX_PENDING_SIGN_INS = 20
_NEXT_PATH = re.compile(r"^/owner/[A-Za-z0-9/_-]{0,200}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def set_owner_password(password: str) -> None:
    """Set (or change) the owner password; signs out every owner session. ``InputError`` when too weak."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InputError(f"the owner password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    if password != password.strip():
        raise InputError("the owner password must not start or end with spaces")
    stored = hash_passcode(password)
    with write_transaction():
        settings.set_internal(PASSWORD_KEY, stored)
        _bump_epoch()


def clear_owner_password() -> None:
    """Password sign-in off (one-time links still work); signs out every owner session."""
    with write_transaction():
        settings.delete_internal(PASSWORD_KEY)
        _bump_epoch()


def has_owner_password() -> bool:
    return bool(settings.get_internal(PASSWORD_KEY))


def check_owner_password(password: str) -> bool:
    stored = settings.get_internal(PASSWORD_KEY)
    return bool(stored) and verify_passcode(password, stored)


def sign_out_everywhere() -> None:
    with write_transaction():
        _bump_epoch()


def create_owner_sign_in_url(clock: Clock, *, next_path: str = "/owner/", base_url: str | None = None) -> str:
    """A URL that signs a browser in as the owner once, within ``SIGN_IN_TTL``; only its hash is stored."""
    if not _NEXT_PATH.match(next_path):
        raise InputError(f"{next_path!r} is not an owner page path")
    token = secrets.token_urlsafe(32)
    now = clock.now().timestamp()
    with write_transaction():
        pending = [entry for entry in _pending_sign_ins() if entry["x"] > now][-(MAX_PENDING_SIGN_INS - 1):]
        pending.append({"h": _token_hash(token), "x": now + SIGN_IN_TTL.total_seconds()})
        settings.set_internal(SIGN_IN_TOKENS_KEY, json.dumps(pending))
    suffix = "" if next_path == "/owner/" else f"?next={next_path}"
    return f"{(base_url or viewer_base_url()).rstrip('/')}/owner/sign-in/{token}{suffix}"


def consume_sign_in_token(token: str, clock: Clock) -> bool:
    """True once for a genuine, unexpired token; it is spent whatever happens next."""
    if not _TOKEN.match(token):
        return False
    wanted = _token_hash(token)
    now = clock.now().timestamp()
    with write_transaction():
        pending = [entry for entry in _pending_sign_ins() if entry["x"] > now]
        match = next((e for e in pending if hmac.compare_digest(e["h"], wanted)), None)
        if match is not None:
            pending.remove(match)
        settings.set_internal(SIGN_IN_TOKENS_KEY, json.dumps(pending))
    return match is not None


def safe_next_path(text: str | None) -> str:
    return text if text and _NEXT_PATH.match(text) else "/owner/"


def is_owner(request: Request, ctx: ViewerContext) -> bool:
    """The request carries a live owner session (reads the session epoch: call from a worker thread)."""
    session = ctx.signed.loads("owner-session", request.cookies.get(OWNER_COOKIE), SESSION_TTL)
    return isinstance(session, dict) and hmac.compare_digest(str(session.get("ep", "")), _epoch())


def start_session(response: Response, ctx: ViewerContext) -> None:
    value = ctx.signed.dumps("owner-session", {"ep": _epoch(), "n": secrets.token_urlsafe(8)})
    set_cookie(response, OWNER_COOKIE, value, secure=ctx.secure_cookies, max_age=int(SESSION_TTL.total_seconds()),
               path=OWNER_COOKIE_PATH)


def end_session(response: Response, ctx: ViewerContext) -> None:
    delete_cookie(response, OWNER_COOKIE, secure=ctx.secure_cookies, path=OWNER_COOKIE_PATH)


def _pending_sign_ins() -> list[dict]:
    try:
        entries = json.loads(settings.get_internal(SIGN_IN_TOKENS_KEY, "[]"))
    except ValueError:
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("h"), str)
            and isinstance(e.get("x"), int | float)] if isinstance(entries, list) else []


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _epoch() -> str:
    return settings.get_or_create_internal(EPOCH_KEY, lambda: secrets.token_urlsafe(12))


def _bump_epoch() -> None:
    settings.set_internal(EPOCH_KEY, secrets.token_urlsafe(12))
