"""The sync worker: a QObject living in its own QThread, owning its timers, running one pass at a time.

It runs a pass when activity is recorded, when a row falls due, on "Sync now", when the network comes back
and after the computer wakes. It talks to the GUI only through its signals (queued across threads).

Signals:
    state_changed(SyncState): up to date, syncing n of m, offline with pending count, paused until,
        needs attention count, sign-in required, not connected.
    item_sync_state_changed(str kind, int id, str state, str salesforce_id, str message)
    pass_finished(dict): the pass's counts and API calls used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from ..clock import Clock
from ..salesforce.errors import NotConnected, SalesforceError, SignInRequired
from ..store.models import OutboxItem
from .engine import ItemUpdate, PassReport, SyncEngine, next_due_at

log = logging.getLogger("docsend_desktop.sync")
HEARTBEAT_MS = 15_000  # checks for due work, sleeps and a returning network at least this often
OFFLINE_PROBE_MS = 30_000
ACTIVITY_COALESCE_MS = 1_000
WAKE_GAP_SECONDS = 60.0


@dataclass(frozen=True)
class SyncState:
    kind: str  # up_to_date | syncing | offline | paused | needs_attention | sign_in_required | not_connected
    pending: int = 0
    needs_attention: int = 0
    done: int = 0
    total: int = 0
    paused_until: datetime | None = None
    message: str = ""


class SyncWorker(QObject):
    state_changed = Signal(object)
    item_sync_state_changed = Signal(str, int, str, str, str)
    pass_finished = Signal(dict)

    def __init__(self, engine_factory: Callable[[], SyncEngine], clock: Clock,
                 probe: Callable[[], bool] | None = None) -> None:
        super().__init__()
        self._engine_factory = engine_factory
        self._engine: SyncEngine | None = None
        self._clock = clock
        self._probe = probe
        self._running = False
        self._stopped = False
        self._paused_until: datetime | None = None
        self._sign_in_required = False
        self._offline = False
        self._last_tick = time.time()
        self._timer: QTimer | None = None

    # -- slots (called through queued connections from the GUI thread) -------------------------------
    @Slot()
    def start(self) -> None:
        """Called once the worker lives in its thread: timers are created here so they belong to it."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_pass)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self._on_heartbeat)
        self._heartbeat.start()
        self._schedule(0)

    @Slot()
    def sync_now(self) -> None:
        """The user asked: skip any backoff (not an API-limit pause, which Salesforce imposes)."""
        OutboxItem.update(due_at=self._clock.now()).where(
            (OutboxItem.state == "pending") & (OutboxItem.reason_code == "transient")).execute()
        self._offline = False
        self._schedule(0)

    @Slot()
    def activity_recorded(self) -> None:
        timer = self._timer
        if timer is not None and (not timer.isActive() or timer.remainingTime() > ACTIVITY_COALESCE_MS):
            self._schedule(ACTIVITY_COALESCE_MS)

    @Slot()
    def signed_in(self) -> None:
        self._sign_in_required = False
        self._engine = None
        self._schedule(0)

    @Slot(bool)
    def network_reachable(self, reachable: bool) -> None:
        if reachable and self._offline:
            log.info("network is back: syncing")
            self._offline = False
            self.sync_now()

    @Slot()
    def stop(self) -> None:
        """Runs in the worker thread after any pass in progress: timers go with the thread that owns them,
        then the thread's event loop ends."""
        self._stopped = True
        for timer in (self._timer, getattr(self, "_heartbeat", None)):
            if timer is not None:
                timer.stop()
                shiboken6.delete(timer)  # now, in this thread: Qt refuses to kill timers across threads
        self._timer = self._heartbeat = None
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        QThread.currentThread().quit()

    def request_cancel(self) -> None:
        """Thread-safe: ask a running pass to stop after its current chunk."""
        self._stopped = True
        if self._engine is not None:
            self._engine.cancel_requested = True

    # -- internals ------------------------------------------------------------------------------------
    def _schedule(self, delay_ms: int) -> None:
        if self._timer is not None and not self._stopped:
            self._timer.start(max(0, delay_ms))

    def _on_heartbeat(self) -> None:
        now = time.time()
        if now - self._last_tick > HEARTBEAT_MS / 1000 + WAKE_GAP_SECONDS:
            log.info("the computer woke up: syncing")
            self.sync_now()
        self._last_tick = now
        if self._offline and self._probe is not None and self._probe():
            self.network_reachable(True)

    @Slot()
    def _run_pass(self) -> None:
        if self._running or self._stopped or self._sign_in_required:
            return
        now = self._clock.now()
        if self._paused_until and now < self._paused_until:
            self._emit_state("paused")
            self._schedule(int((self._paused_until - now).total_seconds() * 1000))
            return
        self._paused_until = None
        self._running = True
        try:
            report = self._pass()
        finally:
            self._running = False
        if report is not None:
            self._after(report)

    def _pass(self) -> PassReport | None:
        try:
            if self._engine is None:
                self._engine = self._engine_factory()
                self._engine.on_item = self._emit_item
                self._engine.on_progress = lambda done, total: self.state_changed.emit(
                    SyncState("syncing", done=done, total=total))
            return self._engine.run_pass()
        except SignInRequired as exc:
            self._sign_in_required = True
            self._emit_state("not_connected" if isinstance(exc, NotConnected) else "sign_in_required", str(exc))
        except SalesforceError as exc:
            log.warning("sync pass failed: %s", exc)
            self._offline = True
            self._emit_state("offline", str(exc))
            self._schedule(OFFLINE_PROBE_MS)
        return None

    def _after(self, report: PassReport) -> None:
        log.info(report.line())
        self.pass_finished.emit({"synced": report.synced, "needs_attention": report.parked, "skipped": report.skipped,
                                 "retrying": report.retrying, "waiting": report.deferred,
                                 "leads_created": report.leads_created, "api_calls": report.api_calls})
        stopped = report.stopped
        if stopped is not None and stopped.kind == "auth":
            self._sign_in_required = True
            self._emit_state("sign_in_required", str(stopped))
            return
        if stopped is not None and stopped.kind == "limit":
            self._paused_until = getattr(stopped, "resume_at", None) or self._clock.now()
            self._emit_state("paused", str(stopped))
            self._schedule(int((self._paused_until - self._clock.now()).total_seconds() * 1000))
            return
        self._offline = report.offline
        self._emit_state("offline" if report.offline else "idle")
        due = next_due_at()
        if due is not None:
            self._schedule(int(max(0.0, (due - self._clock.now()).total_seconds()) * 1000) + 50)

    def _emit_item(self, update: ItemUpdate) -> None:
        self.item_sync_state_changed.emit(update.kind, update.subject_id, update.state, update.salesforce_id or "",
                                          update.message or "")

    def _emit_state(self, kind: str, message: str = "") -> None:
        pending = OutboxItem.select().where(OutboxItem.state.in_(("pending", "syncing"))).count()
        parked = OutboxItem.select().where(OutboxItem.state == "needs_attention").count()
        if kind == "idle":
            kind = "needs_attention" if parked else "up_to_date"
        self.state_changed.emit(SyncState(kind, pending=pending, needs_attention=parked,
                                          paused_until=self._paused_until if kind == "paused" else None,
                                          message=message))


