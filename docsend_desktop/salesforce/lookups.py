"""Batched lookups: Contacts and unconverted Leads by many emails, Accounts by many names, Opportunities by
Account — each list chunked into ``IN`` queries that stay within Salesforce's limits, and up to five queries
carried by one ``composite`` call. The cost grows with the number of chunks, not of values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from simple_salesforce.format import format_soql

from .errors import from_status
from .gateway import COMPOSITE_MAX_HEAVY, SalesforceGateway

# SOQL may be 100,000 characters; we stay far below so that a query also fits a GET URL if ever sent alone
# (~16,000 characters once encoded) and one chunk's rows fit one 2,000-record batch.
MAX_SOQL_CHARS = 12_000
MAX_VALUES_PER_QUERY = 500

CONTACTS = "SELECT Id, Email, FirstName, LastName, AccountId, LastModifiedDate FROM Contact WHERE Email IN {}"
LEADS = ("SELECT Id, Email, FirstName, LastName, Company, LastModifiedDate FROM Lead "
         "WHERE IsConverted = false AND Email IN {}")
ACCOUNTS = "SELECT Id, Name, LastModifiedDate FROM Account WHERE Name IN {}"
OPPORTUNITIES = ("SELECT Id, Name, AccountId, StageName, IsClosed, LastModifiedDate FROM Opportunity "
                 "WHERE AccountId IN {}")


@dataclass
class LookupResult:
    """Matches keyed by lower-cased email or name, most recently modified first."""

    contacts: dict[str, list[dict]] = field(default_factory=dict)
    leads: dict[str, list[dict]] = field(default_factory=dict)
    accounts: dict[str, list[dict]] = field(default_factory=dict)


def chunk_in_queries(template: str, values: Iterable[str], *, max_chars: int = MAX_SOQL_CHARS,
                     max_values: int = MAX_VALUES_PER_QUERY) -> list[str]:
    """``template`` holds one ``{}`` for the IN list; literals are quoted by simple-salesforce's format_soql."""
    unique = sorted({v for v in values if v})
    queries: list[str] = []
    chunk: list[str] = []
    size = len(quote(_ordered(template), safe=""))  # budgets count URL-encoded characters
    budget = size
    for value in unique:
        cost = len(quote(format_soql("{}", value) + ",", safe=""))
        if chunk and (budget + cost > max_chars or len(chunk) >= max_values):
            queries.append(_ordered(format_soql(template, chunk)))
            chunk, budget = [], size
        if size + cost > max_chars:
            raise ValueError(f"a value of {len(value)} characters can't fit one query")
        chunk.append(value)
        budget += cost
    if chunk:
        queries.append(_ordered(format_soql(template, chunk)))
    return queries


def _ordered(soql: str) -> str:
    return soql + " ORDER BY LastModifiedDate DESC"


def run_queries(gateway: SalesforceGateway, queries: Sequence[str]) -> list[list[dict]]:
    """All records of each query, several queries per composite call, following ``nextRecordsUrl``."""
    results: list[list[dict]] = [[] for _ in queries]
    pending: list[tuple[int, str]] = [(i, gateway.data_path("query?q=" + quote(q, safe=""))) for i, q in
                                      enumerate(queries)]
    while pending:
        batch, pending = pending[:COMPOSITE_MAX_HEAVY], pending[COMPOSITE_MAX_HEAVY:]
        responses = gateway.composite(
            [{"method": "GET", "url": url, "referenceId": f"q{n}"} for n, (_, url) in enumerate(batch)])
        for (index, _), response in zip(batch, responses, strict=True):
            if response["httpStatusCode"] != 200:
                raise from_status(response["httpStatusCode"], response["body"])
            body = response["body"]
            results[index].extend(body["records"])
            if not body.get("done", True) and body.get("nextRecordsUrl"):
                pending.append((index, body["nextRecordsUrl"]))
    return results


def lookup(gateway: SalesforceGateway, emails: Iterable[str] = (), account_names: Iterable[str] = ()) -> LookupResult:
    """Contacts and unconverted Leads by email, Accounts by name: all in as few calls as the chunks allow."""
    emails = {e.strip().lower() for e in emails if e and e.strip()}
    names = {n.strip() for n in account_names if n and n.strip()}
    plan: list[tuple[str, str, str]] = []  # (bucket, key field, soql)
    plan += [("contacts", "Email", q) for q in chunk_in_queries(CONTACTS, emails)]
    plan += [("leads", "Email", q) for q in chunk_in_queries(LEADS, emails)]
    plan += [("accounts", "Name", q) for q in chunk_in_queries(ACCOUNTS, names)]
    result = LookupResult()
    if not plan:
        return result
    records = run_queries(gateway, [soql for _, _, soql in plan])
    grouped: dict[str, dict[str, list[dict]]] = {"contacts": defaultdict(list), "leads": defaultdict(list),
                                                   "accounts": defaultdict(list)}
    for (bucket, key, _), rows in zip(plan, records, strict=True):
        for row in rows:
            if row.get(key):
                grouped[bucket][row[key].lower()].append(row)
    for bucket, by_key in grouped.items():
        for rows in by_key.values():
            rows.sort(key=lambda r: r.get("LastModifiedDate") or "", reverse=True)
        setattr(result, bucket, dict(by_key))
    return result


def opportunities_by_account(gateway: SalesforceGateway, account_ids: Iterable[str]) -> dict[str, list[dict]]:
    queries = chunk_in_queries(OPPORTUNITIES, account_ids)
    found: dict[str, list[dict]] = defaultdict(list)
    for rows in run_queries(gateway, queries):
        for row in rows:
            found[row["AccountId"]].append(row)
    return dict(found)


def query_all(gateway: SalesforceGateway, soql: str) -> list[dict]:
    """One query's records, all pages."""
    return run_queries(gateway, [soql])[0]

