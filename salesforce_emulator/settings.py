"""Run-time settings: fault injection, limits and token policy.

Set at start-up from the CLI or the ``Emulator`` arguments, changed at run time through the admin
API (``PATCH /__emulator__/settings``); ``reset`` brings back the start-up values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

DEFAULT_DAILY_API_LIMIT = 15000  # a Developer Edition org's daily allowance
DEFAULT_ACCESS_TOKEN_TTL = 7200  # Salesforce's default session timeout: two hours of inactivity


@dataclass
class Settings:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    fail_rate: float = 0.0
    fail_status: int = 503
    fail_code: str = "SERVER_UNAVAILABLE"
    drop_after_commit_rate: float = 0.0
    daily_api_limit: int = DEFAULT_DAILY_API_LIMIT
    access_token_ttl: float = DEFAULT_ACCESS_TOKEN_TTL
    refresh_token_ttl: float | None = None  # idle expiry of refresh tokens; None: never
    rotate_refresh_tokens: bool = False
    duplicate_rules: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def copy(self) -> Settings:
        return dataclasses.replace(self, duplicate_rules={k: list(v) for k, v in self.duplicate_rules.items()})

    def update(self, changes: dict) -> None:
        """Apply ``changes`` (names as in ``to_json``); raise ValueError on an unknown name or bad value."""
        checked = {}
        for name, value in changes.items():
            if name not in _CHECKS:
                raise ValueError(f"unknown setting {name!r}")
            checked[name] = _CHECKS[name](name, value)
        for name, value in checked.items():
            setattr(self, name, value)


def _rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} is a number between 0 and 1")
    return float(value)


def _non_negative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} is a number of at least 0")
    return float(value)


def _optional_non_negative(name: str, value: object) -> float | None:
    return None if value is None else _non_negative(name, value)


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} is a whole number of at least 0")
    return value


def _status(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise ValueError(f"{name} is an HTTP error status (400-599)")
    return value


def _code(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is an error code such as UNABLE_TO_LOCK_ROW")
    return value


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} is true or false")
    return value


def _rules(name: str, value: object) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(f, str) for f in v) for k, v in value.items()
    ):
        raise ValueError(f"{name} maps an object name to a list of field names")
    return {k: list(v) for k, v in value.items()}


_CHECKS = {
    "latency_ms": _non_negative,
    "jitter_ms": _non_negative,
    "fail_rate": _rate,
    "fail_status": _status,
    "fail_code": _code,
    "drop_after_commit_rate": _rate,
    "daily_api_limit": _count,
    "access_token_ttl": _non_negative,
    "refresh_token_ttl": _optional_non_negative,
    "rotate_refresh_tokens": _flag,
    "duplicate_rules": _rules,
}
