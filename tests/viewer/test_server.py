"""ViewerServer (uvicorn in a thread) and ``docsend-desktop serve`` / ``owner``, run for real."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from docsend_desktop.content.sample_pdf import make_pdf
from docsend_desktop.store import settings
from docsend_desktop.viewer import ViewerServer, ViewerStartError, probe

CLI = [sys.executable, "-m", "docsend_desktop"]


def test_server_starts_on_a_free_port_serves_and_stops(database, data_dir, link):
    server = ViewerServer(data_dir, port=0)
    server.start()
    try:
        assert server.is_running and server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert probe(server.url)
        page = httpx.get(f"{server.url}/l/{link().slug}")
        assert page.status_code == 200 and "data-token" in page.text
        assert "server" not in page.headers  # no version banner
    finally:
        server.stop()
    assert not server.is_running
    assert not probe(server.url, timeout=0.5)


def test_port_in_use_is_a_clear_error(database, data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = ViewerServer(data_dir, port=taken.getsockname()[1])
        with pytest.raises(ViewerStartError, match="already in use"):
            server.start()
    assert not server.is_running


def test_bad_host_is_a_clear_error(database, data_dir):
    with pytest.raises(ViewerStartError, match="can't listen"):
        ViewerServer(data_dir, host="no-such-host.invalid", port=0).start()


def test_from_settings(database, data_dir):
    settings.set_value("viewer.port", "9123")
    settings.set_value("viewer.public_url", "https://docs.example.com")
    server = ViewerServer.from_settings(data_dir)
    assert (server.host, server.port, server.public_url) == ("127.0.0.1", 9123, "https://docs.example.com")


def test_probe_says_no_for_nothing_listening():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    assert not probe(f"http://127.0.0.1:{port}", timeout=0.5)
    assert not probe("not a url")


def run_cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--data-dir", str(data_dir), *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def cli_link(tmp_path):
    """A data dir holding one require-email link, made with the CLI."""
    data_dir = tmp_path / "cli-data"
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(make_pdf("Deck", 3))
    document = json.loads(run_cli(data_dir, "documents", "add", str(pdf), "--json").stdout)
    created = json.loads(run_cli(data_dir, "links", "create", "--document", str(document["id"]), "--require-email",
                                 "--json").stdout)
    return data_dir, created


@contextmanager
def serving(data_dir: Path):
    """``docsend-desktop serve --port 0`` as a child process; yields it and its URL, and always reaps it."""
    with subprocess.Popen([*CLI, "--data-dir", str(data_dir), "serve", "--port", "0"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}) as process:
        try:
            line = process.stdout.readline().strip()
            assert line.startswith("docsend-desktop viewer ready http://127.0.0.1:"), process.stderr.read()
            yield process, line.rsplit(" ", 1)[1]
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=20)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_ready_serves_and_stops_cleanly(cli_link, stop_signal):
    data_dir, created = cli_link
    with serving(data_dir) as (process, url):
        slug = created["url"].rsplit("/", 1)[1]
        assert 'type="email"' in httpx.get(f"{url}/l/{slug}").text
        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
        assert process.stdout.read() == ""  # one line, nothing else
        assert process.stderr.read() == ""


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "not a port number"),
    (["--port", "http"], "not a port number"),
    (["--public-url", "ftp://docs.example.com"], "--public-url takes an http(s) URL"),
    (["--host", "a b"], "not a host name"),
])
def test_serve_validates_its_arguments(tmp_path, args, message):
    result = run_cli(tmp_path / "data", "serve", *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_serve_reports_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli(tmp_path / "data", "serve", "--port", str(taken.getsockname()[1]))
    assert result.returncode == 1 and "already in use" in result.stderr


def test_owner_commands(cli_link):
    data_dir, created = cli_link
    weak = run_cli(data_dir, "owner", "set-password", stdin="short\n")
    assert weak.returncode == 2 and "8 to 128 characters" in weak.stderr
    assert run_cli(data_dir, "owner", "set-password", stdin="correct horse battery\n").returncode == 0

    link_result = run_cli(data_dir, "owner", "sign-in-link", "--next", f"/owner/links/{created['id']}", "--json")
    sign_in = json.loads(link_result.stdout)
    with serving(data_dir) as (process, url):
        path = sign_in["url"].split("/owner/", 1)[1]
        with httpx.Client(base_url=url) as browser:
            first = browser.get(f"/owner/{path}")
            assert first.status_code == 303 and first.headers["location"] == f"/owner/links/{created['id']}"
            assert browser.get(first.headers["location"]).status_code == 200
        with httpx.Client(base_url=url) as other:
            assert other.get(f"/owner/{path}").status_code == 403  # once only
        process.terminate()
    bad = run_cli(data_dir, "owner", "sign-in-link", "--next", "https://evil.example.com")
    assert bad.returncode == 2
