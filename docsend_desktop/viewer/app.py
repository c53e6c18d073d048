"""``create_app``: the viewer's ASGI application (Starlette), wired from its parts.

The database must already be open (``store.database.open_database``); handlers run queries in worker
threads, never on the event loop. Nothing here binds a socket: ``server.ViewerServer`` does that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..clock import Clock, SystemClock
from ..tracking.activity import end_idle_visits
from . import beacons, document_routes, owner_routes, visitor_routes
from .context import ViewerContext, viewer_context
from .security import SecurityHeadersMiddleware, with_security_headers
from .templating import load_static_assets, static_response
from .tokens import load_or_create_secret

log = logging.getLogger(__name__)


def create_app(data_dir: Path, clock: Clock | None = None, *, secret: str | None = None,
               public_url: str | None = None, idle_sweep_seconds: float | None = None) -> Starlette:
    """The viewer app.

    ``secret`` signs cookies and keys visit tokens (default: the installation's, created on first use);
    ``public_url`` overrides the ``viewer.public_url`` setting (https makes cookies Secure);
    ``idle_sweep_seconds`` ends visits idle past the 10-minute rule that often (``None``: never).
    """
    clock = clock or SystemClock()
    assets = load_static_assets()
    ctx = ViewerContext.build(data_dir, clock, secret or load_or_create_secret(), public_url, assets)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(_sweep_idle_visits(clock, idle_sweep_seconds)) if idle_sweep_seconds else None
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            await run_in_threadpool(ctx.writer.close)  # let queued activity finish writing

    routes = [
        Route("/", home, methods=["GET", "HEAD"]),
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/static/{name}", lambda request: static_response(assets, request), methods=["GET", "HEAD"]),
        *visitor_routes.routes,
        *document_routes.routes,
        *beacons.routes,
        *owner_routes.routes,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.viewer = ctx
    return app


def home(request: Request) -> Response:
    return viewer_context(request).pages.message(
        200, "DocSend Desktop", "Open the link you were sent to view a document.")


async def healthz(request: Request) -> Response:
    """Liveness for the desktop app's reachability check and the benchmark's baseline; touches no data."""
    return PlainTextResponse("ok", headers={"cache-control": "no-store"})


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    pages = viewer_context(request).pages
    if status == 404:
        return pages.message(404, "Not found", "There is nothing at this address. Check the link you were sent.")
    if status == 405:
        return pages.message(405, "Not allowed", "This address does not accept that kind of request.")
    return pages.message(status, "Request refused", "This request could not be handled.")


async def server_error(request: Request, exc: Exception) -> Response:
    """Any unexpected error: logged here with its traceback, a plain page to the visitor."""
    log.exception("viewer error on %s %s", request.method, request.url.path)
    response = viewer_context(request).pages.message(
        500, "Something went wrong", "The page could not be shown. Try again in a moment.")
    # This handler sits outside the middleware stack: add the security headers itself.
    response.raw_headers[:] = with_security_headers(response.raw_headers)
    return response


async def _sweep_idle_visits(clock: Clock, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(end_idle_visits, clock)
        except Exception:  # a locked or unreachable database must not stop the sweeper
            log.exception("ending idle visits failed")
