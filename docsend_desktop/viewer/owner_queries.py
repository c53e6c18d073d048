"""Read-side views for the owner pages: plain dataclasses, built with a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from peewee import JOIN, fn

from ..content.spaces import space_documents
from ..store.models import Document, Link, Space, Visit, Visitor

RECENT_LIMIT = 50


@dataclass(frozen=True)
class PageTime:
    page: int
    seconds: float
    share: float  # of the longest page, 0..1, for the bar's length


@dataclass(frozen=True)
class VisitLine:
    id: int
    who: str
    name: str
    link_id: int
    link_name: str
    account_name: str
    document_id: int
    document_name: str
    started_at: datetime
    last_activity_at: datetime
    ended_at: datetime | None
    visible_seconds: float
    percent_viewed: float
    page_count: int
    pages_seen: list[int]
    downloaded: bool
    event_count: int
    page_times: list[PageTime] = field(default_factory=list)


@dataclass(frozen=True)
class VisitorLine:
    who: str
    name: str
    visits: int
    seconds: float
    best_percent: float
    last_seen_at: datetime


def page_times(seconds_per_page: dict[str, float], page_count: int) -> list[PageTime]:
    values = [float(seconds_per_page.get(str(page), 0.0)) for page in range(1, page_count + 1)]
    longest = max(values, default=0.0) or 1.0
    return [PageTime(page, value, value / longest) for page, value in enumerate(values, start=1)]


def _who(visit: Visit) -> tuple[str, str]:
    if visit.visitor_id:
        return visit.visitor.email, visit.visitor.name
    return f"Anonymous viewer {visit.viewer_id[:6]}", ""


def _visits_query():
    return (Visit.select(Visit, Link, Document, Visitor)
            .join(Link, on=(Visit.link == Link.id))
            .switch(Visit).join(Document, on=(Visit.document == Document.id))
            .switch(Visit).join(Visitor, join_type=JOIN.LEFT_OUTER, on=(Visit.visitor == Visitor.id)))


def _line(visit: Visit, with_pages: bool = False) -> VisitLine:
    who, name = _who(visit)
    return VisitLine(
        id=visit.id, who=who, name=name, link_id=visit.link_id, link_name=visit.link.name,
        account_name=visit.link.account_name, document_id=visit.document_id, document_name=visit.document.name,
        started_at=visit.started_at, last_activity_at=visit.last_activity_at, ended_at=visit.ended_at,
        visible_seconds=visit.visible_seconds, percent_viewed=visit.percent_viewed, page_count=visit.page_count,
        pages_seen=list(visit.pages_seen or []), downloaded=visit.downloaded, event_count=visit.event_count,
        page_times=page_times(visit.seconds_per_page or {}, visit.page_count) if with_pages else [],
    )


def visit_detail(visit_id: int) -> VisitLine | None:
    visit = _visits_query().where(Visit.id == visit_id).first()
    return _line(visit, with_pages=True) if visit else None


def recent_visits(where=None, limit: int = RECENT_LIMIT) -> list[VisitLine]:
    query = _visits_query()
    if where is not None:
        query = query.where(where)
    return [_line(v) for v in query.order_by(Visit.started_at.desc(), Visit.id.desc()).limit(limit)]


def link_visitors(link_id: int) -> list[VisitorLine]:
    """One line per person (email) or anonymous viewer who opened the link, most recent first."""
    rows = (Visit.select(Visit.visitor, Visit.viewer_id, Visitor.email, Visitor.name,
                         fn.COUNT(Visit.id).alias("visits"), fn.SUM(Visit.visible_seconds).alias("seconds"),
                         fn.MAX(Visit.percent_viewed).alias("best"), fn.MAX(Visit.last_activity_at).alias("last"))
            .join(Visitor, join_type=JOIN.LEFT_OUTER, on=(Visit.visitor == Visitor.id))
            .where(Visit.link == link_id)
            .group_by(Visit.visitor, Visit.viewer_id, Visitor.email, Visitor.name)
            .order_by(fn.MAX(Visit.last_activity_at).desc())
            .limit(500)
            .dicts())
    lines = []
    for row in rows:
        who = row["email"] or f"Anonymous viewer {(row['viewer_id'] or '')[:6]}"
        last = Visit.last_activity_at.python_value(row["last"])  # aggregates lose the column's type
        lines.append(VisitorLine(who, row["name"] or "", row["visits"], row["seconds"] or 0.0, row["best"] or 0.0,
                                 last))
    return lines


def document_page_times(document: Document) -> list[PageTime]:
    """Seconds per page summed over every visit of the document (bounded to its latest 5,000 visits)."""
    totals: dict[str, float] = {}
    query = (Visit.select(Visit.seconds_per_page).where(Visit.document == document)
             .order_by(Visit.id.desc()).limit(5000))
    for visit in query:
        for page, seconds in (visit.seconds_per_page or {}).items():
            totals[page] = totals.get(page, 0.0) + float(seconds)
    return page_times(totals, document.page_count)


def links_to(document: Document | None = None, space: Space | None = None) -> list[Link]:
    condition = (Link.document == document) if document is not None else (Link.space == space)
    return list(Link.select().where(condition).order_by(Link.id.desc()).limit(200))


def space_contents(space: Space) -> list[Document]:
    return space_documents(space)


def overview_links(limit: int = RECENT_LIMIT) -> list[Link]:
    return list(Link.select(Link, Document, Space)
                .join(Document, join_type=JOIN.LEFT_OUTER, on=(Link.document == Document.id))
                .switch(Link).join(Space, join_type=JOIN.LEFT_OUTER, on=(Link.space == Space.id))
                .order_by(Link.id.desc()).limit(limit))
