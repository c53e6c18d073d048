"""One sync pass (DESIGN §5): due outbox rows → batched lookups → Leads → Task creates/updates in
collections → each result recorded in its own short transaction. Plain Python; clock injected.

A pass with nothing due makes no API call. Failures are sorted: a refused record parks that item; a
transient failure backs its items off; the API limit or a dead grant stops the pass (``report.stopped``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ..clock import Clock, iso
from ..salesforce import collections
from ..salesforce.errors import (
    ConfigurationError,
    ConnectionFailed,
    LimitExceeded,
    SalesforceError,
    SignInRequired,
    TransientError,
)
from ..salesforce.gateway import SalesforceGateway, Unreachable
from ..salesforce.lookups import LookupResult, lookup
from ..store import settings
from ..store.models import OutboxItem, Visit
from ..tracking.activity import end_idle_visits
from . import outbox_state as box
from .adoption import find_created_tasks
from .composer import link_subject, visit_subject
from .facts import LinkFacts, VisitFacts, load_link_facts, load_visit_facts
from .lookup_cache import LookupCache
from .mapping import FieldMapping, configured_mapping, resolve
from .plan import Planned, plan_items
from .rules import PERIOD, Switches, backoff, link_due_at, visit_due_at

LIMIT_PAUSE = timedelta(hours=1)
KIND_LABEL = {"visit": "Visit", "document_link": "Document-link", "space_link": "Space-link"}


@dataclass(frozen=True)
class ItemUpdate:
    kind: str
    subject_id: int
    state: str
    salesforce_id: str | None
    message: str | None


@dataclass
class PassReport:
    synced: int = 0
    parked: int = 0
    skipped: int = 0
    deferred: int = 0
    retrying: int = 0
    leads_created: int = 0
    adopted: int = 0
    api_calls: int = 0
    offline: bool = False  # Salesforce couldn't be reached at all
    stopped: SalesforceError | None = None

    def line(self) -> str:
        text = (f"sync pass: {self.synced} synced, {self.parked} need attention, {self.skipped} skipped, "
                f"{self.retrying} retrying, {self.deferred} waiting; {self.leads_created} leads created, "
                f"{self.adopted} adopted; {self.api_calls} API calls")
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


class SyncEngine:
    def __init__(self, gateway: SalesforceGateway, clock: Clock, *, rng: random.Random | None = None,
                 chunk_size: int = 500, on_item: Callable[[ItemUpdate], None] | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> None:
        self.gateway = gateway
        self.clock = clock
        self.rng = rng or random.Random()
        self.chunk_size = chunk_size
        self.on_item = on_item or (lambda update: None)
        self.on_progress = on_progress or (lambda done, total: None)
        self.cancel_requested = False  # set from another thread to stop between chunks

    # -- the pass ---------------------------------------------------------------------------------
    def run_pass(self) -> PassReport:
        report = PassReport()
        calls_before = self.gateway.calls
        now = self.clock.now()
        end_idle_visits(self.clock)
        switches = Switches.from_settings()
        self._mapping: FieldMapping | None = None
        self._cache = LookupCache()  # lookups are cached for the pass, within a bounded size
        after_id, done = 0, 0
        total = box.count_candidates(now)
        while report.stopped is None and not self.cancel_requested:
            rows = box.candidates(now, self.chunk_size, after_id)
            if not rows:
                break
            after_id = rows[-1].id
            self._chunk(rows, switches, report)
            done += len(rows)
            self.on_progress(min(done, total), total)
        report.api_calls = self.gateway.calls - calls_before
        if report.api_calls:
            # Only a pass that talked to Salesforce writes this: an idle pass writes nothing at all, so it
            # can't wake the app's change watcher into another pass.
            settings.set_internal("sync.last_pass_at", iso(self.clock.now()))
        return report

    def _chunk(self, rows: list[OutboxItem], switches: Switches, report: PassReport) -> None:
        now = self.clock.now()
        visits = load_visit_facts([r.subject_id for r in rows if r.kind == "visit"])
        links = load_link_facts([r.subject_id for r in rows if r.kind != "visit"])
        due: list[tuple[OutboxItem, VisitFacts | LinkFacts]] = []
        for row in rows:
            facts = visits.get(row.subject_id) if row.kind == "visit" else links.get(row.subject_id)
            if not switches.enabled(row.kind):
                self._skip(row, "switched_off", f"{KIND_LABEL[row.kind]} sync is switched off", report)
            elif facts is None:
                self._skip(row, "gone", "the activity no longer exists", report)
            elif row.kind != "visit" and not facts.account_name:
                self._skip(row, "no_account", "the link has no account name to match", report)
            else:
                due_at = visit_due_at(row, facts.visit) if row.kind == "visit" else link_due_at(row)
                if due_at is None:  # nothing unsent after all (its Task has this revision): settle it
                    box.record_synced(row, row.salesforce_id, row.revision, now)
                elif due_at > now:
                    box.defer(row, due_at)
                    report.deferred += 1
                else:
                    due.append((row, facts))
        if due:
            self._send(due, switches, report)

    def _send(self, due: list[tuple[OutboxItem, VisitFacts | LinkFacts]], switches: Switches,
              report: PassReport) -> None:
        unresolved = {row.id: (row, facts) for row, facts in due}  # rows whose result isn't recorded yet
        try:
            self._check_usage()
            mapping = self._field_mapping()
            external_id = settings.get("salesforce.external_id_field") or None
            if not external_id:
                self._adopt(unresolved, report)
            needing = [(r, f) for r, f in unresolved.values() if r.salesforce_id is None]
            found = self._lookup(emails={f.email for r, f in needing if r.kind == "visit" and f.email},
                                 names={f.account_name for _, f in needing if f.account_name})
            planned = plan_items(list(unresolved.values()), found, switches, mapping,
                                 owner_id=self.gateway.connection.info.user_id, external_id=external_id)
            for item in planned.refused:
                self._finish_refused(item, unresolved, report)
            leads = self._create_leads(planned, unresolved, report)
            planned.attach_leads(leads)
            self._send_tasks(planned, external_id, unresolved, report)
        except (LimitExceeded, SignInRequired) as exc:
            box.release([r for r, _ in unresolved.values()], self.clock.now())
            report.stopped = exc
        except (TransientError, ConnectionFailed) as exc:
            report.offline = isinstance(exc, (Unreachable, ConnectionFailed))
            for row, _ in list(unresolved.values()):
                # A whole call failed: whatever create is in doubt (``sent_at``) stays in doubt until a
                # definite answer or an adoption search settles it.
                self._retry(row, str(exc), report, outcome_known=False)
        except SalesforceError as exc:  # configuration, or a refusal of the whole call: a person must look
            for row, _ in list(unresolved.values()):
                self._park(row, exc.kind, str(exc), report)

    # -- steps ------------------------------------------------------------------------------------
    def _check_usage(self) -> None:
        usage = self.gateway.usage
        share = int(settings.get("sync.max_api_usage_percent")) / 100
        if usage and usage.max and usage.share >= share:
            raise LimitExceeded(f"API usage at {usage.used}/{usage.max}, past the {share:.0%} share allowed "
                                "for syncing", resume_at=self.clock.now() + LIMIT_PAUSE)

    def _field_mapping(self) -> FieldMapping:
        if self._mapping is None:
            configured = configured_mapping()
            self._mapping = resolve(configured, self.gateway.task_fields(refresh=True)) if configured \
                else FieldMapping()
            external_id = settings.get("salesforce.external_id_field")
            if external_id:
                info = self.gateway.task_fields().get(external_id)
                if not info or not info.get("externalId"):
                    raise ConfigurationError(f"salesforce.external_id_field {external_id} is not an External ID "
                                             "field on Task")
        return self._mapping

    def _lookup(self, emails: set[str], names: set[str]) -> LookupResult:
        """Ask Salesforce only for what this pass hasn't asked yet; answers kept in a bounded cache."""
        emails = {e.lower() for e in emails}
        names = {n.strip().lower() for n in names}
        found = self._cache.get(emails, names)
        missing_emails = {e for e in emails if not self._cache.knows_email(e)}
        missing_names = {n for n in names if not self._cache.knows_name(n)}
        if missing_emails or missing_names:
            fresh = lookup(self.gateway, emails=missing_emails, account_names=missing_names)
            self._cache.add(fresh, missing_emails, missing_names)
            found = self._cache.get(emails, names)
        return found

    def _adopt(self, unresolved: dict, report: PassReport) -> None:
        """Rows whose create may have landed: find and adopt their Task before anything is re-sent."""
        uncertain = [(r, f) for r, f in unresolved.values() if r.salesforce_id is None and r.sent_at is not None]
        if not uncertain:
            return
        subjects = set()
        for row, facts in uncertain:
            if row.kind == "visit":
                subjects |= {visit_subject(facts, False), visit_subject(facts, True)}
            else:
                subjects.add(link_subject(facts))
        earliest = min(r.sent_at for r, _ in uncertain)
        found = find_created_tasks(self.gateway, self.gateway.connection.info.user_id, subjects, earliest)
        now = self.clock.now()
        for row, _ in uncertain:
            task_id = found.get(row.sync_key)
            if task_id:
                box.adopt(row, task_id, now)
                row.salesforce_id = task_id
                row.sync_count += 1
                report.adopted += 1
            else:
                box.clear_sent(row)  # searched after the send and not there: it was never created
            row.sent_at = None

    def _create_leads(self, planned: Planned, unresolved: dict, report: PassReport) -> dict[str, str]:
        emails = planned.lead_requests()
        if not emails:
            return {}
        results = collections.create(self.gateway, "Lead", [fields for _, fields in emails])
        created: dict[str, str] = {}
        for (email, _), result in zip(emails, results, strict=True):
            if result.success:
                created[email] = result.id
                self._cache.add_lead(email, result.id)  # later chunks match it instead of creating another
                report.leads_created += 1
                continue
            for row in planned.rows_waiting_for_lead(email):
                if result.transient:
                    self._retry(unresolved.pop(row.id)[0], f"Lead: {result.message}", report, outcome_known=True)
                else:
                    self._park(unresolved.pop(row.id)[0], "record_error", f"Lead refused: {result.message}", report)
        return created

    def _send_tasks(self, planned: Planned, external_id: str | None, unresolved: dict, report: PassReport) -> None:
        now = self.clock.now()
        creates = [p for p in planned.ready if p.row.id in unresolved and p.row.salesforce_id is None]
        updates = [p for p in planned.ready if p.row.id in unresolved and p.row.salesforce_id is not None]
        if updates:
            box.mark_updating([p.row for p in updates], now)
            results = collections.update(self.gateway, "Task", [{"Id": p.row.salesforce_id, **p.fields}
                                                                 for p in updates])
            for p, result in zip(updates, results, strict=True):
                self._record(p.row, result, p.row.salesforce_id, unresolved, report, outcome_known=True)
        if creates:
            box.mark_sending([p.row for p in creates], now)
            records = [p.fields for p in creates]
            results = (collections.upsert(self.gateway, "Task", external_id, records) if external_id
                       else collections.create(self.gateway, "Task", records))
            for p, result in zip(creates, results, strict=True):
                self._record(p.row, result, result.id, unresolved, report, outcome_known=True)

    def _record(self, row, result, task_id, unresolved: dict, report: PassReport, *, outcome_known: bool) -> None:
        unresolved.pop(row.id, None)
        now = self.clock.now()
        if result.success:
            state = box.record_synced(row, task_id, row.revision, now)
            report.synced += 1
            self.on_item(ItemUpdate(row.kind, row.subject_id, state, task_id, None))
        elif result.transient:
            self._retry(row, result.message, report, outcome_known=outcome_known)
        elif result.code == "ENTITY_IS_DELETED":
            self._park(row, "record_error", "the Task was deleted in Salesforce: Retry creates a new one", report,
                       forget_task=True)
        else:
            self._park(row, "record_error", result.message, report)

    def _finish_refused(self, item, unresolved: dict, report: PassReport) -> None:
        unresolved.pop(item.row.id, None)
        if item.state == "skipped":
            self._skip(item.row, item.code, item.message, report)
        else:
            self._park(item.row, item.code, item.message, report)

    # -- outcomes ---------------------------------------------------------------------------------
    def _skip(self, row: OutboxItem, code: str, message: str, report: PassReport) -> None:
        box.skip(row, code, message, self.clock.now())
        report.skipped += 1
        self.on_item(ItemUpdate(row.kind, row.subject_id, "skipped", row.salesforce_id, message))

    def _park(self, row: OutboxItem, code: str, message: str, report: PassReport, forget_task: bool = False) -> None:
        box.park(row, code, message, self.clock.now())
        if forget_task:
            OutboxItem.update(salesforce_id=None).where(OutboxItem.id == row.id).execute()
        report.parked += 1
        self.on_item(ItemUpdate(row.kind, row.subject_id, "needs_attention", row.salesforce_id, message))

    def _retry(self, row: OutboxItem, message: str, report: PassReport, *, outcome_known: bool) -> None:
        box.retry_later(row, message, backoff(row.attempts + 1, self.rng), self.clock.now(),
                        outcome_known=outcome_known)
        report.retrying += 1
        self.on_item(ItemUpdate(row.kind, row.subject_id, "pending", row.salesforce_id, message))




def next_due_at():
    """When the worker should wake next: the earliest deferred row, or the end of an open visit."""
    row = (OutboxItem.select(OutboxItem.due_at)
           .where((OutboxItem.state == "pending") & OutboxItem.due_at.is_null(False))
           .order_by(OutboxItem.due_at).first())
    visit = (Visit.select(Visit.last_activity_at).where(Visit.ended_at.is_null())
             .order_by(Visit.last_activity_at).first())
    times = [t for t in (row.due_at if row else None, visit.last_activity_at + PERIOD if visit else None) if t]
    return min(times) if times else None
