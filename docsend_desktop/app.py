"""The desktop app's entry: wiring of the store, the viewer, the sync worker and the window.

Until the UI issue lands, the window is a summary: counts, the sync state with "Sync now", the viewer's URL.
"""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication

from .clock import SystemClock
from .content.urls import viewer_base_url as external_base_url
from .redaction import setup_logging
from .salesforce.connection import ConnectionInfo, SalesforceConnection
from .salesforce.gateway import SalesforceGateway
from .store import settings
from .store.database import is_sqlite, open_database
from .store.models import db
from .store.paths import ensure_data_dir, resolve_data_dir
from .sync.engine import SyncEngine
from .sync.worker import SyncService
from .ui.summary_window import SummaryWindow
from .ui.viewer_settings_dialog import ViewerSettingsDialog
from .ui.viewer_status import ViewerReachability
from .viewer.server import ViewerServer, ViewerStartError

log = logging.getLogger(__name__)
CHANGE_POLL_MS = 1_000


class DesktopApp:
    """Everything the window needs, started: the store, the viewer, the sync worker and the demo org."""

    def __init__(self, args) -> None:
        self.demo = None
        live: SalesforceConnection | None = None  # a sign-in made in this process (maybe not in a keychain)
        if args.demo:
            from .demo import DemoSalesforce, demo_data_dir, seed_demo_data

            self.data_dir = ensure_data_dir(resolve_data_dir(args.data_dir or demo_data_dir()))
            open_database(self.data_dir, args.database_url)
            seed_demo_data(self.data_dir)
            self.demo = DemoSalesforce(self.data_dir)
            live = self.demo.start_and_connect(self.data_dir)
        else:
            self.data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
            open_database(self.data_dir, args.database_url)
        ca_file = Path(args.ca_file).resolve() if args.ca_file else None
        clock = SystemClock()
        data_dir = self.data_dir
        self.viewer, viewer_problem = _start_viewer(data_dir)
        def engine() -> SyncEngine:
            connection = live if live is not None and not live.sign_in_required else \
                SalesforceConnection.open(data_dir, ca_file)
            return SyncEngine(SalesforceGateway(connection), clock)

        self.sync = SyncService(engine, clock, probe=_salesforce_reachable)
        self.window = SummaryWindow(str(data_dir), demo=args.demo, viewer_url=None)
        # One checker for the app's lifetime, owned by the window: never deleted while a check is in flight.
        self.reachability = ViewerReachability(self.window)
        self.reachability.checked.connect(self.window.show_viewer_reachability)
        self._show_viewer(viewer_problem)
        self.window.viewer_settings_requested.connect(self.edit_viewer_settings)
        self.sync.state_changed.connect(self.window.show_sync_state)
        self.sync.pass_finished.connect(lambda _: self.window.refresh())
        self.window.sync_now_requested.connect(self.sync.sync_now)
        self.watcher = _ChangeWatcher(on_change=self._changed)
        _watch_network(self.sync)
        self.sync.start()

    def edit_viewer_settings(self) -> None:
        dialog = ViewerSettingsDialog(self.window)
        dialog.accepted.connect(self.restart_viewer)
        dialog.open()

    def restart_viewer(self) -> None:
        """Settings changed: stop the viewer and start it again as they now say."""
        if self.viewer is not None:
            self.viewer.stop()
        self.viewer, problem = _start_viewer(self.data_dir)
        self._show_viewer(problem)

    def _show_viewer(self, problem: str) -> None:
        self.reachability.stop()
        if self.viewer is None:
            self.window.show_viewer_url(None, problem)
            return
        external = external_base_url()
        self.window.show_viewer_url(external)
        self.reachability.start(external)

    def _changed(self) -> None:
        self.sync.activity_recorded()
        self.window.refresh()

    def shutdown(self) -> None:
        self.watcher.stop()
        self.reachability.stop()
        QThreadPool.globalInstance().waitForDone(5_000)  # a summary count in flight
        if not self.sync.shutdown():
            log.warning("a Salesforce request was still running at exit; the next start picks it up")
        if self.viewer is not None:
            self.viewer.stop()
        if self.demo is not None:
            self.demo.stop()


def run_app(args) -> int:
    setup_logging(logging.INFO)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DocSend Desktop")
    desktop = DesktopApp(args)
    app.aboutToQuit.connect(desktop.shutdown)
    desktop.window.show()
    return app.exec()


def _start_viewer(data_dir: Path) -> tuple[ViewerServer | None, str]:
    """The running viewer, or None and why not (shown in the window)."""
    if not settings.get_bool("viewer.enabled"):
        return None, " (switched off in its settings)"
    viewer = ViewerServer.from_settings(data_dir)
    try:
        viewer.start()
    except ViewerStartError as exc:
        log.error("the viewer didn't start: %s", exc)
        return None, f" ({exc})"
    return viewer, ""


def _watch_network(sync: SyncService) -> None:
    """The OS's word on connectivity, where Qt has a backend for it; the worker's probe covers the rest."""
    if not QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
        return
    info = QNetworkInformation.instance()
    info.reachabilityChanged.connect(
        lambda reachability: sync.network_reachable(reachability == QNetworkInformation.Reachability.Online))


def _salesforce_reachable() -> bool:
    """A cheap probe (a TCP connect to the instance) for the worker's offline state."""
    url = ConnectionInfo.load().instance_url
    if not url:
        return False
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=3):
            return True
    except OSError:
        return False


class _ChangeWatcher:
    """Notices writes by other threads and processes (the viewer, the CLI): ``PRAGMA data_version`` on SQLite,
    polled once a second on the GUI thread (one tiny query)."""

    def __init__(self, on_change) -> None:
        self._on_change = on_change
        self._version = self._read()
        self._timer = QTimer()
        self._timer.setInterval(CHANGE_POLL_MS)
        self._timer.timeout.connect(self._poll)
        if self._version is not None:
            self._timer.start()

    def _read(self) -> int | None:
        if not is_sqlite():
            return None  # PostgreSQL: LISTEN/NOTIFY comes with team mode
        return db.execute_sql("PRAGMA data_version").fetchone()[0]

    def _poll(self) -> None:
        version = self._read()
        if version != self._version:
            self._version = version
            self._on_change()

    def stop(self) -> None:
        self._timer.stop()
