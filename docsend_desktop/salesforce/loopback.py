"""Sign-in through the system browser: a one-shot listener on http://localhost:<port>/OauthRedirect.

Salesforce matches the callback exactly (port included) and refuses 127.0.0.1, so the listener binds the
loopback address under the name ``localhost``, for one request, for a bounded time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .errors import ConnectionFailed, SignInRequired
from .oauth import AuthorizationFlow

DEFAULT_TIMEOUT = 300.0

_DONE_PAGE = b"""<!doctype html><html lang="en"><meta charset="utf-8"><title>DocSend Desktop</title>
<body style="font-family:sans-serif;margin:4em auto;max-width:30em">
<h1>Signed in</h1><p>You can close this window and go back to DocSend Desktop.</p></body></html>"""


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    redirect_url: str | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Listener

    def do_GET(self) -> None:  # noqa: N802 - http.server's API
        if urlsplit(self.path).path != "/OauthRedirect":
            self.send_error(404)
            return
        self.server.redirect_url = f"http://localhost:{self.server.server_address[1]}{self.path}"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(_DONE_PAGE)
        threading.Thread(target=self.server.shutdown, daemon=True).start()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the query holds the code: never log it
        return


def wait_for_redirect(flow: AuthorizationFlow, port: int, open_url: Callable[[str], bool],
                      timeout: float = DEFAULT_TIMEOUT, on_url: Callable[[str], None] | None = None) -> str:
    """Open the authorization URL, wait for the browser to come back, return the redirect URL.

    ``open_url`` starts the browser (returns False when it can't); ``on_url`` gets the URL to print in
    that case. Raises ``SignInRequired`` on timeout (the user closed the browser or gave up).
    """
    try:
        listener = _Listener(("127.0.0.1", port), _Handler)
    except OSError as exc:
        raise ConnectionFailed(f"can't listen on localhost:{port} for the sign-in redirect ({exc.strerror}); "
                               "close what uses it or choose another --port") from None
    url = flow.authorization_url()
    thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        if not open_url(url) and on_url is not None:
            on_url(url)
        thread.join(timeout)
        if thread.is_alive() or listener.redirect_url is None:
            raise SignInRequired(f"sign-in timed out after {timeout / 60:g} minutes (browser closed or cancelled?); "
                                 "nothing was changed")
        return listener.redirect_url
    finally:
        listener.shutdown()
        listener.server_close()
