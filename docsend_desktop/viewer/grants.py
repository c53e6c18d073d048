"""Checking a visit token against the store: is its link still available, is its document behind it?

A token proves the gates were passed when it was issued; these checks make a link disabled or expired
since then stop serving pages, downloads and beacons at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.links import is_available
from ..store.models import Document, Link, SpaceDocument
from .context import ViewerContext
from .tokens import VisitGrant


class GrantRefused(Exception):
    """The token's link is gone (``status`` 410) or its document is no longer behind it (404)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class GrantedDocument:
    link: Link
    document: Document


def check_grant(ctx: ViewerContext, grant: VisitGrant) -> GrantedDocument:
    """Runs queries: call from a worker thread."""
    link = Link.get_or_none(Link.id == grant.link_id)
    if link is None or not is_available(link, ctx.clock.now()):
        raise GrantRefused(410, "this link is no longer available")
    if link.document_id is not None:
        behind = link.document_id == grant.document_id
    else:
        behind = (SpaceDocument.select()
                  .where((SpaceDocument.space == link.space_id) & (SpaceDocument.document == grant.document_id))
                  .exists())
    document = Document.get_or_none(Document.id == grant.document_id) if behind else None
    if document is None:
        raise GrantRefused(404, "this document is no longer behind this link")
    return GrantedDocument(link, document)
