"""Links to a document or a Space: settings, unguessable slugs, and their outbox row."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from ..clock import Clock, as_utc
from ..errors import InputError, NotFoundError
from ..store import outbox
from ..store.models import ACCOUNT_NAME_MAX, NAME_MAX, Document, Link, Space, db
from .documents import get_document
from .names import clean_name
from .passcodes import hash_passcode
from .spaces import get_space

SLUG_BYTES = 16  # 128 random bits, URL-safe base64 → 22 characters


@dataclass(frozen=True)
class LinkRequest:
    document_id: int | None = None
    space_id: int | None = None
    name: str | None = None
    account_name: str | None = None
    require_email: bool = False
    passcode: str | None = None
    expires_at: datetime | None = None
    allow_download: bool = False


def create_link(request: LinkRequest, clock: Clock) -> Link:
    """Validate, then write the link and its outbox row in one transaction."""
    if (request.document_id is None) == (request.space_id is None):
        raise InputError("a link targets exactly one of a document or a Space")
    target: Document | Space = (
        get_document(request.document_id) if request.document_id is not None else get_space(request.space_id)
    )
    name = clean_name(request.name if request.name is not None else target.name, what="link name",
                      max_length=NAME_MAX)
    account = clean_name(request.account_name, what="account name", max_length=ACCOUNT_NAME_MAX, allow_empty=True)
    now = clock.now()
    expires_at = None
    if request.expires_at is not None:
        expires_at = as_utc(request.expires_at)
        if expires_at <= now:
            raise InputError(f"expiry {expires_at.isoformat()} is in the past")
    passcode_hash = hash_passcode(request.passcode) if request.passcode is not None else None
    kind = "document_link" if isinstance(target, Document) else "space_link"
    with db.atomic():
        link = Link.create(
            slug=secrets.token_urlsafe(SLUG_BYTES),
            document=target if kind == "document_link" else None,
            space=target if kind == "space_link" else None,
            name=name,
            account_name=account,
            require_email=request.require_email,
            passcode_hash=passcode_hash,
            expires_at=expires_at,
            allow_download=request.allow_download,
            created_at=now,
        )
        outbox.enqueue(kind, link.id, now)
    return link


def set_link_disabled(link_id: int, disabled: bool = True) -> Link:
    link = get_link(link_id)
    link.disabled = disabled
    link.save()
    return link


def get_link(link_id: int) -> Link:
    link = Link.get_or_none(Link.id == link_id)
    if link is None:
        raise NotFoundError(f"no link with id {link_id}")
    return link


def get_link_by_slug(slug: str) -> Link | None:
    return Link.get_or_none(Link.slug == slug)


def find_links_by_name(name: str) -> list[Link]:
    return list(Link.select().where(Link.name == name.strip()))


def list_links() -> list[Link]:
    return list(Link.select(Link, Document, Space).join(Document, join_type=JOIN.LEFT_OUTER,
                on=(Link.document == Document.id)).switch(Link)
                .join(Space, join_type=JOIN.LEFT_OUTER, on=(Link.space == Space.id)).order_by(Link.id))


def link_kind(link: Link) -> str:
    return "document_link" if link.document_id is not None else "space_link"


def is_available(link: Link, now: datetime) -> bool:
    """Neither disabled nor expired."""
    return not link.disabled and (link.expires_at is None or as_utc(link.expires_at) > now)
