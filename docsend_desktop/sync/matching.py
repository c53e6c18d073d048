"""Who a visit's Task is about (DESIGN §3): Contact by email, else an unconverted Lead, else the link's Account
by name, else what the unmatched-email switches say."""

from __future__ import annotations

from dataclasses import dataclass

from ..salesforce.lookups import LookupResult
from .rules import Switches

NO_MATCH = "no matching Lead, Contact or Account"


@dataclass(frozen=True)
class Target:
    kind: str  # contact | lead | account | new_lead | follow_up
    who_id: str | None = None
    what_id: str | None = None


@dataclass(frozen=True)
class Unmatched:
    reason: str


def match_visit(email: str | None, account_name: str, found: LookupResult, switches: Switches) -> Target | Unmatched:
    """A Target, or ``Unmatched`` with the reason. ``new_lead`` means: create a Lead for ``email`` first."""
    if email:
        contacts = found.contacts.get(email.lower())
        if contacts:
            return Target("contact", who_id=contacts[0]["Id"], what_id=contacts[0].get("AccountId"))
        leads = found.leads.get(email.lower())
        if leads:
            return Target("lead", who_id=leads[0]["Id"])  # Salesforce refuses a WhatId with a Lead WhoId
    account = match_account(account_name, found)
    if account:
        return Target("account", what_id=account)
    if email and switches.create_leads:
        return Target("new_lead")
    if switches.create_tasks:
        return Target("follow_up")
    return Unmatched(NO_MATCH if email else f"{NO_MATCH} (anonymous visitor)")


def match_account(account_name: str, found: LookupResult) -> str | None:
    accounts = found.accounts.get(account_name.strip().lower()) if account_name else None
    return accounts[0]["Id"] if accounts else None


def new_lead_fields(email: str, name: str, account_name: str) -> dict:
    """A Lead for an unmatched visitor: LastName from their name or the email's local part."""
    local, _, domain = email.partition("@")
    first, _, last = name.strip().rpartition(" ")
    fields = {
        "Email": email,
        "LastName": (last or name.strip() or local)[:80],
        "Company": (account_name.strip() or domain)[:255],
        "LeadSource": "DocSend",
    }
    if first:
        fields["FirstName"] = first[:40]
    return fields
