"""sObject Collections: create, update and upsert up to 200 records a collection, and up to five collections
in one ``composite`` call. Each record's result is kept apart: one refused record never sinks the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from .errors import TRANSIENT_CODES, from_status
from .gateway import COMPOSITE_MAX_HEAVY, SalesforceGateway

COLLECTION_MAX = 200


@dataclass(frozen=True)
class RecordResult:
    success: bool
    id: str | None = None
    created: bool | None = None
    errors: list[dict] = field(default_factory=list)  # [{"statusCode", "message", "fields"}]

    @property
    def code(self) -> str | None:
        return self.errors[0].get("statusCode") if self.errors else None

    @property
    def message(self) -> str:
        return "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in self.errors)

    @property
    def transient(self) -> bool:
        return not self.success and self.code in TRANSIENT_CODES


def create(gateway: SalesforceGateway, sobject: str, records: Sequence[dict]) -> list[RecordResult]:
    return _send(gateway, "POST", "composite/sobjects", sobject, records)


def update(gateway: SalesforceGateway, sobject: str, records: Sequence[dict]) -> list[RecordResult]:
    """Each record carries its ``Id``."""
    return _send(gateway, "PATCH", "composite/sobjects", sobject, records)


def upsert(
    gateway: SalesforceGateway, sobject: str, external_id_field: str, records: Sequence[dict]
) -> list[RecordResult]:
    """Keyed by ``external_id_field``: no match creates, one match updates."""
    path = f"composite/sobjects/{quote(sobject)}/{quote(external_id_field)}"
    return _send(gateway, "PATCH", path, sobject, records)


def _send(
    gateway: SalesforceGateway, method: str, path: str, sobject: str, records: Sequence[dict]
) -> list[RecordResult]:
    chunks = [list(records[i:i + COLLECTION_MAX]) for i in range(0, len(records), COLLECTION_MAX)]
    results: list[RecordResult] = []
    for start in range(0, len(chunks), COMPOSITE_MAX_HEAVY):
        group = chunks[start:start + COMPOSITE_MAX_HEAVY]
        subrequests = [
            {"method": method, "url": gateway.data_path(path), "referenceId": f"c{n}",
             "body": {"allOrNone": False, "records": [_typed(sobject, r) for r in chunk]}}
            for n, chunk in enumerate(group)
        ]
        if len(subrequests) == 1:  # a plain collections call costs the same and is simpler to read in logs
            bodies = [(200, gateway.rest(method, path, json=subrequests[0]["body"]))]
        else:
            bodies = [(r["httpStatusCode"], r["body"]) for r in gateway.composite(subrequests)]
        for chunk, (status, body) in zip(group, bodies, strict=True):
            if status >= 300 or not isinstance(body, list):
                error = from_status(status, body)
                if error.kind in ("transient", "limit", "auth"):
                    raise error  # the whole call failed: the caller retries, pauses or signs in
                results += [RecordResult(False, errors=[{"statusCode": error.code or f"HTTP_{status}",
                                                         "message": str(error), "fields": []}])] * len(chunk)
                continue
            results += [RecordResult(item.get("success", False), item.get("id"), item.get("created"),
                                     item.get("errors") or []) for item in body]
    return results


def _typed(sobject: str, record: dict) -> dict:
    return {"attributes": {"type": sobject}, **record}
