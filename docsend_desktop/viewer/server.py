"""``ViewerServer``: the viewer on uvicorn in a background thread, for the desktop app, the CLI and tests.

::

    server = ViewerServer(data_dir, host="127.0.0.1", port=0)   # port 0: any free port
    server.start()            # binds (raises ViewerStartError, e.g. port in use), returns once serving
    server.url                # "http://127.0.0.1:53117", the real port
    server.is_running
    server.stop()             # graceful, bounded

The database must be open in this process first (``open_database``). ``from_settings`` reads host, port
and public URL from the settings table (``viewer.host``, ``viewer.port``, ``viewer.public_url``).
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn

from ..clock import Clock
from ..store import settings
from .app import create_app

log = logging.getLogger(__name__)
IDLE_SWEEP_SECONDS = 60.0
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


class ViewerStartError(RuntimeError):
    """The viewer could not start; the message says why in one line (port in use, bad address)."""


class ViewerServer:
    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1", port: int = 0, clock: Clock | None = None,
                 public_url: str | None = None, secret: str | None = None,
                 idle_sweep_seconds: float | None = IDLE_SWEEP_SECONDS, access_log: bool = False) -> None:
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.public_url = public_url
        self._clock = clock
        self._secret = secret
        self._idle_sweep = idle_sweep_seconds
        self._access_log = access_log
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._failure: BaseException | None = None

    @classmethod
    def from_settings(cls, data_dir: Path, clock: Clock | None = None) -> ViewerServer:
        return cls(data_dir, host=settings.get("viewer.host"), port=int(settings.get("viewer.port")), clock=clock,
                   public_url=settings.get("viewer.public_url") or None)

    @property
    def url(self) -> str:
        """The URL this server listens on (the real port once started)."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def is_running(self) -> bool:
        return (self._thread is not None and self._thread.is_alive() and self._server is not None
                and self._server.started and not self._server.should_exit)

    def start(self) -> None:
        if self._thread is not None:
            raise ViewerStartError("the viewer is already running")
        sock = self._bind()
        self.port = sock.getsockname()[1]
        app = create_app(self.data_dir, self._clock, secret=self._secret, public_url=self.public_url,
                         idle_sweep_seconds=self._idle_sweep)
        config = uvicorn.Config(
            app, log_level="warning", access_log=self._access_log, lifespan="on", server_header=False,
            date_header=True, timeout_keep_alive=15, limit_concurrency=2000, backlog=2048,
            h11_max_incomplete_event_size=16 * 1024,
        )
        self._server = uvicorn.Server(config)
        self._socket = sock
        self._thread = threading.Thread(target=self._run, name="docsend-viewer", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                failure = self._failure
                self._cleanup()
                raise ViewerStartError(f"the viewer stopped while starting: {failure or 'see the log'}")
            if time.monotonic() > deadline:
                self.stop()
                raise ViewerStartError("the viewer did not start in time")
            time.sleep(0.01)
        log.info("viewer listening on %s", self.url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(STOP_TIMEOUT)
        self._cleanup()

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # noqa: BLE001 - reported by start(); a thread must not die silently
            self._failure = exc
            log.exception("viewer server failed")

    def _bind(self) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self.host or None, self.port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
        except socket.gaierror as exc:
            raise ViewerStartError(f"can't listen on {self.host!r}: {exc.strerror}") from None
        family, kind, proto, _, address = infos[0]
        # The protocol must say TCP: asyncio only sets TCP_NODELAY on sockets that do, and without it a
        # response written in two parts waits ~40 ms for the client's delayed ACK (Nagle).
        sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(2048)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise ViewerStartError(f"port {self.port} on {self.host} is already in use") from None
            raise ViewerStartError(f"can't listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        return sock

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket = None
        self._thread = None
        self._server = None


def probe(url: str, timeout: float = 2.0) -> bool:
    """Whether a viewer answers at ``url`` (its ``/healthz``); for the app's "reachable" indicator."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path.rstrip("/") + "/healthz")
        response = connection.getresponse()
        return response.status == 200 and response.read(16) == b"ok"
    except (OSError, HTTPException):
        return False
    finally:
        connection.close()
