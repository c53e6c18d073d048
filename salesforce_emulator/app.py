"""The Starlette application: OAuth, the REST gateway (auth, limits, faults) and the admin API."""

from __future__ import annotations

import asyncio
import contextlib
import json

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import admin, oauth
from .api_types import ApiRequest, ApiResponse
from .errors import ApiError, invalid_session
from .limits import limit_info_header
from .rest import RestApi, supported_versions

ABORT_EXTENSION = "salesforce_emulator.abort"
JSON_TYPE = "application/json;charset=UTF-8"
DATA_PREFIX = "/services/data/"


def _json_response(status: int, body: object, headers: dict[str, str]) -> Response:
    content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    return Response(content, status_code=status, headers=headers, media_type=None if body is None else JSON_TYPE)


class DroppedConnection:
    """An ASGI 'response' that closes the connection without answering (drop after commit)."""

    async def __call__(self, scope, receive, send) -> None:
        abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
        if abort is None:
            raise ConnectionAbortedError("dropped by the emulator (no abortable transport)")
        abort()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                while (await receive())["type"] != "http.disconnect":
                    pass


async def rest_gateway(request: Request) -> Response:
    state = request.app.state.emulator
    await state.faults.delay()
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    path = raw_path[raw_path.find(DATA_PREFIX) + len(DATA_PREFIX):] if DATA_PREFIX in raw_path else ""
    limit = state.settings.daily_api_limit
    log = {"method": request.method, "path": request.url.path, "query": request.url.query}
    state.request_log.append(log)

    def answer(response: ApiResponse, used: int) -> Response:
        log["status"] = response.status
        headers = {"Sforce-Limit-Info": limit_info_header(used, limit), **response.headers}
        return _json_response(response.status, response.body, headers)

    if path.strip("/") == "":
        log["counted"] = False
        return answer(ApiResponse(200, supported_versions()), state.usage.used())
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    session = state.sessions.session_for(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
    if session is None:
        log["counted"] = False
        return answer(ApiResponse(401, invalid_session().body()), state.usage.used())
    allowed, used = state.usage.consume(limit)
    log["counted"] = allowed
    if not allowed:
        return answer(ApiResponse(403, ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.").body()),
                      used)
    failure = state.faults.injected_failure()
    if failure is not None:
        log["injected"] = failure.error_code
        return answer(ApiResponse(failure.status, failure.body()), used)
    body = await request.body()
    api_request = ApiRequest(
        method=request.method, path=path, session=session, params=dict(request.query_params), body=body,
        headers={key.lower(): value for key, value in request.headers.items()},
    )
    response = state.rest.handle(api_request)
    if response.committed_write and state.faults.drop_after_commit():
        log["status"] = response.status
        log["dropped"] = True
        return DroppedConnection()  # type: ignore[return-value]
    return answer(response, used)


def create_app(state) -> Starlette:
    """The ASGI app for one emulator instance (``state`` is its EmulatorState)."""
    state.rest = RestApi(state)
    routes = [
        *oauth.routes(),
        Route("/services/data", rest_gateway, methods=["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]),
        Route("/services/data/{rest:path}", rest_gateway, methods=["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]),
        *admin.routes(),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = state
    app.state.templates = jinja2.Environment(
        loader=jinja2.PackageLoader("salesforce_emulator", "templates"), autoescape=True
    )
    return app
