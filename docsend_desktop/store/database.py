"""One place opens the database: SQLite in the data dir by default, or any URL (PostgreSQL for teams).

``open_database`` initialises the models' ``DatabaseProxy``, applies pending migrations and returns the
database. Nothing happens at import time.
"""

from __future__ import annotations

from pathlib import Path

from peewee import Database, SqliteDatabase
from playhouse.db_url import connect as connect_url

from .migrations import apply_migrations
from .models import db
from .paths import DATABASE_FILE

# journal_mode=wal: readers (the GUI, the viewer) never block the writer and vice versa.
# synchronous=NORMAL: in WAL mode a commit is durable against an application crash (kill -9), because the
# WAL is written before COMMIT returns; only a power cut can roll back the last few commits, and each
# activity shares its transaction with its outbox row, so they roll back together, never one without
# the other. Salesforce writes whose local record was lost are recovered by upsert/adoption (DESIGN §5).
# FULL would add an fsync per commit on every beacon for no gain in consistency.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,  # ms: the viewer, the worker and the CLI may write at once
    "synchronous": 1,  # NORMAL, see above
}


class DatabaseError(Exception):
    """The database can't be opened or migrated; the message says why, in one line."""


def open_database(data_dir: Path, database_url: str | None = None, *, migrate: bool = True) -> Database:
    database = _connect(data_dir, database_url)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    if migrate:
        apply_migrations(database, backup_dir=data_dir / "backups")
    return database


def close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


def _connect(data_dir: Path, database_url: str | None) -> Database:
    if not database_url:
        return SqliteDatabase(str(data_dir / DATABASE_FILE), pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    if database_url.startswith("sqlite:"):
        return connect_url(database_url, pragmas=SQLITE_PRAGMAS)  # same guarantees as the default file
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise DatabaseError(f"unsupported database URL scheme: {database_url.split(':', 1)[0]!r}")
    try:
        return connect_url(database_url)
    except Exception as exc:  # driver missing or URL malformed
        raise DatabaseError(f"can't use database URL: {exc}") from exc


def is_sqlite(database: Database | None = None) -> bool:
    return isinstance(database or db.obj, SqliteDatabase)


def write_transaction():
    """A transaction that takes the write lock at once on SQLite (BEGIN IMMEDIATE).

    Read-then-write rules (the 10-minute visit rule) must not interleave between processes; a deferred
    SQLite transaction would let two writers read the same state. On PostgreSQL callers lock the rows
    they read with ``SELECT ... FOR UPDATE`` instead.
    """
    if is_sqlite():
        return db.atomic(lock_type="IMMEDIATE")
    return db.atomic()
