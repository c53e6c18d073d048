"""Settings declared up front with their defaults and validation; the database holds only what differs.

Keys and meanings are in DESIGN.md §6. ``mapping.<data point>`` routes one data point of a Task to the
Description (default) or to a custom Task field (an API name ending in ``__c``, checked against
``describe`` by the sync layer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .database import write_transaction
from .models import Setting

BOOL = "bool"
TEXT = "text"

# Data points a Task can carry (DESIGN §3/§4); each may be mapped with ``mapping.<name>``.
MAPPABLE_DATA_POINTS = (
    "document_name",
    "space_name",
    "account_name",
    "visitor",
    "duration",
    "percent_viewed",
    "time_per_page",
    "stats_url",
    "document_url",
    "space_url",
    "link_url",
    "external_url",
    "visitors",
)


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: str
    default: str
    help: str


SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in [
        SettingSpec("sync.visits", BOOL, "true", "Sync visits as Tasks"),
        SettingSpec("sync.document_links", BOOL, "true", "Sync document-link creations as Tasks"),
        SettingSpec("sync.space_links", BOOL, "true", "Sync Space-link creations as Tasks"),
        SettingSpec("sync.create_leads_for_unmatched", BOOL, "false", "Create new leads for unmatched emails"),
        SettingSpec("sync.create_tasks_for_unmatched", BOOL, "false", "Create new tasks for unmatched emails"),
        SettingSpec("sync.max_api_usage_percent", TEXT, "90", "Pause syncing past this share of the daily API limit"),
        SettingSpec("salesforce.login_url", TEXT, "production",
                    "Salesforce login: production, sandbox, or your My Domain https URL"),
        SettingSpec("salesforce.client_id", TEXT, "", "Consumer key of your org's External Client App"),
        SettingSpec("salesforce.redirect_port", TEXT, "1717", "Port of the sign-in callback on localhost"),
        SettingSpec("salesforce.external_id_field", TEXT, "", "External ID Task field for upserts"),
        SettingSpec("viewer.public_url", TEXT, "", "Base URL visitors use to reach the viewer"),
        SettingSpec("viewer.host", TEXT, "127.0.0.1", "Address the built-in viewer listens on"),
        SettingSpec("viewer.port", TEXT, "8765", "Port the built-in viewer listens on"),
        SettingSpec("viewer.enabled", BOOL, "true", "Run the built-in viewer with the app"),
    ]
    + [
        SettingSpec(f"mapping.{point}", TEXT, "Description", f"Task field for {point.replace('_', ' ')}")
        for point in MAPPABLE_DATA_POINTS
    ]
}

_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}__c$")


class SettingError(ValueError):
    pass


def validate(key: str, value: str) -> str:
    """Return the normalised value or raise ``SettingError`` with a one-line reason."""
    spec = SPECS.get(key)
    if spec is None:
        raise SettingError(f"unknown setting {key!r} (see 'settings list')")
    value = value.strip()
    if spec.kind == BOOL:
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise SettingError(f"{key} takes true or false, not {value!r}")
        return lowered
    if key.startswith("mapping."):
        if value.lower() == "description":
            return "Description"
        if not _FIELD_NAME.match(value):
            raise SettingError(f"{key} takes 'Description' or a custom Task field API name such as Visit_Duration__c")
        return value
    if key == "salesforce.external_id_field" and value and not _FIELD_NAME.match(value):
        raise SettingError(f"{key} takes a custom Task field API name ending in __c, or nothing")
    if key == "viewer.public_url" and value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise SettingError(f"{key} takes an http(s) URL such as https://docs.example.com, not {value!r}")
        return value.rstrip("/")
    if key == "sync.max_api_usage_percent" and not (value.isdigit() and 1 <= int(value) <= 100):
        raise SettingError(f"{key} takes a whole number from 1 to 100, not {value!r}")
    if key == "salesforce.login_url" and value.lower() not in ("production", "sandbox"):
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise SettingError(f"{key} takes production, sandbox or an https:// URL, not {value!r}")
    if key in ("viewer.port", "salesforce.redirect_port") and not (value.isdigit() and 1 <= int(value) <= 65535):
        raise SettingError(f"{key} takes a port number from 1 to 65535, not {value!r}")
    return value


def get(key: str) -> str:
    spec = SPECS[key]
    row = Setting.get_or_none(Setting.key == key)
    return spec.default if row is None else row.value


def get_bool(key: str) -> bool:
    return get(key) == "true"


def set_value(key: str, value: str) -> str:
    value = validate(key, value)
    _upsert(key, value)
    return value


def all_values() -> dict[str, str]:
    stored = {row.key: row.value for row in Setting.select() if row.key in SPECS}
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


# Private keys that are not user settings (connection facts, last sync time); never secrets.
def get_internal(key: str, default: str = "") -> str:
    row = Setting.get_or_none(Setting.key == f"_{key}")
    return default if row is None else row.value


def get_or_create_internal(key: str, make: Callable[[], str]) -> str:
    """The stored value, or ``make()`` stored once: BEGIN IMMEDIATE makes processes starting together agree."""
    value = get_internal(key)
    if value:
        return value
    with write_transaction():
        value = get_internal(key)
        if not value:
            value = make()
            set_internal(key, value)
    return value


def set_internal(key: str, value: str) -> None:
    _upsert(f"_{key}", value)


def delete_internal(key: str) -> None:
    Setting.delete().where(Setting.key == f"_{key}").execute()


def _upsert(key: str, value: str) -> None:
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()
