"""The issue's "done when": a PKCE login as rep@example.com, then writes, queries, limits and faults."""

from __future__ import annotations

import time

import pytest
import requests
from emulator_oauth import exchange, login_code, make_verifier
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError
from simple_salesforce.format import format_soql


def test_a_signed_in_rep_creates_queries_and_sees_limits_while_faults_come_and_go(emulator):
    browser = emulator.requests_session()
    verifier, challenge = make_verifier()
    code = login_code(browser, emulator.base_url, challenge)["code"]
    tokens = exchange(browser, emulator.base_url, code, verifier).json()
    sf = Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                    session=emulator.requests_session(), version="60.0")

    account = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Lee", "Email": "lee@acme.com", "AccountId": account})["id"]
    lead = sf.Lead.create({"LastName": "Lou", "Company": "Initech", "Email": "lou@initech.com"})["id"]
    sf.Task.create({"Subject": "DocSend visit: Deck", "WhoId": contact, "WhatId": account, "Status": "Completed"})
    batch = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": [
        {"attributes": {"type": "Task"}, "Subject": "DocSend visit: Pricing", "WhoId": lead, "Status": "Completed"},
        {"attributes": {"type": "Account"}, "Name": "Globex"},
        {"attributes": {"type": "Contact"}, "LastName": "Ng", "Email": "ng@globex.com"},
        {"attributes": {"type": "Lead"}, "LastName": "Max", "Company": "Hooli"},
    ]})
    assert all(result["success"] for result in batch)

    emails = ["LEE@acme.com", "lou@initech.com", "nobody@example.com"]
    contacts = sf.query(format_soql("SELECT Id, Account.Name FROM Contact WHERE Email IN {}", emails))
    leads = sf.query(format_soql("SELECT Id FROM Lead WHERE Email IN {} AND IsConverted = false", emails))
    assert [r["Account"]["Name"] for r in contacts["records"]] == ["Acme"]
    assert [r["Id"] for r in leads["records"]] == [lead]
    visits = sf.query("SELECT Subject, Who.Email FROM Task WHERE Subject LIKE 'DocSend visit:%' ORDER BY Subject")
    assert [(r["Subject"], r["Who"]["Email"]) for r in visits["records"]] == [
        ("DocSend visit: Deck", "lee@acme.com"), ("DocSend visit: Pricing", "lou@initech.com")]

    calls_so_far = 8  # four creates, one collection, three queries
    assert sf.api_usage["api-usage"].used == calls_so_far
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 15000 - calls_so_far - 1

    emulator.admin.set_faults(latency_ms=150)
    start = time.perf_counter()
    sf.query("SELECT Id FROM Account")
    assert time.perf_counter() - start >= 0.15
    emulator.admin.set_faults(latency_ms=0, fail_rate=1.0, fail_status=503)
    with pytest.raises(SalesforceGeneralError):
        sf.query("SELECT Id FROM Account")
    emulator.admin.set_faults(fail_rate=0.0, drop_after_commit_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        sf.Account.create({"Name": "Committed but unanswered"})
    emulator.admin.clear_faults()
    names = {r["Name"] for r in sf.query("SELECT Name FROM Account")["records"]}
    assert names == {"Acme", "Globex", "Committed but unanswered"}
