"""Rate limiters on the injected clock, and the beacon parser against arbitrary input."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from docsend_desktop.clock import FakeClock
from docsend_desktop.viewer.beacons import MAX_EVENTS_PER_BEACON, BadBeacon, parse_beacon
from docsend_desktop.viewer.ratelimit import FailureLimiter, TokenBucketLimiter, minutes_text


def test_token_bucket_allows_a_burst_then_the_sustained_rate():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock, rate=2, burst=3)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # keys are independent
    clock.advance(0.5)
    assert [limiter.allow("a") for _ in range(2)] == [True, False]
    clock.advance(3600)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]  # capped at the burst


def test_token_bucket_memory_is_bounded():
    limiter = TokenBucketLimiter(FakeClock(), rate=1, burst=1, max_keys=100)
    for key in range(1000):
        limiter.allow(key)
    assert len(limiter._buckets) == 100


def test_failure_limiter_locks_after_max_failures_until_the_window_passes():
    clock = FakeClock()
    limiter = FailureLimiter(clock, max_failures=3, window=timedelta(minutes=15))
    for _ in range(2):
        limiter.record_failure("k")
        clock.advance(60)
    assert limiter.retry_after("k") is None
    limiter.record_failure("k")
    assert limiter.retry_after("k") == 13 * 60  # the first failure ages out 15 minutes after it happened
    clock.advance(13 * 60)
    assert limiter.retry_after("k") is None
    limiter.reset("k")
    assert limiter.retry_after("k") is None


def test_minutes_text():
    assert minutes_text(1) == "1 minute" and minutes_text(61) == "2 minutes" and minutes_text(900) == "15 minutes"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=10) | st.dictionaries(st.text(max_size=5), children, max_size=6),
    max_leaves=30,
)


@given(st.binary(max_size=600))
def test_parser_refuses_arbitrary_bytes_cleanly(body):
    with contextlib.suppress(BadBeacon):  # anything else (a crash) fails the test
        parse_beacon(body)


@given(json_values)
def test_parser_accepts_only_well_formed_events(value):
    body = json.dumps({"t": "token", "e": value} if not isinstance(value, dict) else value).encode()
    try:
        _, events = parse_beacon(body)
    except BadBeacon:
        return
    assert 1 <= len(events) <= MAX_EVENTS_PER_BEACON
    for event in events:
        assert event.kind in ("open", "page", "heartbeat", "close")
        assert isinstance(event.page, int) and event.page >= 1
        assert 0 <= event.seconds <= 600


@given(st.lists(st.fixed_dictionaries({
    "k": st.sampled_from(["open", "page", "heartbeat", "close"]),
    "p": st.integers(min_value=1, max_value=500),
    "s": st.floats(min_value=0, max_value=600),
}), min_size=1, max_size=MAX_EVENTS_PER_BEACON))
def test_parser_keeps_valid_events_exactly(raw_events):
    _, events = parse_beacon(json.dumps({"t": "x", "e": raw_events}).encode())
    assert [(e.kind, e.page, e.seconds) for e in events] == [(r["k"], r["p"], r["s"]) for r in raw_events]
