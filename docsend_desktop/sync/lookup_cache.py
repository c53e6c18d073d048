"""A pass's lookup answers, so that an email or account name met in several chunks is asked once — bounded
(least recently used out first), so that a pass over 10,000 visits holds no more than one over 1,000."""

from __future__ import annotations

from collections import OrderedDict

from ..salesforce.lookups import LookupResult

MAX_ENTRIES = 4_000  # per kind of key; a chunk asks for at most 500 emails and 500 names


class LookupCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        # key → (contacts, leads) for emails, key → accounts for names; slim records (only what matching reads)
        self._emails: OrderedDict[str, tuple[list[dict], list[dict]]] = OrderedDict()
        self._names: OrderedDict[str, list[dict]] = OrderedDict()

    def knows_email(self, email: str) -> bool:
        return email in self._emails

    def knows_name(self, name: str) -> bool:
        return name in self._names

    def add(self, found: LookupResult, emails: set[str], names: set[str]) -> None:
        for email in emails:
            self._put(self._emails, email, ([_slim(r) for r in found.contacts.get(email, [])],
                                            [_slim(r) for r in found.leads.get(email, [])]))
        for name in names:
            self._put(self._names, name, [_slim(r) for r in found.accounts.get(name, [])])

    def add_lead(self, email: str, lead_id: str) -> None:
        self._put(self._emails, email.lower(), ([], [{"Id": lead_id}]))

    def get(self, emails: set[str], names: set[str]) -> LookupResult:
        result = LookupResult()
        for email in emails:
            if email in self._emails:
                self._emails.move_to_end(email)
                contacts, leads = self._emails[email]
                if contacts:
                    result.contacts[email] = contacts
                if leads:
                    result.leads[email] = leads
        for name in names:
            if name in self._names:
                self._names.move_to_end(name)
                if self._names[name]:
                    result.accounts[name] = self._names[name]
        return result

    def _put(self, table: OrderedDict, key: str, value) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self._max:
            table.popitem(last=False)


def _slim(record: dict) -> dict:
    return {k: record[k] for k in ("Id", "AccountId") if k in record}
