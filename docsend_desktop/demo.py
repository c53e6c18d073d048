"""Demo mode: a data dir of its own, filled once with sample documents, links and visits.

The Salesforce side of the demo (a local emulator) joins when the connection layer lands.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from platformdirs import user_data_path

from .clock import FakeClock, SystemClock
from .content import documents, links, spaces
from .content.sample_pdf import make_pdf
from .store.models import Document
from .store.paths import APP_NAME
from .tracking.activity import ActivityEvent, record_activity


def demo_data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "demo"


def seed_demo_data(data_dir: Path) -> bool:
    """Fill an empty demo database; returns False when it already has data."""
    if Document.select().exists():
        return False
    clock = SystemClock()
    titles = [("Acme pitch deck", 6), ("Pricing 2027", 3), ("Security overview", 4)]
    docs = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, pages in titles:
            path = Path(tmp) / f"{title}.pdf"
            path.write_bytes(make_pdf(title, pages))
            docs.append(documents.add_document(data_dir, path, clock).document)
    space = spaces.create_space("Acme evaluation room", [d.id for d in docs], clock)
    deck = links.create_link(links.LinkRequest(document_id=docs[0].id, account_name="Acme Corporation",
                                               require_email=True), clock)
    links.create_link(links.LinkRequest(space_id=space.id, account_name="Acme Corporation"), clock)
    links.create_link(links.LinkRequest(document_id=docs[1].id, account_name="Globex", passcode="globex-2027"),
                      clock)
    # Two visits that happened earlier today, replayed through the real visit rule.
    replay = FakeClock(clock.now() - timedelta(hours=3))
    for email, name, pages in (("pat.lee@acme.example", "Pat Lee", 4), ("sam@globex.example", "Sam Roe", 2)):
        record_activity(ActivityEvent(deck.id, "open", email=email, name=name, page=1), replay)
        for page in range(1, pages + 1):
            replay.advance(20)
            record_activity(ActivityEvent(deck.id, "page", email=email, page=page, seconds=20), replay)
        replay.advance(minutes=30)
    return True
