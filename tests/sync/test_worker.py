"""The QThread worker: signals for the UI, pauses on the API limit, stops at a dead grant."""

import pytest

from docsend_desktop.salesforce.connection import SalesforceConnection
from docsend_desktop.salesforce.gateway import SalesforceGateway
from docsend_desktop.sync.engine import SyncEngine
from docsend_desktop.sync.worker import SyncService


@pytest.fixture
def running_worker(qtbot, connected, data_dir, clock):
    def factory():
        return SyncEngine(SalesforceGateway(SalesforceConnection.open(data_dir)), clock)

    service = SyncService(factory, clock)

    def start():
        with qtbot.waitSignal(service.pass_finished, timeout=20_000):
            service.start()
        return service

    yield start
    assert service.shutdown(10_000)


def _states(service, qtbot, action, until, timeout=20_000):
    seen = []
    service.state_changed.connect(seen.append)
    with qtbot.waitSignal(service.state_changed, timeout=timeout, check_params_cb=lambda s: s.kind == until):
        action()
    return seen


def test_activity_is_synced_and_reported_item_by_item(running_worker, org, make_link, visit, qtbot):
    worker = running_worker()
    items = []
    worker.item_sync_state_changed.connect(lambda *args: items.append(args))
    v = visit(make_link(), "ana@acme.example")
    with qtbot.waitSignal(worker.pass_finished, timeout=20_000, check_params_cb=lambda r: r["synced"] >= 1) as got:
        worker.activity_recorded()
    assert got.args[0]["api_calls"] >= 1
    assert ("visit", v.id, "synced") in [(k, i, s) for k, i, s, _, _ in items]


def test_the_api_limit_pauses_with_a_time_and_no_calls_are_made(running_worker, org, make_link, visit, qtbot):
    worker = running_worker()
    used = org.admin.usage()["used"]
    org.admin.configure(daily_api_limit=used + 1)  # the next lookup succeeds, the create is refused
    visit(make_link(), "ana@acme.example")
    seen = _states(worker, qtbot, worker.sync_now, "paused")
    paused = seen[-1]
    assert paused.paused_until is not None and "REQUEST_LIMIT_EXCEEDED" in paused.message
    requests_before = len(org.admin.requests())
    with qtbot.waitSignal(worker.state_changed, timeout=5_000, check_params_cb=lambda s: s.kind == "paused"):
        worker.sync_now()  # still paused: Salesforce said so
    assert len(org.admin.requests()) == requests_before


def test_a_dead_grant_stops_the_worker_with_no_further_calls(running_worker, org, make_link, visit, qtbot):
    worker = running_worker()
    org.admin.revoke_all()
    visit(make_link(), "ana@acme.example")
    _states(worker, qtbot, worker.sync_now, "sign_in_required")
    requests_before = len(org.admin.requests())
    worker.sync_now()
    with qtbot.waitSignal(worker.state_changed, timeout=2_000, raising=False):
        pass  # give a wrongly scheduled pass its chance to happen
    assert len(org.admin.requests()) == requests_before


def test_offline_then_back_online_resumes_by_itself(qtbot, database, data_dir, clock, tmp_path, make_link, visit):
    """Salesforce goes away (offline), activity keeps being recorded; when the network is back, sync resumes."""
    from docsend_desktop.salesforce.connection import complete_sign_in, http_session
    from docsend_desktop.salesforce.oauth import Grant
    from salesforce_emulator import Emulator

    org_dir = tmp_path / "org"
    first = Emulator(org_dir).start()
    port = first.port
    first.admin.seed({"Account": [{"Name": "Acme Corporation"}]})
    tokens = first.admin.issue_tokens()
    complete_sign_in(data_dir, first.login_url, "docsend-desktop",
                     Grant(tokens["access_token"], tokens["refresh_token"], tokens["instance_url"], tokens["id"]),
                     http_session(data_dir, first.ca_path), first.ca_path)
    first.stop()  # the network is gone

    reachable = {"now": False}
    service = SyncService(lambda: SyncEngine(SalesforceGateway(SalesforceConnection.open(data_dir)), clock), clock,
                          probe=lambda: reachable["now"])
    visit(make_link(), "ana@acme.example")
    try:
        with qtbot.waitSignal(service.state_changed, timeout=20_000,
                              check_params_cb=lambda s: s.kind == "offline") as got:
            service.start()
        assert got.args[0].pending >= 1  # "Offline — N pending"
        second = Emulator(org_dir, port=port).start()  # back, same host and port
        try:
            reachable["now"] = True
            with qtbot.waitSignal(service.state_changed, timeout=20_000,
                                  check_params_cb=lambda s: s.kind == "up_to_date"):
                service.network_reachable(True)
            assert [t["Subject"] for t in second.admin.records("Task") if t["Subject"].startswith("DocSend visit")]
        finally:
            assert service.shutdown(10_000)
            second.stop()
    finally:
        service.shutdown(10_000)


def test_without_a_connection_the_worker_says_not_connected(qtbot, database, data_dir, clock):
    service = SyncService(lambda: SyncEngine(SalesforceGateway(SalesforceConnection.open(data_dir)), clock), clock)
    try:
        with qtbot.waitSignal(service.state_changed, timeout=10_000) as got:
            service.start()
        assert got.args[0].kind == "not_connected" and "docsend-desktop connect" in got.args[0].message
    finally:
        assert service.shutdown(10_000)
