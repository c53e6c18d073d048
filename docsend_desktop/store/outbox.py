"""Writing outbox rows. Callers run these inside the transaction that writes the activity itself."""

from __future__ import annotations

import uuid
from datetime import datetime

from peewee import Case

from .models import OutboxItem


def enqueue(kind: str, subject_id: int, now: datetime) -> OutboxItem:
    """A new item to sync, due at once."""
    return OutboxItem.create(
        kind=kind,
        subject_id=subject_id,
        sync_key=f"{kind[0]}-{uuid.uuid4().hex}",
        state="pending",
        due_at=now,
        created_at=now,
        updated_at=now,
    )


def mark_changed(kind: str, subject_id: int, now: datetime) -> None:
    """The item's activity changed: bump its revision so the engine syncs the new figures.

    A synced item goes back to pending; when it falls due is the sync rules' call (``due_at`` NULL means
    "evaluate on the next pass"). An item being synced
    right now stays "syncing": the engine sees ``revision > synced_revision`` when it records the
    result. Parked and skipped items keep their state but record the revision, so a retry sends the
    latest figures.
    """
    OutboxItem.update(
        revision=OutboxItem.revision + 1,
        updated_at=now,
        due_at=None,  # re-evaluated by the sync rules on the next pass
        state=_pending_unless_parked(),
    ).where((OutboxItem.kind == kind) & (OutboxItem.subject_id == subject_id)).execute()


def _pending_unless_parked():
    return Case(None, [(OutboxItem.state == "synced", "pending")], OutboxItem.state)
