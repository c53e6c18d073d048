"""The daily API request allowance: a rolling 24-hour count of REST calls, as Salesforce keeps it."""

from __future__ import annotations

import threading

from .clock import Clock

_WINDOW_HOURS = 24


class ApiUsage:
    """Counts REST calls per hour of the emulator's clock and sums the last 24 hours."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: dict[int, int] = {}
        self._lock = threading.Lock()

    def _hour(self) -> int:
        return int(self._clock.now().timestamp() // 3600)

    def _used(self, hour: int) -> int:
        for old in [h for h in self._buckets if h <= hour - _WINDOW_HOURS]:
            del self._buckets[old]
        return sum(self._buckets.values())

    def used(self) -> int:
        with self._lock:
            return self._used(self._hour())

    def consume(self, limit: int) -> tuple[bool, int]:
        """Count one call if the allowance has room: (allowed, calls used in the window)."""
        with self._lock:
            hour = self._hour()
            used = self._used(hour)
            if used >= limit:
                return False, used
            self._buckets[hour] = self._buckets.get(hour, 0) + 1
            return True, used + 1

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def limit_info_header(used: int, limit: int) -> str:
    """The ``Sforce-Limit-Info`` header value."""
    return f"api-usage={used}/{limit}"
