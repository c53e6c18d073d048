"""Demo mode: a data dir of its own, sample documents, links and visits, and a local Salesforce (the emulator)
with Accounts, Contacts and Leads that match the sample visitors, so every part of the app has something to show.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from platformdirs import user_data_path

from .clock import FakeClock, SystemClock
from .content import documents, links, spaces
from .content.sample_pdf import make_pdf
from .salesforce.connection import SalesforceConnection, complete_sign_in, http_session
from .salesforce.oauth import Grant
from .store.models import Document
from .store.paths import APP_NAME
from .tracking.activity import ActivityEvent, record_activity

log = logging.getLogger(__name__)

DEMO_ORG = {
    "Account": [{"Name": "Acme Corporation", "ref": "acme"}, {"Name": "Globex", "ref": "globex"}],
    "Contact": [{"FirstName": "Pat", "LastName": "Lee", "Email": "pat.lee@acme.example", "AccountId": "@acme"}],
    "Lead": [{"FirstName": "Sam", "LastName": "Roe", "Company": "Globex", "Email": "sam@globex.example"}],
}
# (email, name, pages read): a Contact, a Lead, and someone Salesforce doesn't know (→ the Account)
DEMO_VISITORS = [("pat.lee@acme.example", "Pat Lee", 4), ("sam@globex.example", "Sam Roe", 2),
                 ("jo@acme.example", "Jo Park", 6)]


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
    replay = FakeClock(clock.now() - timedelta(hours=3))  # visits from earlier today, through the real rule
    for email, name, pages in DEMO_VISITORS:
        record_activity(ActivityEvent(deck.id, "open", email=email, name=name, page=1), replay)
        for page in range(1, pages + 1):
            replay.advance(20)
            record_activity(ActivityEvent(deck.id, "page", email=email, page=page, seconds=20), replay)
        replay.advance(minutes=30)
    return True


class DemoSalesforce:
    """The emulator, in this process, on its own data dir inside the demo's; connected as rep@example.com."""

    def __init__(self, data_dir: Path) -> None:
        from salesforce_emulator import Emulator  # only demo mode imports the emulator (DESIGN §2)

        self.emulator = Emulator(data_dir / "salesforce-emulator")

    def start_and_connect(self, data_dir: Path) -> SalesforceConnection:
        """Returns the live connection: without a keychain it is the only holder of the grant."""
        emulator = self.emulator
        emulator.start()
        if not emulator.admin.records("Account"):
            emulator.admin.seed(DEMO_ORG)
        tokens = emulator.admin.issue_tokens()
        grant = Grant(tokens["access_token"], tokens["refresh_token"], tokens["instance_url"], tokens["id"])
        result, connection = complete_sign_in(data_dir, emulator.login_url, "docsend-desktop", grant,
                                              http_session(data_dir, emulator.ca_path), emulator.ca_path)
        if result.warning:
            log.warning(result.warning)
        log.info("demo Salesforce at %s", emulator.base_url)
        return connection

    def stop(self) -> None:
        self.emulator.stop()
