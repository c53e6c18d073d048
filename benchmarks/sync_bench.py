"""Benchmark the sync engine against the emulator and, in the same run, the naive way; print one JSON document.

The org and the activity: N visits (default 1,000; --sizes 1000,10000 for both) over a mix of 40% Contacts,
30% Leads, 10% account-only and 20% unmatched visitors (lead creation on), with emulator latency
(default 20 ms) on every call. The engine syncs them in one pass; the naive way is what a simple-salesforce
script does: per visit, query Contact, Lead and Account, create a Lead when nothing matched, create the Task.
The naive way runs on at most --naive-sample visits and its cost is scaled to N (it is linear by design).

    .venv/bin/python benchmarks/sync_bench.py [--sizes 1000,10000] [--latency-ms 20] [--naive-sample 1000]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import requests
from simple_salesforce import Salesforce
from simple_salesforce.format import format_soql

from docsend_desktop.clock import FakeClock
from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.content.sample_pdf import make_pdf
from docsend_desktop.salesforce.connection import complete_sign_in, http_session
from docsend_desktop.salesforce.gateway import SalesforceGateway
from docsend_desktop.salesforce.oauth import Grant
from docsend_desktop.store import settings
from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.sync.engine import SyncEngine
from docsend_desktop.tracking.activity import ActivityEvent, record_activity
from salesforce_emulator import AdminClient

ACCOUNT = "Bench Account"
MIX = (("contact", 0.4), ("lead", 0.3), ("account", 0.1), ("unmatched", 0.2))


def visitors(n: int) -> list[tuple[str, str]]:
    """(email, kind) for n visits, in the benchmark's mix, shuffled with a fixed seed."""
    kinds = [kind for kind, share in MIX for _ in range(round(n * share))][:n]
    random.Random(n).shuffle(kinds)
    return [(f"visitor{i}.{kind}@bench.example", kind) for i, kind in enumerate(kinds)]


def seed_org(emulator: EmulatorProcess, people: list[tuple[str, str]]) -> None:
    emulator.admin.reset()
    emulator.admin.configure(daily_api_limit=10_000_000)
    account_id = emulator.admin.seed({"Account": [{"Name": ACCOUNT, "ref": "acct"}]})["refs"]["acct"]
    contacts = [{"LastName": "C", "Email": e, "AccountId": account_id} for e, k in people if k == "contact"]
    leads = [{"LastName": "L", "Company": "Co", "Email": e} for e, k in people if k == "lead"]
    for start in range(0, max(len(contacts), len(leads)), 2000):
        emulator.admin.seed({"Contact": contacts[start:start + 2000], "Lead": leads[start:start + 2000]})


def local_activity(data_dir: Path, people: list[tuple[str, str]], clock: FakeClock) -> None:
    pdf = data_dir / "deck.pdf"
    pdf.write_bytes(make_pdf("Bench deck", 4))
    doc = add_document(data_dir, pdf, clock).document
    known = create_link(LinkRequest(document_id=doc.id, account_name=ACCOUNT), clock)
    unknown = create_link(LinkRequest(document_id=doc.id, account_name="Nobody Ltd"), clock)
    for email, kind in people:
        link = unknown if kind == "unmatched" else known
        record_activity(ActivityEvent(link.id, "page", email=email, page=2, seconds=30), clock)
    settings.set_value("sync.create_leads_for_unmatched", "true")


def engine_run(emulator: EmulatorProcess, n: int, trace_memory: bool) -> dict:
    """One engine pass over n fresh visits. Memory is traced in a run of its own: tracemalloc slows Python
    several-fold, so the timed run doesn't trace."""
    people = visitors(n)
    seed_org(emulator, people)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        open_database(data_dir)
        clock = FakeClock(datetime.now(UTC))
        local_activity(data_dir, people, clock)
        tokens = emulator.admin.issue_tokens()
        grant = Grant(tokens["access_token"], tokens["refresh_token"], tokens["instance_url"], tokens["id"])
        _, connection = complete_sign_in(data_dir, emulator.login_url, "docsend-desktop", grant,
                                         http_session(data_dir, emulator.ca_path), emulator.ca_path)
        engine = SyncEngine(SalesforceGateway(connection), clock)
        used_before = emulator.admin.usage()["used"]
        if trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        report = engine.run_pass()
        wall = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
        tracemalloc.stop()
        calls = emulator.admin.usage()["used"] - used_before
        idle_before = emulator.admin.usage()["used"]
        engine.run_pass()
        idle_calls = emulator.admin.usage()["used"] - idle_before
        tasks = len(emulator.admin.records("Task"))
        close_database()
    # every visit, and the known link's Task; the other link's account doesn't exist, so it is skipped
    assert (report.synced, report.skipped) == (n + 1, 1), report.line()
    return {"visits": n, "api_calls": calls, "wall_seconds": round(wall, 3), "peak_memory_mib": round(peak / 2**20, 2),
            "tasks_created": tasks, "leads_created": report.leads_created, "idle_pass_api_calls": idle_calls}


