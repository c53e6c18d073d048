"""The transport-free shape of one REST call, shared by the REST router and the composite resources."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .errors import ApiError
from .sessions import Session


@dataclass
class ApiRequest:
    method: str
    path: str  # after /services/data/, still percent-encoded, e.g. "v59.0/sobjects/Task/00T..."
    session: Session
    params: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    def json(self) -> object:
        if not self.body.strip():
            raise ApiError(400, "JSON_PARSER_ERROR", "No content to map due to end-of-input at [line:1, column:0]")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
            raise ApiError(400, "JSON_PARSER_ERROR",
                           f"Unexpected character: {getattr(exc, 'msg', 'invalid JSON')} at "
                           f"[line:{line}, column:{column}]") from None


@dataclass
class ApiResponse:
    status: int
    body: object = None  # JSON-able; None with 204
    headers: dict[str, str] = field(default_factory=dict)
    committed_write: bool = False  # a write was committed (drop-after-commit applies)


def error_response(error: ApiError) -> ApiResponse:
    return ApiResponse(error.status, error.body())


def allow_methods(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise ApiError(405, "METHOD_NOT_ALLOWED",
                       f"HTTP Method '{method}' not allowed. Allowed are {','.join(allowed)}")
