"""The desktop app's entry: builds the QApplication and the window.

Until the UI issue lands, the window is a summary of the local data (documents, links, visits, sync queue).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from .store.database import open_database
from .store.models import Document, Link, OutboxItem, Visit
from .store.paths import ensure_data_dir, resolve_data_dir


class SummaryWindow(QMainWindow):
    def __init__(self, data_dir_label: str, demo: bool) -> None:
        super().__init__()
        self.setWindowTitle("DocSend Desktop" + (" — demo" if demo else ""))
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel("<h2>DocSend Desktop</h2>")
        layout.addWidget(title)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        where = QLabel(f"Data: {data_dir_label}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.resize(520, 300)
        self.refresh()

    def refresh(self) -> None:
        pending = OutboxItem.select().where(OutboxItem.state == "pending").count()
        self.summary.setText(
            "<table cellpadding=4>"
            f"<tr><td>Documents</td><td><b>{Document.select().count()}</b></td></tr>"
            f"<tr><td>Links</td><td><b>{Link.select().count()}</b></td></tr>"
            f"<tr><td>Visits</td><td><b>{Visit.select().count()}</b></td></tr>"
            f"<tr><td>Waiting to sync</td><td><b>{pending}</b></td></tr>"
            "<tr><td>Salesforce</td><td>not connected</td></tr></table>"
        )


def run_app(args) -> int:
    if args.demo:
        from .demo import demo_data_dir, seed_demo_data

        data_dir = ensure_data_dir(resolve_data_dir(args.data_dir or demo_data_dir()))
        open_database(data_dir, args.database_url)
        seed_demo_data(data_dir)
    else:
        data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
        open_database(data_dir, args.database_url)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DocSend Desktop")
    window = SummaryWindow(str(data_dir), args.demo)
    window.show()
    return app.exec()
