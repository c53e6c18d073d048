"""Read-side views of visits for the CLI and the UI: plain dataclasses, no models leak out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from ..store.models import Document, Link, OutboxItem, Visit, Visitor


@dataclass(frozen=True)
class VisitRow:
    id: int
    link_id: int
    link_name: str
    account_name: str
    document_id: int
    document_name: str
    email: str | None
    name: str
    started_at: datetime
    last_activity_at: datetime
    ended_at: datetime | None
    visible_seconds: float
    percent_viewed: float
    pages_seen: list[int]
    seconds_per_page: dict[str, float]
    source: str
    sync_state: str | None
    salesforce_id: str | None
    sync_message: str | None


def visit_rows(limit: int | None = None, offset: int = 0) -> list[VisitRow]:
    query = (
        Visit.select(Visit, Link, Document, Visitor, OutboxItem)
        .join(Link, on=(Visit.link == Link.id))
        .switch(Visit).join(Document, on=(Visit.document == Document.id))
        .switch(Visit).join(Visitor, join_type=JOIN.LEFT_OUTER, on=(Visit.visitor == Visitor.id))
        .switch(Visit).join(OutboxItem, join_type=JOIN.LEFT_OUTER,
                            on=((OutboxItem.kind == "visit") & (OutboxItem.subject_id == Visit.id)), attr="outbox")
        .order_by(Visit.started_at.desc(), Visit.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for v in query:
        visitor = v.visitor if v.visitor_id else None
        box = getattr(v, "outbox", None)
        rows.append(VisitRow(
            id=v.id, link_id=v.link_id, link_name=v.link.name, account_name=v.link.account_name,
            document_id=v.document_id, document_name=v.document.name,
            email=visitor.email if visitor else None, name=visitor.name if visitor else "",
            started_at=v.started_at, last_activity_at=v.last_activity_at, ended_at=v.ended_at,
            visible_seconds=v.visible_seconds, percent_viewed=v.percent_viewed,
            pages_seen=list(v.pages_seen or []), seconds_per_page=dict(v.seconds_per_page or {}),
            source=v.source,
            sync_state=box.state if box and box.id else None,
            salesforce_id=box.salesforce_id if box and box.id else None,
            sync_message=box.last_error if box and box.id else None,
        ))
    return rows


@dataclass(frozen=True)
class SummaryCounts:
    documents: int
    links: int
    visits: int
    by_sync_state: dict[str, int]


def summary_counts() -> SummaryCounts:
    """Counts for the app's summary: a handful of COUNT queries, grown with the data, so run them off the GUI."""
    states = {row.state: row.n for row in OutboxItem.select(OutboxItem.state, fn.COUNT(OutboxItem.id).alias("n"))
              .group_by(OutboxItem.state)}
    return SummaryCounts(Document.select().count(), Link.select().count(), Visit.select().count(), states)
