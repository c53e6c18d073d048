"""Deciding, for each due item, what to send: a Task create (with its Who/What), an update of its Task,
a Lead to create first, or a refusal (skipped with a reason, or parked with a message)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..salesforce.lookups import LookupResult
from ..store.models import OutboxItem
from .composer import (
    COMPLETED,
    NOT_STARTED,
    activity_date,
    compose,
    link_points,
    link_subject,
    visit_points,
    visit_subject,
)
from .facts import LinkFacts, VisitFacts
from .mapping import LINK_POINTS, VISIT_POINTS, FieldMapping
from .matching import Target, Unmatched, match_account, match_visit, new_lead_fields
from .rules import Switches


@dataclass(frozen=True)
class PlannedTask:
    row: OutboxItem
    fields: dict


@dataclass(frozen=True)
class Refused:
    row: OutboxItem
    state: str  # skipped | needs_attention
    code: str
    message: str


@dataclass
class Planned:
    mapping: FieldMapping
    owner_id: str
    external_id: str | None
    ready: list[PlannedTask] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    waiting: dict[str, list[tuple[OutboxItem, VisitFacts]]] = field(default_factory=lambda: defaultdict(list))
    lead_fields: dict[str, dict] = field(default_factory=dict)

    def lead_requests(self) -> list[tuple[str, dict]]:
        return list(self.lead_fields.items())

    def rows_waiting_for_lead(self, email: str) -> list[OutboxItem]:
        return [row for row, _ in self.waiting.get(email, [])]

    def attach_leads(self, created: dict[str, str]) -> None:
        for email, lead_id in created.items():
            for row, facts in self.waiting.pop(email, []):
                self.ready.append(PlannedTask(row, self._visit_create(row, facts, Target("lead", who_id=lead_id))))

    def _visit_create(self, row: OutboxItem, facts: VisitFacts, target: Target) -> dict:
        follow_up = target.kind == "follow_up"
        fields = compose(visit_points(facts), self.mapping, row.sync_key)
        fields.update(Subject=visit_subject(facts, follow_up), ActivityDate=activity_date(facts.started_at),
                      Status=NOT_STARTED if follow_up else COMPLETED)
        if follow_up:
            fields["OwnerId"] = self.owner_id
        if target.who_id:
            fields["WhoId"] = target.who_id
        if target.what_id:
            fields["WhatId"] = target.what_id
        if self.external_id:
            fields[self.external_id] = row.sync_key
        return fields


def plan_items(due: list[tuple[OutboxItem, VisitFacts | LinkFacts]], found: LookupResult, switches: Switches,
               mapping: FieldMapping, *, owner_id: str, external_id: str | None) -> Planned:
    planned = Planned(mapping, owner_id, external_id)
    for row, facts in due:
        broken = mapping.error_for(VISIT_POINTS if row.kind == "visit" else LINK_POINTS)
        if broken:
            planned.refused.append(Refused(row, "needs_attention", "configuration", broken))
        elif row.kind == "visit":
            _plan_visit(planned, row, facts, found, switches)
        else:
            _plan_link(planned, row, facts, found)
    return planned


def _plan_visit(planned: Planned, row: OutboxItem, facts: VisitFacts, found: LookupResult,
                switches: Switches) -> None:
    if row.salesforce_id:  # an update of the same Task: its Who/What/Owner/Status stay as they are
        fields = compose(visit_points(facts), planned.mapping, row.sync_key)
        planned.ready.append(PlannedTask(row, fields))
        return
    target = match_visit(facts.email, facts.account_name, found, switches)
    if isinstance(target, Unmatched):
        planned.refused.append(Refused(row, "skipped", "no_match", target.reason))
    elif target.kind == "new_lead":
        planned.waiting[facts.email].append((row, facts))
        planned.lead_fields.setdefault(facts.email, new_lead_fields(facts.email, facts.name, facts.account_name))
    else:
        planned.ready.append(PlannedTask(row, planned._visit_create(row, facts, target)))


def _plan_link(planned: Planned, row: OutboxItem, facts: LinkFacts, found: LookupResult) -> None:
    fields = compose(link_points(facts), planned.mapping, row.sync_key)
    if row.salesforce_id:
        planned.ready.append(PlannedTask(row, fields))
        return
    account_id = match_account(facts.account_name, found)
    if account_id is None:
        planned.refused.append(Refused(row, "skipped", "no_match",
                                       f"no Salesforce Account named {facts.account_name!r}"))
        return
    fields.update(Subject=link_subject(facts), ActivityDate=activity_date(facts.created_at), Status=COMPLETED,
                  WhatId=account_id)
    if planned.external_id:
        fields[planned.external_id] = row.sync_key
    planned.ready.append(PlannedTask(row, fields))
