"""Viewer load benchmark: simulated visitors against a real ``docsend-desktop serve`` on loopback.

Each visitor opens the link (its own cookies, so its own anonymous viewer id and visit), then for about
``--duration`` seconds sends a heartbeat every ``--heartbeat`` seconds and, at random (mean every
``--page-every`` seconds), turns the page: a beacon with two events (the time on the old page, then the
new page) plus the page image, which the warm-up has cached. Visitors leave at random moments of the last
heartbeat interval, each with a "close" beacon. Latencies are of the steady state: the opening burst (all
visitors opening the link at once) is reported apart as ``link_open_ms``.
A probe hits ``/healthz`` throughout: the baseline, under the same load, in the same run.

Prints one JSON document: beacon and cached-page latencies (p50/p95/p99), the baseline and the ratios,
the aims (beacon p99 < 100 ms, cached page p95 < 20 ms), and whether any activity was lost: events and
visible seconds accepted by the server against what the database holds (sum of ``Visit.event_count``).

    .venv/bin/python benchmarks/viewer_bench.py [--visitors 200] [--duration 30]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from docsend_desktop.clock import SystemClock
from docsend_desktop.content.documents import add_document
from docsend_desktop.content.links import LinkRequest, create_link
from docsend_desktop.content.sample_pdf import make_pdf
from docsend_desktop.store.database import close_database, open_database
from docsend_desktop.store.models import Visit
from docsend_desktop.store.paths import ensure_data_dir

PAGES = 10
WIDTH = 960
_TOKEN = re.compile(r'data-token="([^"]+)"')


@dataclass
class Tally:
    beacon_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    open_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    events_sent: int = 0
    events_accepted: int = 0
    seconds_accepted: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"count": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 2)}


async def timed(tally_list: list[float], request) -> httpx.Response:
    started = time.perf_counter()
    response = await request
    tally_list.append((time.perf_counter() - started) * 1000)
    return response


class SimulatedVisitor:
    def __init__(self, base_url: str, slug: str, tally: Tally, rng: random.Random, args) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=30, trust_env=False,
                                        limits=httpx.Limits(max_connections=2))
        self.slug, self.tally, self.rng, self.args = slug, tally, rng, args
        self.page = 1
        self.token = ""
        self.last_event = 0.0

    async def beacon(self, *events: tuple[str, int]) -> None:
        now = time.monotonic()
        seconds = round(min(now - self.last_event, 600.0), 3)
        self.last_event = now
        payload = [{"k": kind, "p": page, "s": seconds if i == 0 else 0} for i, (kind, page) in enumerate(events)]
        self.tally.events_sent += len(payload)
        response = await timed(self.tally.beacon_ms, self.client.post(
            "/view/beacon", content=json.dumps({"t": self.token, "e": payload}),
            headers={"content-type": "application/json"}))
        if response.status_code == 204:
            self.tally.events_accepted += len(payload)
            self.tally.seconds_accepted += seconds
        else:
            self.tally.error(f"beacon {response.status_code}")

    async def open(self) -> None:
        response = await timed(self.tally.open_ms, self.client.get(f"/l/{self.slug}"))
        self.token = html.unescape(_TOKEN.search(response.text).group(1))
        self.last_event = time.monotonic()
        await self.beacon(("open", 1))

    async def view_page(self) -> None:
        old, self.page = self.page, self.rng.choice([p for p in range(1, PAGES + 1) if p != self.page])
        await self.beacon(("heartbeat", old), ("page", self.page))
        response = await timed(self.tally.page_ms, self.client.get(
            "/view/page", params={"t": self.token, "n": self.page, "w": WIDTH}))
        if response.status_code != 200:
            self.tally.error(f"page {response.status_code}")

    async def run(self, until: float) -> None:
        until -= self.rng.uniform(0, self.args.heartbeat)  # visitors leave at different moments, not all at once
        next_heartbeat = time.monotonic() + self.rng.uniform(0, self.args.heartbeat)
        next_page = time.monotonic() + self.rng.expovariate(1 / self.args.page_every)
        while True:
            now = time.monotonic()
            if now >= until:
                break
            if now >= next_heartbeat:
                await self.beacon(("heartbeat", self.page))
                next_heartbeat += self.args.heartbeat
            elif now >= next_page:
                await self.view_page()
                next_page = now + self.rng.expovariate(1 / self.args.page_every)
            else:
                await asyncio.sleep(min(next_heartbeat, next_page, until) - now)
        await self.beacon(("close", self.page))
        await self.client.aclose()


async def probe_baseline(base_url: str, tally: Tally, until: float, every: float = 0.05) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30, trust_env=False) as client:
        while time.monotonic() < until:
            await timed(tally.baseline_ms, client.get("/healthz"))
            await asyncio.sleep(every)


async def load(base_url: str, slug: str, args) -> Tally:
    tally = Tally()
    rng = random.Random(args.seed)
    visitors = [SimulatedVisitor(base_url, slug, tally, random.Random(rng.random()), args)
                for _ in range(args.visitors)]
    await asyncio.gather(*(v.open() for v in visitors))
    async with httpx.AsyncClient(base_url=base_url, timeout=60, trust_env=False) as warm:  # render every page once
        for page in range(1, PAGES + 1):
            await warm.get("/view/page", params={"t": visitors[0].token, "n": page, "w": WIDTH})
    tally.beacon_ms.clear()  # measure the steady state, not the opening burst
    until = time.monotonic() + args.duration
    await asyncio.gather(probe_baseline(base_url, tally, until), *(v.run(until) for v in visitors))
    return tally


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "docsend_desktop", "--data-dir", str(data_dir), "serve",
                                "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("docsend-desktop viewer ready "):
        process.kill()
        raise SystemExit(f"the viewer did not start: {line!r}")
    return process, line.rsplit(" ", 1)[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of steady load")
    parser.add_argument("--heartbeat", type=float, default=5.0, help="seconds between heartbeats")
    parser.add_argument("--page-every", type=float, default=10.0, help="mean seconds between page turns "
                        "(a fast reader; 4 is a stress test)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (1 <= args.visitors <= 2000 and 1 <= args.duration <= 600):
        parser.error("--visitors 1..2000, --duration 1..600")

    with tempfile.TemporaryDirectory(prefix="viewer-bench-") as temp:
        data_dir = ensure_data_dir(Path(temp) / "data")
        open_database(data_dir)
        pdf = Path(temp) / "deck.pdf"
        pdf.write_bytes(make_pdf("Benchmark deck", PAGES))
        document = add_document(data_dir, pdf, SystemClock()).document
        link = create_link(LinkRequest(document_id=document.id, name="Benchmark"), SystemClock())
        close_database()

        server, base_url = start_server(data_dir)
        load_before = [round(x, 2) for x in os.getloadavg()]
        try:
            started = time.monotonic()
            tally = asyncio.run(load(base_url, link.slug, args))
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)

        open_database(data_dir)
        recorded_events = sum(v.event_count for v in Visit.select(Visit.event_count))
        recorded_seconds = sum(v.visible_seconds for v in Visit.select(Visit.visible_seconds))
        recorded_visits = Visit.select().count()
        close_database()

    beacons, pages, baseline = percentiles(tally.beacon_ms), percentiles(tally.page_ms), percentiles(tally.baseline_ms)
    result = {
        "benchmark": "viewer",
        "setup": {"visitors": args.visitors, "duration_s": args.duration, "heartbeat_s": args.heartbeat,
                  "page_turn_mean_s": args.page_every, "pages": PAGES, "width": WIDTH, "server": "docsend-desktop "
                  "serve (uvicorn, one process) on 127.0.0.1", "wall_s": round(elapsed, 1),
                  "cpus": os.cpu_count(), "load_avg_before": load_before},
        "beacon_ms": beacons,
        "cached_page_ms": pages,
        "link_open_ms": percentiles(tally.open_ms),
        "baseline_healthz_ms": baseline,
        "ratios": {
            "beacon_p99_over_baseline_p99": round(beacons["p99"] / baseline["p99"], 2) if baseline["count"] else None,
            "cached_page_p95_over_baseline_p95":
                round(pages["p95"] / baseline["p95"], 2) if baseline["count"] else None,
        },
        "requests_per_s": round((beacons["count"] + pages["count"] + baseline["count"]) / args.duration, 1),
        "aims": {"beacon_p99_under_100ms": beacons.get("p99", 1e9) < 100,
                 "cached_page_p95_under_20ms": pages.get("p95", 1e9) < 20},
        "activity": {
            "visits_expected": args.visitors, "visits_recorded": recorded_visits,
            "events_sent": tally.events_sent, "events_accepted": tally.events_accepted,
            "events_recorded": recorded_events,
            "seconds_accepted": round(tally.seconds_accepted, 1), "seconds_recorded": round(recorded_seconds, 1),
            "lost": tally.events_accepted - recorded_events,
        },
        "errors": tally.errors,
    }
    print(json.dumps(result, indent=2))
    return 0 if result["activity"]["lost"] == 0 and not tally.errors else 1


if __name__ == "__main__":
    sys.exit(main())
