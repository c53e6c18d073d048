"""What the composer needs to know about each item, loaded in a few batched queries per chunk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from ..content.urls import external_link_url, owner_url, viewer_base_url
from ..store.models import Document, Link, Space, Visit, Visitor

MAX_LISTED_VISITORS = 300  # what a Task's Description can show and a person can read


@dataclass(frozen=True)
class VisitFacts:
    visit: Visit
    document_name: str
    account_name: str
    email: str | None
    name: str
    started_at: datetime
    ended: bool
    visible_seconds: float
    percent_viewed: float
    seconds_per_page: dict[str, float]
    stats_url: str


@dataclass(frozen=True)
class LinkFacts:
    link: Link
    kind: str  # document_link | space_link
    target_name: str
    account_name: str
    target_url: str  # the owner page of the document or Space
    link_url: str  # the owner page of the link (internal)
    external_url: str
    visitors: list[str]  # "Name <email>" of identified visitors, first visit first, at most MAX_LISTED_VISITORS
    more_visitors: int  # identified visitors not listed
    anonymous_visits: int
    created_at: datetime


def load_visit_facts(visit_ids: list[int]) -> dict[int, VisitFacts]:
    if not visit_ids:
        return {}
    base = viewer_base_url()
    rows = (
        Visit.select(Visit, Link, Document, Visitor)
        .join(Link, on=(Visit.link == Link.id))
        .switch(Visit).join(Document, on=(Visit.document == Document.id))
        .switch(Visit).join(Visitor, JOIN.LEFT_OUTER, on=(Visit.visitor == Visitor.id))
        .where(Visit.id.in_(visit_ids))
    )
    facts = {}
    for v in rows:
        visitor = v.visitor if v.visitor_id else None
        facts[v.id] = VisitFacts(
            visit=v, document_name=v.document.name, account_name=v.link.account_name,
            email=visitor.email if visitor else None, name=visitor.name if visitor else "",
            started_at=v.started_at, ended=v.ended_at is not None, visible_seconds=v.visible_seconds,
            percent_viewed=v.percent_viewed, seconds_per_page=dict(v.seconds_per_page or {}),
            stats_url=owner_url("visit", v.id, base),
        )
    return facts


def load_link_facts(link_ids: list[int]) -> dict[int, LinkFacts]:
    if not link_ids:
        return {}
    base = viewer_base_url()
    links = (
        Link.select(Link, Document, Space)
        .join(Document, JOIN.LEFT_OUTER, on=(Link.document == Document.id))
        .switch(Link).join(Space, JOIN.LEFT_OUTER, on=(Link.space == Space.id))
        .where(Link.id.in_(link_ids))
    )
    visitors: dict[int, list[str]] = defaultdict(list)
    more: dict[int, int] = defaultdict(int)  # identified visitors past MAX_LISTED_VISITORS
    anonymous: dict[int, int] = defaultdict(int)
    seen: set[tuple[int, int]] = set()
    visits = (
        Visit.select(Visit.link, Visit.visitor, Visitor.id, Visitor.email, Visitor.name)
        .join(Visitor, JOIN.LEFT_OUTER, on=(Visit.visitor == Visitor.id))
        .where(Visit.link.in_(link_ids))
        .order_by(Visit.started_at, Visit.id)
        .iterator()  # a popular link has many visits: don't keep them all
    )
    for v in visits:
        if v.visitor_id is None:
            anonymous[v.link_id] += 1
        elif (v.link_id, v.visitor_id) not in seen:
            seen.add((v.link_id, v.visitor_id))
            if len(visitors[v.link_id]) >= MAX_LISTED_VISITORS:
                more[v.link_id] += 1
                continue
            visitors[v.link_id].append(f"{v.visitor.name} <{v.visitor.email}>" if v.visitor.name else v.visitor.email)
    facts = {}
    for link in links:
        is_doc = link.document_id is not None
        target = link.document if is_doc else link.space
        facts[link.id] = LinkFacts(
            link=link, kind="document_link" if is_doc else "space_link", target_name=target.name,
            account_name=link.account_name,
            target_url=owner_url("document" if is_doc else "space", target.id, base),
            link_url=owner_url("link", link.id, base), external_url=external_link_url(link.slug, base),
            visitors=visitors[link.id], more_visitors=more[link.id], anonymous_visits=anonymous[link.id],
            created_at=link.created_at,
        )
    return facts
