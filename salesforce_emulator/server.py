"""``Emulator``: run the emulator in-process (uvicorn with TLS in a background thread).

    with Emulator() as sf:
        sf.base_url, sf.ca_path, sf.admin.issue_tokens()

Several instances can run in one process; each has its own state, port, certificates and thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import requests
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .admin_client import AdminClient
from .app import ABORT_EXTENSION, create_app
from .certs import ensure_certificates
from .seed import load_seed
from .settings import DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_DAILY_API_LIMIT, Settings
from .state import EmulatorState

DATABASE_NAME = "emulator.sqlite3"
START_TIMEOUT = 15.0


class _AbortableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, offering the app a way to drop the connection without answering."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope, receive, send):
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = self._abort
            await inner(scope, receive, send)

        self.app = app

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class Emulator:
    """A Salesforce emulator on ``https://127.0.0.1:<port>``.

    ``data_dir`` None: certificates in a temporary directory (removed on stop), state in memory.
    With a ``data_dir``: certificates, ``admin-token`` and the SQLite state live there
    (``ephemeral=True`` keeps the state in memory anyway).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        ephemeral: bool = False,
        port: int = 0,
        seed: str | Path | dict | None = None,
        admin_token: str | None = None,
        random_seed: int | None = None,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        fail_rate: float = 0.0,
        fail_status: int = 503,
        fail_code: str = "SERVER_UNAVAILABLE",
        drop_after_commit_rate: float = 0.0,
        daily_api_limit: int = DEFAULT_DAILY_API_LIMIT,
        access_token_ttl: float = DEFAULT_ACCESS_TOKEN_TTL,
        refresh_token_ttl: float | None = None,
        rotate_refresh_tokens: bool = False,
    ) -> None:
        self._temporary_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="sf-emulator-"))
        self.ephemeral = ephemeral or data_dir is None
        self._requested_port = port
        self._seed = load_seed(seed)
        self._admin_token = admin_token
        self._random_seed = random_seed
        self.settings = Settings()
        self.settings.update({
            "latency_ms": latency_ms, "jitter_ms": jitter_ms, "fail_rate": fail_rate, "fail_status": fail_status,
            "fail_code": fail_code, "drop_after_commit_rate": drop_after_commit_rate,
            "daily_api_limit": daily_api_limit, "access_token_ttl": access_token_ttl,
            "refresh_token_ttl": refresh_token_ttl, "rotate_refresh_tokens": rotate_refresh_tokens,
        })
        self.state: EmulatorState | None = None
        self.port: int | None = None
        self.ca_path: Path | None = None
        self.admin: AdminClient | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._thread is not None:
            raise RuntimeError("emulator already started")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tls = ensure_certificates(self.data_dir)
        self.ca_path = tls.ca_path
        db_path = None if self.ephemeral else self.data_dir / DATABASE_NAME
        self.state = EmulatorState(db_path=db_path, seed=self._seed, settings=self.settings,
                                   random_seed=self._random_seed, admin_token=self._admin_token)
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and
        # without it every response waits ~40 ms for a delayed ACK (headers and body are separate writes).
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            listener.bind(("127.0.0.1", self._requested_port))
        except OSError:
            listener.close()
            self.state.close()
            raise
        self.port = listener.getsockname()[1]
        self.state.base_url = self.base_url
        self._write_admin_token()
        config = uvicorn.Config(
            create_app(self.state), ssl_certfile=str(tls.cert_path), ssl_keyfile=str(tls.key_path),
            http=_AbortableH11Protocol, ws="none", lifespan="off", log_level="warning", access_log=False,
            timeout_graceful_shutdown=2, timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, args=(listener,), name=f"sf-emulator-{self.port}",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start: {self._failure!r}")
            time.sleep(0.005)
        self.admin = AdminClient(self.base_url, self.admin_token, self.ca_path)
        return self

    def _serve(self, listener: socket.socket) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await self._server.serve(sockets=[listener])

        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported by start()
            self._failure = exc
        finally:
            listener.close()

    def _write_admin_token(self) -> None:
        path = self.data_dir / "admin-token"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(self.admin_token + "\n")

    def _abort_connections(self) -> None:
        """Runs in the server's loop: close idle keep-alive connections at once (clients don't answer
        TLS close_notify, which would hold a graceful shutdown for seconds)."""
        for connection in list(self._server.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._loop is not None and self._thread is not None and self._thread.is_alive():
                with contextlib.suppress(RuntimeError):  # the loop already closed
                    self._loop.call_soon_threadsafe(self._abort_connections)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.admin is not None:
            self.admin.close()
        if self.state is not None:
            self.state.close()
        if self._temporary_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- conveniences ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not started")
        return f"https://127.0.0.1:{self.port}"

    @property
    def admin_token(self) -> str:
        if self.state is None:
            raise RuntimeError("the emulator is not started")
        return self.state.admin_token

    @property
    def login_url(self) -> str:
        """What an app uses as its Salesforce login URL (authorize and token endpoints live here)."""
        return self.base_url

    def requests_session(self) -> requests.Session:
        """A requests Session that trusts the emulator's CA.

        ``trust_env`` is off because requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment
        override ``Session.verify`` (psf/requests#3829); proxies from the environment are skipped with it.
        """
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.ca_path)
        return session

    def salesforce(self, version: str = "59.0", **token_options: str):
        """A simple_salesforce.Salesforce signed in with fresh tokens (see AdminClient.issue_tokens)."""
        from simple_salesforce import Salesforce

        tokens = self.admin.issue_tokens(**token_options)
        return Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                          session=self.requests_session(), version=version)
