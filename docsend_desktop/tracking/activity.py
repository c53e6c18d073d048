"""Viewer events become visits by DocSend's rule, each change written with its outbox row.

The rule: one viewer's activity on one document of one link is one visit while no gap reaches
``VISIT_GAP`` (10 minutes); an event after such a gap starts a new visit; a visit is ended once
``VISIT_GAP`` passes without activity (``end_idle_visits``). For a document link the document is the
link's; for a Space link each document gets visits of its own, so percent viewed stays meaningful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock, as_utc
from ..content.links import is_available, link_kind
from ..content.names import clean_name, normalise_email
from ..errors import InputError, NotFoundError
from ..store import outbox
from ..store.database import is_sqlite, write_transaction
from ..store.models import NAME_MAX, Document, Link, SpaceDocument, Visit, Visitor

VISIT_GAP = timedelta(minutes=10)
EVENT_KINDS = ("open", "page", "heartbeat", "close", "download")
MAX_EVENT_SECONDS = 600.0
# Visible time can't outrun the wall clock; this much slack absorbs a browser's timer drift.
_CLOCK_SLACK_SECONDS = 10.0
_VIEWER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class ActivityEvent:
    link_id: int
    kind: str
    document_id: int | None = None  # required for a Space link
    email: str | None = None  # an identified visitor...
    name: str | None = None
    viewer_id: str | None = None  # ...or an anonymous one (a random id from the viewer's cookie)
    page: int | None = None  # the page shown, 1-based
    seconds: float = 0.0  # visible seconds on ``page`` since the previous event


def record_activity(event: ActivityEvent, clock: Clock) -> Visit:
    """Apply one event; return the visit it belongs to. Raises ``InputError`` for a bad event."""
    if event.kind not in EVENT_KINDS:
        raise InputError(f"unknown event kind {event.kind!r}")
    if not (0 <= event.seconds <= MAX_EVENT_SECONDS):
        raise InputError(f"seconds must be between 0 and {MAX_EVENT_SECONDS:.0f}")
    email = normalise_email(event.email) if event.email else None
    name = clean_name(event.name, what="visitor name", max_length=NAME_MAX, allow_empty=True)
    if email is None and not (event.viewer_id and _VIEWER_ID.match(event.viewer_id)):
        raise InputError("an event needs the visitor's email or an anonymous viewer id")
    now = clock.now()
    with write_transaction():
        link = _lock_link(event.link_id)
        if not is_available(link, now):
            raise InputError("this link is no longer available")
        document = _document_for(link, event.document_id)
        if event.page is not None and not (1 <= event.page <= document.page_count):
            raise InputError(f"page {event.page} is outside 1..{document.page_count}")
        visitor = _touch_visitor(email, name, now) if email else None
        visit = _current_visit(link, document, visitor, None if visitor else event.viewer_id, now)
        created = visit.id is None
        elapsed = max(0.0, (now - as_utc(visit.last_activity_at)).total_seconds())
        _apply(visit, event, min(event.seconds, elapsed + _CLOCK_SLACK_SECONDS), now)
        visit.save()
        if created:
            outbox.enqueue("visit", visit.id, now)
            note_visitor_of_link(link, visitor, visit, now)
        else:
            outbox.mark_changed("visit", visit.id, now)
    return visit


def end_idle_visits(clock: Clock, limit: int = 500) -> int:
    """End visits idle for ``VISIT_GAP``; each end is a change the sync must send. Returns how many."""
    now = clock.now()
    cutoff = now - VISIT_GAP
    ended = 0
    while True:
        with write_transaction():
            batch = list(
                Visit.select(Visit.id, Visit.last_activity_at)
                .where(Visit.ended_at.is_null() & (Visit.last_activity_at <= cutoff))
                .order_by(Visit.id)
                .limit(limit)
            )
            for visit in batch:
                Visit.update(ended_at=visit.last_activity_at).where(Visit.id == visit.id).execute()
                outbox.mark_changed("visit", visit.id, now)
        ended += len(batch)
        if len(batch) < limit:
            return ended


def note_visitor_of_link(link: Link, visitor: Visitor | None, visit: Visit, now: datetime) -> None:
    """The link's Task lists its visitors: a visitor's first visit on a link is a change to sync (DESIGN §3)."""
    if visitor is None:
        return
    seen_before = Visit.select().where((Visit.link == link) & (Visit.visitor == visitor) & (Visit.id != visit.id))
    if not seen_before.exists():
        outbox.mark_changed(link_kind(link), link.id, now)


def _lock_link(link_id: int) -> Link:
    query = Link.select().where(Link.id == link_id)
    if not is_sqlite():
        query = query.for_update()  # serialise the read-then-write of the visit rule per link
    link = query.first()
    if link is None:
        raise NotFoundError(f"no link with id {link_id}")
    return link


def _document_for(link: Link, document_id: int | None) -> Document:
    if link.document_id is not None:
        if document_id not in (None, link.document_id):
            raise InputError("that document is not behind this link")
        return Document.get_by_id(link.document_id)
    if document_id is None:
        raise InputError("a Space link's event must name its document")
    in_space = (
        SpaceDocument.select()
        .where((SpaceDocument.space == link.space_id) & (SpaceDocument.document == document_id))
        .exists()
    )
    if not in_space:
        raise InputError("that document is not behind this link")
    return Document.get_by_id(document_id)


def _touch_visitor(email: str, name: str, now: datetime) -> Visitor:
    visitor = Visitor.get_or_none(Visitor.email == email)
    if visitor is None:
        return Visitor.create(email=email, name=name, first_seen_at=now, last_seen_at=now)
    visitor.last_seen_at = now
    if name:
        visitor.name = name
    visitor.save()
    return visitor


def _current_visit(link: Link, document: Document, visitor: Visitor | None, viewer_id: str | None,
                   now: datetime) -> Visit:
    """The viewer's latest visit when its last activity is under ``VISIT_GAP`` ago; else a new one."""
    who = (Visit.visitor == visitor) if visitor else (Visit.viewer_id == viewer_id)
    latest = (
        Visit.select()
        .where((Visit.link == link) & (Visit.document == document) & who)
        .order_by(Visit.last_activity_at.desc())
        .first()
    )
    if latest is not None and latest.ended_at is None:
        if now - as_utc(latest.last_activity_at) < VISIT_GAP:
            return latest
        latest.ended_at = latest.last_activity_at  # idle for the gap: it ended when activity stopped
        latest.save()
        outbox.mark_changed("visit", latest.id, now)
    return Visit(
        link=link, document=document, visitor=visitor, viewer_id=viewer_id, started_at=now,
        last_activity_at=now, page_count=document.page_count, pages_seen=[], seconds_per_page={},
    )


def _apply(visit: Visit, event: ActivityEvent, seconds: float, now: datetime) -> None:
    visit.last_activity_at = now
    visit.event_count = (visit.event_count or 0) + 1
    if event.kind == "download":
        visit.downloaded = True
    page = event.page or (1 if event.kind == "open" else None)
    if page is not None:
        pages = set(visit.pages_seen or [])
        pages.add(page)
        visit.pages_seen = sorted(pages)
        per_page = dict(visit.seconds_per_page or {})
        per_page[str(page)] = round(per_page.get(str(page), 0.0) + seconds, 3)
        visit.seconds_per_page = per_page
    visit.visible_seconds = round((visit.visible_seconds or 0.0) + seconds, 3)
    visit.percent_viewed = round(100.0 * len(visit.pages_seen or []) / visit.page_count, 1)
