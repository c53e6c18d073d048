"""The app wired together in demo mode: the emulator org, the viewer, the worker; the window shows the result."""

import argparse
import os
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from docsend_desktop.app import DesktopApp
from docsend_desktop.store import settings
from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.store.models import OutboxItem
from docsend_desktop.store.paths import ensure_data_dir

SHOTS = Path(os.environ.get("DOCSEND_SCREENSHOTS", "/tmp/docsend-screenshots"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["keychain", "no-keychain"])
def demo_app(request, qtbot, tmp_path):
    if request.param == "no-keychain":  # many Linux desktops have none: the demo must still sync
        import keyring
        from keyring.backends.fail import Keyring as NoKeyring

        keyring.set_keyring(NoKeyring())
    data_dir = tmp_path / "demo"
    open_database(ensure_data_dir(data_dir))
    settings.set_value("viewer.port", str(_free_port()))  # not the default 8765: it may be taken here
    close_database()
    args = argparse.Namespace(demo=True, data_dir=str(data_dir), database_url=None, ca_file=None)
    desktop = DesktopApp(args)
    qtbot.addWidget(desktop.window)
    yield desktop
    desktop.shutdown()
    close_database()


def test_demo_mode_syncs_its_sample_activity_and_the_window_says_so(demo_app, qtbot):
    window = demo_app.window
    window.show()
    qtbot.waitUntil(lambda: window.sync_state.text().startswith("Up to date"), timeout=30_000)
    rows = list(OutboxItem.select())
    assert rows and all(r.state in ("synced", "skipped") for r in rows)
    tasks = demo_app.demo.emulator.admin.records("Task")
    assert {t["Subject"] for t in tasks} >= {"DocSend visit: Acme pitch deck",
                                             "DocSend link created: Acme pitch deck (Acme Corporation)"}
    assert "synced" in window.summary.text() and demo_app.viewer.is_running
    qtbot.waitUntil(lambda: "reachable" in window.viewer.text(), timeout=10_000)
    assert window.viewer.text().endswith("— reachable")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "summary-window.png"))


def test_sync_now_runs_a_pass(demo_app, qtbot):
    qtbot.waitUntil(lambda: demo_app.window.sync_state.text().startswith("Up to date"), timeout=30_000)
    with qtbot.waitSignal(demo_app.sync.pass_finished, timeout=20_000) as finished:
        qtbot.mouseClick(demo_app.window.sync_button, Qt.MouseButton.LeftButton)
    assert finished.args[0]["api_calls"] == 0  # nothing due: a pass costs nothing


def test_an_idle_app_stays_idle(demo_app, qtbot):
    """Its own writes must not wake it (the change watcher sees other connections' commits)."""
    qtbot.waitUntil(lambda: demo_app.window.sync_state.text().startswith("Up to date"), timeout=30_000)
    passes = []
    demo_app.sync.pass_finished.connect(passes.append)
    qtbot.wait(5_000)  # quiet seconds: the 1 s watcher and the 1 s coalescing could loop twice in this time
    # The first pass's writes may wake one more (no-op) pass; after that, nothing.
    assert len(passes) <= 1 and all(p["api_calls"] == 0 for p in passes)


def test_viewer_settings_restart_the_viewer_where_they_say(demo_app, qtbot):
    window = demo_app.window
    qtbot.waitUntil(lambda: window.viewer.text().endswith("— reachable"), timeout=10_000)
    new_port = _free_port()
    settings.set_value("viewer.port", str(new_port))
    demo_app.restart_viewer()
    assert demo_app.viewer.url.endswith(f":{new_port}")
    qtbot.waitUntil(lambda: window.viewer.text() == f"Viewer: http://127.0.0.1:{new_port} — reachable",
                    timeout=10_000)
    settings.set_value("viewer.enabled", "false")
    demo_app.restart_viewer()
    assert demo_app.viewer is None and window.viewer.text() == "Viewer: not running (switched off in its settings)"
