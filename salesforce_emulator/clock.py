"""The emulator's clock: real UTC time plus an offset that tests can advance instead of sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta


class Clock:
    """UTC wall-clock time shifted by an adjustable offset."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    def today(self) -> date:
        return self.now().date()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()


def format_datetime(moment: datetime) -> str:
    """Salesforce's datetime format: ``2026-12-03T12:00:00.000+0000`` (always UTC)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 datetime with a zone (``Z``, ``+0000``, ``+00:00``); raise ValueError."""
    if not isinstance(text, str) or "T" not in text:
        raise ValueError(f"not a datetime: {text!r}")
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    elif len(candidate) > 5 and candidate[-5] in "+-" and candidate[-4:].isdigit():
        candidate = candidate[:-2] + ":" + candidate[-2:]
    moment = datetime.fromisoformat(candidate)
    if moment.tzinfo is None:
        # Salesforce reads a datetime without zone as UTC.
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD``; raise ValueError."""
    if not isinstance(text, str) or len(text) != 10:
        raise ValueError(f"not a date: {text!r}")
    return date.fromisoformat(text)
