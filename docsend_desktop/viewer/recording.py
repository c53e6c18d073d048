"""Writing a visitor's activity through the domain: one writer thread, each beacon's events atomically.

Every beacon and download of this process is recorded by ``ActivityWriter``'s single thread, in arrival
order. Writes never wait for each other in SQLite's busy handler (which sleeps in growing steps while
another connection holds the write lock), and a backlog of writes never occupies the worker threads that
serve pages and images. Other processes (the desktop app, the CLI) still meet at SQLite's lock. All events
of one beacon share one transaction, so a beacon is recorded whole or not at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..store.database import write_transaction
from ..tracking.activity import ActivityEvent, record_activity
from .tokens import VisitGrant

T = TypeVar("T")


class ActivityWriter:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docsend-viewer-writer")

    async def run(self, function: Callable[..., T], *args) -> T:
        """``function(*args)`` on the writer thread; its result or its exception."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def record_events(clock, grant: VisitGrant, events: Sequence[tuple[str, int | None, float]]) -> None:
    """Record ``(kind, page, seconds)`` events for the token's visitor; ``InputError`` from the domain as is.

    Call on the writer thread.
    """
    with write_transaction():
        for kind, page, seconds in events:
            record_activity(ActivityEvent(
                link_id=grant.link_id, kind=kind, document_id=grant.document_id, email=grant.email,
                name=grant.name or None, viewer_id=grant.viewer_id, page=page, seconds=seconds,
            ), clock)
