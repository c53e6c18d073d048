"""Exactly once without an External ID field: before re-sending a create whose outcome is unknown, look for
the Task it may have created — same owner, same Subject, created after the send — and adopt it when its
Description carries the item's sync key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from simple_salesforce.format import format_soql

from ..salesforce.gateway import SalesforceGateway
from ..salesforce.lookups import chunk_in_queries, run_queries
from .composer import sync_key_in

CLOCK_SKEW = timedelta(days=1)  # our clock and Salesforce's may disagree; the sync key decides anyway


def find_created_tasks(gateway: SalesforceGateway, owner_id: str, subjects: Iterable[str],
                       earliest_send: datetime) -> dict[str, str]:
    """sync key → Task Id, for Tasks owned by ``owner_id`` created since ``earliest_send``."""
    since = (earliest_send - CLOCK_SKEW).replace(microsecond=0)
    template = format_soql(
        "SELECT Id, Subject, Description FROM Task WHERE OwnerId = {owner} AND CreatedDate >= {since} "
        "AND Subject IN {{}}", owner=owner_id, since=since)
    queries = chunk_in_queries(template, subjects)
    found: dict[str, str] = {}
    for rows in run_queries(gateway, queries):
        for row in rows:
            key = sync_key_in(row.get("Description"))
            if key and key not in found:
                found[key] = row["Id"]
    return found
