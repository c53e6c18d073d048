"""``docsend-desktop``: the desktop app when run bare, a scriptable command line otherwise (DESIGN §6).

Exit codes: 0 ok, 1 failure, 2 usage or bad input. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys

from peewee import PeeweeException

from ..errors import InputError
from ..redaction import setup_logging
from ..store.database import DatabaseError
from ..store.migrations import MigrationError
from ..store.settings import SettingError
from . import activity_commands, connection_commands, content_commands, serve_command, sync_command
from .context import CommandContext
from .output import error_line


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2."""

    def error(self, message: str):  # noqa: D401 - argparse's API
        error_line(f"{message} (see '{self.prog} --help')")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="docsend-desktop", description="Tracked document links, synced to Salesforce.")
    parser.add_argument("--data-dir", help="where data lives (default: the platform's user data dir; "
                        "env DOCSEND_DESKTOP_HOME)")
    parser.add_argument("--database-url", help="use this database instead of the data dir's SQLite file "
                        "(postgresql://user:pass@host/db for teams)")
    parser.add_argument("--ca-file", help="also trust this CA bundle (PEM) for Salesforce")
    parser.add_argument("--demo", action="store_true", help="run the app on its own demo data and a local "
                        "Salesforce emulator")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    content_commands.register(sub)
    activity_commands.register(sub)
    serve_command.register(sub)
    connection_commands.register(sub)
    sync_command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from ..app import run_app  # Qt only when the window is wanted

        return run_app(args)
    setup_logging(logging.WARNING)
    try:
        ctx = CommandContext.open(args)
        return args.run(ctx, args)
    except (InputError, SettingError) as exc:
        error_line(str(exc))
        return 2
    except (DatabaseError, MigrationError) as exc:
        error_line(str(exc))
        return 1
    except KeyboardInterrupt:
        error_line("interrupted")
        return 1
    except OSError as exc:
        error_line(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return 1
    except PeeweeException as exc:
        error_line(f"database error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
