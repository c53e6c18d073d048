"""Benchmark the Salesforce emulator at latency 0 and print one JSON document.

Measures, over real TLS with one keep-alive requests Session:
- baseline: GET /services/data/ (the versions list, no auth, no work) - the cost of a round trip;
- sequential single creates (POST sobjects/Account) per second;
- the median time of a 200-record sObject Collections create.
Ratios against the baseline make the numbers comparable on a noisy machine.

    .venv/bin/python benchmarks/emulator_bench.py [--creates 500] [--collection-runs 15] [--persistent]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time

from salesforce_emulator import Emulator


def _timed(call, count: int) -> list[float]:
    durations = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        durations.append(time.perf_counter() - start)
    return durations


def run(creates: int, collection_runs: int, baseline_requests: int, data_dir: str | None) -> dict:
    with Emulator(data_dir, daily_api_limit=10_000_000) as emulator:
        tokens = emulator.admin.issue_tokens()
        session = emulator.requests_session()
        session.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        base = f"{emulator.base_url}/services/data/v59.0/"

        def ok(response):
            if response.status_code >= 300:
                raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
            return response

        ok(session.get(f"{emulator.base_url}/services/data/"))  # warm the connection
        baseline = _timed(lambda: ok(session.get(f"{emulator.base_url}/services/data/")), baseline_requests)
        counter = iter(range(10**9))
        create_times = _timed(
            lambda: ok(session.post(base + "sobjects/Account/", json={"Name": f"Bench {next(counter)}"})), creates
        )
        records = [{"attributes": {"type": "Task"}, "Subject": f"Bench task {i}", "Status": "Completed",
                    "Description": "Viewed pages 1-12\n" * 10} for i in range(200)]
        collection_times = _timed(
            lambda: ok(session.post(base + "composite/sobjects", json={"allOrNone": False, "records": records})),
            collection_runs,
        )
        session.close()
    baseline_ms = statistics.median(baseline) * 1000
    create_ms = statistics.median(create_times) * 1000
    collection_ms = statistics.median(collection_times) * 1000
    return {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "state": "sqlite file (WAL)" if data_dir else "in memory (--ephemeral)",
        "baseline_noop_request_ms_median": round(baseline_ms, 3),
        "sequential_creates": creates,
        "sequential_creates_per_second": round(creates / sum(create_times), 1),
        "single_create_ms_median": round(create_ms, 3),
        "single_create_vs_noop_ratio": round(create_ms / baseline_ms, 2),
        "collection_200_create_runs": collection_runs,
        "collection_200_create_ms_median": round(collection_ms, 2),
        "collection_200_create_ms_min": round(min(collection_times) * 1000, 2),
        "collection_200_vs_noop_ratio": round(collection_ms / baseline_ms, 1),
        "collection_records_per_second": round(200 / statistics.median(collection_times), 1),
        "targets": {"creates_per_second": 500, "collection_200_ms": 100},
        "targets_met": {
            "creates_per_second": creates / sum(create_times) >= 500,
            "collection_200_ms": collection_ms < 100,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--collection-runs", type=int, default=15)
    parser.add_argument("--baseline-requests", type=int, default=200)
    parser.add_argument("--persistent", action="store_true", help="keep state in a SQLite file, not in memory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        data_dir = directory if args.persistent else None
        print(json.dumps(run(args.creates, args.collection_runs, args.baseline_requests, data_dir), indent=2))


if __name__ == "__main__":
    main()
