"""kill -9 of `sync --once` at random moments never loses or doubles a Task (DESIGN §5)."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from docsend_desktop.salesforce.token_store import service_name
from docsend_desktop.store.models import OutboxItem, Visit
from docsend_desktop.sync.composer import sync_key_in
from docsend_desktop.tracking.activity import ActivityEvent, record_activity

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
KILLS = 20


def _cli_env(tmp_path, data_dir, refresh_token):
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(json.dumps({f"{service_name(data_dir)}\nsalesforce-refresh-token": refresh_token}))
    env = dict(os.environ)
    env.update(PYTHON_KEYRING_BACKEND="tests.helpers.file_keyring.FileKeyring",
               DOCSEND_TEST_KEYRING_FILE=str(keyring_file),
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def test_killed_syncs_resume_to_exactly_one_task_per_visit_with_the_latest_figures(
        org, connected, data_dir, make_link, clock, tmp_path, memory_keyring):
    rng = random.Random(20261203)
    clock.set(clock.now() - timedelta(hours=8))  # the backlog is from earlier today: the CLI's clock is real
    org.admin.seed({"Contact": [{"LastName": f"C{i}", "Email": f"k{i}@example.com"} for i in range(0, 500, 2)]})
    link = make_link()
    emails = [f"k{i}@example.com" for i in range(500)]
    for email in emails:
        record_activity(ActivityEvent(link.id, "open", email=email, page=1), clock)
    env = _cli_env(tmp_path, data_dir, next(iter(memory_keyring.secrets.values())))
    exe = [sys.executable, "-m", "docsend_desktop", "--data-dir", str(data_dir), "sync", "--once",
           "--chunk-size", "40"]
    org.admin.set_faults(latency_ms=300)
    kills = rounds = 0
    while kills < KILLS and rounds < 3 * KILLS:
        rounds += 1
        process = subprocess.Popen(exe, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + rng.uniform(0.3, 2.0)
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)  # the random moment of the kill is the point of this test
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
        clock.advance(minutes=11)  # activity keeps arriving between crashes: visitors come back
        for email in rng.sample(emails, 25):
            record_activity(ActivityEvent(link.id, "page", email=email, page=rng.randint(1, 4), seconds=5), clock)
    org.admin.clear_faults()
    assert kills == KILLS
    final = subprocess.run(exe, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr

    tasks = [t for t in org.admin.records("Task") if t["Subject"].startswith("DocSend visit")]
    by_key = {}
    for task in tasks:
        key = sync_key_in(task["Description"])
        assert key not in by_key, f"two Tasks for {key}"
        by_key[key] = task
    rows = {r.subject_id: r for r in OutboxItem.select().where(OutboxItem.kind == "visit")}
    assert len(by_key) == Visit.select().count() > 500
    for visit in Visit.select():
        task = by_key[rows[visit.id].sync_key]
        assert f"Percent viewed: {visit.percent_viewed:g}%" in task["Description"]
        assert "(visit in progress)" not in task["Description"]
        assert rows[visit.id].state == "synced"
