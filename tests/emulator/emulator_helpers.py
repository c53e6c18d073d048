"""Helpers for the emulator's tests: plain HTTP against the REST API and error-code extraction."""

from __future__ import annotations

import requests

from salesforce_emulator import Emulator

API_VERSION = "59.0"


class Api:
    """Plain HTTP against the REST API: ``api.get("query", params=...)`` -> requests.Response."""

    def __init__(self, emulator: Emulator, access_token: str) -> None:
        self.base = f"{emulator.base_url}/services/data/v{API_VERSION}/"
        self.session = emulator.requests_session()
        self.session.headers["Authorization"] = f"Bearer {access_token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("https://") else self.base + path
        return self.session.request(method, url, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def error_code(response: requests.Response) -> str:
    """The errorCode of a REST error answer (a JSON list of errors)."""
    body = response.json()
    assert isinstance(body, list), body
    return body[0]["errorCode"]
