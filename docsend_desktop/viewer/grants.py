"""Checking a visit token against the store: is its link still available, is its document behind it?

A token proves the gates were passed when it was issued; these checks make a link disabled or expired
since then stop serving pages and downloads. Confirmed pairs are remembered for ``GRANT_CACHE_SECONDS``
so that a page turn's image needs no query: expiry is still checked on every use, while disabling a link
or taking a document out of a Space takes effect within those seconds. (Beacons are checked by the domain
on every event.)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..clock import Clock
from ..content.links import is_available
from ..store.models import Document, Link, SpaceDocument
from .tokens import VisitGrant

if TYPE_CHECKING:
    from .context import ViewerContext

GRANT_CACHE_SECONDS = 2.0


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


class GrantCache:
    """(link, document) pairs confirmed in the last ``seconds``; memory bounded by ``max_entries``."""

    def __init__(self, clock: Clock, seconds: float = GRANT_CACHE_SECONDS, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._seconds = seconds
        self._max = max_entries
        self._entries: dict[tuple[int, int], tuple[float, GrantedDocument]] = {}
        self._lock = threading.Lock()

    def get(self, grant: VisitGrant) -> GrantedDocument | None:
        """The remembered pair when still fresh and its link not expired; never queries (event-loop safe)."""
        with self._lock:
            entry = self._entries.get((grant.link_id, grant.document_id))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1] if is_available(entry[1].link, self._clock.now()) else None

    def put(self, found: GrantedDocument) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[(found.link.id, found.document.id)] = (time.monotonic() + self._seconds, found)


def check_grant(ctx: ViewerContext, grant: VisitGrant, *, fresh: bool = False) -> GrantedDocument:
    """May run queries: call from a worker thread. ``fresh`` skips the cache."""
    cached = None if fresh else ctx.grants.get(grant)
    if cached is not None:
        return cached
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
    found = GrantedDocument(link, document)
    ctx.grants.put(found)
    return found
