"""When an item is due, which kinds are switched on, and how long to back off. Plain functions, clock injected.

Visits: synced when they start, then every ``PERIOD`` while active, and once when they end; a visit that
never lasts ``PERIOD`` therefore syncs at most twice (start and end). Links: created once, updated when
their visitor list grows (the tracking layer bumps the link's revision then).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import as_utc
from ..store import settings
from ..store.models import OutboxItem, Visit

PERIOD = timedelta(minutes=10)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=30)

KIND_SWITCH = {"visit": "sync.visits", "document_link": "sync.document_links", "space_link": "sync.space_links"}


@dataclass(frozen=True)
class Switches:
    visits: bool = True
    document_links: bool = True
    space_links: bool = True
    create_leads: bool = False
    create_tasks: bool = False

    @classmethod
    def from_settings(cls) -> Switches:
        return cls(
            visits=settings.get_bool("sync.visits"),
            document_links=settings.get_bool("sync.document_links"),
            space_links=settings.get_bool("sync.space_links"),
            create_leads=settings.get_bool("sync.create_leads_for_unmatched"),
            create_tasks=settings.get_bool("sync.create_tasks_for_unmatched"),
        )

    def enabled(self, kind: str) -> bool:
        return {"visit": self.visits, "document_link": self.document_links, "space_link": self.space_links}[kind]


def has_unsent_change(item: OutboxItem) -> bool:
    return item.salesforce_id is None or item.revision > item.synced_revision


def visit_due_at(item: OutboxItem, visit: Visit) -> datetime | None:
    """When this visit's item should next be sent; None when there is nothing to send."""
    if not has_unsent_change(item):
        return None
    if item.salesforce_id is None or item.sync_count == 0:
        return as_utc(item.created_at)  # the visit started: sync at once
    if visit.ended_at is not None:
        return as_utc(visit.ended_at)  # the visit ended: once more, at once
    started, last = as_utc(visit.started_at), as_utc(visit.last_activity_at)
    if last - started < PERIOD:
        # Not yet a 10-minute visit: its next sync is its end (when it has been idle for PERIOD), unless new
        # activity carries it past PERIOD, which bumps the revision and brings it back here.
        return last + PERIOD
    return as_utc(item.last_synced_at) + PERIOD if item.last_synced_at else as_utc(item.updated_at)


def link_due_at(item: OutboxItem) -> datetime | None:
    if not has_unsent_change(item):
        return None
    return as_utc(item.updated_at if item.salesforce_id else item.created_at)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential with jitter (0.5–1.5×), capped."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, min(attempts - 1, 16))))
    return min(BACKOFF_CAP, base * (0.5 + rng.random()))
