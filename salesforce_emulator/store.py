"""Persistent state of one emulated org, in SQLite (stdlib ``sqlite3``).

Everything is also held in memory for speed and written through to SQLite: records (one JSON
document per record), and small keyed documents (tokens, codes, clients, credentials, settings).
``atomic()`` groups writes; nested blocks are savepoints, and a block that raises restores both
SQLite and the in-memory copy, which is how ``allOrNone`` rolls back.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    sobject TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""

_MISSING = object()


class Store:
    """Records by object and id, plus keyed JSON documents; thread-safe."""

    def __init__(self, path: Path | str | None) -> None:
        """``path`` None keeps everything in memory (``--ephemeral``)."""
        self._lock = threading.RLock()
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._records: dict[str, dict[str, dict]] = {}
        self._record_type: dict[str, str] = {}
        self._documents: dict[tuple[str, str], object] = {}
        self._undo: list[list] = []  # one undo log per open atomic block
        self._load()

    def _load(self) -> None:
        for record_id, sobject, data in self._db.execute("SELECT id, sobject, data FROM records"):
            self._records.setdefault(sobject, {})[record_id] = json.loads(data)
            self._record_type[record_id] = sobject
        for kind, key, data in self._db.execute("SELECT kind, key, data FROM documents"):
            self._documents[(kind, key)] = json.loads(data)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transactions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        with self._lock:
            depth = len(self._undo)
            savepoint = f"sp{depth}"
            self._db.execute(f"SAVEPOINT {savepoint}")
            self._undo.append([])
            try:
                yield
            except BaseException:
                self._db.execute(f"ROLLBACK TO {savepoint}")
                self._db.execute(f"RELEASE {savepoint}")
                self._rewind(self._undo.pop())
                raise
            else:
                self._db.execute(f"RELEASE {savepoint}")
                entries = self._undo.pop()
                if self._undo:
                    self._undo[-1].extend(entries)

    def _remember(self, entry: tuple) -> None:
        if self._undo:
            self._undo[-1].append(entry)

    def _rewind(self, entries: list) -> None:
        for entry in reversed(entries):
            if entry[0] == "record":
                _, sobject, record_id, previous = entry
                if previous is _MISSING:
                    self._records.get(sobject, {}).pop(record_id, None)
                    self._record_type.pop(record_id, None)
                else:
                    self._records.setdefault(sobject, {})[record_id] = previous
                    self._record_type[record_id] = sobject
            else:
                _, key, previous = entry
                if previous is _MISSING:
                    self._documents.pop(key, None)
                else:
                    self._documents[key] = previous

    # -- records --------------------------------------------------------------------------------

    def put_record(self, sobject: str, record_id: str, data: dict) -> None:
        """Insert or replace a record; ``sobject`` is the canonical object name."""
        with self._lock:
            self._remember(("record", sobject, record_id, self._records.get(sobject, {}).get(record_id, _MISSING)))
            self._db.execute(
                "INSERT OR REPLACE INTO records (id, sobject, data) VALUES (?, ?, ?)",
                (record_id, sobject, json.dumps(data)),
            )
            self._records.setdefault(sobject, {})[record_id] = data
            self._record_type[record_id] = sobject

    def get_record(self, record_id: str) -> tuple[str, dict] | None:
        """(object name, record) for an id, deleted records included."""
        with self._lock:
            sobject = self._record_type.get(record_id)
            if sobject is None:
                return None
            return sobject, self._records[sobject][record_id]

    def records(self, sobject: str) -> list[dict]:
        """All records of an object (deleted ones included), oldest first."""
        with self._lock:
            return list(self._records.get(sobject, {}).values())

    def clear_records(self) -> None:
        with self._lock:
            for sobject, by_id in self._records.items():
                for record_id, data in by_id.items():
                    self._remember(("record", sobject, record_id, data))
            self._db.execute("DELETE FROM records")
            self._records = {}
            self._record_type = {}

    def wipe(self) -> None:
        """Forget everything: records, documents and counters."""
        with self._lock:
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM documents")
            self._records, self._record_type, self._documents = {}, {}, {}

    # -- documents ------------------------------------------------------------------------------

    def put(self, kind: str, key: str, data: object) -> None:
        with self._lock:
            self._remember(("document", (kind, key), self._documents.get((kind, key), _MISSING)))
            self._db.execute(
                "INSERT OR REPLACE INTO documents (kind, key, data) VALUES (?, ?, ?)",
                (kind, key, json.dumps(data)),
            )
            self._documents[(kind, key)] = data

    def get(self, kind: str, key: str, default: object = None) -> object:
        with self._lock:
            return self._documents.get((kind, key), default)

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            previous = self._documents.pop((kind, key), _MISSING)
            if previous is not _MISSING:
                self._remember(("document", (kind, key), previous))
                self._db.execute("DELETE FROM documents WHERE kind = ? AND key = ?", (kind, key))

    def documents(self, kind: str) -> dict[str, object]:
        with self._lock:
            return {key: data for (doc_kind, key), data in self._documents.items() if doc_kind == kind}

    def clear_documents(self, kind: str) -> None:
        with self._lock:
            for key in list(self.documents(kind)):
                self.delete(kind, key)

    def next_serial(self, name: str) -> int:
        """A counter that only goes up (used for ids); not rolled back, like Salesforce's."""
        with self._lock:
            value = int(self._documents.get(("serial", name), 0)) + 1
            self._db.execute(
                "INSERT OR REPLACE INTO documents (kind, key, data) VALUES ('serial', ?, ?)", (name, str(value))
            )
            self._documents[("serial", name)] = value
            return value
