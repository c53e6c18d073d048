"""``sync --once`` and ``sync`` without a window: the same engine, with bounded retries of transient failures."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..salesforce.errors import SalesforceError
from ..store.models import OutboxItem
from .engine import PassReport, SyncEngine, next_due_at

log = logging.getLogger("docsend_desktop.sync")
MAX_TRIES = 6
MAX_WAIT_SECONDS = 30.0  # 1+2+4+8+16+30 s at most: about a minute of retrying in all


@dataclass
class OnceResult:
    ok: bool
    summary: str
    reports: list[PassReport]


def sync_once(engine: SyncEngine, *, sleep: Callable[[float], None] = time.sleep,
              rng: random.Random | None = None) -> OnceResult:
    """Run passes until nothing due is left or only failures that need a person remain."""
    rng = rng or random.Random()
    reports: list[PassReport] = []
    for attempt in range(MAX_TRIES):
        report = engine.run_pass()
        reports.append(report)
        log.info(report.line())
        if report.stopped is not None:
            return OnceResult(False, f"stopped: {report.stopped}", reports)
        retrying = _retrying()
        if not retrying:
            return OnceResult(True, report.line(), reports)
        if attempt + 1 < MAX_TRIES:
            sleep(min(MAX_WAIT_SECONDS, 2 ** attempt) * (0.5 + rng.random() / 2))
            OutboxItem.update(due_at=engine.clock.now()).where(OutboxItem.id.in_([r.id for r in retrying])).execute()
    last = _retrying()
    errors = sorted({r.last_error or "unknown error" for r in last})
    return OnceResult(False, f"{len(last)} item(s) still pending after {MAX_TRIES} tries: {'; '.join(errors)[:300]}",
                      reports)


def _retrying() -> list[OutboxItem]:
    return list(OutboxItem.select(OutboxItem.id, OutboxItem.last_error).where(
        (OutboxItem.state.in_(("pending", "syncing"))) & (OutboxItem.reason_code == "transient")))


def sync_forever(engine: SyncEngine, *, sleep: Callable[[float], None] = time.sleep, poll_seconds: float = 5.0,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
    """``docsend-desktop sync``: a pass now, then whenever something falls due (polling for new activity)."""
    backoff = 1.0
    while not should_stop():
        try:
            report = engine.run_pass()
            log.info(report.line())
            backoff = 1.0
            if report.stopped is not None and report.stopped.kind == "auth":
                log.error("sign-in required: run 'docsend-desktop connect'")
                return
            wait = poll_seconds
            if report.stopped is not None and getattr(report.stopped, "resume_at", None):
                wait = max(poll_seconds, (report.stopped.resume_at - engine.clock.now()).total_seconds())
        except SalesforceError as exc:
            log.warning("sync pass failed: %s", exc)
            backoff = min(300.0, backoff * 2)
            wait = backoff
        due = next_due_at()
        if due is not None:
            wait = max(0.5, min(wait, (due - engine.clock.now()).total_seconds()))
        sleep(wait)
