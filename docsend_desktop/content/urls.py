"""The URLs of DESIGN §3: the external link URL visitors open and the owner's internal URLs.

Both the viewer (which serves them) and the sync layer (which writes them into Tasks) use these.
"""

from __future__ import annotations

from ..store import settings


def viewer_base_url() -> str:
    public = settings.get("viewer.public_url")
    if public:
        return public
    host = settings.get("viewer.host")
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.get('viewer.port')}"


def external_link_url(slug: str, base: str | None = None) -> str:
    return f"{base or viewer_base_url()}/l/{slug}"


def owner_url(kind: str, item_id: int, base: str | None = None) -> str:
    """Owner pages: ``document``, ``link``, ``space`` or ``visit`` (the full stats of one visit)."""
    if kind not in ("document", "link", "space", "visit"):
        raise ValueError(f"no owner page for {kind!r}")
    return f"{base or viewer_base_url()}/owner/{kind}s/{item_id}"