class SyncService(QObject):
    """The GUI thread's handle on the worker: owns the thread, forwards requests as queued signals, and
    re-emits the worker's signals in the GUI thread (connect the UI to these, not to the worker's).

    Signals: the worker's ``state_changed``, ``item_sync_state_changed`` and ``pass_finished``.
    """

    state_changed = Signal(object)
    item_sync_state_changed = Signal(str, int, str, str, str)
    pass_finished = Signal(dict)
    _sync_now_requested = Signal()
    _activity_recorded = Signal()
    _signed_in = Signal()
    _network_reachable = Signal(bool)
    _stop_requested = Signal()

    def __init__(self, engine_factory: Callable[[], SyncEngine], clock: Clock,
                 probe: Callable[[], bool] | None = None) -> None:
        super().__init__()
        self.thread = QThread()
        self.thread.setObjectName("sync-worker")
        self.worker = SyncWorker(engine_factory, clock, probe)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)
        self._sync_now_requested.connect(self.worker.sync_now)
        self._activity_recorded.connect(self.worker.activity_recorded)
        self._signed_in.connect(self.worker.signed_in)
        self._network_reachable.connect(self.worker.network_reachable)
        self._stop_requested.connect(self.worker.stop)
        self.worker.state_changed.connect(self.state_changed)
        self.worker.item_sync_state_changed.connect(self.item_sync_state_changed)
        self.worker.pass_finished.connect(self.pass_finished)

    def start(self) -> None:
        self.thread.start()

    def sync_now(self) -> None:
        self._sync_now_requested.emit()

    def activity_recorded(self) -> None:
        self._activity_recorded.emit()

    def signed_in(self) -> None:
        self._signed_in.emit()

    def network_reachable(self, reachable: bool) -> None:
        self._network_reachable.emit(reachable)

    def shutdown(self, timeout_ms: int = 5_000) -> bool:
        """Stop after the current chunk; a request still in flight after the timeout is abandoned — the outbox
        (``sent_at``) makes the next start adopt or resend it, so nothing is lost or doubled."""
        self.worker.request_cancel()
        if not self.thread.isRunning():
            return True
        self._stop_requested.emit()
        return self.thread.wait(timeout_ms)
