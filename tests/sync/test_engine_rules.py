"""Given an org and some activity, this is what Salesforce ends up holding (DESIGN §3–§4)."""

from docsend_desktop.store.models import OutboxItem, Visit
from docsend_desktop.sync.composer import sync_key_in


def tasks(org):
    return org.admin.records("Task")


def item(kind, subject_id):
    return OutboxItem.get((OutboxItem.kind == kind) & (OutboxItem.subject_id == subject_id))


def test_a_contact_visit_goes_to_the_contact_and_its_account(org, engine, make_link, visit):
    link = make_link()
    v = visit(link, "ANA@acme.example", pages=3)
    report = engine.run_pass()
    assert report.synced == 2 and report.parked == 0  # the visit, and the link's own Task
    task = next(t for t in tasks(org) if t["Subject"] == "DocSend visit: Pitch deck")
    assert (task["WhoId"], task["WhatId"], task["Status"]) == (org.refs["ana"], org.refs["acme"], "Completed")
    assert "Percent viewed: 75%" in task["Description"] and "Time per page: p.1 20 s, p.2 20 s, p.3 20 s" in \
        task["Description"]
    assert f"/owner/visits/{v.id}" in task["Description"]
    assert sync_key_in(task["Description"]) == item("visit", v.id).sync_key
    assert item("visit", v.id).salesforce_id == task["Id"]


def test_a_lead_visit_has_no_what_id(org, engine, make_link, visit):
    visit(make_link(account=""), "ben@initech.example")
    engine.run_pass()
    task = next(t for t in tasks(org) if t["Subject"].startswith("DocSend visit"))
    assert task["WhoId"] == org.refs["ben"] and task["WhatId"] is None


def test_no_email_match_falls_back_to_the_account(org, engine, make_link, visit):
    visit(make_link(account="globex"), "stranger@elsewhere.example", name="Sam Stranger")
    engine.run_pass()
    task = next(t for t in tasks(org) if t["Subject"].startswith("DocSend visit"))
    assert task["WhoId"] is None and task["WhatId"] == org.refs["globex"]
    assert "Visitor: Sam Stranger <stranger@elsewhere.example>" in task["Description"]


def test_unmatched_visitors_skip_with_a_reason_or_become_leads_or_follow_ups(org, engine, make_link, visit, switch):
    link = make_link(account="Nobody Inc")
    first = visit(link, "new.person@nowhere.example", name="New Person")
    engine.run_pass()
    row = item("visit", first.id)
    assert (row.state, row.last_error) == ("skipped", "no matching Lead, Contact or Account")

    switch("sync.create_leads_for_unmatched", "true")
    second = visit(make_link(account="Nobody Inc"), "other.person@nowhere.example", name="Other Person")
    engine.run_pass()
    lead = next(r for r in org.admin.records("Lead") if r["Email"] == "other.person@nowhere.example")
    assert (lead["LastName"], lead["FirstName"], lead["Company"], lead["LeadSource"]) == (
        "Person", "Other", "Nobody Inc", "DocSend")
    assert next(t for t in tasks(org) if t["Id"] == item("visit", second.id).salesforce_id)["WhoId"] == lead["Id"]

    switch("sync.create_leads_for_unmatched", "false")
    switch("sync.create_tasks_for_unmatched", "true")
    third = visit(make_link(account="Nobody Inc"), "third@nowhere.example")
    engine.run_pass()
    follow_up = next(t for t in tasks(org) if t["Id"] == item("visit", third.id).salesforce_id)
    assert follow_up["Status"] == "Not Started" and follow_up["WhoId"] is None
    assert follow_up["OwnerId"] == engine.gateway.connection.info.user_id
    assert follow_up["Subject"] == "DocSend follow-up: third@nowhere.example viewed Pitch deck"


