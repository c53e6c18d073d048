"""visits, settings and status commands."""

from __future__ import annotations

from pathlib import Path

from peewee import fn

from ..content.urls import owner_url
from ..salesforce.connection import ConnectionInfo
from ..store import settings
from ..store.models import OUTBOX_STATES, OutboxItem
from ..tracking.activity import end_idle_visits
from ..tracking.queries import visit_rows
from ..tracking.visit_import import import_visits
from .context import CommandContext
from .output import emit_json, emit_table, error_line


def register(sub) -> None:
    vs = sub.add_parser("visits", help="list and import visits").add_subparsers(dest="action", required=True)
    p = vs.add_parser("list", help="list visits, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=visits_list)
    p = vs.add_parser("import", help="import visits from a CSV file (ours or Papermark's export)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=visits_import)

    st = sub.add_parser("settings", help="list and change settings").add_subparsers(dest="action", required=True)
    p = st.add_parser("list", help="list settings with their values")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=settings_list)
    p = st.add_parser("set", help="change a setting")
    p.add_argument("key")
    p.add_argument("value")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=settings_set)

    p = sub.add_parser("status", help="connection, sync queue and API usage")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=status)


def visits_list(ctx: CommandContext, args) -> int:
    end_idle_visits(ctx.clock)  # so "ended" is true for visits idle past the 10-minute rule
    rows = visit_rows()
    if ctx.json:
        emit_json([{
            "id": r.id, "link_id": r.link_id, "link_name": r.link_name, "account_name": r.account_name,
            "document_id": r.document_id, "document_name": r.document_name, "email": r.email, "name": r.name,
            "started_at": r.started_at, "last_activity_at": r.last_activity_at, "ended_at": r.ended_at,
            "visible_seconds": r.visible_seconds, "percent_viewed": r.percent_viewed, "pages_seen": r.pages_seen,
            "seconds_per_page": r.seconds_per_page, "source": r.source,
            "sync": {"state": r.sync_state, "salesforce_id": r.salesforce_id, "message": r.sync_message},
            "stats_url": owner_url("visit", r.id),
        } for r in rows])
    else:
        emit_table(
            ["ID", "STARTED", "VISITOR", "DOCUMENT", "ACCOUNT", "SECONDS", "VIEWED", "ENDED", "SYNC"],
            [(r.id, r.started_at, r.email or "(anonymous)", r.document_name, r.account_name or None,
              round(r.visible_seconds), f"{r.percent_viewed:g}%", r.ended_at is not None, r.sync_state)
             for r in rows],
        )
    return 0


def visits_import(ctx: CommandContext, args) -> int:
    report = import_visits(Path(args.file), ctx.clock)
    for line, reason in report.rejected:
        error_line(f"{args.file}:{line}: {reason}")
    if ctx.json:
        emit_json({"format": report.format, "imported": len(report.imported), "visit_ids": report.imported,
                   "duplicates": report.duplicates,
                   "rejected": [{"line": line, "reason": reason} for line, reason in report.rejected]})
    else:
        print(f"imported {len(report.imported)} visits ({report.format} format); "
              f"{len(report.duplicates)} already imported; {len(report.rejected)} rejected")
    return 2 if report.rejected else 0


def settings_list(ctx: CommandContext, args) -> int:
    values = settings.all_values()
    if ctx.json:
        emit_json(values)
    else:
        emit_table(["KEY", "VALUE", "MEANING"],
                   [(key, value or "(empty)", settings.SPECS[key].help) for key, value in values.items()])
    return 0


def settings_set(ctx: CommandContext, args) -> int:
    value = settings.set_value(args.key, args.value)
    if ctx.json:
        emit_json({"key": args.key, "value": value})
    else:
        print(f"{args.key} = {value}")
    return 0


def status(ctx: CommandContext, args) -> int:
    counts = dict.fromkeys(OUTBOX_STATES, 0)
    for row in OutboxItem.select(OutboxItem.state, fn.COUNT(OutboxItem.id).alias("n")).group_by(OutboxItem.state):
        counts[row.state] = row.n
    info = ConnectionInfo.load()
    document = {
        "data_dir": str(ctx.data_dir),
        "database": "postgresql" if ctx.database_url and ctx.database_url.startswith("postgres") else "sqlite",
        "connection": {
            "connected": info.connected,
            "state": info.state or "not_connected",
            "instance_url": info.instance_url or None,
            "username": info.username or None,
            "display_name": info.display_name or None,
            "user_id": info.user_id or None,
            "org_id": info.org_id or None,
            "sign_in_remembered": info.remembered == "true" if info.connected else None,
        },
        "outbox": counts,
        "last_sync_at": settings.get_internal("sync.last_pass_at") or None,
        "api_usage": _api_usage(),
    }
    if ctx.json:
        emit_json(document)
        return 0
    conn = document["connection"]
    if not conn["connected"]:
        print("Salesforce: not connected")
    else:
        state = " — sign-in required" if conn["state"] == "sign_in_required" else ""
        print(f"Salesforce: {conn['username']} ({conn['display_name']}) at {conn['instance_url']}{state}")
    print("Sync queue: " + ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in counts.items()))
    print(f"Last sync: {document['last_sync_at'] or 'never'}")
    usage = document["api_usage"]
    print(f"API usage: {usage['used']}/{usage['max']} today" if usage else "API usage: unknown")
    return 0


def _api_usage() -> dict | None:
    raw = settings.get_internal("salesforce.api_usage")  # "used/max", from the last Sforce-Limit-Info
    if not raw or "/" not in raw:
        return None
    used, _, maximum = raw.partition("/")
    return {"used": int(used), "max": int(maximum)} if used.isdigit() and maximum.isdigit() else None
