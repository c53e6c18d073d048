"""Column types shared by the models."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from peewee import DateTimeField, TextField


class UTCDateTimeField(DateTimeField):
    """Stores naive UTC, hands back aware UTC; the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JSONField(TextField):
    """Small JSON values (page lists, seconds per page) as text: portable across both databases."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)
