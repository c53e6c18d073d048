"""Faults strike; nothing is lost and nothing is doubled (DESIGN §5)."""

import pytest

from docsend_desktop.store import settings
from docsend_desktop.store.models import OutboxItem
from docsend_desktop.sync.composer import sync_key_in
from docsend_desktop.sync.headless import sync_once


def _backlog(org, make_link, visit, n):
    """n visitors on one link: a third Contacts, a third Leads, a third account-only."""
    org.admin.seed({
        "Contact": [{"LastName": f"C{i}", "Email": f"v{i}@example.com", "AccountId": org.refs["acme"]}
                    for i in range(0, n, 3)],
        "Lead": [{"LastName": f"L{i}", "Company": "Co", "Email": f"v{i}@example.com"} for i in range(1, n, 3)],
    })
    link = make_link()
    return [visit(link, f"v{i}@example.com", pages=1) for i in range(n)]


def _settle(engine, passes=30):
    """Run passes (retries due at once) until nothing transient is left, then once more after every visit has
    ended (an adopted Task may wait for its visit's end to get the final figures); bounded."""
    results = []
    for flush in (False, True):
        if flush:
            engine.clock.advance(minutes=11)
        for _ in range(passes):
            result = sync_once(engine, sleep=lambda s: None)
            results.append(result)
            if result.ok:
                break
        else:
            raise AssertionError(f"not settled after {passes} rounds: {result.summary}")
    return results


def _assert_exactly_one_task_each(org, visits):
    keys = [sync_key_in(t["Description"]) for t in org.admin.records("Task")]
    rows = {r.subject_id: r for r in OutboxItem.select().where(OutboxItem.kind == "visit")}
    for v in visits:
        assert keys.count(rows[v.id].sync_key) == 1, f"visit {v.id}: {keys.count(rows[v.id].sync_key)} Tasks"
        assert rows[v.id].state == "synced"


def test_a_create_whose_answer_is_lost_is_adopted_not_resent(org, engine, make_link, visit):
    visits = _backlog(org, make_link, visit, 30)
    org.admin.set_faults(drop_after_commit_rate=1.0)  # every write commits, then its connection drops
    report = engine.run_pass()
    assert report.synced == 0 and report.retrying > 0
    assert any(r.get("dropped") for r in org.admin.requests())
    created = len(org.admin.records("Task"))
    assert created > 0  # Salesforce did create them
    org.admin.clear_faults()
    results = _settle(engine)
    assert sum(r.adopted for result in results for r in result.reports) == created
    _assert_exactly_one_task_each(org, visits)


def test_dropped_connections_at_a_20_percent_rate_never_double_a_task(org, engine, make_link, visit):
    visits = _backlog(org, make_link, visit, 60)
    engine.chunk_size = 5  # many small passes, so the fault gets many chances
    org.admin.set_faults(drop_after_commit_rate=0.2)
    _settle(engine)
    org.admin.clear_faults()
    _assert_exactly_one_task_each(org, visits)


@pytest.mark.parametrize(("status", "code"), [(503, "SERVER_UNAVAILABLE"), (400, "UNABLE_TO_LOCK_ROW")])
def test_storms_of_transient_errors_back_off_and_lose_nothing(org, engine, make_link, visit, status, code):
    visits = _backlog(org, make_link, visit, 30)
    org.admin.set_faults(fail_rate=0.5, fail_status=status, fail_code=code)
    before = org.admin.usage()["used"]
    first = sync_once(engine, sleep=lambda s: None)
    rows = list(OutboxItem.select().where(OutboxItem.state == "pending"))
    assert all(r.reason_code == "transient" and r.due_at > engine.clock.now() or r.due_at is None for r in rows)
    org.admin.clear_faults()
    _settle(engine)
    _assert_exactly_one_task_each(org, visits)
    # A handful of calls per pass, whatever the storm: never one call per visit.
    assert org.admin.usage()["used"] - before < 6 * (len(first.reports) + 2) + 10


def test_a_mapped_field_removed_in_salesforce_parks_the_items_that_need_it(org, engine, make_link, visit, clock):
    from docsend_desktop.sync.outbox_state import retry_parked

    settings.set_value("mapping.duration", "DocSend_Duration_Seconds__c")
    link = make_link()
    first = visit(link, "ana@acme.example")
    engine.run_pass()
    task = next(t for t in org.admin.records("Task") if t["Subject"].startswith("DocSend visit"))
    assert task["DocSend_Duration_Seconds__c"] == 40 and "Visit duration" not in task["Description"]

    org.admin.drop_field("Task", "DocSend_Duration_Seconds__c")  # an admin deletes the field
    clock.advance(minutes=30)
    second = visit(link, "ana@acme.example")  # a new visit: needs the mapping
    other_link = make_link(account="Globex")  # a link Task: doesn't
    report = engine.run_pass()
    row = OutboxItem.get(OutboxItem.subject_id == second.id, OutboxItem.kind == "visit")
    assert row.state == "needs_attention"
    assert row.last_error == "mapping.duration → DocSend_Duration_Seconds__c: no such field on Task"
    assert OutboxItem.get(OutboxItem.subject_id == other_link.id, OutboxItem.kind == "document_link").state == "synced"
    assert report.parked >= 1 and first.id != second.id

    settings.set_value("mapping.duration", "Description")  # the user fixes the mapping and presses Retry
    assert retry_parked(None, clock.now()) >= 1
    engine.run_pass()
    assert OutboxItem.get(OutboxItem.subject_id == second.id, OutboxItem.kind == "visit").state == "synced"


def test_a_record_salesforce_refuses_parks_with_salesforces_message(org, engine, make_link, visit, switch):
    switch("sync.create_leads_for_unmatched", "true")
    org.admin.configure(duplicate_rules={"Lead": ["Company"]})
    org.admin.seed({"Lead": [{"LastName": "Existing", "Company": "Nobody Inc", "Email": "someone@else.example"}]})
    refused = visit(make_link(account="Nobody Inc"), "fresh@nowhere.example")
    fine = visit(make_link(), "ana@acme.example")
    engine.run_pass()
    row = OutboxItem.get(OutboxItem.subject_id == refused.id, OutboxItem.kind == "visit")
    assert row.state == "needs_attention" and row.last_error.startswith("Lead refused: DUPLICATES_DETECTED")
    assert OutboxItem.get(OutboxItem.subject_id == fine.id, OutboxItem.kind == "visit").state == "synced"


def test_a_record_level_refusal_parks_only_that_item(org, engine, make_link, visit, clock):
    org.admin.define_field("Task", {"name": "Short__c", "type": "string", "length": 5})
    settings.set_value("mapping.document_name", "Short__c")  # fits nothing longer than 5... we cut, so it syncs
    visit(make_link(), "ana@acme.example")
    assert engine.run_pass().parked == 0
    task = next(t for t in org.admin.records("Task") if t["Subject"].startswith("DocSend visit"))
    assert task["Short__c"] == "Pitc…"


def test_external_id_upserts_are_idempotent(org, engine, make_link, visit):
    settings.set_value("salesforce.external_id_field", "DocSend_Sync_Key__c")
    visits = _backlog(org, make_link, visit, 20)
    org.admin.set_faults(drop_after_commit_rate=0.3)
    _settle(engine)
    org.admin.clear_faults()
    _assert_exactly_one_task_each(org, visits)
    keys = [t["DocSend_Sync_Key__c"] for t in org.admin.records("Task")]
    assert len(keys) == len(set(keys))
