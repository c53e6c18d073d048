"""HTML pages (Jinja2, autoescaped) and the two static assets, served from memory by name.

Static files are a fixed whitelist read from the package at start-up: no URL ever becomes a file path.
Their URLs carry a content hash, so browsers may cache them for a year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..clock import as_utc

_HERE = Path(__file__).parent
STATIC_FILES = {"viewer.js": "text/javascript; charset=utf-8", "viewer.css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class StaticAsset:
    body: bytes
    content_type: str
    version: str


def load_static_assets() -> dict[str, StaticAsset]:
    assets = {}
    for name, content_type in STATIC_FILES.items():
        body = (_HERE / "static" / name).read_bytes()
        assets[name] = StaticAsset(body, content_type, hashlib.sha256(body).hexdigest()[:12])
    return assets


class Pages:
    """Renders templates to responses; every page gets ``static_url`` and the product name."""

    def __init__(self, assets: dict[str, StaticAsset]) -> None:
        self._env = Environment(
            loader=FileSystemLoader(str(_HERE / "templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.globals["static_url"] = lambda name: f"/static/{name}?v={assets[name].version}"
        self._env.filters["duration"] = format_duration
        self._env.filters["when"] = format_when

    def render(self, template: str, status_code: int = 200, /, **context: Any) -> HTMLResponse:
        return HTMLResponse(self._env.get_template(template).render(**context), status_code=status_code)

    def message(self, status_code: int, title: str, text: str, /, **extra: Any) -> HTMLResponse:
        """A plain page that says one thing (gone, not found, too many tries, error)."""
        return self.render("message.html", status_code, title=title, text=text, **extra)


def static_response(assets: dict[str, StaticAsset], request: Request) -> Response:
    asset = assets.get(request.path_params.get("name", ""))
    if asset is None:
        return Response("not found", status_code=404, media_type="text/plain")
    headers = {"cache-control": "public, max-age=31536000, immutable", "etag": f'"{asset.version}"'}
    if request.headers.get("if-none-match") == f'"{asset.version}"':
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)


def format_when(value: datetime | None) -> str:
    """Stored UTC, shown in the local time zone of the machine running the viewer."""
    if value is None:
        return "—"
    return as_utc(value).astimezone().strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: float | None) -> str:
    """``1.5 s``, ``42 s``, ``3 min 5 s``, ``1 h 2 min``: readable at a glance."""
    if (seconds or 0) < 9.95:
        return f"{seconds or 0:.1f}".rstrip("0").rstrip(".") + " s"
    total = int(round(seconds or 0))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
