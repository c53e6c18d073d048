"""Field mapping: each data point goes to the Description (default) or to a custom Task field checked against
``describe``: custom, createable, updateable, of a type that fits the value (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import settings
from ..store.settings import MAPPABLE_DATA_POINTS

DESCRIPTION = "Description"
NUMBER_POINTS = {"duration", "percent_viewed"}
URL_POINTS = {"stats_url", "document_url", "space_url", "link_url", "external_url"}
COMPATIBLE_TYPES = {
    "number": {"double", "percent", "int", "currency"},
    "url": {"url", "string"},
    "text": {"string", "textarea"},
}
VISIT_POINTS = {"document_name", "account_name", "visitor", "duration", "percent_viewed", "time_per_page", "stats_url"}
LINK_POINTS = {"document_name", "space_name", "account_name", "document_url", "space_url", "link_url",
               "external_url", "visitors"}


def value_type(point: str) -> str:
    return "number" if point in NUMBER_POINTS else "url" if point in URL_POINTS else "text"


@dataclass
class FieldMapping:
    fields: dict[str, str] = field(default_factory=dict)  # data point → custom field (only the mapped ones)
    errors: dict[str, str] = field(default_factory=dict)  # data point → why its mapping can't be used
    lengths: dict[str, int] = field(default_factory=dict)  # custom field → max length (text fields)

    def field_for(self, point: str) -> str | None:
        return self.fields.get(point)

    def error_for(self, points: set[str]) -> str | None:
        broken = [self.errors[p] for p in sorted(points) if p in self.errors]
        return "; ".join(broken) or None


def configured_mapping() -> dict[str, str]:
    values = {p: settings.get(f"mapping.{p}") for p in MAPPABLE_DATA_POINTS}
    return {p: f for p, f in values.items() if f != DESCRIPTION}


def resolve(configured: dict[str, str], task_fields: dict[str, dict]) -> FieldMapping:
    """Check each configured mapping against Task's describe; broken ones are reported, never dropped."""
    mapping = FieldMapping()
    by_lower = {name.lower(): info for name, info in task_fields.items()}
    for point, name in configured.items():
        info = by_lower.get(name.lower())
        problem = None
        if info is None:
            problem = "no such field on Task"
        elif not info.get("custom"):
            problem = "not a custom field"
        elif not (info.get("createable") and info.get("updateable")):
            problem = "not createable and updateable"
        elif info.get("type") not in COMPATIBLE_TYPES[value_type(point)]:
            problem = f"a {info.get('type')} field can't hold a {value_type(point)}"
        if problem:
            mapping.errors[point] = f"mapping.{point} → {name}: {problem}"
            continue
        mapping.fields[point] = info["name"]
        if info.get("length"):
            mapping.lengths[info["name"]] = int(info["length"])
    return mapping
