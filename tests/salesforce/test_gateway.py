"""The gateway against the emulator: batched lookups, collections with mixed results, limits, no leaked secrets."""

import logging
import math

import pytest

from docsend_desktop.salesforce import collections
from docsend_desktop.salesforce.errors import LimitExceeded
from docsend_desktop.salesforce.gateway import SalesforceGateway
from docsend_desktop.salesforce.lookups import CONTACTS, LEADS, chunk_in_queries, lookup, opportunities_by_account

NASTY_EMAILS = ["o'brien@example.com", "back\\slash@example.com", "100%_sure@example.com", "zoë@exämple.com",
                "x" * 60 + "@example.com"]  # Salesforce's Email holds 80 characters
TOO_LONG = "y" * 240 + "@example.com"  # can't exist in Salesforce, but may be asked for
NASTY_NAMES = ["O'Brien & Sons", "Back\\Slash Ltd", "100% _Pure_ Inc", "Zoë Ürlaub GmbH", "N" * 230]


@pytest.fixture
def gateway(connected):
    return SalesforceGateway(connected)


def test_lookups_handle_hostile_values_and_pick_the_most_recently_modified(gateway, salesforce_org):
    salesforce_org.admin.seed({
        "Account": [{"Name": n, "ref": f"a{i}"} for i, n in enumerate(NASTY_NAMES)],
        "Contact": [{"LastName": f"C{i}", "Email": e, "AccountId": f"@a{i}",
                     "LastModifiedDate": "2026-01-01T00:00:00.000+0000"} for i, e in enumerate(NASTY_EMAILS)]
        + [{"LastName": "Newer", "Email": NASTY_EMAILS[0], "LastModifiedDate": "2026-02-01T00:00:00.000+0000"}],
        "Lead": [{"LastName": "L", "Company": "Co", "Email": "lead.only@example.com"},
                 {"LastName": "Conv", "Company": "Co", "Email": "converted@example.com", "IsConverted": True}],
    })
    found = lookup(gateway, emails=[e.upper() for e in NASTY_EMAILS] + [TOO_LONG, "lead.only@example.com",
                                                                         "converted@example.com", "nobody@x.io"],
                   account_names=[n.lower() for n in NASTY_NAMES] + ["Nobody Inc"])
    assert set(found.contacts) == {e.lower() for e in NASTY_EMAILS}
    assert found.contacts[NASTY_EMAILS[0]][0]["LastName"] == "Newer"  # most recently modified first
    assert set(found.leads) == {"lead.only@example.com"}  # converted Leads never match
    assert set(found.accounts) == {n.lower() for n in NASTY_NAMES}


def test_five_thousand_emails_cost_a_handful_of_calls(gateway, salesforce_org):
    emails = [f"person{i}@bulk.example.com" for i in range(5000)]
    salesforce_org.admin.seed({"Contact": [{"LastName": f"P{i}", "Email": e} for i, e in enumerate(emails[::50])]})
    before = gateway.calls
    found = lookup(gateway, emails=emails)
    calls = gateway.calls - before
    assert len(found.contacts) == 100 and found.leads == {}
    queries = len(chunk_in_queries(CONTACTS, emails)) + len(chunk_in_queries(LEADS, emails))
    assert queries >= 20 and calls == math.ceil(queries / 5)  # five queries ride in each composite call


def test_collections_keep_per_record_results_apart(gateway, salesforce_org):
    records = [{"LastName": f"Lead {i}", "Company": "Co", "Email": f"l{i}@x.io"} for i in range(450)]
    records[7] = {"LastName": "No company"}  # REQUIRED_FIELD_MISSING
    records[300] = {"LastName": "L" * 81, "Company": "Co"}  # STRING_TOO_LONG
    before = gateway.calls
    results = collections.create(gateway, "Lead", records)
    assert gateway.calls - before == 1  # three collections of ≤200 carried by one composite call
    assert [r.success for r in results].count(False) == 2
    assert results[7].code == "REQUIRED_FIELD_MISSING" and results[300].code == "STRING_TOO_LONG"
    assert len(salesforce_org.admin.records("Lead")) == 448
    updates = [{"Id": results[0].id, "Company": "Renamed"}, {"Id": "00Q000000000000AAA", "Company": "X"}]
    outcome = collections.update(gateway, "Lead", updates)
    assert outcome[0].success and not outcome[1].success


def test_upsert_by_external_id_is_idempotent(gateway, salesforce_org):
    record = {"Subject": "DocSend visit: Deck", "Status": "Completed", "DocSend_Sync_Key__c": "v-123"}
    first = collections.upsert(gateway, "Task", "DocSend_Sync_Key__c", [record])
    again = collections.upsert(gateway, "Task", "DocSend_Sync_Key__c", [{**record, "Description": "later"}])
    assert first[0].created is True and again[0].created is False and first[0].id == again[0].id
    assert len(salesforce_org.admin.records("Task")) == 1


def test_opportunities_by_account_and_describe_cache(gateway, salesforce_org):
    ids = salesforce_org.admin.seed({"Account": [{"Name": "Acme", "ref": "acme"}],
                                     "Opportunity": [{"Name": "Deal", "AccountId": "@acme", "StageName": "Prospecting",
                                                      "CloseDate": "2027-01-01"}]})["refs"]
    assert [o["Name"] for o in opportunities_by_account(gateway, [ids["acme"]])[ids["acme"]]] == ["Deal"]
    before = gateway.calls
    gateway.task_fields()
    gateway.task_fields()
    assert gateway.calls - before == 1 and "DocSend_Sync_Key__c" in gateway.task_fields()


def test_usage_is_read_from_every_response_and_the_limit_is_classified(gateway, salesforce_org):
    gateway.limits()
    first = gateway.usage
    gateway.limits()
    assert gateway.usage.used == first.used + 1 and gateway.usage.max == first.max
    salesforce_org.admin.configure(daily_api_limit=gateway.usage.used)
    with pytest.raises(LimitExceeded, match="REQUEST_LIMIT_EXCEEDED"):
        gateway.limits()


def test_no_token_reaches_the_data_dir_the_settings_or_the_logs(connected, data_dir, salesforce_org, caplog):
    from docsend_desktop.redaction import install
    from docsend_desktop.store.models import Setting

    caplog.set_level(logging.DEBUG)
    install(logging.getLogger())  # the app's handlers carry the filter; so does pytest's capture here
    gateway = SalesforceGateway(connected)
    salesforce_org.admin.configure(access_token_ttl=60, rotate_refresh_tokens=True)
    salesforce_org.admin.advance_clock(3600)
    lookup(gateway, emails=["a@example.com"])  # forces a refresh and a rotation
    logging.getLogger("test").warning("token dump %s %s", connected._access_token, connected._refresh_token)
    secrets = [connected._access_token, connected._refresh_token]
    assert all(secrets)
    for path in data_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert not any(s.encode() in blob for s in secrets), path
    values = " ".join(f"{s.key}={s.value}" for s in Setting.select())
    assert not any(s in values for s in secrets)
    assert not any(s in caplog.text for s in secrets) and "[redacted]" in caplog.text
