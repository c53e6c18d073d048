"""Everything one emulator instance holds, wired together (no module-level state anywhere)."""

from __future__ import annotations

import secrets
from collections import deque
from pathlib import Path

from .clock import Clock
from .faults import Faults
from .limits import ApiUsage
from .org import Org
from .querycursors import QueryCursors
from .schema import Schema
from .seed import apply_seed, restore_custom_fields
from .sessions import Sessions
from .settings import Settings
from .store import Store

REQUEST_LOG_SIZE = 10000


class EmulatorState:
    """One org with its sessions, usage counter, faults and settings."""

    def __init__(self, *, db_path: Path | None, seed: dict, settings: Settings, random_seed: int | None = None,
                 admin_token: str | None = None) -> None:
        self.clock = Clock()
        self.startup_settings = settings.copy()
        self.settings = settings.copy()
        self.store = Store(db_path)
        self.seed = seed
        self.admin_token = admin_token or secrets.token_urlsafe(32)
        self.base_url = ""  # set once the server knows its port
        self.usage = ApiUsage(self.clock)
        self.faults = Faults(self.settings, random_seed)
        self.request_log: deque[dict] = deque(maxlen=REQUEST_LOG_SIZE)
        self._build()

    def _build(self) -> None:
        self.schema = Schema.standard()
        self.org = Org(self.store, self.schema, self.clock, self.settings)
        self.sessions = Sessions(self.store, self.clock, self.settings, self.org.org_id)
        self.cursors = QueryCursors(self.clock)
        if self.store.get("meta", "default_user_id") is None:
            with self.store.atomic():
                apply_seed(self.org, self.sessions, self.seed)
        else:
            restore_custom_fields(self.org)

    @property
    def default_user_id(self) -> str:
        return str(self.store.get("meta", "default_user_id"))

    def reset(self) -> None:
        """Back to the start-up state: seed data only, no tokens, no usage, start-up settings, real time."""
        self.store.wipe()
        self.settings.update(self.startup_settings.to_json())
        self.clock.reset()
        self.usage.reset()
        self.request_log.clear()
        self._build()

    def close(self) -> None:
        self.store.close()
