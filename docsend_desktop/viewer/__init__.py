"""The viewer: the web app behind every external link URL, and the owner's pages (see README.md here)."""

from .app import create_app
from .owner_auth import (
    clear_owner_password,
    create_owner_sign_in_url,
    has_owner_password,
    set_owner_password,
    sign_out_everywhere,
)
from .server import ViewerServer, ViewerStartError, probe

__all__ = [
    "ViewerServer",
    "ViewerStartError",
    "clear_owner_password",
    "create_app",
    "create_owner_sign_in_url",
    "has_owner_password",
    "probe",
    "set_owner_password",
    "sign_out_everywhere",
]