def engine_measured(emulator: EmulatorProcess, n: int) -> dict:
    timed = engine_run(emulator, n, trace_memory=False)
    timed["peak_memory_mib"] = engine_run(emulator, n, trace_memory=True)["peak_memory_mib"]
    return timed


def naive_run(emulator: EmulatorProcess, n: int, sample: int) -> dict:
    """The per-record script, on ``sample`` visits of the same mix, scaled to n."""
    people = visitors(n)[:sample]
    seed_org(emulator, visitors(n))
    tokens = emulator.admin.issue_tokens()
    sf = Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                    session=emulator.requests_session(), version="59.0")
    used_before = emulator.admin.usage()["used"]
    started = time.perf_counter()
    for email, kind in people:
        account = "Nobody Ltd" if kind == "unmatched" else ACCOUNT
        contacts = sf.query(format_soql("SELECT Id, AccountId FROM Contact WHERE Email = {}", email))["records"]
        leads = sf.query(format_soql("SELECT Id FROM Lead WHERE Email = {} AND IsConverted = false", email))["records"]
        accounts = sf.query(format_soql("SELECT Id FROM Account WHERE Name = {}", account))["records"]
        task = {"Subject": "DocSend visit: Bench deck", "Status": "Completed", "Description": "Percent viewed: 25%"}
        if contacts:
            task.update(WhoId=contacts[0]["Id"], WhatId=contacts[0]["AccountId"])
        elif leads:
            task["WhoId"] = leads[0]["Id"]
        elif accounts:
            task["WhatId"] = accounts[0]["Id"]
        else:
            task["WhoId"] = sf.Lead.create({"LastName": "V", "Company": "Nobody Ltd", "Email": email})["id"]
        sf.Task.create(task)
    wall = time.perf_counter() - started
    calls = emulator.admin.usage()["used"] - used_before
    scale = n / len(people)
    return {"visits_run": len(people), "api_calls": round(calls * scale), "wall_seconds": round(wall * scale, 2),
            "scaled_from_sample": scale != 1}


def baseline_ms(emulator: EmulatorProcess) -> float:
    session = emulator.requests_session()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        session.get(f"{emulator.base_url}/services/data/", timeout=10)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


class EmulatorProcess:
    """The emulator in a process of its own, so the engine's memory and time are measured alone."""

    def __init__(self, latency_ms: float) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "salesforce_emulator.cli", "--port", "0", "--ephemeral",
             "--data-dir", self._dir.name,
             "--latency-ms", str(latency_ms), "--daily-api-limit", "10000000", "--admin-token", "bench-admin"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready = self.process.stdout.readline().split()  # salesforce-emulator ready URL ca=PATH
        if len(ready) != 4 or ready[1] != "ready":
            raise RuntimeError(f"the emulator didn't start: {ready}")
        self.base_url = self.login_url = ready[2]
        self.ca_path = ready[3].removeprefix("ca=")
        self.admin = AdminClient(self.base_url, "bench-admin", self.ca_path, timeout=300)

    def requests_session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca_path
        return session

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._dir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated visit counts (default 1000)")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--naive-sample", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    emulator = EmulatorProcess(args.latency_ms)
    try:
        round_trip = baseline_ms(emulator)
        for n in sizes:
            ours = engine_measured(emulator, n)
            naive = naive_run(emulator, n, min(n, args.naive_sample))
            results.append({
                "visits": n, "engine": ours, "naive": naive,
                "api_calls_per_1000_visits": round(ours["api_calls"] * 1000 / n, 2),
                "fewer_calls_ratio": round(naive["api_calls"] / ours["api_calls"], 1),
                "less_wall_time_ratio": round(naive["wall_seconds"] / ours["wall_seconds"], 1),
            })
    finally:
        emulator.stop()
    memory = [r["engine"]["peak_memory_mib"] for r in results]
    targets = {
        "calls_per_1000_le_15": all(r["api_calls_per_1000_visits"] <= 15 for r in results),
        "calls_per_1000_le_3_stretch": all(r["api_calls_per_1000_visits"] <= 3 for r in results),
        "fewer_calls_ge_100x": all(r["fewer_calls_ratio"] >= 100 for r in results),
        "less_wall_time_ge_30x": all(r["less_wall_time_ratio"] >= 30 for r in results),
        "idle_pass_zero_calls": all(r["engine"]["idle_pass_api_calls"] == 0 for r in results),
    }
    if len(results) > 1:
        targets["peak_memory_flat_ratio"] = round(memory[-1] / memory[0], 2)
    print(json.dumps({"benchmark": "sync", "latency_ms": args.latency_ms, "round_trip_ms_median": round_trip,
                      "python": platform.python_version(), "results": results, "targets": targets}, indent=2))


if __name__ == "__main__":
    main()
