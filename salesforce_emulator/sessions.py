"""OAuth state: connected-app clients, user credentials, authorization codes and tokens.

Access tokens expire after ``access_token_ttl`` seconds without use (Salesforce's session
timeout); refresh tokens live until revoked (or ``refresh_token_ttl`` idle seconds).  Codes are
single-use and live ten minutes.  All times come from the emulator's clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from .clock import Clock
from .errors import OAuthError
from .settings import Settings
from .store import Store

CODE_LIFETIME_SECONDS = 600
DEFAULT_SCOPES = ("api", "refresh_token")
_REFRESH_SCOPES = frozenset({"refresh_token", "offline_access", "full"})


@dataclass(frozen=True)
class Client:
    client_id: str
    redirect_uris: tuple[str, ...]
    secret: str | None = None
    require_pkce: bool = True
    name: str = ""

    @classmethod
    def from_json(cls, data: dict) -> Client:
        if not isinstance(data, dict) or not isinstance(data.get("client_id"), str) or not data["client_id"]:
            raise ValueError("a client needs a client_id")
        uris = data.get("redirect_uris", [])
        if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
            raise ValueError("redirect_uris is a list of URLs")
        return cls(data["client_id"], tuple(uris), data.get("client_secret"), bool(data.get("require_pkce", True)),
                   data.get("name", data["client_id"]))

    def to_json(self) -> dict:
        return {"client_id": self.client_id, "redirect_uris": list(self.redirect_uris), "client_secret": self.secret,
                "require_pkce": self.require_pkce, "name": self.name}

    def allows_redirect(self, uri: str) -> bool:
        """Exact match, except that a registered ``http://localhost:*/path`` accepts any port."""
        for registered in self.redirect_uris:
            if uri == registered:
                return True
            if ":*/" in registered:
                wanted, actual = urlsplit(registered.replace(":*/", ":1/")), urlsplit(uri)
                try:
                    port = actual.port
                except ValueError:
                    continue
                if (actual.scheme, actual.hostname, actual.path, actual.query) == (
                        wanted.scheme, wanted.hostname, wanted.path, wanted.query) and port is not None:
                    return True
        return False


@dataclass(frozen=True)
class Session:
    """Who an access token speaks for."""

    user_id: str
    client_id: str
    scope: str


