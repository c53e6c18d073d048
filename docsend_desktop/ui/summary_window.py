"""A summary window: what's stored, the sync state with "Sync now", and where the viewer listens.

A stand-in for the main window of the UI issue; its counts are COUNT(*) queries, cheap at any size.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from ..store.models import Document, Link, OutboxItem, Visit
from ..sync.worker import SyncState

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

    def __init__(self, data_dir_label: str, demo: bool, viewer_url: str | None) -> None:
        super().__init__()
        self.setWindowTitle("DocSend Desktop" + (" — demo" if demo else ""))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel("<h2>DocSend Desktop</h2>"))
        self.summary = QLabel()
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
        counts = {state: OutboxItem.select().where(OutboxItem.state == state).count()
                  for state in ("pending", "synced", "needs_attention", "skipped")}
        self.summary.setText(
            "<table cellpadding=4>"
            f"<tr><td>Documents</td><td><b>{Document.select().count()}</b></td></tr>"
            f"<tr><td>Links</td><td><b>{Link.select().count()}</b></td></tr>"
            f"<tr><td>Visits</td><td><b>{Visit.select().count()}</b></td></tr>"
            f"<tr><td>In Salesforce</td><td><b>{counts['synced']}</b> synced, {counts['pending']} pending, "
            f"{counts['needs_attention']} need attention, {counts['skipped']} skipped</td></tr></table>"
        )

    def show_viewer_url(self, url: str | None, problem: str = "") -> None:
        self.viewer.setText(f"Viewer: {url} — checking…" if url else f"Viewer: not running{problem}")

    def show_viewer_reachability(self, reachable: bool, url: str) -> None:
        self.viewer.setText(f"Viewer: {url} — " + ("reachable" if reachable else "not reachable from this computer"))

    def show_sync_state(self, state: SyncState) -> None:
        text = describe_state(state)
        self.sync_state.setText(text + (f" — {state.message}" if state.message and state.kind != "syncing" else ""))
        self.sync_button.setEnabled(state.kind not in ("sign_in_required", "not_connected"))
