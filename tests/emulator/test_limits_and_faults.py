"""API usage accounting, the daily limit, and every injected fault switched on and off at run time."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest, SalesforceRefusedRequest


def usage_header(response: requests.Response) -> tuple[int, int]:
    used, total = response.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    return int(used), int(total)


def test_every_rest_answer_carries_the_usage_header(api, emulator):
    answers = [api.get("limits"), api.get("query", params={"q": "SELECT Id FROM Nope"}),
               api.get("sobjects/Account/0018E0000000999"), api.post("composite/sobjects", json={"records": []})]
    assert [usage_header(a) for a in answers] == [(1, 15000), (2, 15000), (3, 15000), (4, 15000)]
    unauthenticated = requests.Session()
    unauthenticated.trust_env = False
    answer = unauthenticated.get(api.base + "limits", verify=str(emulator.ca_path), headers={
        "Authorization": "Bearer expired"})
    assert answer.status_code == 401 and usage_header(answer) == (4, 15000)  # not counted


def test_simple_salesforce_sees_its_usage_and_limits(sf, emulator):
    sf.Account.create({"Name": "A"})
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used == 2 and sf.api_usage["api-usage"].total == 15000
    limits = sf.limits()["DailyApiRequests"]
    assert limits == {"Max": 15000, "Remaining": 15000 - 3}
    emulator.admin.issue_tokens()
    emulator.admin.records("Account")  # admin calls are free
    assert emulator.admin.usage() == {"used": 3, "max": 15000, "remaining": 14997}


def test_request_limit_exceeded_then_the_window_rolls(sf, emulator):
    emulator.admin.configure(daily_api_limit=3, access_token_ttl=3 * 86400)
    for _ in range(3):
        sf.query("SELECT Id FROM Account")
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.status == 403
    assert caught.value.content == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    emulator.admin.advance_clock(24 * 3600 + 1)
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 0


def test_latency_applies_and_requests_overlap(api, emulator):
    emulator.admin.set_faults(latency_ms=200)
    start = time.perf_counter()
    assert api.get("limits").status_code == 200
    assert time.perf_counter() - start >= 0.2
    sessions = [emulator.requests_session() for _ in range(5)]
    start = time.perf_counter()
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda s: s.get(api.base + "limits", headers=api.session.headers).status_code,
                                 sessions))
    assert statuses == [200] * 5
    assert time.perf_counter() - start < 0.8  # five 200 ms requests overlapped instead of taking 1 s
    emulator.admin.clear_faults()
    start = time.perf_counter()
    api.get("limits")
    assert time.perf_counter() - start < 0.2


def test_jitter_varies_latency(api, emulator):
    emulator.admin.set_faults(jitter_ms=100)
    durations = []
    for _ in range(10):
        start = time.perf_counter()
        api.get("limits")
        durations.append(time.perf_counter() - start)
    assert max(durations) > 0.02 and max(durations) < 0.5
    assert max(durations) - min(durations) > 0.01


def test_injected_failures_default_to_503(sf, emulator):
    emulator.admin.set_faults(fail_rate=1.0)
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.Account.create({"Name": "A"})
    assert caught.value.status == 503 and caught.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert emulator.admin.records("Account") == []
    emulator.admin.set_faults(fail_rate=0.0)
    sf.Account.create({"Name": "A"})


def test_injected_unable_to_lock_row(sf, emulator):
    emulator.admin.set_faults(fail_rate=1.0, fail_status=400, fail_code="UNABLE_TO_LOCK_ROW")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST", json={"records": [{"attributes": {"type": "Task"}}]})
    assert caught.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert emulator.admin.requests()[-1]["injected"] == "UNABLE_TO_LOCK_ROW"


def test_a_partial_fail_rate_fails_some_calls(api, emulator):
    emulator.admin.set_faults(fail_rate=0.5)
    statuses = {api.get("limits").status_code for _ in range(40)}
    assert statuses == {200, 503}


def test_drop_after_commit_commits_then_drops_the_connection(api, emulator):
    emulator.admin.set_faults(drop_after_commit_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.post("sobjects/Account/", json={"Name": "Committed"})
    with pytest.raises(requests.ConnectionError):
        api.post("composite/sobjects", json={"records": [{"attributes": {"type": "Account"}, "Name": "Batch"}]})
    assert api.get("limits").status_code == 200  # reads are answered
    assert sorted(r["Name"] for r in emulator.admin.records("Account")) == ["Batch", "Committed"]
    assert [entry.get("dropped") for entry in emulator.admin.requests()[-3:]] == [True, True, None]
    emulator.admin.set_faults(drop_after_commit_rate=0.0)
    assert api.post("sobjects/Account/", json={"Name": "Answered"}).status_code == 201


def test_failed_writes_are_not_dropped(api, emulator):
    emulator.admin.set_faults(drop_after_commit_rate=1.0)
    assert api.post("sobjects/Account/", json={}).status_code == 400


def test_admin_api_needs_the_admin_token(emulator):
    session = emulator.requests_session()
    assert session.post(f"{emulator.base_url}/__emulator__/reset").status_code == 401
    assert session.post(f"{emulator.base_url}/__emulator__/reset",
                        headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_bad_settings_are_refused(emulator):
    from salesforce_emulator import AdminError

    for bad in ({"fail_rate": 2}, {"fail_status": 200}, {"nonsense": 1}, {"rotate_refresh_tokens": "yes"}):
        with pytest.raises(AdminError) as caught:
            emulator.admin.configure(**bad)
        assert caught.value.status == 400


def test_reset_restores_start_up_settings_and_data(sf, emulator):
    emulator.admin.configure(daily_api_limit=5, latency_ms=10)
    sf.Account.create({"Name": "A"})
    emulator.admin.advance_clock(3600)
    emulator.admin.reset()
    settings = emulator.admin.settings()
    assert settings["daily_api_limit"] == 15000 and settings["latency_ms"] == 0
    assert emulator.admin.records("Account") == [] and emulator.admin.usage()["used"] == 0
    assert len(emulator.admin.records("User")) == 1
