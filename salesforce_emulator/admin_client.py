"""A small client for the admin API, over HTTPS with requests (what tests and the demo use)."""

from __future__ import annotations

from pathlib import Path

import requests


class AdminError(RuntimeError):
    """The admin API refused a call."""

    def __init__(self, status: int, body: object) -> None:
        super().__init__(f"admin API answered {status}: {body}")
        self.status = status
        self.body = body


class AdminClient:
    """Controls one running emulator: faults, settings, data, tokens, clock, reset."""

    def __init__(self, base_url: str, admin_token: str, ca_path: str | Path, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()
        # REQUESTS_CA_BUNDLE in the environment would override Session.verify (requests #3829).
        self._session.trust_env = False
        self._session.verify = str(ca_path)
        self._session.headers["Authorization"] = f"Bearer {admin_token}"
        self._timeout = timeout

    def close(self) -> None:
        self._session.close()

    def _call(self, method: str, path: str, payload: object = None, params: dict | None = None) -> dict:
        response = self._session.request(method, f"{self.base_url}/__emulator__/{path}", json=payload,
                                         params=params, timeout=self._timeout)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 300:
            raise AdminError(response.status_code, body)
        return body

    # -- settings and faults --------------------------------------------------------------------

    def state(self) -> dict:
        """base_url, org_id, default_user_id, settings, usage and the emulator's clock."""
        return self._call("GET", "state")

    def settings(self) -> dict:
        return self._call("GET", "settings")

    def configure(self, **changes: object) -> dict:
        """Change any setting: daily_api_limit, access_token_ttl, refresh_token_ttl, rotate_refresh_tokens,
        duplicate_rules, or the fault settings. Returns all settings."""
        return self._call("PATCH", "settings", changes)

    def set_faults(self, *, latency_ms: float | None = None, jitter_ms: float | None = None,
                   fail_rate: float | None = None, fail_status: int | None = None, fail_code: str | None = None,
                   drop_after_commit_rate: float | None = None) -> dict:
        """Switch faults on or off; arguments left as None keep their current value."""
        changes = {
            "latency_ms": latency_ms, "jitter_ms": jitter_ms, "fail_rate": fail_rate, "fail_status": fail_status,
            "fail_code": fail_code, "drop_after_commit_rate": drop_after_commit_rate,
        }
        return self.configure(**{name: value for name, value in changes.items() if value is not None})

    def clear_faults(self) -> dict:
        return self.configure(latency_ms=0, jitter_ms=0, fail_rate=0, drop_after_commit_rate=0)

    # -- state ----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the start-up state: seed data only, no tokens, no usage, start-up settings, real time."""
        self._call("POST", "reset")

    def revoke_all(self) -> None:
        """Revoke every access token, refresh token and pending authorization code."""
        self._call("POST", "revoke-all")

    def usage(self) -> dict:
        """{"used", "max", "remaining"} of the daily API allowance."""
        return self._call("GET", "usage")

    def reset_usage(self) -> dict:
        return self._call("DELETE", "usage")

    def issue_tokens(self, client_id: str = "docsend-desktop", username: str | None = None,
                     scope: str | None = None) -> dict:
        """A token pair as the token endpoint returns it (access_token, refresh_token, instance_url, id, ...),
        without a browser login. Default user: the first seeded user (rep@example.com)."""
        payload: dict = {"client_id": client_id}
        if username:
            payload["username"] = username
        if scope:
            payload["scope"] = scope
        return self._call("POST", "tokens", payload)

    def seed(self, records: dict[str, list[dict]]) -> dict:
        """Insert records in bulk, e.g. ``{"Account": [{"Name": "Acme", "ref": "acme"}],
        "Contact": [{"LastName": "Doe", "AccountId": "@acme"}]}``; validated like API writes, but system
        fields (CreatedDate, LastModifiedDate, Id...) may be set. Returns ``{"ids": {...}, "refs": {...}}``."""
        return self._call("POST", "seed", records)

    def records(self, sobject: str, include_deleted: bool = False) -> list[dict]:
        """Every record of an object, all fields, oldest first."""
        params = {"include_deleted": "true"} if include_deleted else None
        return self._call("GET", f"records/{sobject}", params=params)["records"]

    def advance_clock(self, seconds: float) -> str:
        """Move the emulator's clock forward (tokens, codes and date literals follow it)."""
        return self._call("POST", "clock", {"seconds": seconds})["now"]

    def now(self) -> str:
        return self._call("GET", "clock")["now"]

    def define_field(self, sobject: str, definition: dict) -> dict:
        """Add a custom field, e.g. ``{"name": "Key__c", "type": "string", "length": 80, "externalId": true}``."""
        return self._call("POST", f"fields/{sobject}", definition)

    def drop_field(self, sobject: str, name: str) -> None:
        self._call("DELETE", f"fields/{sobject}/{name}")

    def add_user(self, username: str, password: str, **fields: object) -> str:
        """Create a user who can log in; returns its id."""
        payload = {"Username": username, "password": password, "LastName": fields.pop("LastName", username),
                   "Email": fields.pop("Email", username), **fields}
        return self._call("POST", "users", payload)["id"]

    def add_client(self, client_id: str, redirect_uris: list[str], *, client_secret: str | None = None,
                   require_pkce: bool = True, name: str | None = None) -> dict:
        return self._call("POST", "clients", {"client_id": client_id, "redirect_uris": redirect_uris,
                                              "client_secret": client_secret, "require_pkce": require_pkce,
                                              "name": name or client_id})

    def requests(self) -> list[dict]:
        """The REST calls received (method, path, query, status, counted, injected, dropped), oldest first."""
        return self._call("GET", "requests")["requests"]

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")
