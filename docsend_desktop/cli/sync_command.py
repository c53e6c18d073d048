"""sync [--once] [--backfill KIND] and retry."""

from __future__ import annotations

import logging
from argparse import ArgumentTypeError

from ..salesforce.connection import SalesforceConnection
from ..salesforce.errors import SalesforceError
from ..salesforce.gateway import SalesforceGateway
from ..sync import outbox_state
from ..sync.engine import SyncEngine
from ..sync.headless import sync_forever, sync_once
from .context import CommandContext
from .output import emit_json, error_line


def register(sub) -> None:
    p = sub.add_parser("sync", help="sync activity to Salesforce (one complete pass with --once)")
    p.add_argument("--once", action="store_true", help="sync everything due now, then exit (0: all settled)")
    p.add_argument("--backfill", choices=["visit", "document_link", "space_link"], action="append", default=[],
                   help="also send items skipped while this kind was switched off")
    p.add_argument("--retry", action="store_true", help="retry items that need attention")
    p.add_argument("--chunk-size", type=_chunk_size, default=500, help="outbox rows per batch (default 500)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_sync)


def _chunk_size(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 5000:
        raise ArgumentTypeError(f"{text!r} is not a chunk size (1-5000)")
    return int(text)


def run_sync(ctx: CommandContext, args) -> int:
    logging.getLogger("docsend_desktop").setLevel(logging.INFO)
    try:
        connection = SalesforceConnection.open(ctx.data_dir, ctx.ca_file)
    except (SalesforceError, ValueError) as exc:
        error_line(str(exc))
        return 1
    now = ctx.clock.now()
    for kind in args.backfill:
        outbox_state.backfill(kind, now)
    if args.retry:
        outbox_state.retry_parked(None, now)
    engine = SyncEngine(SalesforceGateway(connection), ctx.clock, chunk_size=args.chunk_size)
    if not args.once:
        try:
            sync_forever(engine)
        except KeyboardInterrupt:
            return 0
        return 1
    result = sync_once(engine)
    if ctx.json:
        last = result.reports[-1]
        emit_json({"ok": result.ok, "summary": result.summary, "passes": len(result.reports),
                   "synced": sum(r.synced for r in result.reports), "needs_attention": last.parked,
                   "skipped": sum(r.skipped for r in result.reports),
                   "api_calls": sum(r.api_calls for r in result.reports)})
    if not result.ok:
        error_line(result.summary)
        return 1
    return 0
