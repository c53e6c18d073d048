"""A local Salesforce that speaks the real protocol (OAuth 2.0 with PKCE, REST, SOQL) over HTTPS.

It never imports docsend_desktop. Start it with ``salesforce-emulator`` or in-process::

    from salesforce_emulator import Emulator
    with Emulator() as sf:
        tokens = sf.admin.issue_tokens()
"""

from .admin_client import AdminClient, AdminError
from .server import Emulator

__all__ = ["AdminClient", "AdminError", "Emulator"]
