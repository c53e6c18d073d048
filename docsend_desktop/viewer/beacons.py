"""Activity beacons: ``POST /view/beacon`` from the viewer's script, validated, then ``record_activity``.

Body (JSON, at most 4 KiB, sent by ``fetch`` or ``navigator.sendBeacon``)::

    {"t": "<visit token>", "e": [{"k": "heartbeat", "p": 3, "s": 4.98}, ...]}

``k`` is open | page | heartbeat | close, ``p`` the page shown (1-based), ``s`` the visible seconds on
that page since the previous event. Who and what come only from the token. Every event is checked
before any is written, then all are written in one transaction; the domain checks the link and document,
applies the 10-minute visit rule and writes the outbox row with each event.

Answers: 204 recorded; 400 malformed; 401 unknown or expired token; 410 link gone; 413 too large;
415 not JSON/text; 429 too many beacons for this page load.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import InputError
from ..store.models import Document
from ..tracking.activity import MAX_EVENT_SECONDS
from .context import ViewerContext, viewer_context
from .grants import GrantRefused, check_grant
from .recording import record_events
from .security import BEACON_BODY_MAX, BodyTooLarge, read_body
from .tokens import VisitGrant

log = logging.getLogger(__name__)
BEACON_KINDS = ("open", "page", "heartbeat", "close")
MAX_EVENTS_PER_BEACON = 8
_ACCEPTED_TYPES = ("application/json", "text/plain")  # sendBeacon sends a string as text/plain


class BadBeacon(ValueError):
    pass


@dataclass(frozen=True)
class BeaconEvent:
    kind: str
    page: int
    seconds: float


def parse_beacon(body: bytes) -> tuple[object, list[BeaconEvent]]:
    """The token (unchecked) and the events; ``BadBeacon`` for anything malformed."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadBeacon("body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), list):
        raise BadBeacon("expected an object with a list of events")
    raw_events = payload["e"]
    if not 1 <= len(raw_events) <= MAX_EVENTS_PER_BEACON:
        raise BadBeacon(f"a beacon carries 1 to {MAX_EVENTS_PER_BEACON} events")
    return payload.get("t"), [_event(raw) for raw in raw_events]


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number")


def _event(raw: object) -> BeaconEvent:
    if not isinstance(raw, dict):
        raise BadBeacon("an event is an object")
    kind, page, seconds = raw.get("k"), raw.get("p"), raw.get("s", 0)
    if kind not in BEACON_KINDS:
        raise BadBeacon("unknown event kind")
    if type(page) is not int or not 1 <= page <= 100_000:
        raise BadBeacon("page must be a whole number from 1")
    if type(seconds) not in (int, float) or not math.isfinite(seconds) or not 0 <= seconds <= MAX_EVENT_SECONDS:
        raise BadBeacon(f"seconds must be a number from 0 to {MAX_EVENT_SECONDS:.0f}")
    return BeaconEvent(kind, page, float(seconds))


def _answer(status: int, error: str | None = None) -> Response:
    if error is None:
        return Response(status_code=status, headers={"cache-control": "no-store"})
    return JSONResponse({"error": error}, status_code=status, headers={"cache-control": "no-store"})


async def beacon(request: Request) -> Response:
    ctx = viewer_context(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _ACCEPTED_TYPES:
        return _answer(415, "send JSON")
    try:
        token, events = parse_beacon(await read_body(request, BEACON_BODY_MAX))
    except BodyTooLarge:
        return _answer(413, "beacon too large")
    except BadBeacon as exc:
        return _answer(400, str(exc))
    grant = ctx.visit_tokens.read(token)
    if grant is None:
        return _answer(401, "unknown or expired visit token")
    if not ctx.beacon_limiter.allow(grant.nonce):
        return _answer(429, "too many beacons")
    return await ctx.writer.run(_record, ctx, grant, events)


def _record(ctx: ViewerContext, grant: VisitGrant, events: list[BeaconEvent]) -> Response:
    """On the writer thread: check, record, and answer."""
    page_count = _page_count(ctx, grant.document_id)
    if page_count is None:
        return _answer(404, "this document is no longer behind this link")
    if any(event.page > page_count for event in events):
        return _answer(400, "page out of range")
    try:
        record_events(ctx.clock, grant, [(event.kind, event.page, event.seconds) for event in events])
    except InputError as exc:
        # The domain checks the link is available and the document behind it; say which, if either.
        try:
            check_grant(ctx, grant, fresh=True)
        except GrantRefused as refused:
            return _answer(refused.status, refused.reason)
        log.info("beacon refused by the domain: %s", exc)
        return _answer(400, "event refused")
    return _answer(204)


def _page_count(ctx: ViewerContext, document_id: int) -> int | None:
    """A document's page count, remembered: a document's content (and so its pages) never changes."""
    count = ctx.page_counts.get(document_id)
    if count is None:
        document = Document.get_or_none(Document.id == document_id)
        if document is None:
            return None
        count = ctx.page_counts[document_id] = document.page_count
    return count


routes = [Route("/view/beacon", beacon, methods=["POST"])]
