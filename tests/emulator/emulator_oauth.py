"""Drive the emulator's login page like a browser would (HTML form in, redirect out)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

REDIRECT_URI = "http://localhost:7171/OauthRedirect"
CLIENT_ID = "docsend-desktop"


def make_verifier() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class LoginForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method: str | None = None
        self.inputs: list[str] = []
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.action, self.method = attributes.get("action"), attributes.get("method")
        elif tag == "input":
            self.inputs.append(attributes.get("name"))
        elif attributes.get("id") == "error":
            self._in_error = True

    def handle_data(self, data):
        if self._in_error:
            self.error = (self.error or "") + data

    def handle_endtag(self, tag):
        self._in_error = False


def authorize_url(base_url: str, challenge: str | None, *, client_id: str = CLIENT_ID,
                  redirect_uri: str = REDIRECT_URI, state: str = "st4te", **extra: str) -> str:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "scope": "api refresh_token", "state": state, **extra}
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    return f"{base_url}/services/oauth2/authorize?{urlencode(params)}"


def submit_login(session: requests.Session, url: str, username: str = "rep@example.com",
                 password: str = "demo") -> requests.Response:
    """GET the login page, fill the form, POST it; returns the (unfollowed) answer."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text
    form = LoginForm()
    form.feed(page.text)
    assert form.method.lower() == "post" and {"username", "password"} <= set(form.inputs)
    return session.post(urljoin(url, form.action), data={"username": username, "password": password},
                        allow_redirects=False, timeout=10)


def login_code(session: requests.Session, base_url: str, challenge: str, *, username: str = "rep@example.com",
               password: str = "demo", **kwargs) -> dict[str, str]:
    """The query parameters of the redirect after a successful login (code, state)."""
    answer = submit_login(session, authorize_url(base_url, challenge, **kwargs), username, password)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(kwargs.get("redirect_uri", REDIRECT_URI))
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def exchange(session: requests.Session, base_url: str, code: str, verifier: str | None, *,
             client_id: str = CLIENT_ID, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "client_id": client_id, "redirect_uri": redirect_uri}
    if verifier is not None:
        data["code_verifier"] = verifier
    return session.post(f"{base_url}/services/oauth2/token", data=data, timeout=10)
