"""Query cursors behind ``nextRecordsUrl``: the rest of a result, kept for 15 idle minutes."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from .clock import Clock
from .ids import make_id

CURSOR_IDLE_SECONDS = 15 * 60
MAX_CURSORS = 50


class QueryCursors:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cursors: OrderedDict[str, tuple[list[dict], float]] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, records: list[dict]) -> str:
        """Keep ``records`` and return a locator like ``01gD000000ex4wMIAQ``."""
        locator = make_id("01g", secrets.randbelow(62**10))
        with self._lock:
            self._cursors[locator] = (records, self._clock.now().timestamp())
            while len(self._cursors) > MAX_CURSORS:
                self._cursors.popitem(last=False)
        return locator

    def fetch(self, locator: str) -> list[dict] | None:
        """The records of a live cursor (and refresh its idle time), or None."""
        now = self._clock.now().timestamp()
        with self._lock:
            entry = self._cursors.get(locator)
            if entry is None or now - entry[1] > CURSOR_IDLE_SECONDS:
                self._cursors.pop(locator, None)
                return None
            self._cursors[locator] = (entry[0], now)
            self._cursors.move_to_end(locator)
            return entry[0]
