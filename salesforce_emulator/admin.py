"""The admin JSON API under ``/__emulator__/``: settings and faults, seeding, reading records back,
issuing tokens without a browser, the clock, custom fields, users, clients, revoke-all and reset.

Every call needs ``Authorization: Bearer <admin token>``; none counts against the API limit.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .clock import format_datetime
from .errors import ApiError, RecordValidationError
from .oauth import token_response
from .seed import SeedError, define_custom_field, seed_records
from .sessions import DEFAULT_SCOPES, Client
from .validation import deserialize

PREFIX = "/__emulator__"


class _BadRequest(Exception):
    pass


def _admin(handler):
    """Check the admin token, parse errors into 400s, and hand the handler the emulator state."""

    async def endpoint(request: Request) -> Response:
        state = request.app.state.emulator
        header = request.headers.get("authorization", "")
        if header != f"Bearer {state.admin_token}":
            return JSONResponse({"error": "unauthorized", "message": "admin token required"}, status_code=401)
        try:
            result = await handler(request, state)
        except (_BadRequest, SeedError, ValueError) as exc:
            return JSONResponse({"error": "bad_request", "message": str(exc)}, status_code=400)
        except (ApiError, RecordValidationError) as exc:
            errors = exc.body() if isinstance(exc, ApiError) else [e.as_rest_error() for e in exc.errors]
            return JSONResponse({"error": "bad_request", "message": str(exc), "errors": errors}, status_code=400)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    return endpoint


async def _json(request: Request, default: object = None) -> object:
    body = await request.body()
    if not body.strip():
        return default
    try:
        return json.loads(body)
    except ValueError as exc:
        raise _BadRequest(f"malformed JSON: {exc}") from None


def usage_body(state) -> dict:
    used, limit = state.usage.used(), state.settings.daily_api_limit
    return {"used": used, "max": limit, "remaining": max(limit - used, 0)}


async def overview(request: Request, state) -> dict:
    return {"base_url": state.base_url, "org_id": state.org.org_id, "default_user_id": state.default_user_id,
            "settings": state.settings.to_json(), "usage": usage_body(state),
            "now": format_datetime(state.clock.now())}


async def settings(request: Request, state) -> dict:
    if request.method == "PATCH":
        changes = await _json(request, {})
        if not isinstance(changes, dict):
            raise _BadRequest("settings are a JSON object")
        state.settings.update(changes)
    return state.settings.to_json()


async def reset(request: Request, state) -> dict:
    state.reset()
    return {"reset": True}


async def revoke_all(request: Request, state) -> dict:
    state.sessions.revoke_all()
    return {"revoked": True}


async def usage(request: Request, state) -> dict:
    if request.method == "DELETE":
        state.usage.reset()
    return usage_body(state)


async def tokens(request: Request, state) -> dict:
    payload = await _json(request, {})
    if not isinstance(payload, dict):
        raise _BadRequest("expected a JSON object")
    client = state.sessions.client(payload.get("client_id", "docsend-desktop"))
    if client is None:
        raise _BadRequest(f"unknown client {payload.get('client_id')!r}")
    user_id = state.default_user_id
    if payload.get("username"):
        matches = state.org.find_by_field(state.org.schema.object("User"), "Username", payload["username"])
        if not matches:
            raise _BadRequest(f"unknown user {payload['username']!r}")
        user_id = matches[0]["Id"]
    scope = payload.get("scope") or " ".join(DEFAULT_SCOPES)
    issued = state.sessions.issue_tokens(client.client_id, user_id, scope)
    return token_response(state, issued, client)


async def seed(request: Request, state) -> dict:
    payload = await _json(request, {})
    return seed_records(state.org, payload, state.default_user_id)


async def records(request: Request, state) -> dict:
    obj = state.org.schema.object(request.path_params["sobject"])
    if obj is None:
        raise _BadRequest(f"unknown object {request.path_params['sobject']!r}")
    include_deleted = request.query_params.get("include_deleted", "false").lower() == "true"
    rows = state.store.records(obj.name) if include_deleted else state.org.live_records(obj)
    return {"records": [dict(row) for row in rows]}


async def clock(request: Request, state) -> dict:
    if request.method == "POST":
        payload = await _json(request, {})
        seconds = payload.get("seconds") if isinstance(payload, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise _BadRequest("expected {\"seconds\": number}")
        state.clock.advance(seconds)
    return {"now": format_datetime(state.clock.now()), "offset_seconds": state.clock.offset_seconds}


async def fields(request: Request, state) -> dict:
    obj_name = request.path_params["sobject"]
    if request.method == "DELETE":
        name = request.path_params["field"]
        with state.store.atomic():
            if not state.schema.drop_custom_field(obj_name, name):
                raise _BadRequest(f"no custom field {obj_name}.{name}")
            obj = state.schema.object(obj_name)
            state.store.delete("custom_field", f"{obj.name}.{name}")
            for stored_key in list(state.store.documents("custom_field")):
                if stored_key.lower() == f"{obj.name}.{name}".lower():
                    state.store.delete("custom_field", stored_key)
        return {"deleted": True}
    definition = await _json(request, {})
    if not isinstance(definition, dict):
        raise _BadRequest("a field definition is a JSON object")
    return define_custom_field(state.org, obj_name, definition)


async def users(request: Request, state) -> dict:
    payload = await _json(request, {})
    if not isinstance(payload, dict) or not payload.get("Username"):
        raise _BadRequest("a user needs at least Username, LastName and Email")
    user_obj = state.org.schema.object("User")
    values = {key: value for key, value in payload.items() if key != "password"}
    with state.store.atomic():
        record = state.org.create(user_obj, deserialize(user_obj, values), state.default_user_id, trusted=True)
        state.sessions.set_password(record["Username"], record["Id"], str(payload.get("password", "")))
    return {"id": record["Id"]}


async def clients(request: Request, state) -> dict:
    payload = await _json(request, {})
    client = Client.from_json(payload)
    state.sessions.add_client(client)
    return client.to_json()


async def request_log(request: Request, state) -> dict:
    if request.method == "DELETE":
        state.request_log.clear()
    return {"requests": list(state.request_log)}


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/state", _admin(overview), methods=["GET"]),
        Route(f"{PREFIX}/settings", _admin(settings), methods=["GET", "PATCH"]),
        Route(f"{PREFIX}/reset", _admin(reset), methods=["POST"]),
        Route(f"{PREFIX}/revoke-all", _admin(revoke_all), methods=["POST"]),
        Route(f"{PREFIX}/usage", _admin(usage), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/tokens", _admin(tokens), methods=["POST"]),
        Route(f"{PREFIX}/seed", _admin(seed), methods=["POST"]),
        Route(f"{PREFIX}/records/{{sobject}}", _admin(records), methods=["GET"]),
        Route(f"{PREFIX}/clock", _admin(clock), methods=["GET", "POST"]),
        Route(f"{PREFIX}/fields/{{sobject}}", _admin(fields), methods=["POST"]),
        Route(f"{PREFIX}/fields/{{sobject}}/{{field}}", _admin(fields), methods=["DELETE"]),
        Route(f"{PREFIX}/users", _admin(users), methods=["POST"]),
        Route(f"{PREFIX}/clients", _admin(clients), methods=["POST"]),
        Route(f"{PREFIX}/requests", _admin(request_log), methods=["GET", "DELETE"]),
    ]
