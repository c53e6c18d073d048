"""The command line end to end, in a temporary data dir: the contract of DESIGN §6 and every bad input."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pikepdf
import pytest


def _one_line_error(result, code=2):
    assert result.code == code, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("docsend-desktop: error: "), result.err
    return lines[0]


def test_the_done_when_flow_through_the_installed_console_script(tmp_path, pdf_file):
    """`documents add --json` then `links create ... --json` prints the link with its external url."""
    exe = os.path.join(os.path.dirname(sys.executable), "docsend-desktop")
    data = str(tmp_path / "D")

    def run(*args):
        done = subprocess.run([exe, "--data-dir", data, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    doc = run("documents", "add", str(pdf_file("deck", 4)), "--json")
    link = run("links", "create", "--document", str(doc["id"]), "--account", "Acme", "--require-email", "--json")
    assert link["url"].startswith("http://127.0.0.1:8765/l/") and len(link["url"].rsplit("/", 1)[1]) >= 22
    assert (link["account_name"], link["require_email"], link["target"]["id"]) == ("Acme", True, doc["id"])


def test_documents_spaces_links_and_lists(cli, pdf_file):
    a = cli("documents", "add", str(pdf_file("Deck A", 2)), "--name", "Pitch", "--json").json
    b = cli("documents", "add", str(pdf_file("Deck B", 3)), "--json").json
    assert (a["name"], a["pages"], b["name"]) == ("Pitch", 2, "Deck B")
    again = cli("documents", "add", str(pdf_file("Deck A", 2, name="again.pdf")), "--json").json
    assert again["existing"] and again["id"] == a["id"]

    space = cli("spaces", "create", "Room", "--document", str(b["id"]), "--document", str(a["id"]), "--json").json
    assert [d["id"] for d in space["documents"]] == [b["id"], a["id"]]
    expires = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    link = cli("links", "create", "--space", str(space["id"]), "--name", "Room link", "--passcode", "s3cret!",
               "--expires", expires, "--allow-download", "--json").json
    assert link["target"]["type"] == "space" and link["passcode"] and link["allow_download"]
    assert "s3cret" not in json.dumps(cli("links", "list", "--json").json)

    assert [d["id"] for d in cli("documents", "list", "--json").json] == [a["id"], b["id"]]
    assert cli("spaces", "list", "--json").json[0]["name"] == "Room"
    listing = cli("links", "list")
    assert listing.code == 0 and "Room link" in listing.out
    assert cli("links", "disable", str(link["id"]), "--json").json["disabled"] is True


def test_visits_import_and_list(cli, pdf_file, tmp_path):
    doc = cli("documents", "add", str(pdf_file("Deck", 4)), "--json").json
    cli("links", "create", "--document", str(doc["id"]), "--name", "Acme deck", "--account", "Acme", "--json")
    export = tmp_path / "papermark.csv"
    export.write_text("Viewed at,Name,Email,Link Name,Total View Duration (s),Total Document Completion (%)\n"
                      "2026-02-03T14:05:00Z,Ben Ode,ben@globex.example,Acme deck,42,75\n"
                      "2026-02-03T15:05:00Z,Bad,bad-email,Acme deck,42,75\n")
    result = cli("visits", "import", str(export), "--json")
    assert result.code == 2  # a row was rejected; the good one is kept
    report = json.loads(result.out)
    assert report["imported"] == 1 and report["rejected"][0]["line"] == 3
    assert result.err.strip().startswith("docsend-desktop: error: ") and ":3: " in result.err
    visits = cli("visits", "list", "--json").json
    assert len(visits) == 1
    assert (visits[0]["email"], visits[0]["visible_seconds"], visits[0]["percent_viewed"]) == (
        "ben@globex.example", 42.0, 75.0)
    assert visits[0]["sync"]["state"] == "pending"


def test_settings_and_status(cli):
    assert cli("settings", "list", "--json").json["sync.visits"] == "true"
    assert cli("settings", "set", "sync.visits", "FALSE", "--json").json == {"key": "sync.visits", "value": "false"}
    assert cli("settings", "set", "mapping.duration", "Visit_Duration__c").code == 0
    values = cli("settings", "list", "--json").json
    assert values["sync.visits"] == "false" and values["mapping.duration"] == "Visit_Duration__c"
    status = cli("status", "--json").json
    assert status["connection"]["connected"] is False
    assert set(status["outbox"]) == {"pending", "syncing", "synced", "needs_attention", "skipped"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["documents", "add", "/nonexistent/deck.pdf"], "no such file"),
        (["documents", "add", "{text}"], "not a PDF"),
        (["documents", "add", "{truncated}"], "truncated"),
        (["documents", "add", "{encrypted}"], "encrypted"),
        (["documents", "add", "{pdf}", "--name", ""], "document name is empty"),
        (["documents", "add", "{pdf}", "--name", "x" * 300], "too long"),
        (["links", "create", "--document", "7"], "no document with id 7"),
        (["links", "create", "--document", "abc"], "is not an id"),
        (["links", "create", "--space", "3"], "no Space with id 3"),
        (["links", "create", "--document", "1", "--space", "1"], "not allowed with argument"),
        (["links", "create", "--document", "1", "--expires", "2001-01-01T00:00:00Z"], "in the past"),
        (["links", "create", "--document", "1", "--expires", "tomorrow"], "not an ISO 8601"),
        (["spaces", "create", "Room", "--document", "1", "--document", "8"], "no document with id 8"),
        (["spaces", "create", " ", "--document", "1"], "Space name is empty"),
        (["visits", "import", "/nonexistent.csv"], "no such file"),
        (["visits", "import", "{latin1}"], "not UTF-8"),
        (["visits", "import", "{nocolumns}"], "missing column"),
        (["settings", "set", "sync.bogus", "true"], "unknown setting"),
        (["settings", "set", "sync.visits", "yes"], "takes true or false"),
        (["settings", "set", "viewer.public_url", "ftp://x"], "http(s) URL"),
        (["frobnicate"], "invalid choice"),
        (["links"], "required"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, pdf_file, tmp_path, args, message):
    pdf = pdf_file("Deck", 2)
    assert cli("documents", "add", str(pdf), "--json").code == 0
    files = {
        "pdf": pdf_file("Other", 3),
        "text": tmp_path / "notes.txt",
        "truncated": tmp_path / "cut.pdf",
        "latin1": tmp_path / "latin1.csv",
        "nocolumns": tmp_path / "nocolumns.csv",
    }
    files["encrypted"] = tmp_path / "locked.pdf"
    with pikepdf.open(pdf) as source:
        source.save(files["encrypted"], encryption=pikepdf.Encryption(owner="o", user="u"))
    files["text"].write_text("just text")
    files["truncated"].write_bytes(pdf.read_bytes()[:5000])
    files["latin1"].write_bytes("link_id,email,started_at,duration_seconds,percent_viewed\n1,zoë@x.io,2026,1,1\n"
                                .encode("latin-1"))
    files["nocolumns"].write_text("email,name\n")
    before = {k: cli(k, "list", "--json").json for k in ("documents", "spaces", "links", "visits")}
    before["settings"] = cli("settings", "list", "--json").json

    line = _one_line_error(cli(*[a.format(**files) for a in args]))
    assert message in line

    after = {k: cli(k, "list", "--json").json for k in ("documents", "spaces", "links", "visits")}
    after["settings"] = cli("settings", "list", "--json").json
    assert after == before
