"""Done-when of the sync: visits imported and links created with the CLI reach the right records with
`sync --once`, and updates land on the same Tasks."""

import io
import json

from docsend_desktop.cli import main
from docsend_desktop.store.database import close_database


def run(data_dir, capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    try:
        code = main(["--data-dir", str(data_dir), *args])
    finally:
        close_database()
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_then_sync_once_lands_on_contacts_leads_and_accounts(data_dir, salesforce_org, pdf_file, capsys,
                                                                    monkeypatch, tmp_path):
    org = salesforce_org
    refs = org.admin.seed({
        "Account": [{"Name": "Acme", "ref": "acme"}],
        "Contact": [{"LastName": "Diaz", "Email": "ana@acme.example", "AccountId": "@acme", "ref": "ana"}],
        "Lead": [{"LastName": "Ode", "Company": "Initech", "Email": "ben@initech.example", "ref": "ben"}],
    })["refs"]
    code, out, _ = run(data_dir, capsys, "documents", "add", str(pdf_file("Deck", 4)), "--json")
    doc = json.loads(out)
    code, out, _ = run(data_dir, capsys, "links", "create", "--document", str(doc["id"]), "--name", "Acme deck",
                       "--account", "Acme", "--json")
    link = json.loads(out)
    csv_file = tmp_path / "visits.csv"
    csv_file.write_text("link_id,email,name,started_at,duration_seconds,percent_viewed,pages\n"
                        f"{link['id']},ana@acme.example,Ana,2026-11-30T10:00:00Z,120,50,1:60;2:60\n"
                        f"{link['id']},ben@initech.example,Ben,2026-11-30T11:00:00Z,30,25,1:30\n"
                        f"{link['id']},carl@unknown.example,Carl,2026-11-30T12:00:00Z,45,100,\n")
    assert run(data_dir, capsys, "visits", "import", str(csv_file))[0] == 0
    tokens = org.admin.issue_tokens()
    code, _, err = run(data_dir, capsys, "--ca-file", str(org.ca_path), "connect", "--login-url", org.login_url,
                       "--client-id", "docsend-desktop", "--refresh-token-stdin", stdin=tokens["refresh_token"] + "\n",
                       monkeypatch=monkeypatch)
    assert code == 0, err

    code, out, err = run(data_dir, capsys, "sync", "--once", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["ok"] and summary["synced"] == 4 and summary["api_calls"] <= 4  # 3 visits + the link
    tasks = {t["Subject"] + "|" + (t["WhoId"] or t["WhatId"] or ""): t for t in org.admin.records("Task")}
    ana = tasks[f"DocSend visit: Deck|{refs['ana']}"]
    assert ana["WhatId"] == refs["acme"] and ana["ActivityDate"] == "2026-11-30"
    assert "Visit duration: 2 min 0 s" in ana["Description"] and "p.1 1 min 0 s, p.2 1 min 0 s" in ana["Description"]
    assert tasks[f"DocSend visit: Deck|{refs['ben']}"]["WhatId"] is None
    carl = tasks[f"DocSend visit: Deck|{refs['acme']}"]  # no person: the Account
    assert "Visitor: Carl <carl@unknown.example>" in carl["Description"]
    link_task = tasks[f"DocSend link created: Deck (Acme)|{refs['acme']}"]
    assert "ana@acme.example" in link_task["Description"] and link["url"] in link_task["Description"]

    # A fourth visitor: the link's Task is updated, not duplicated; a pass with nothing due costs nothing.
    csv_file.write_text("link_id,email,name,started_at,duration_seconds,percent_viewed\n"
                        f"{link['id']},dee@acme.example,Dee,2026-11-30T13:00:00Z,10,25\n")
    run(data_dir, capsys, "visits", "import", str(csv_file))
    code, out, _ = run(data_dir, capsys, "sync", "--once", "--json")
    assert json.loads(out)["synced"] == 2
    updated = next(t for t in org.admin.records("Task") if t["Id"] == link_task["Id"])
    assert "dee@acme.example" in updated["Description"]
    assert len([t for t in org.admin.records("Task") if t["Subject"].startswith("DocSend link")]) == 1
    code, out, _ = run(data_dir, capsys, "sync", "--once", "--json")
    assert json.loads(out)["api_calls"] == 0

    code, out, _ = run(data_dir, capsys, "status", "--json")
    status = json.loads(out)
    assert status["outbox"]["synced"] == 5 and status["api_usage"]["used"] > 0 and status["last_sync_at"]


def test_sync_without_a_connection_says_so(data_dir, capsys):
    code, _, err = run(data_dir, capsys, "sync", "--once")
    assert code == 1 and "not connected to Salesforce" in err and len(err.strip().splitlines()) == 1