def test_updates_land_on_the_same_task_and_a_short_visit_syncs_at_most_twice(org, engine, make_link, visit, clock):
    link = make_link()
    v = visit(link, "ana@acme.example", pages=1)
    engine.run_pass()
    task_id = item("visit", v.id).salesforce_id
    visit(link, "ana@acme.example", pages=3)  # same visit: within 10 minutes
    engine.run_pass()
    assert item("visit", v.id).sync_count == 1  # not yet: a short visit waits for its end
    clock.advance(minutes=11)
    engine.run_pass()  # the visit ends → its final sync
    row = item("visit", v.id)
    assert (row.sync_count, row.salesforce_id, row.state) == (2, task_id, "synced")
    assert Visit.get_by_id(v.id).ended_at is not None
    visit_tasks = [t for t in tasks(org) if t["Subject"].startswith("DocSend visit")]
    assert len(visit_tasks) == 1 and "Percent viewed: 75%" in visit_tasks[0]["Description"]
    assert engine.run_pass().api_calls == 0


def test_a_long_visit_syncs_every_ten_minutes(org, engine, make_link, visit, clock):
    link = make_link()
    v = visit(link, "ana@acme.example", pages=1)
    engine.run_pass()
    for _ in range(4):  # 4 × 4 minutes of reading, each with a page view
        clock.advance(minutes=4)
        visit(link, "ana@acme.example", pages=1, seconds=1)
        engine.run_pass()
    # started, then 16 minutes of activity: one periodic update at 10+ minutes
    assert item("visit", v.id).sync_count == 2
    clock.advance(minutes=11)
    engine.run_pass()
    assert item("visit", v.id).sync_count == 3


def test_link_tasks_list_visitors_and_are_updated_in_place(org, engine, make_link, visit):
    link = make_link()
    engine.run_pass()
    task = next(t for t in tasks(org) if t["Subject"] == "DocSend link created: Pitch deck (Acme Corporation)")
    assert task["WhatId"] == org.refs["acme"] and "Visitors: none yet" in task["Description"]
    assert f"External link URL: http://127.0.0.1:8765/l/{link.slug}" in task["Description"]
    visit(link, "ana@acme.example", name="Ana Diaz")
    engine.run_pass()
    task = next(t for t in tasks(org) if t["Id"] == task["Id"])
    assert "Visitors: Ana Diaz <ana@acme.example>" in task["Description"]
    assert len([t for t in tasks(org) if t["Subject"].startswith("DocSend link created")]) == 1


def test_a_link_without_a_matching_account_is_skipped_with_the_reason(org, engine, make_link):
    link = make_link(account="Unknown Co")
    engine.run_pass()
    assert item("document_link", link.id).last_error == "no Salesforce Account named 'Unknown Co'"


def test_switched_off_kinds_do_not_flood_when_switched_back_on(org, engine, make_link, visit, switch, clock):
    from docsend_desktop.sync.outbox_state import backfill

    switch("sync.visits", "false")
    v = visit(make_link(), "ana@acme.example")
    engine.run_pass()
    assert item("visit", v.id).state == "skipped"
    switch("sync.visits", "true")
    assert engine.run_pass().synced == 0
    assert backfill("visit", clock.now()) == 1
    assert engine.run_pass().synced == 1


def test_a_pass_with_nothing_due_makes_no_call(org, engine):
    assert engine.run_pass().api_calls == 0


def test_a_lead_created_early_in_a_pass_is_reused_by_later_chunks(org, engine, make_link, visit, switch, clock):
    switch("sync.create_leads_for_unmatched", "true")
    engine.chunk_size = 2  # several chunks in one pass
    link = make_link(account="Nobody Inc")
    for _ in range(3):  # the same unknown visitor, three visits
        visit(link, "repeat@nowhere.example")
        clock.advance(minutes=11)
    visit(make_link(), "ana@acme.example")
    engine.run_pass()
    leads = [r for r in org.admin.records("Lead") if r["Email"] == "repeat@nowhere.example"]
    assert len(leads) == 1
    visit_tasks = [t for t in tasks(org) if t["Subject"].startswith("DocSend visit")]
    assert len(visit_tasks) == 4 and sum(t["WhoId"] == leads[0]["Id"] for t in visit_tasks) == 3
