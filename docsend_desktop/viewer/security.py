"""Request hygiene for a server that treats every request as hostile.

Security headers on every response (a strict CSP: no inline script or style, nothing from elsewhere),
bounded request bodies, CSRF tokens for forms (a random cookie plus an HMAC of it in the form, compared
in constant time), and cookie settings in one place.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # the slug must never leave in a Referer
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
FORM_BODY_MAX = 16 * 1024
BEACON_BODY_MAX = 4 * 1024
CSRF_COOKIE = "dsd_csrf"
CSRF_FIELD = "csrf"


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, and ``no-store`` to every HTML response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    headers = list(raw)
    present = {name.lower() for name, _ in headers}
    for name, value in SECURITY_HEADERS.items():
        if name.encode() not in present:
            headers.append((name.encode(), value.encode()))
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html") and b"cache-control" not in present:
        headers.append((b"cache-control", b"no-store"))
    return headers


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes whatever Content-Length claims."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class BadForm(Exception):
    pass


async def read_form(request: Request) -> dict[str, str]:
    """A small urlencoded form (the only kind our pages post); first value of each field wins."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise BadForm("unsupported form encoding")
    body = await read_body(request, FORM_BODY_MAX)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise BadForm("malformed form") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


class CsrfProtection:
    """Double-submit CSRF: a random cookie, and in each form an HMAC of it under the viewer's key."""

    def __init__(self, key: bytes, secure_cookies: bool) -> None:
        self._key = key
        self._secure = secure_cookies

    def token_for(self, request: Request, response_cookies: dict[str, str]) -> str:
        """The form token for this browser; creates its cookie (in ``response_cookies``) when missing."""
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not _plausible(cookie):
            cookie = response_cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
            response_cookies[CSRF_COOKIE] = cookie
        return self._mac(cookie)

    def is_valid(self, request: Request, form: Mapping[str, str]) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = form.get(CSRF_FIELD, "")
        if not _plausible(cookie) or not sent:
            return False
        return hmac.compare_digest(self._mac(cookie).encode(), sent.encode("utf-8", "replace"))

    def set_cookie(self, response: Response, value: str) -> None:
        set_cookie(response, CSRF_COOKIE, value, secure=self._secure, max_age=None)

    def _mac(self, cookie: str) -> str:
        return hmac.new(self._key, b"csrf\0" + cookie.encode(), hashlib.sha256).hexdigest()


def _plausible(cookie: str) -> bool:
    return 16 <= len(cookie) <= 64 and cookie.isascii()


def set_cookie(response: Response, name: str, value: str, *, secure: bool, max_age: int | None,
               path: str = "/", samesite: str = "lax") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=secure, httponly=True, samesite=samesite)


def delete_cookie(response: Response, name: str, *, secure: bool, path: str = "/") -> None:
    response.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="lax")


def client_address(request: Request) -> str:
    """The peer's address (uvicorn resolves X-Forwarded-For only from trusted proxies)."""
    return request.client.host if request.client else "unknown"
