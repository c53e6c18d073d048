"""Task payloads (DESIGN §4): a short Subject, readable Description lines, mapped custom fields.

Every Description ends with the item's sync key: the engine finds a Task an interrupted create left
behind by it (Description can't be filtered in SOQL, but it can be read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..clock import as_utc
from .facts import LinkFacts, VisitFacts
from .mapping import DESCRIPTION, FieldMapping, value_type

SUBJECT_MAX = 255
DESCRIPTION_MAX = 32_000
SYNC_KEY_PREFIX = "DocSend sync key: "
COMPLETED = "Completed"
NOT_STARTED = "Not Started"


@dataclass(frozen=True)
class DataPoint:
    key: str
    label: str
    value: object  # what a mapped custom field gets
    text: str  # what the Description shows


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def visit_points(f: VisitFacts) -> list[DataPoint]:
    visitor = f"{f.name} <{f.email}>" if f.name and f.email else f.email or "Anonymous visitor"
    pages = sorted(f.seconds_per_page.items(), key=lambda kv: int(kv[0]))
    per_page = ", ".join(f"p.{page} {format_duration(s)}" for page, s in pages) or "—"
    return [
        DataPoint("document_name", "Document", f.document_name, f.document_name),
        DataPoint("account_name", "Account", f.account_name, f.account_name or "—"),
        DataPoint("visitor", "Visitor", visitor, visitor),
        DataPoint("duration", "Visit duration", round(f.visible_seconds), format_duration(f.visible_seconds)
                  + ("" if f.ended else " (visit in progress)")),
        DataPoint("percent_viewed", "Percent viewed", round(f.percent_viewed, 1), f"{f.percent_viewed:g}%"),
        DataPoint("time_per_page", "Time per page", per_page, per_page),
        DataPoint("stats_url", "Full stats", f.stats_url, f.stats_url),
    ]


def link_points(f: LinkFacts) -> list[DataPoint]:
    visitors = ", ".join(f.visitors) if f.visitors else "none yet"
    if f.more_visitors:
        visitors += f" and {f.more_visitors} more"
    if f.anonymous_visits:
        visitors += f" (+{f.anonymous_visits} anonymous visit{'s' if f.anonymous_visits > 1 else ''})"
    is_doc = f.kind == "document_link"
    return [
        DataPoint("document_name" if is_doc else "space_name", "Document" if is_doc else "Space", f.target_name,
                  f.target_name),
        DataPoint("account_name", "Account", f.account_name, f.account_name),
        DataPoint("document_url" if is_doc else "space_url", "Document URL" if is_doc else "Space URL",
                  f.target_url, f.target_url),
        DataPoint("link_url", "Internal link URL" if is_doc else "Internal Space URL", f.link_url, f.link_url),
        DataPoint("external_url", "External link URL", f.external_url, f.external_url),
        DataPoint("visitors", "Visitors", visitors, visitors),
    ]


def visit_subject(f: VisitFacts, follow_up: bool) -> str:
    if follow_up:
        return _subject(f"DocSend follow-up: {f.email or 'anonymous visitor'} viewed {f.document_name}")
    return _subject(f"DocSend visit: {f.document_name}")


def link_subject(f: LinkFacts) -> str:
    what = "link created" if f.kind == "document_link" else "Space link created"
    return _subject(f"DocSend {what}: {f.target_name} ({f.account_name})")


def _subject(text: str) -> str:
    return cut(" ".join(text.split()), SUBJECT_MAX)  # one line, within Subject's 255


def compose(points: list[DataPoint], mapping: FieldMapping, sync_key: str) -> dict:
    """Description and mapped fields for ``points``; the caller adds Subject, Who/What, Status..."""
    fields: dict = {}
    lines = []
    for point in points:
        custom = mapping.field_for(point.key)
        if custom and custom != DESCRIPTION:
            value = point.value
            if value_type(point.key) != "number":
                value = cut(str(value), mapping.lengths.get(custom, 255))
            fields[custom] = value
        else:
            lines.append(f"{point.label}: {point.text}")
    footer = f"{SYNC_KEY_PREFIX}{sync_key}"
    body = "\n".join(lines)
    room = DESCRIPTION_MAX - len(footer) - 2
    fields["Description"] = (cut(body, room) + "\n\n" if body else "") + footer
    return fields


def activity_date(when: datetime) -> str:
    """The activity's date in the rep's local time zone (what they'd type into Salesforce)."""
    local: date = as_utc(when).astimezone().date()
    return local.isoformat()


def sync_key_in(description: str | None) -> str | None:
    if not description:
        return None
    for line in reversed(description.splitlines()):
        if line.startswith(SYNC_KEY_PREFIX):
            return line[len(SYNC_KEY_PREFIX):].strip()
    return None