def pkce_challenge(verifier: str) -> str:
    """base64url(SHA-256(verifier)) without padding: the S256 code challenge."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _verifier_matches(verifier: object, challenge: str | None) -> bool:
    if not isinstance(verifier, str) or not verifier or challenge is None:
        return False
    return hmac.compare_digest(pkce_challenge(verifier), challenge)


def _password_hash(password: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


class Sessions:
    def __init__(self, store: Store, clock: Clock, settings: Settings, org_id: str) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.org_id = org_id
        self._last_used: dict[str, float] = {}  # token -> epoch seconds of last use (memory only)
        self._lock = threading.Lock()

    # -- clients and credentials ------------------------------------------------------------------

    def add_client(self, client: Client) -> None:
        self.store.put("client", client.client_id, client.to_json())

    def client(self, client_id: object) -> Client | None:
        data = self.store.get("client", client_id) if isinstance(client_id, str) else None
        return Client.from_json(data) if data else None

    def set_password(self, username: str, user_id: str, password: str) -> None:
        salt = secrets.token_hex(8)
        self.store.put("credential", username.lower(),
                       {"user_id": user_id, "salt": salt, "hash": _password_hash(password, salt)})

    def authenticate(self, username: object, password: object) -> str | None:
        """The user id for a username and password, or None."""
        if not isinstance(username, str) or not isinstance(password, str):
            return None
        data = self.store.get("credential", username.strip().lower())
        if not data:
            return None
        if not hmac.compare_digest(data["hash"], _password_hash(password, data["salt"])):
            return None
        return data["user_id"]

    # -- authorization codes --------------------------------------------------------------------

    def issue_code(self, client: Client, user_id: str, redirect_uri: str, challenge: str | None, scope: str) -> str:
        code = base64.b64encode(secrets.token_bytes(40)).decode("ascii")  # ends in "==", like Salesforce's
        self.store.put("code", code, {
            "client_id": client.client_id, "user_id": user_id, "redirect_uri": redirect_uri,
            "challenge": challenge, "scope": scope, "issued": self.clock.now().timestamp(), "used": False,
        })
        return code

    def redeem_code(self, client: Client, code: object, redirect_uri: object, verifier: object) -> dict:
        """Token data for a valid code; raise OAuthError as Salesforce answers."""
        data = self.store.get("code", code) if isinstance(code, str) else None
        if not data or data["client_id"] != client.client_id:
            raise OAuthError("invalid_grant", "invalid authorization code")
        if data["used"]:
            # A replayed code: revoke what it produced (RFC 6749 4.1.2).
            if data.get("refresh_token"):
                self.revoke(data["refresh_token"])
            raise OAuthError("invalid_grant", "invalid authorization code")
        if self.clock.now().timestamp() - data["issued"] > CODE_LIFETIME_SECONDS:
            raise OAuthError("invalid_grant", "expired authorization code")
        if redirect_uri != data["redirect_uri"]:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        pkce_used = data["challenge"] is not None or client.require_pkce
        if pkce_used and not _verifier_matches(verifier, data["challenge"]):
            raise OAuthError("invalid_grant", "invalid code verifier")
        tokens = self.issue_tokens(client.client_id, data["user_id"], data["scope"])
        self.store.put("code", code, dict(data, used=True, refresh_token=tokens.get("refresh_token")))
        return tokens

    # -- tokens ---------------------------------------------------------------------------------

    def issue_tokens(self, client_id: str, user_id: str, scope: str) -> dict:
        """A new access token, and a refresh token when the scope allows one."""
        scopes = scope.split() or list(DEFAULT_SCOPES)
        refresh_token = None
        if _REFRESH_SCOPES.intersection(scopes):
            refresh_token = "5Aep861" + secrets.token_urlsafe(64)
            self.store.put("refresh_token", refresh_token, {
                "client_id": client_id, "user_id": user_id, "scope": " ".join(scopes),
                "issued": self.clock.now().timestamp(),
            })
        access = self._issue_access(client_id, user_id, " ".join(scopes), refresh_token)
        result = {"access_token": access, "scope": " ".join(scopes), "user_id": user_id, "client_id": client_id}
        if refresh_token:
            result["refresh_token"] = refresh_token
        return result

    def _issue_access(self, client_id: str, user_id: str, scope: str, refresh_token: str | None) -> str:
        token = f"{self.org_id[:15]}!AQ8AQ{secrets.token_urlsafe(72)}"
        self.store.put("access_token", token, {
            "client_id": client_id, "user_id": user_id, "scope": scope, "refresh_token": refresh_token,
            "issued": self.clock.now().timestamp(),
        })
        return token

    def refresh(self, client: Client, refresh_token: object) -> dict:
        data = self.store.get("refresh_token", refresh_token) if isinstance(refresh_token, str) else None
        if not data or data["client_id"] != client.client_id or self._idle_expired(refresh_token, data,
                                                                                  self.settings.refresh_token_ttl):
            raise OAuthError("invalid_grant", "expired access/refresh token")
        now = self.clock.now().timestamp()
        with self._lock:
            self._last_used[refresh_token] = now
        if self.settings.rotate_refresh_tokens:
            self.store.delete("refresh_token", refresh_token)
            new_refresh = "5Aep861" + secrets.token_urlsafe(64)
            self.store.put("refresh_token", new_refresh, dict(data, issued=now))
            access = self._issue_access(client.client_id, data["user_id"], data["scope"], new_refresh)
            return {"access_token": access, "refresh_token": new_refresh, "scope": data["scope"],
                    "user_id": data["user_id"], "client_id": client.client_id}
        access = self._issue_access(client.client_id, data["user_id"], data["scope"], refresh_token)
        return {"access_token": access, "scope": data["scope"], "user_id": data["user_id"],
                "client_id": client.client_id}

    def _idle_expired(self, token: str, data: dict, ttl: float | None) -> bool:
        if ttl is None:
            return False
        with self._lock:
            last = self._last_used.get(token, data["issued"])
        return self.clock.now().timestamp() - last > ttl

    def session_for(self, access_token: str | None) -> Session | None:
        """The session of a live access token (and mark it used), or None."""
        data = self.store.get("access_token", access_token) if access_token else None
        if not data:
            return None
        if self._idle_expired(access_token, data, self.settings.access_token_ttl):
            return None
        with self._lock:
            self._last_used[access_token] = self.clock.now().timestamp()
        return Session(data["user_id"], data["client_id"], data["scope"])

    def revoke(self, token: object) -> bool:
        """Revoke an access token, or a refresh token and the access tokens it issued."""
        if not isinstance(token, str):
            return False
        if self.store.get("access_token", token):
            self.store.delete("access_token", token)
            return True
        if self.store.get("refresh_token", token):
            with self.store.atomic():
                self.store.delete("refresh_token", token)
                for access, data in self.store.documents("access_token").items():
                    if data.get("refresh_token") == token:
                        self.store.delete("access_token", access)
            return True
        return False

    def revoke_all(self) -> None:
        with self.store.atomic():
            self.store.clear_documents("access_token")
            self.store.clear_documents("refresh_token")
            self.store.clear_documents("code")
        with self._lock:
            self._last_used.clear()

    def signature(self, client: Client | None, identity_url: str, issued_at: str) -> str:
        key = (client.secret if client and client.secret else self.org_id).encode()
        digest = hmac.new(key, (identity_url + issued_at).encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")
