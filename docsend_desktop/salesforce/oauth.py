"""The OAuth 2.0 web-server flow with PKCE (S256) and a checked ``state``, over Authlib. Qt-free.

Used two ways: the window's embedded login (the web view intercepts the redirect) and the system browser
with a loopback listener (``loopback.py``). Facts: ../shared/SALESFORCE_NOTES.md, "OAuth 2.0 for a desktop app".
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from ..redaction import register_secret
from .errors import ConnectionFailed, SalesforceError, SignInRequired
from .http import CONNECT_TIMEOUT, READ_TIMEOUT

LOGIN_HOSTS = {"production": "https://login.salesforce.com", "sandbox": "https://test.salesforce.com"}
SCOPE = "api refresh_token"
DEFAULT_REDIRECT_PORT = 1717


def normalise_login_url(value: str) -> str:
    """``production``, ``sandbox`` or an https URL (My Domain, the emulator) → the base URL, no path."""
    value = value.strip()
    if value.lower() in LOGIN_HOSTS:
        return LOGIN_HOSTS[value.lower()]
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"login URL must be https://... or 'production'/'sandbox', not {value!r}")
    if parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValueError(f"login URL must be a bare host such as https://mydomain.my.salesforce.com, not {value!r}")
    return f"https://{parts.netloc}"


def redirect_uri_for(port: int) -> str:
    return f"http://localhost:{port}/OauthRedirect"


@dataclass
class Grant:
    """What a successful sign-in or refresh yields. Tokens stay in memory; see ``token_store`` for the keychain."""

    access_token: str
    refresh_token: str | None
    instance_url: str
    identity_url: str

    def __repr__(self) -> str:  # never print tokens, even by accident
        return f"Grant(instance_url={self.instance_url!r}, identity_url={self.identity_url!r})"


@dataclass(frozen=True)
class Identity:
    user_id: str
    org_id: str
    username: str
    display_name: str
    email: str


class AuthorizationFlow:
    """One sign-in attempt: the URL to open, then the redirect it comes back with."""

    def __init__(self, login_url: str, client_id: str, redirect_uri: str, session: requests.Session) -> None:
        self.login_url = normalise_login_url(login_url)
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self._verifier = generate_token(64)
        self.state = secrets.token_urlsafe(24)
        register_secret(self._verifier)
        register_secret(self.state)
        self._client = _oauth_client(client_id, session, redirect_uri=redirect_uri)

    def authorization_url(self) -> str:
        url, _ = self._client.create_authorization_url(
            f"{self.login_url}/services/oauth2/authorize", state=self.state, code_verifier=self._verifier,
        )
        return url

    def is_redirect(self, url: str) -> bool:
        """True for the callback URL (the embedded web view uses this to intercept it)."""
        want, got = urlsplit(self.redirect_uri), urlsplit(url)
        return (got.scheme, got.netloc, got.path) == (want.scheme, want.netloc, want.path)

    def complete(self, redirect_url: str) -> Grant:
        """Check the redirect's ``state`` and error, then exchange the code for tokens."""
        params = {k: v[-1] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        if not hmac.compare_digest(params.get("state", ""), self.state):
            raise SignInRequired("sign-in refused: the response's state doesn't match this sign-in (try again)")
        if "error" in params:
            reason = params.get("error_description") or params["error"]
            if params["error"] == "access_denied":
                raise SignInRequired(f"sign-in cancelled: access was denied ({reason})")
            raise SignInRequired(f"sign-in failed: {reason}")
        code = params.get("code")
        if not code:
            raise SignInRequired("sign-in failed: the redirect carried no authorization code")
        register_secret(code)
        token = _call(lambda: self._client.fetch_token(
            f"{self.login_url}/services/oauth2/token", grant_type="authorization_code", code=code,
            code_verifier=self._verifier, redirect_uri=self.redirect_uri,
        ))
        return _grant(token)


def refresh(login_url: str, client_id: str, refresh_token: str, session: requests.Session) -> Grant:
    """A new access token (and, where the org rotates them, a new refresh token)."""
    client = _oauth_client(client_id, session)
    token = _call(lambda: client.refresh_token(f"{normalise_login_url(login_url)}/services/oauth2/token",
                                               refresh_token=refresh_token))
    grant = _grant(token)
    if not grant.refresh_token:
        grant.refresh_token = refresh_token
    return grant


def revoke(login_url: str, token: str, session: requests.Session) -> bool:
    """Best effort: True when Salesforce confirmed."""
    try:
        response = session.post(f"{normalise_login_url(login_url)}/services/oauth2/revoke", data={"token": token})
    except requests.RequestException:
        return False
    return response.status_code == 200


def fetch_identity(grant: Grant, session: requests.Session) -> Identity:
    try:
        response = session.get(grant.identity_url, headers={"Authorization": f"Bearer {grant.access_token}"})
    except requests.exceptions.SSLError as exc:
        raise ConnectionFailed(f"TLS verification failed for {urlsplit(grant.identity_url).netloc}") from exc
    except requests.RequestException as exc:
        raise ConnectionFailed(f"can't reach {urlsplit(grant.identity_url).netloc}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise SalesforceError(f"identity service answered HTTP {response.status_code}", status=response.status_code)
    data = response.json()
    return Identity(data["user_id"], data["organization_id"], data["username"], data.get("display_name", ""),
                    data.get("email", ""))


class _VerifiedOAuth2Session(OAuth2Session):
    """Authlib's session, verifying with our bundle on every call (requests would let REQUESTS_CA_BUNDLE
    from the environment replace ``Session.verify``)."""

    def request(self, method, url, withhold_token=False, auth=None, **kwargs):
        kwargs["verify"] = self.verify
        return super().request(method, url, withhold_token=withhold_token, auth=auth, **kwargs)


def _oauth_client(client_id: str, session: requests.Session, redirect_uri: str | None = None) -> OAuth2Session:
    client = _VerifiedOAuth2Session(client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256",
                           token_endpoint_auth_method="none", default_timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    client.verify = session.verify
    client.hooks = session.hooks
    return client


def _call(fetch):
    try:
        return fetch()
    except OAuthError as exc:
        if exc.error in ("invalid_grant", "invalid_client_id", "invalid_client", "unsupported_grant_type"):
            raise SignInRequired(f"{exc.error}: {exc.description or 'refused by Salesforce'}", code=exc.error) from None
        raise SalesforceError(f"{exc.error}: {exc.description}", code=exc.error) from None
    except requests.exceptions.SSLError:
        raise ConnectionFailed("TLS verification failed (wrong host, or a CA that isn't trusted: see --ca-file)") \
            from None
    except requests.exceptions.ConnectionError as exc:
        raise ConnectionFailed(f"can't reach the login host ({_reason(exc)})") from None
    except requests.exceptions.Timeout:
        raise ConnectionFailed("the login host didn't answer in time") from None
    except ValueError as exc:  # a non-JSON answer: not a Salesforce login host
        raise ConnectionFailed(f"the login host's answer isn't an OAuth response ({exc})") from None


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Name or service not known", "Connection refused", "timed out", "No route to host"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _grant(token: dict) -> Grant:
    for key in ("access_token", "refresh_token"):
        register_secret(token.get(key))
    if "access_token" not in token or "instance_url" not in token:
        raise SalesforceError("the token response lacks access_token or instance_url")
    return Grant(token["access_token"], token.get("refresh_token"), token["instance_url"], token.get("id", ""))
