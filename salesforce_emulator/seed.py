"""Seed data: users (with passwords), OAuth clients, custom fields and records.

The built-in ``default_seed.json`` gives the user ``rep@example.com`` / ``demo``, the public client
``docsend-desktop`` and a few DocSend custom fields on Task.  A seed file is merged on top of it
(``"defaults": false`` starts from an empty org instead).  Records may name themselves with
``"ref": "acme"`` and be referred to by later records as ``"AccountId": "@acme"``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .errors import ApiError, RecordValidationError
from .org import Org
from .sessions import Client, Sessions
from .validation import deserialize


class SeedError(ValueError):
    """A seed that cannot be applied."""


def default_seed() -> dict:
    text = resources.files("salesforce_emulator").joinpath("default_seed.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_seed(source: str | Path | dict | None) -> dict:
    """The default seed merged with ``source`` (a path to a JSON file, a dict, or None)."""
    if source is None:
        extra: dict = {}
    elif isinstance(source, dict):
        extra = source
    else:
        try:
            extra = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SeedError(f"cannot read seed file {source}: {exc}") from exc
    if not isinstance(extra, dict):
        raise SeedError("a seed is a JSON object")
    base = default_seed() if extra.get("defaults", True) else {"users": [], "clients": [], "customFields": {},
                                                               "records": {}}
    merged = {
        "users": _merge_by(base.get("users", []), extra.get("users", []), "Username"),
        "clients": _merge_by(base.get("clients", []), extra.get("clients", []), "client_id"),
        "customFields": {obj: list(fields) for obj, fields in base.get("customFields", {}).items()},
        "records": {obj: list(rows) for obj, rows in base.get("records", {}).items()},
    }
    for obj, fields in extra.get("customFields", {}).items():
        merged["customFields"][obj] = _merge_by(merged["customFields"].get(obj, []), fields, "name")
    for obj, rows in extra.get("records", {}).items():
        merged["records"].setdefault(obj, []).extend(rows)
    return merged


def _merge_by(base: list, extra: list, key: str) -> list:
    if not isinstance(extra, list):
        raise SeedError(f"expected a list of objects with {key!r}")
    merged = {str(item.get(key, "")).lower(): item for item in base}
    for item in extra:
        if not isinstance(item, dict) or key not in item:
            raise SeedError(f"every entry needs {key!r}")
        merged[str(item[key]).lower()] = item
    return list(merged.values())


def apply_seed(org: Org, sessions: Sessions, seed: dict) -> str:
    """Apply a merged seed to an empty org; return the default user's id (the first user)."""
    for obj_name, fields in seed.get("customFields", {}).items():
        for definition in fields:
            define_custom_field(org, obj_name, definition)
    user_obj = org.schema.object("User")
    default_user = None
    for user in seed.get("users", []):
        values = {k: v for k, v in user.items() if k != "password"}
        try:
            record = org.create(user_obj, deserialize(user_obj, values), default_user or "", trusted=True)
        except (ApiError, RecordValidationError) as exc:
            raise SeedError(f"user {user.get('Username')}: {exc}") from exc
        if default_user is None:
            default_user = record["Id"]
            org.store.put("meta", "default_user_id", default_user)
        # A user created before the first one existed points at itself.
        if not record["CreatedById"]:
            org.store.put_record("User", record["Id"], dict(record, CreatedById=record["Id"],
                                                             LastModifiedById=record["Id"]))
        sessions.set_password(record["Username"], record["Id"], str(user.get("password", "")))
    if default_user is None:
        raise SeedError("a seed needs at least one user")
    for client in seed.get("clients", []):
        try:
            sessions.add_client(Client.from_json(client))
        except ValueError as exc:
            raise SeedError(str(exc)) from exc
    seed_records(org, seed.get("records", {}), default_user)
    return default_user


def define_custom_field(org: Org, obj_name: str, definition: dict) -> dict:
    """Add a custom field to the schema and remember it in the store (it survives restarts)."""
    try:
        field = org.schema.define_custom_field(obj_name, definition)
    except ValueError as exc:
        raise SeedError(str(exc)) from exc
    obj = org.schema.object(obj_name)
    org.store.put("custom_field", f"{obj.name}.{field.name}", {"object": obj.name, "field": field.to_json()})
    return field.to_json()


def restore_custom_fields(org: Org) -> None:
    for stored in org.store.documents("custom_field").values():
        org.schema.define_custom_field(stored["object"], stored["field"])


def seed_records(org: Org, records: dict, user_id: str) -> dict:
    """Insert records by object, in order; returns {"ids": {object: [ids]}, "refs": {ref: id}}."""
    if not isinstance(records, dict):
        raise SeedError("records map an object name to a list of records")
    refs: dict[str, str] = {}
    ids: dict[str, list[str]] = {}
    with org.store.atomic():
        for obj_name, rows in records.items():
            obj = org.schema.object(obj_name)
            if obj is None or not isinstance(rows, list):
                raise SeedError(f"unknown object {obj_name!r} or not a list of records")
            for row in rows:
                if not isinstance(row, dict):
                    raise SeedError(f"a {obj.name} record is a JSON object")
                payload = {k: _dereference(v, refs) for k, v in row.items() if k != "ref"}
                try:
                    record = org.create(obj, deserialize(obj, payload), user_id, trusted=True)
                except (ApiError, RecordValidationError) as exc:
                    raise SeedError(f"{obj.name} {row}: {exc}") from exc
                ids.setdefault(obj.name, []).append(record["Id"])
                if isinstance(row.get("ref"), str):
                    refs[row["ref"]] = record["Id"]
    return {"ids": ids, "refs": refs}


def _dereference(value: object, refs: dict[str, str]) -> object:
    if isinstance(value, str) and value.startswith("@") and value[1:] in refs:
        return refs[value[1:]]
    return value
