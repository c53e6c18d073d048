"""A summary window: what's stored, the sync state with "Sync now", and where the viewer listens.

A stand-in for the main window of the UI issue. Its counts run in a pool thread: the GUI thread never waits
on a query that grows with the data.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from ..sync.worker import SyncState
from ..tracking.queries import SummaryCounts, summary_counts

STATE_TEXT = {
    "up_to_date": "Up to date",
    "syncing": "Syncing {done} of {total}",
    "offline": "Offline — {pending} pending",
    "paused": "Paused until {until} (Salesforce API limit)",
    "needs_attention": "{needs_attention} need attention",
    "sign_in_required": "Sign-in required",
    "not_connected": "Not connected to Salesforce",
}


def describe_state(state: SyncState) -> str:
    until = state.paused_until.astimezone().strftime("%H:%M") if state.paused_until else ""
    return STATE_TEXT[state.kind].format(done=state.done, total=state.total, pending=state.pending,
                                         needs_attention=state.needs_attention, until=until)


class SummaryWindow(QMainWindow):
    """Signals:
        sync_now_requested(): the user pressed "Sync now".
        viewer_settings_requested(): the user wants to change the viewer's settings.
    """

    sync_now_requested = Signal()
    viewer_settings_requested = Signal()
    _counts_ready = Signal(object)  # emitted from a pool thread, delivered (queued) in the GUI thread

    def __init__(self, data_dir_label: str, demo: bool, viewer_url: str | None) -> None:
        super().__init__()
        self._counting = self._count_again = False
        self._counts_ready.connect(self._show_counts)
        self.setWindowTitle("DocSend Desktop" + (" — demo" if demo else ""))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel("<h2>DocSend Desktop</h2>"))
        self.summary = QLabel("Counting…")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        self.sync_state = QLabel("Starting sync…")
        self.sync_state.setAccessibleName("Sync state")
        row.addWidget(self.sync_state, 1)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_now_requested)
        row.addWidget(self.sync_button)
        layout.addLayout(row)
        viewer_row = QHBoxLayout()
        self.viewer = QLabel()
        self.viewer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        viewer_row.addWidget(self.viewer, 1)
        self.viewer_settings_button = QPushButton("Viewer settings…")
        self.viewer_settings_button.clicked.connect(self.viewer_settings_requested)
        viewer_row.addWidget(self.viewer_settings_button)
        layout.addLayout(viewer_row)
        self.show_viewer_url(viewer_url)
        where = QLabel(f"Data: {data_dir_label}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.resize(560, 320)
        self.refresh()

    def refresh(self) -> None:
        """Count in a pool thread (the counts grow with the data); at most one count runs at a time."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        QThreadPool.globalInstance().start(self._count)

    def _count(self) -> None:  # in a pool thread
        counts = summary_counts()
        with contextlib.suppress(RuntimeError):  # the window was closed meanwhile: nobody to tell
            self._counts_ready.emit(counts)

    def _show_counts(self, counts: SummaryCounts) -> None:
        self._counting = False
        state = counts.by_sync_state
        self.summary.setText(
            "<table cellpadding=4>"
            f"<tr><td>Documents</td><td><b>{counts.documents}</b></td></tr>"
            f"<tr><td>Links</td><td><b>{counts.links}</b></td></tr>"
            f"<tr><td>Visits</td><td><b>{counts.visits}</b></td></tr>"
            f"<tr><td>In Salesforce</td><td><b>{state.get('synced', 0)}</b> synced, "
            f"{state.get('pending', 0) + state.get('syncing', 0)} pending, "
            f"{state.get('needs_attention', 0)} need attention, {state.get('skipped', 0)} skipped</td></tr></table>"
        )
        if self._count_again:
            self._count_again = False
            self.refresh()

    def show_viewer_url(self, url: str | None, problem: str = "") -> None:
        self.viewer.setText(f"Viewer: {url} — checking…" if url else f"Viewer: not running{problem}")

    def show_viewer_reachability(self, reachable: bool, url: str) -> None:
        self.viewer.setText(f"Viewer: {url} — " + ("reachable" if reachable else "not reachable from this computer"))

    def show_sync_state(self, state: SyncState) -> None:
        text = describe_state(state)
        self.sync_state.setText(text + (f" — {state.message}" if state.message and state.kind != "syncing" else ""))
        self.sync_button.setEnabled(state.kind not in ("sign_in_required", "not_connected"))
