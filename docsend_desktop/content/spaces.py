"""Spaces: several documents, in order, behind one link."""

from __future__ import annotations

from collections.abc import Sequence

from ..clock import Clock
from ..errors import InputError, NotFoundError
from ..store.models import NAME_MAX, Document, Space, SpaceDocument, db
from .names import clean_name

MAX_DOCUMENTS_PER_SPACE = 200


def create_space(name: str, document_ids: Sequence[int], clock: Clock) -> Space:
    name = clean_name(name, what="Space name", max_length=NAME_MAX)
    documents = _resolve_documents(document_ids)
    with db.atomic():
        space = Space.create(name=name, created_at=clock.now())
        _write_entries(space, documents)
    return space


def rename_space(space_id: int, name: str) -> Space:
    space = get_space(space_id)
    space.name = clean_name(name, what="Space name", max_length=NAME_MAX)
    space.save()
    return space


def set_space_documents(space_id: int, document_ids: Sequence[int]) -> Space:
    """Replace the Space's documents with ``document_ids``, in that order (add, remove, reorder)."""
    space = get_space(space_id)
    documents = _resolve_documents(document_ids)
    with db.atomic():
        SpaceDocument.delete().where(SpaceDocument.space == space).execute()
        _write_entries(space, documents)
    return space


def get_space(space_id: int) -> Space:
    space = Space.get_or_none(Space.id == space_id)
    if space is None:
        raise NotFoundError(f"no Space with id {space_id}")
    return space


def space_documents(space: Space | int) -> list[Document]:
    return list(
        Document.select()
        .join(SpaceDocument)
        .where(SpaceDocument.space == space)
        .order_by(SpaceDocument.position)
    )


def list_spaces() -> list[tuple[Space, list[Document]]]:
    spaces = list(Space.select().order_by(Space.id))
    entries: dict[int, list[Document]] = {s.id: [] for s in spaces}
    rows = (
        SpaceDocument.select(SpaceDocument, Document)
        .join(Document)
        .order_by(SpaceDocument.space, SpaceDocument.position)
    )
    for row in rows:
        entries[row.space_id].append(row.document)
    return [(space, entries[space.id]) for space in spaces]


def _resolve_documents(document_ids: Sequence[int]) -> list[Document]:
    if not document_ids:
        raise InputError("a Space needs at least one document")
    if len(document_ids) > MAX_DOCUMENTS_PER_SPACE:
        raise InputError(f"a Space holds at most {MAX_DOCUMENTS_PER_SPACE} documents")
    seen: set[int] = set()
    for document_id in document_ids:
        if document_id in seen:
            raise InputError(f"document {document_id} is listed twice")
        seen.add(document_id)
    found = {d.id: d for d in Document.select().where(Document.id.in_(list(document_ids)))}
    for document_id in document_ids:
        if document_id not in found:
            raise NotFoundError(f"no document with id {document_id}")
    return [found[i] for i in document_ids]


def _write_entries(space: Space, documents: list[Document]) -> None:
    SpaceDocument.insert_many(
        [{"space": space.id, "document": d.id, "position": i} for i, d in enumerate(documents)]
    ).execute()
