"""The connection: who we are signed in as (settings), the grant (keychain + memory), and its lifecycle.

States: not connected → connected → (refresh fails with invalid_grant) → sign-in required. In the last
state no call reaches the network until the user signs in again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ..store import settings
from . import oauth
from .errors import NotConnected, SignInRequired
from .http import ApiUsage, SalesforceHttpSession, ca_bundle_with
from .token_store import KeychainUnavailable, TokenStore

log = logging.getLogger(__name__)

CONNECTED = "connected"
SIGN_IN_REQUIRED = "sign_in_required"
_PREFIX = "salesforce."


@dataclass
class ConnectionInfo:
    """Everything about the connection that isn't secret; kept in the settings table."""

    login_url: str = ""
    client_id: str = ""
    instance_url: str = ""
    user_id: str = ""
    org_id: str = ""
    username: str = ""
    display_name: str = ""
    ca_file: str = ""
    state: str = ""
    remembered: str = ""  # "true" when the refresh token is in the keychain

    @classmethod
    def load(cls) -> ConnectionInfo:
        return cls(**{key: settings.get_internal(_PREFIX + key) for key in cls.__dataclass_fields__})

    def save(self) -> None:
        for key, value in asdict(self).items():
            settings.set_internal(_PREFIX + key, value)

    @staticmethod
    def clear() -> None:
        for key in ConnectionInfo.__dataclass_fields__:
            settings.delete_internal(_PREFIX + key)
        settings.delete_internal(_PREFIX + "api_usage")

    @property
    def connected(self) -> bool:
        return bool(self.instance_url)


def record_usage(usage: ApiUsage) -> None:
    settings.set_internal(_PREFIX + "api_usage", f"{usage.used}/{usage.max}")


def http_session(data_dir: Path, ca_file: Path | str | None, *, record: bool = True) -> SalesforceHttpSession:
    bundle = ca_bundle_with(Path(ca_file) if ca_file else None, data_dir / "tls")
    return SalesforceHttpSession(bundle, on_usage=record_usage if record else None)


@dataclass(frozen=True)
class SignInResult:
    identity: oauth.Identity
    remembered: bool
    warning: str | None


class SalesforceConnection:
    """A signed-in connection for the gateway: hands out the access token, refreshes it once on expiry."""

    def __init__(self, data_dir: Path, info: ConnectionInfo, session: SalesforceHttpSession,
                 refresh_token: str | None, access_token: str | None = None) -> None:
        self.data_dir = data_dir
        self.info = info
        self.session = session
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._lock = threading.Lock()

    @classmethod
    def open(cls, data_dir: Path, ca_file: Path | None = None) -> SalesforceConnection:
        """The stored connection; ``SignInRequired`` when there is none or its grant is gone."""
        info = ConnectionInfo.load()
        if not info.connected:
            raise NotConnected("not connected to Salesforce (run 'docsend-desktop connect')")
        if ca_file is not None and str(ca_file) != info.ca_file:
            info.ca_file = str(ca_file)  # a --ca-file given later is remembered too
            info.save()
        session = http_session(data_dir, info.ca_file or None)
        refresh_token = None
        if info.state != SIGN_IN_REQUIRED:
            try:
                refresh_token = TokenStore(data_dir).load()
            except KeychainUnavailable as exc:
                log.warning("can't read the keychain: %s", exc)
        return cls(data_dir, info, session, refresh_token)

    @property
    def sign_in_required(self) -> bool:
        return self.info.state == SIGN_IN_REQUIRED or not self._refresh_token and not self._access_token

    def access_token(self) -> str:
        with self._lock:
            if self._access_token is None:
                self._refresh_locked()
            return self._access_token

    def refresh(self, stale_token: str | None = None) -> str:
        """Refresh after a 401. Concurrent callers holding the same stale token share one refresh."""
        with self._lock:
            if stale_token is None or self._access_token == stale_token:
                self._refresh_locked()
            return self._access_token

    def _refresh_locked(self) -> None:
        if self.info.state == SIGN_IN_REQUIRED or not self._refresh_token:
            raise SignInRequired("Salesforce sign-in required")
        try:
            grant = oauth.refresh(self.info.login_url, self.info.client_id, self._refresh_token, self.session)
        except SignInRequired:
            self._mark_dead()
            raise
        self._access_token = grant.access_token
        if grant.refresh_token and grant.refresh_token != self._refresh_token:  # rotation
            self._refresh_token = grant.refresh_token
            if self.info.remembered == "true":
                try:
                    TokenStore(self.data_dir).save(grant.refresh_token)
                except KeychainUnavailable as exc:
                    log.warning("rotated refresh token kept for this session only: %s", exc)
        if grant.instance_url and grant.instance_url != self.info.instance_url:
            self.info.instance_url = grant.instance_url
            self.info.save()

    def _mark_dead(self) -> None:
        self._access_token = None
        self._refresh_token = None
        self.info.state = SIGN_IN_REQUIRED
        self.info.save()
        with contextlib.suppress(KeychainUnavailable):
            TokenStore(self.data_dir).delete()
        log.warning("Salesforce refused the stored grant; sign-in required")


def complete_sign_in(data_dir: Path, login_url: str, client_id: str, grant: oauth.Grant,
                     session: SalesforceHttpSession, ca_file: Path | None) -> tuple[SignInResult, SalesforceConnection]:
    """Store a fresh grant: identity into settings, the refresh token into the keychain."""
    identity = oauth.fetch_identity(grant, session)
    store = TokenStore(data_dir)
    remembered, warning = True, None
    try:
        store.save(grant.refresh_token or "")
    except KeychainUnavailable as exc:
        remembered = False
        warning = f"signed in for this session only: can't remember the sign-in ({exc})"
    info = ConnectionInfo(
        login_url=oauth.normalise_login_url(login_url), client_id=client_id, instance_url=grant.instance_url,
        user_id=identity.user_id, org_id=identity.org_id, username=identity.username,
        display_name=identity.display_name, ca_file=str(ca_file) if ca_file else "", state=CONNECTED,
        remembered="true" if remembered else "false",
    )
    info.save()
    connection = SalesforceConnection(data_dir, info, session, grant.refresh_token, grant.access_token)
    return SignInResult(identity, remembered, warning), connection


def disconnect(data_dir: Path) -> bool:
    """Revoke at Salesforce (best effort), forget the grant and the connection. True if revoked."""
    info = ConnectionInfo.load()
    store = TokenStore(data_dir)
    revoked = False
    try:
        token = store.load()
    except KeychainUnavailable:
        token = None
    if token and info.login_url:
        try:
            revoked = oauth.revoke(info.login_url, token, http_session(data_dir, info.ca_file or None, record=False))
        except ValueError:  # the remembered CA file is gone
            revoked = False
    with contextlib.suppress(KeychainUnavailable):
        store.delete()
    ConnectionInfo.clear()
    return revoked
