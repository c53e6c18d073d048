"""Forward migrations: a schema version table and numbered steps, each run in one transaction.

A fresh database gets the current tables and the latest version at once. An older one is copied aside
(SQLite's online backup, safe under WAL) before its first step runs. To change the schema: add a step
``def _m2(migrator)`` using ``playhouse.migrate`` operations, append it to ``MIGRATIONS``, and add a
snapshot of the previous schema under ``tests/store/schemas/`` so the migration test covers it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from peewee import Database, SqliteDatabase
from playhouse.migrate import SchemaMigrator

from .models import ALL_MODELS, SchemaVersion

Step = Callable[[SchemaMigrator], None]

# Version 1 is the initial schema, created from the models; later steps go here as (version, step).
MIGRATIONS: list[tuple[int, Step]] = []
LATEST_VERSION = 1


class MigrationError(Exception):
    pass


def current_version(database: Database) -> int | None:
    """The stored version, or None for an empty database."""
    tables = set(database.get_tables())
    if SchemaVersion._meta.table_name not in tables:
        if tables & {m._meta.table_name for m in ALL_MODELS}:
            raise MigrationError("database has DocSend tables but no schema version; refusing to touch it")
        return None
    row = SchemaVersion.select().first()
    return row.version if row else None


def apply_migrations(
    database: Database,
    *,
    backup_dir: Path | None = None,
    steps: Sequence[tuple[int, Step]] | None = None,
    latest: int | None = None,
) -> list[int]:
    """Bring the database to the latest version; return the versions applied (empty when up to date)."""
    steps = MIGRATIONS if steps is None else steps
    latest = LATEST_VERSION if latest is None else latest
    version = current_version(database)
    if version is None:
        with database.atomic():
            database.create_tables(ALL_MODELS)
            SchemaVersion.create(version=latest)
        return [latest]
    if version > latest:
        raise MigrationError(f"database schema v{version} is newer than this app (v{latest}); update the app")
    pending = [(v, step) for v, step in steps if v > version]
    if not pending:
        return []
    if backup_dir is not None and isinstance(database, SqliteDatabase):
        backup_sqlite(database, backup_dir, version)
    migrator = SchemaMigrator.from_database(database)
    applied = []
    for target, step in sorted(pending, key=lambda pair: pair[0]):
        with database.atomic():
            step(migrator)
            SchemaVersion.update(version=target).execute()
        applied.append(target)
    return applied


def backup_sqlite(database: SqliteDatabase, backup_dir: Path, version: int) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"docsend-v{version}-{stamp}.db"
    with sqlite3.connect(target) as copy:
        database.connection().backup(copy)
    copy.close()
    return target

