"""In-memory rate limits on the injected clock: token buckets for beacons, failure windows for secrets.

Both keep at most ``max_keys`` keys (least recently used go first), so a flood of distinct keys costs
bounded memory. They are per process: a team server runs one viewer process.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from collections.abc import Hashable
from datetime import timedelta

from ..clock import Clock


class TokenBucketLimiter:
    """``burst`` requests at once, then ``rate`` per second sustained, per key."""

    def __init__(self, clock: Clock, *, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = float(burst)
        self._max_keys = max_keys
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # key → (tokens, at)
        self._lock = threading.Lock()

    def allow(self, key: Hashable) -> bool:
        now = self._clock.now().timestamp()
        with self._lock:
            tokens, at = self._buckets.pop(key, (self._burst, now))
            tokens = min(self._burst, tokens + max(0.0, now - at) * self._rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return allowed


class FailureLimiter:
    """At most ``max_failures`` failures per key within a sliding ``window``; then locked until the oldest ages out."""

    def __init__(self, clock: Clock, *, max_failures: int, window: timedelta, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max = max_failures
        self._window = window.total_seconds()
        self._max_keys = max_keys
        self._failures: OrderedDict[Hashable, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: Hashable) -> float | None:
        """Seconds until ``key`` may try again, or ``None`` when it may try now."""
        now = self._clock.now().timestamp()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self._max:
                return None
            return max(1.0, times[0] + self._window - now)

    def record_failure(self, key: Hashable) -> None:
        now = self._clock.now().timestamp()
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def reset(self, key: Hashable) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times


def minutes_text(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
