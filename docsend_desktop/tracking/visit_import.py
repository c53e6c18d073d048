"""Visit import from CSV: our columns, or Papermark's visit export (DESIGN §6).

The file is checked as a whole first (UTF-8, header); then each row is validated on its own. Good rows
are written in one transaction with their outbox rows; bad rows come back with their line number and
reason. A row imported before (same link, document, visitor and start) is reported, not duplicated.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..clock import Clock, as_utc
from ..content.names import clean_name, normalise_email
from ..errors import InputError
from ..store import outbox
from ..store.database import write_transaction
from ..store.models import NAME_MAX, Document, Link, SpaceDocument, Visit, Visitor
from .activity import note_visitor_of_link

MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_DURATION_SECONDS = 7 * 24 * 3600

# Papermark's export header → our column names.
PAPERMARK_COLUMNS = {
    "Viewed at": "started_at",
    "Name": "name",
    "Email": "email",
    "Link Name": "link_name",
    "Total View Duration (s)": "duration_seconds",
    "Total Document Completion (%)": "percent_viewed",
}
REQUIRED = ("email", "started_at", "duration_seconds", "percent_viewed")


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)  # new Visit ids
    duplicates: list[int] = field(default_factory=list)  # line numbers already imported
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    format: str = "docsend"


@dataclass(frozen=True)
class _Row:
    line: int
    link: Link
    document: Document
    email: str | None
    name: str
    started_at: datetime
    duration: float
    percent: float
    pages: dict[int, float]


def import_visits(path: Path, clock: Clock) -> ImportReport:
    rows, report = _read(path)
    parsed: list[_Row] = []
    for line, row in rows:
        try:
            parsed.append(_parse_row(line, row))
        except InputError as exc:
            report.rejected.append((line, str(exc)))
    now = clock.now()
    with write_transaction():
        for row in parsed:
            key = _import_key(row)
            if Visit.select().where(Visit.import_key == key).exists():
                report.duplicates.append(row.line)
                continue
            visit = _write_visit(row, key, now)
            outbox.enqueue("visit", visit.id, now)
            note_visitor_of_link(row.link, visit.visitor if visit.visitor_id else None, visit, now)
            report.imported.append(visit.id)
    return report


def _read(path: Path) -> tuple[list[tuple[int, dict[str, str]]], ImportReport]:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise InputError(f"{path}: too large (at most {MAX_IMPORT_BYTES // (1024 * 1024)} MiB)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                         "save it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: the file is empty") from None
    header = [h.strip() for h in header]
    report = ImportReport()
    if set(PAPERMARK_COLUMNS) <= set(header):
        report.format = "papermark"
        columns = [PAPERMARK_COLUMNS.get(h, f"papermark:{h}") for h in header]
    else:
        columns = header
    missing = [c for c in REQUIRED if c not in columns]
    if "link_id" not in columns and "link_name" not in columns:
        missing.insert(0, "link_id or link_name")
    if missing:
        raise InputError(f"{path}: missing column(s): {', '.join(missing)}")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(columns):
            report.rejected.append((line, f"expected {len(columns)} fields, found {len(values)}"))
            continue
        rows.append((line, dict(zip(columns, (v.strip() for v in values), strict=True))))
    return rows, report


def _parse_row(line: int, row: dict[str, str]) -> _Row:
    link = _find_link(row)
    document = _find_document(link, row)
    email = normalise_email(row["email"]) if row.get("email") else None
    name = clean_name(row.get("name"), what="name", max_length=NAME_MAX, allow_empty=True)
    started_at = _parse_time(row["started_at"])
    duration = _parse_number(row["duration_seconds"], "duration_seconds", 0, MAX_DURATION_SECONDS)
    percent = _parse_number(row["percent_viewed"], "percent_viewed", 0, 100)
    pages = _parse_pages(row.get("pages", ""), document.page_count)
    return _Row(line, link, document, email, name, started_at, duration, percent, pages)


def _find_link(row: dict[str, str]) -> Link:
    if row.get("link_id"):
        if not row["link_id"].isdigit():
            raise InputError(f"link_id {row['link_id']!r} is not a number")
        link = Link.get_or_none(Link.id == int(row["link_id"]))
        if link is None:
            raise InputError(f"no link with id {row['link_id']}")
        return link
    name = row.get("link_name", "")
    if not name:
        raise InputError("link_id and link_name are both empty")
    matches = list(Link.select().where(Link.name == name).limit(2))
    if not matches:
        raise InputError(f"no link named {name!r}")
    if len(matches) > 1:
        raise InputError(f"several links are named {name!r}; use link_id")
    return matches[0]


def _find_document(link: Link, row: dict[str, str]) -> Document:
    if link.document_id is not None:
        return Document.get_by_id(link.document_id)
    wanted = row.get("document_id") or row.get("document_name")
    if not wanted:
        raise InputError(f"link {link.id} is a Space link: add a document_id or document_name column")
    query = Document.select().join(SpaceDocument).where(SpaceDocument.space == link.space_id)
    query = query.where(Document.id == int(wanted)) if wanted.isdigit() else query.where(Document.name == wanted)
    document = query.first()
    if document is None:
        raise InputError(f"document {wanted!r} is not in the Space behind link {link.id}")
    return document


def _parse_time(value: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(value.replace(" UTC", "Z")))
    except ValueError:
        raise InputError(f"started_at {value[:40]!r} is not an ISO 8601 date-time") from None


def _parse_number(value: str, column: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{column} {value[:20]!r} is not a number") from None
    if not (low <= number <= high):  # also refuses NaN
        raise InputError(f"{column} {value!r} is outside {low:g}..{high:g}")
    return number


def _parse_pages(value: str, page_count: int) -> dict[int, float]:
    pages: dict[int, float] = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        page_text, _, seconds_text = part.partition(":")
        if not page_text.isdigit() or not (1 <= int(page_text) <= page_count):
            raise InputError(f"pages: {page_text!r} is not a page of this document (1..{page_count})")
        pages[int(page_text)] = pages.get(int(page_text), 0.0) + _parse_number(
            seconds_text, "pages seconds", 0, MAX_DURATION_SECONDS)
    return pages


def _import_key(row: _Row) -> str:
    who = row.email or f"anonymous:{row.name}"
    raw = f"{row.link.id}|{row.document.id}|{who}|{row.started_at.isoformat()}"
    return "import:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _write_visit(row: _Row, key: str, now: datetime) -> Visit:
    visitor = None
    if row.email:
        visitor = Visitor.get_or_none(Visitor.email == row.email)
        if visitor is None:
            visitor = Visitor.create(email=row.email, name=row.name, first_seen_at=row.started_at,
                                     last_seen_at=row.started_at)
        elif row.name and not visitor.name:
            visitor.name = row.name
            visitor.save()
    ended_at = row.started_at + timedelta(seconds=row.duration)
    return Visit.create(
        link=row.link, document=row.document, visitor=visitor,
        viewer_id=None if visitor else "import-" + key[-32:],
        started_at=row.started_at, last_activity_at=ended_at, ended_at=ended_at,
        visible_seconds=row.duration, pages_seen=sorted(row.pages),
        seconds_per_page={str(p): s for p, s in sorted(row.pages.items())},
        page_count=row.document.page_count, percent_viewed=row.percent,
        event_count=1, source="import", import_key=key,
    )
