"""Helpers the viewer tests share: read a page the way a browser would, post forms and beacons."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from starlette.testclient import TestClient

SECRET = "test-secret-for-the-viewer-only-0123456789"
_TOKEN = re.compile(r'data-token="([^"]+)"')
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def visit_token(response) -> str:
    match = _TOKEN.search(response.text)
    assert match, f"no viewer in the page (status {response.status_code}): {response.text[:300]}"
    return html.unescape(match.group(1))


def csrf_of(response) -> str:
    match = _CSRF.search(response.text)
    assert match, "no form in the page"
    return html.unescape(match.group(1))


@dataclass
class Visitor:
    client: TestClient

    def open(self, path: str):
        return self.client.get(path)

    def token(self, path: str) -> str:
        return visit_token(self.client.get(path))

    def submit(self, form_page_path: str, action: str, **fields):
        form = self.client.get(form_page_path)
        return self.client.post(action, data={"csrf": csrf_of(form), **fields})

    def beacon(self, token: str, *events: tuple[str, int, float], raw: dict | None = None):
        body = raw if raw is not None else {"t": token, "e": [{"k": k, "p": p, "s": s} for k, p, s in events]}
        return self.client.post("/view/beacon", content=json.dumps(body), headers={"content-type": "application/json"})
