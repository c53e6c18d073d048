"""Field-level validation, the way Salesforce reports it.

Two stages, as in Salesforce:

* ``deserialize`` turns a JSON payload into canonical field names and typed values; an unknown
  field or a value of the wrong JSON type fails the whole request (``INVALID_FIELD``,
  ``JSON_PARSER_ERROR``).
* ``check_*`` functions find record errors (``REQUIRED_FIELD_MISSING``, ``STRING_TOO_LONG``,
  ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``, ``INVALID_FIELD_FOR_INSERT_UPDATE``,
  ``INVALID_EMAIL_ADDRESS``), reported per record with the fields they concern.
"""

from __future__ import annotations

import math

from .clock import format_datetime, parse_date, parse_datetime
from .errors import ApiError, RecordError
from .schema import ID_TYPES, NUMBER_TYPES, STRING_TYPES, FieldSchema, ObjectSchema

_JSON_TOKENS = {bool: "VALUE_TRUE", int: "VALUE_NUMBER_INT", float: "VALUE_NUMBER_FLOAT", str: "VALUE_STRING",
                dict: "START_OBJECT", list: "START_ARRAY"}
_DESERIALIZE_TYPES = {"boolean": "boolean", "int": "int", "double": "double", "currency": "double",
                      "percent": "double", "date": "date", "datetime": "datetime"}


def _parser_error(field: FieldSchema, value: object) -> ApiError:
    token = _JSON_TOKENS.get(type(value), "VALUE_STRING")
    if value is False:
        token = "VALUE_FALSE"
    target = _DESERIALIZE_TYPES.get(field.type, "String")
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {target} from {token} value {value} "
        "or request may be missing a required field at [line:1, column:1]",
    )


def convert_value(field: FieldSchema, value: object) -> object:
    """The stored form of a JSON value for ``field``; raise ApiError JSON_PARSER_ERROR."""
    if value is None:
        return None
    kind = field.type
    if kind in STRING_TYPES or kind in ID_TYPES:
        if isinstance(value, bool | dict | list):
            raise _parser_error(field, value)
        text = value if isinstance(value, str) else str(value)
        return text if text != "" else None  # Salesforce stores an empty string as null
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _parser_error(field, value)
    if kind in NUMBER_TYPES:
        number: float
        if isinstance(value, bool | dict | list):
            raise _parser_error(field, value)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                number = float(value)
            except ValueError:
                raise _parser_error(field, value) from None
        else:
            number = value
        if isinstance(number, float) and not math.isfinite(number):
            raise _parser_error(field, value)
        if kind == "int":
            if float(number) != int(number):
                raise _parser_error(field, value)
            return int(number)
        return float(number)
    if kind == "date":
        if not isinstance(value, str):
            raise _parser_error(field, value)
        try:
            return parse_date(value[:10] if "T" in value else value).isoformat()
        except ValueError:
            raise _parser_error(field, value) from None
    if kind == "datetime":
        if not isinstance(value, str):
            raise _parser_error(field, value)
        try:
            return format_datetime(parse_datetime(value))
        except ValueError:
            try:
                return format_datetime(parse_datetime(value + "T00:00:00Z"))
            except ValueError:
                raise _parser_error(field, value) from None
    raise _parser_error(field, value)


def deserialize(obj: ObjectSchema, payload: object) -> dict[str, object]:
    """Canonical field name -> stored value; ``attributes`` is ignored. Raise ApiError (400)."""
    if not isinstance(payload, dict):
        raise ApiError(400, "JSON_PARSER_ERROR",
                       f"Cannot deserialize instance of {obj.name} from {_JSON_TOKENS.get(type(payload), 'VALUE')}"
                       " value or request may be missing a required field at [line:1, column:1]")
    values: dict[str, object] = {}
    for key, value in payload.items():
        if key == "attributes":
            continue
        field = obj.field(key) if isinstance(key, str) else None
        if field is None:
            raise ApiError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}")
        values[field.name] = convert_value(field, value)
    return values


def check_writable(obj: ObjectSchema, values: dict[str, object], *, creating: bool) -> list[RecordError]:
    """Fields the caller may not set on create (not createable) or update (not updateable)."""
    refused = [
        name for name in values
        if not (obj.field(name).createable if creating else obj.field(name).updateable)
    ]
    if not refused:
        return []
    return [RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(refused)}. Please check the security settings of this field "
        "and verify that it is read/write for your profile or permission set.",
        refused,
    )]


def _looks_like_email(text: str) -> bool:
    local, _, domain = text.rpartition("@")
    return bool(local) and "." in domain and not domain.startswith(".") and " " not in text


def check_values(obj: ObjectSchema, values: dict[str, object]) -> list[RecordError]:
    """Lengths, restricted picklists and email format of the values being written."""
    errors: list[RecordError] = []
    for name, value in values.items():
        field = obj.field(name)
        if value is None or field.type not in STRING_TYPES:
            continue
        text = str(value)
        if len(text) > field.length:
            errors.append(RecordError(
                "STRING_TOO_LONG",
                f"{field.label}: data value too large: {text[:60]} (max length={field.length})",
                [field.name],
            ))
        elif field.type == "picklist" and field.restricted and text not in field.values:
            errors.append(RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{field.label}: bad value for restricted picklist field: {text}",
                [field.name],
            ))
        elif field.type == "email" and not _looks_like_email(text):
            errors.append(RecordError("INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {text}",
                                      [field.name]))
    return errors


def check_required(obj: ObjectSchema, record: dict[str, object]) -> list[RecordError]:
    """One REQUIRED_FIELD_MISSING error naming every required field that is empty."""
    missing = [
        field.name for field in obj.fields.values()
        if field.required and not field.calculated and record.get(field.name) in (None, "")
    ]
    if not missing:
        return []
    return [RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)]
