"""What every command gets: the resolved data dir, the open database, the clock, and output mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..clock import Clock, SystemClock
from ..store.database import open_database
from ..store.paths import ensure_data_dir, resolve_data_dir


@dataclass
class CommandContext:
    data_dir: Path
    database_url: str | None
    ca_file: Path | None
    json: bool
    clock: Clock

    @classmethod
    def open(cls, args) -> CommandContext:
        data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
        open_database(data_dir, args.database_url)
        ca_file = Path(args.ca_file).resolve() if args.ca_file else None
        return cls(data_dir, args.database_url, ca_file, bool(getattr(args, "json", False)), SystemClock())
