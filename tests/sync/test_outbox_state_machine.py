"""A hypothesis state machine over the outbox: activity arrives, passes run, faults strike, the app restarts.

Invariant after every step: each activity is pending, syncing, synced, skipped with a reason, or parked with a
message — never gone — and no sync key has two Tasks in Salesforce. At the end, with faults gone, every visit
has exactly one Task.
"""

import os
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from docsend_desktop.clock import FakeClock
from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.content.sample_pdf import make_pdf
from docsend_desktop.salesforce.connection import SalesforceConnection, complete_sign_in, http_session
from docsend_desktop.salesforce.gateway import SalesforceGateway
from docsend_desktop.salesforce.oauth import Grant
from docsend_desktop.store import settings as app_settings
from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.store.models import OutboxItem, Visit
from docsend_desktop.sync.composer import sync_key_in
from docsend_desktop.sync.engine import SyncEngine
from docsend_desktop.sync.headless import sync_once
from docsend_desktop.tracking.activity import ActivityEvent, record_activity

EMAILS = ["ana@acme.example", "ben@initech.example", "cy@nowhere.example", "di@acme.example"]
FAULTS = {
    "none": {},
    "drop": {"drop_after_commit_rate": 1.0},
    "unavailable": {"fail_rate": 1.0, "fail_status": 503, "fail_code": "SERVER_UNAVAILABLE"},
    "lock": {"fail_rate": 0.5, "fail_status": 400, "fail_code": "UNABLE_TO_LOCK_ROW"},
}


@pytest.fixture
def org_for_machine(salesforce_org):
    return salesforce_org


def test_outbox_invariants_hold_under_faults_and_restarts(org_for_machine):
    org = org_for_machine

    class OutboxMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            org.admin.reset()
            org.admin.seed({"Account": [{"Name": "Acme", "ref": "acme"}],
                            "Contact": [{"LastName": "Ana", "Email": EMAILS[0], "AccountId": "@acme"}],
                            "Lead": [{"LastName": "Ben", "Company": "Initech", "Email": EMAILS[1]}]})
            self.dir = Path(tempfile.mkdtemp())
            open_database(self.dir)
            self.clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
            pdf = self.dir / "deck.pdf"
            pdf.write_bytes(make_pdf("Deck", 3))
            doc = add_document(self.dir, pdf, self.clock).document
            self.link = create_link(LinkRequest(document_id=doc.id, account_name="Acme"), self.clock)
            app_settings.set_value("sync.create_leads_for_unmatched", "true")
            tokens = org.admin.issue_tokens()
            complete_sign_in(self.dir, org.login_url, "docsend-desktop",
                             Grant(tokens["access_token"], tokens["refresh_token"], tokens["instance_url"],
                                   tokens["id"]), http_session(self.dir, org.ca_path), org.ca_path)
            self.restart()

        def restart(self):
            self.engine = SyncEngine(SalesforceGateway(SalesforceConnection.open(self.dir)), self.clock,
                                     rng=random.Random(0), chunk_size=3)

        @rule(email=st.sampled_from(EMAILS), page=st.integers(1, 3), seconds=st.integers(0, 30))
        def activity(self, email, page, seconds):
            self.clock.advance(seconds)
            record_activity(ActivityEvent(self.link.id, "page", email=email, page=page, seconds=seconds), self.clock)

        @rule(minutes=st.sampled_from([1, 5, 11]))
        def time_passes(self, minutes):
            self.clock.advance(minutes=minutes)

        @rule(fault=st.sampled_from(sorted(FAULTS)))
        def sync_pass(self, fault):
            org.admin.clear_faults()
            if FAULTS[fault]:
                org.admin.set_faults(**FAULTS[fault])
            try:
                self.engine.run_pass()
            finally:
                org.admin.clear_faults()

        @rule()
        def app_restarts(self):
            self.restart()

        @invariant()
        def nothing_gone_nothing_doubled(self):
            rows = list(OutboxItem.select())
            visit_ids = {v.id for v in Visit.select(Visit.id)}
            assert {r.subject_id for r in rows if r.kind == "visit"} == visit_ids
            for row in rows:
                assert row.state in ("pending", "syncing", "synced", "skipped", "needs_attention")
                if row.state in ("skipped", "needs_attention"):
                    assert row.last_error
                if row.state == "synced":
                    assert row.salesforce_id
            keys = [sync_key_in(t["Description"]) for t in org.admin.records("Task")]
            assert len(keys) == len(set(keys)), "a sync key has two Tasks"

        def teardown(self):
            try:
                org.admin.clear_faults()
                self.clock.advance(minutes=11)
                for _ in range(5):
                    if sync_once(self.engine, sleep=lambda s: None).ok:
                        break
                keys = [sync_key_in(t["Description"]) for t in org.admin.records("Task")]
                for row in OutboxItem.select().where(OutboxItem.kind == "visit"):
                    assert row.state in ("synced", "skipped", "needs_attention"), (row.state, row.last_error)
                    if row.state == "synced":
                        assert keys.count(row.sync_key) == 1
            finally:
                close_database()

    examples = int(os.environ.get("DOCSEND_STATE_MACHINE_EXAMPLES", "12"))  # raise it for a deeper search
    OutboxMachine.TestCase.settings = settings(max_examples=examples, stateful_step_count=14, deadline=None,
                                               suppress_health_check=[HealthCheck.too_slow])
    OutboxMachine.TestCase().runTest()
