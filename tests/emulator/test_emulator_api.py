"""The Python API (Emulator, its admin client) and the salesforce-emulator command."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from emulator_oauth import exchange, login_code, make_verifier

from salesforce_emulator import AdminError, Emulator

READY = re.compile(r"^salesforce-emulator ready https://127\.0\.0\.1:(\d+) ca=(\S+)\n$")


def test_two_emulators_in_one_process_are_independent():
    with Emulator(daily_api_limit=10) as first, Emulator() as second:
        assert first.port != second.port
        first.salesforce().Account.create({"Name": "Only in first"})
        assert len(first.admin.records("Account")) == 1 and second.admin.records("Account") == []
        assert first.admin.usage()["max"] == 10 and second.admin.usage()["max"] == 15000
        assert first.admin_token != second.admin_token


def test_seed_with_references_and_system_fields(emulator):
    result = emulator.admin.seed({
        "Account": [{"Name": "Acme", "ref": "acme"}],
        "Contact": [{"LastName": "Lee", "AccountId": "@acme", "LastModifiedDate": "2020-05-01T00:00:00.000+0000"}],
    })
    contact = emulator.admin.records("Contact")[0]
    assert contact["AccountId"] == result["refs"]["acme"] == result["ids"]["Account"][0]
    assert contact["LastModifiedDate"] == "2020-05-01T00:00:00.000+0000"
    with pytest.raises(AdminError):
        emulator.admin.seed({"Contact": [{"FirstName": "no last name"}]})
    with pytest.raises(AdminError):
        emulator.admin.seed({"Nope": [{}]})


def test_added_user_and_client_can_log_in(emulator):
    user_id = emulator.admin.add_user("second@example.com", "pw", FirstName="Sam")
    emulator.admin.add_client("cli-app", ["http://localhost:1717/OauthRedirect"])
    session = emulator.requests_session()
    verifier, challenge = make_verifier()
    code = login_code(session, emulator.base_url, challenge, username="second@example.com", password="pw",
                      client_id="cli-app",
                      redirect_uri="http://localhost:1717/OauthRedirect")["code"]
    tokens = exchange(session, emulator.base_url, code, verifier, client_id="cli-app",
                      redirect_uri="http://localhost:1717/OauthRedirect").json()
    assert tokens["id"].endswith(user_id)
    issued = emulator.admin.issue_tokens(client_id="cli-app", username="second@example.com")
    assert issued["id"].endswith(user_id) and issued["refresh_token"]


def test_issue_tokens_for_an_unknown_client_or_user_fails(emulator):
    with pytest.raises(AdminError):
        emulator.admin.issue_tokens(client_id="nope")
    with pytest.raises(AdminError):
        emulator.admin.issue_tokens(username="nobody@example.com")


def test_seed_file_adds_clients_fields_and_records(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"clients": [{"client_id": "x", "redirect_uris": ["http://localhost:1/cb"]}],'
                    ' "customFields": {"Lead": [{"name": "Score__c", "type": "int"}]},'
                    ' "records": {"Lead": [{"LastName": "L", "Company": "C", "Score__c": 7}]}}')
    with Emulator(seed=seed) as emulator:
        assert emulator.admin.records("Lead")[0]["Score__c"] == 7
        assert emulator.admin.issue_tokens(client_id="x")["access_token"]
        emulator.admin.reset()
        assert len(emulator.admin.records("Lead")) == 1  # the seed comes back after a reset


def _command() -> list[str]:
    script = Path(sys.executable).parent / "salesforce-emulator"
    return [str(script)] if script.exists() else [sys.executable, "-m", "salesforce_emulator.cli"]


def _start(*args: str) -> tuple[subprocess.Popen, re.Match]:
    process = subprocess.Popen([*_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = READY.match(line)
    assert match, (line, process.stderr.read() if process.poll() is not None else "")
    return process, match


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    rest_of_stdout, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert rest_of_stdout == ""  # the ready line was the only line on stdout


def test_cli_ready_line_persistence_and_restart(tmp_path):
    data = tmp_path / "data"
    process, match = _start("--port", "0", "--data-dir", str(data), "--daily-api-limit", "99")
    try:
        port, ca = int(match.group(1)), Path(match.group(2))
        assert ca == data / "ca.pem" and ca.exists()
        admin_line = process.stderr.readline().split()
        assert admin_line[:2] == ["salesforce-emulator", "admin-token"]
        assert (data / "admin-token").read_text().strip() == admin_line[2]
        from salesforce_emulator.admin_client import AdminClient

        admin = AdminClient(f"https://127.0.0.1:{port}", admin_line[2], ca)
        assert admin.usage()["max"] == 99
        admin.seed({"Account": [{"Name": "Persisted"}]})
        admin.close()
    finally:
        _stop(process)
    ca_bytes = (data / "ca.pem").read_bytes()
    process, match = _start("--data-dir", str(data))
    try:
        token = (data / "admin-token").read_text().strip()
        admin = AdminClient(f"https://127.0.0.1:{match.group(1)}", token, match.group(2))
        assert [r["Name"] for r in admin.records("Account")] == ["Persisted"]
        admin.close()
        assert (data / "ca.pem").read_bytes() == ca_bytes  # the CA is reused
    finally:
        _stop(process)


def test_cli_ephemeral_keeps_no_database(tmp_path):
    process, _ = _start("--data-dir", str(tmp_path), "--ephemeral", "--latency-ms", "1", "--fail-rate", "0")
    _stop(process)
    assert not (tmp_path / "emulator.sqlite3").exists() and (tmp_path / "ca.pem").exists()


def test_cli_refuses_bad_arguments():
    result = subprocess.run([*_command(), "--fail-rate", "3"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stdout == ""
