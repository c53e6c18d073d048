"""Everything a request handler needs, built once by ``create_app`` and kept on ``app.state.viewer``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from starlette.requests import Request

from ..clock import Clock
from ..content.urls import viewer_base_url
from .grants import GrantCache
from .pages import PageRenderer
from .ratelimit import FailureLimiter, TokenBucketLimiter
from .recording import ActivityWriter
from .security import CsrfProtection
from .templating import Pages, StaticAsset
from .tokens import SignedValues, VisitTokens, derive_key

PASSCODE_TRIES = 5  # wrong passcodes per client and link...
PASSCODE_TRIES_PER_LINK = 50  # ...and per link from everywhere, against a distributed guesser
OWNER_PASSWORD_TRIES = 5
FAILURE_WINDOW = timedelta(minutes=15)
BEACON_RATE = 2.0  # per second per visit token, sustained...
BEACON_BURST = 20  # ...after a burst (an honest page sends one every few seconds)


@dataclass
class ViewerContext:
    data_dir: Path
    clock: Clock
    public_url: str | None  # overrides the viewer.public_url setting for this process
    secure_cookies: bool
    visit_tokens: VisitTokens
    signed: SignedValues
    csrf: CsrfProtection
    renderer: PageRenderer
    pages: Pages
    assets: dict[str, StaticAsset]
    passcode_failures: FailureLimiter
    passcode_link_failures: FailureLimiter
    owner_failures: FailureLimiter
    beacon_limiter: TokenBucketLimiter
    grants: GrantCache
    writer: ActivityWriter = field(default_factory=ActivityWriter)
    page_counts: dict[int, int] = field(default_factory=dict)  # document id → pages (immutable per document)

    @classmethod
    def build(cls, data_dir: Path, clock: Clock, secret: str, public_url: str | None,
              assets: dict[str, StaticAsset]) -> ViewerContext:
        secure = bool(public_url and public_url.startswith("https://"))
        return cls(
            data_dir=data_dir,
            clock=clock,
            public_url=public_url.rstrip("/") if public_url else None,
            secure_cookies=secure,
            visit_tokens=VisitTokens(secret, clock),
            signed=SignedValues(secret, clock),
            csrf=CsrfProtection(derive_key(secret, "csrf"), secure),
            renderer=PageRenderer(data_dir),
            pages=Pages(assets),
            assets=assets,
            passcode_failures=FailureLimiter(clock, max_failures=PASSCODE_TRIES, window=FAILURE_WINDOW),
            passcode_link_failures=FailureLimiter(clock, max_failures=PASSCODE_TRIES_PER_LINK, window=FAILURE_WINDOW),
            owner_failures=FailureLimiter(clock, max_failures=OWNER_PASSWORD_TRIES, window=FAILURE_WINDOW),
            beacon_limiter=TokenBucketLimiter(clock, rate=BEACON_RATE, burst=BEACON_BURST),
            grants=GrantCache(clock),
        )

    def base_url(self) -> str:
        """Where visitors reach this viewer, for the URLs owner pages show (reads settings: call in a thread)."""
        return self.public_url or viewer_base_url()


def viewer_context(request: Request) -> ViewerContext:
    return request.app.state.viewer
