"""Fault injection: latency with jitter, failed calls, and writes whose answer never arrives."""

from __future__ import annotations

import asyncio
import random

from .errors import ApiError
from .settings import Settings

_FAILURE_MESSAGES = {
    "UNABLE_TO_LOCK_ROW": "unable to obtain exclusive access to this record or 1 records",
    "SERVER_UNAVAILABLE": "Server temporarily unavailable. Please try again later.",
    "REQUEST_RUNNING_TOO_LONG": "Your request was running for too long, and has been stopped.",
}


class Faults:
    """Draws the random outcomes of the fault settings; ``seed`` makes them reproducible."""

    def __init__(self, settings: Settings, seed: int | None = None) -> None:
        self.settings = settings
        self._random = random.Random(seed)

    async def delay(self) -> None:
        """Sleep for the configured latency plus jitter (asyncio, so requests overlap)."""
        seconds = (self.settings.latency_ms + self._random.uniform(0, self.settings.jitter_ms)) / 1000.0
        if seconds > 0:
            await asyncio.sleep(seconds)

    def injected_failure(self) -> ApiError | None:
        rate = self.settings.fail_rate
        if rate <= 0 or self._random.random() >= rate:
            return None
        code = self.settings.fail_code
        message = _FAILURE_MESSAGES.get(code, f"{code} (injected by the emulator)")
        return ApiError(self.settings.fail_status, code, message)

    def drop_after_commit(self) -> bool:
        rate = self.settings.drop_after_commit_rate
        return rate > 0 and self._random.random() < rate
