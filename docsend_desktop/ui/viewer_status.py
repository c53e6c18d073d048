"""Whether the viewer answers at the URL visitors use, checked without blocking the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest

CHECK_EVERY_MS = 30_000
TIMEOUT_MS = 5_000


class ViewerReachability(QObject):
    """Signals:
        checked(bool reachable, str url): after each check of ``url``/healthz.
    """

    checked = Signal(bool, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.base_url = ""
        self._in_flight: set[QNetworkReply] = set()
        self._network = QNetworkAccessManager(self)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.check)

    def start(self, base_url: str) -> None:
        """Check ``base_url`` now and every 30 s; a check still running for an old URL is ignored."""
        self.base_url = base_url.rstrip("/")
        self.check()
        self._timer.start()

    def stop(self) -> None:
        """Stop checking; a check in flight is cut off and will call nothing (safe before deletion)."""
        self._timer.stop()
        self.base_url = ""
        for reply in list(self._in_flight):
            reply.finished.disconnect()
            reply.abort()
            reply.deleteLater()
        self._in_flight.clear()

    def check(self) -> None:
        if not self.base_url:
            return
        request = QNetworkRequest(QUrl(self.base_url + "/healthz"))
        request.setTransferTimeout(TIMEOUT_MS)
        reply = self._network.get(request)
        self._in_flight.add(reply)
        base_url = self.base_url
        reply.finished.connect(lambda: self._done(reply, base_url))

    def _done(self, reply: QNetworkReply, base_url: str) -> None:
        self._in_flight.discard(reply)
        ok = reply.error() == QNetworkReply.NetworkError.NoError and bytes(reply.readAll().data()) == b"ok"
        reply.deleteLater()
        if base_url == self.base_url:  # not a late answer about a URL we no longer watch
            self.checked.emit(ok, base_url)
