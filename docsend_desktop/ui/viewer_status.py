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

    def __init__(self, base_url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.base_url = base_url.rstrip("/")
        self._network = QNetworkAccessManager(self)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self.check()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        request = QNetworkRequest(QUrl(self.base_url + "/healthz"))
        request.setTransferTimeout(TIMEOUT_MS)
        reply = self._network.get(request)
        reply.finished.connect(lambda: self._done(reply))

    def _done(self, reply: QNetworkReply) -> None:
        ok = reply.error() == QNetworkReply.NetworkError.NoError and bytes(reply.readAll().data()) == b"ok"
        reply.deleteLater()
        self.checked.emit(ok, self.base_url)
