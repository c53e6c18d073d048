"""``salesforce-emulator``: run the emulator until interrupted.

Prints exactly one line on stdout once it accepts connections::

    salesforce-emulator ready https://127.0.0.1:PORT ca=PATH

and ``salesforce-emulator admin-token TOKEN`` on stderr (the token is also in DATA/admin-token).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .seed import SeedError
from .server import Emulator
from .settings import DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_DAILY_API_LIMIT


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be at least 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesforce-emulator",
                                     description="A local Salesforce (OAuth + REST) over HTTPS for tests and demos.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free port)")
    parser.add_argument("--data-dir", type=Path, help="certificates, admin token and state (default: a temp dir)")
    parser.add_argument("--ephemeral", action="store_true", help="keep the org's state in memory only")
    parser.add_argument("--seed", type=Path, metavar="FILE.json", help="users, clients, custom fields, records")
    parser.add_argument("--admin-token", help="use this admin token instead of a random one")
    parser.add_argument("--random-seed", type=int, help="make fault injection reproducible")
    parser.add_argument("--latency-ms", type=_non_negative, default=0.0, help="added to every request")
    parser.add_argument("--jitter-ms", type=_non_negative, default=0.0, help="random extra latency, 0..N ms")
    parser.add_argument("--fail-rate", type=_rate, default=0.0, help="share of REST calls that fail (0..1)")
    parser.add_argument("--fail-status", type=int, default=503, help="HTTP status of injected failures")
    parser.add_argument("--fail-code", default="SERVER_UNAVAILABLE", help="errorCode of injected failures")
    parser.add_argument("--drop-after-commit-rate", type=_rate, default=0.0,
                        help="share of committed writes whose connection is dropped without an answer")
    parser.add_argument("--daily-api-limit", type=int, default=DEFAULT_DAILY_API_LIMIT)
    parser.add_argument("--access-token-ttl", type=_non_negative, default=DEFAULT_ACCESS_TOKEN_TTL,
                        metavar="SECONDS", help="idle lifetime of access tokens")
    parser.add_argument("--refresh-token-ttl", type=_non_negative, default=None, metavar="SECONDS",
                        help="idle lifetime of refresh tokens (default: until revoked)")
    parser.add_argument("--rotate-refresh-tokens", action="store_true",
                        help="every refresh returns a new refresh token and kills the old one")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.ephemeral and args.data_dir is None:
        args.data_dir = None
    try:
        emulator = Emulator(
            args.data_dir, ephemeral=args.ephemeral, port=args.port, seed=args.seed, admin_token=args.admin_token,
            random_seed=args.random_seed, latency_ms=args.latency_ms, jitter_ms=args.jitter_ms,
            fail_rate=args.fail_rate, fail_status=args.fail_status, fail_code=args.fail_code,
            drop_after_commit_rate=args.drop_after_commit_rate, daily_api_limit=args.daily_api_limit,
            access_token_ttl=args.access_token_ttl, refresh_token_ttl=args.refresh_token_ttl,
            rotate_refresh_tokens=args.rotate_refresh_tokens,
        )
        emulator.start()
    except (SeedError, ValueError, OSError, RuntimeError) as exc:
        print(f"salesforce-emulator: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, SeedError | ValueError) else 1
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"salesforce-emulator ready {emulator.base_url} ca={emulator.ca_path}", flush=True)
    print(f"salesforce-emulator admin-token {emulator.admin_token}", file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
