"""Migrations: from an empty DB, from every earlier schema (snapshots in schemas/), and the machinery."""

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegerField, SqliteDatabase
from playhouse.migrate import migrate

from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.store.migrations import LATEST_VERSION, MigrationError, apply_migrations, current_version
from docsend_desktop.store.models import ALL_MODELS, SchemaVersion, Setting

SCHEMAS = Path(__file__).parent / "schemas"


def _schema(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as con:
        return {(name, sql) for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")}


def _columns(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(r[1] for r in con.execute(f'PRAGMA table_info("{t}")')) for t in tables}


def test_empty_database_gets_every_table_and_the_latest_version(data_dir):
    database = open_database(data_dir)
    try:
        assert current_version(database) == LATEST_VERSION
        assert {m._meta.table_name for m in ALL_MODELS} <= set(database.get_tables())
        assert apply_migrations(database) == []  # a second start changes nothing
    finally:
        close_database()


def test_there_is_a_schema_snapshot_for_every_version():
    assert sorted(int(p.stem[1:]) for p in SCHEMAS.glob("v*.sql")) == list(range(1, LATEST_VERSION + 1))


@pytest.mark.parametrize("snapshot", sorted(SCHEMAS.glob("v*.sql")), ids=lambda p: p.stem)
def test_every_earlier_schema_migrates_to_what_a_fresh_database_has(snapshot, tmp_path):
    old_dir, fresh_dir = tmp_path / "old", tmp_path / "fresh"
    old_dir.mkdir(), fresh_dir.mkdir()
    with sqlite3.connect(old_dir / "docsend.db") as con:
        con.executescript(snapshot.read_text())
    open_database(old_dir)
    close_database()
    open_database(fresh_dir)
    close_database()
    assert _columns(old_dir / "docsend.db") == _columns(fresh_dir / "docsend.db")
    with sqlite3.connect(old_dir / "docsend.db") as con:
        assert con.execute("SELECT version FROM schema_version").fetchone() == (LATEST_VERSION,)


def test_a_step_runs_after_a_backup_and_keeps_the_data(data_dir):
    database = open_database(data_dir)
    try:
        Setting.create(key="sync.visits", value="false")
        migrator_calls = []

        def add_column(migrator):
            migrator_calls.append(migrator)
            migrate(migrator.add_column("setting", "weight", IntegerField(default=7)))

        applied = apply_migrations(database, backup_dir=data_dir / "backups", steps=[(2, add_column)], latest=2)
        assert applied == [2] and SchemaVersion.get().version == 2
        assert database.execute_sql("SELECT value, weight FROM setting").fetchall() == [("false", 7)]
        backups = list((data_dir / "backups").glob("docsend-v1-*.db"))
        assert len(backups) == 1
        assert _columns(backups[0])["setting"] == ["key", "value"]  # the copy is the old schema
    finally:
        close_database()


def test_a_failing_step_rolls_back_and_keeps_the_version(data_dir):
    database = open_database(data_dir)
    try:
        def broken(migrator):
            migrate(migrator.add_column("setting", "weight", IntegerField(default=7)))
            raise RuntimeError("step failed halfway")

        with pytest.raises(RuntimeError):
            apply_migrations(database, steps=[(2, broken)], latest=2)
        assert SchemaVersion.get().version == 1
        assert "weight" not in [c.name for c in database.get_columns("setting")]
    finally:
        close_database()


def test_a_newer_database_is_refused(data_dir):
    open_database(data_dir)
    SchemaVersion.update(version=LATEST_VERSION + 1).execute()
    close_database()
    with pytest.raises(MigrationError, match="newer than this app"):
        open_database(data_dir)
    close_database()


def test_tables_without_a_version_are_not_touched(tmp_path):
    database = SqliteDatabase(str(tmp_path / "foreign.db"))
    database.execute_sql('CREATE TABLE "document" (id INTEGER PRIMARY KEY)')
    with pytest.raises(MigrationError, match="no schema version"):
        current_version(database)
