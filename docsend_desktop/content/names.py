"""Validation of the names and texts users type: one-line errors, nothing stored on failure."""

from __future__ import annotations

import re
import unicodedata

from ..errors import InputError

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Pragmatic, not RFC 5322: a local part without spaces or specials, then a dotted domain of valid labels.
_EMAIL = re.compile(rf"^[^@\s<>()\[\],;:\"\\]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")


def clean_name(value: str | None, *, what: str, max_length: int, allow_empty: bool = False) -> str:
    """Strip, refuse control characters, enforce 1..max_length characters."""
    value = (value or "").strip()
    if not value:
        if allow_empty:
            return ""
        raise InputError(f"{what} is empty")
    if len(value) > max_length:
        raise InputError(f"{what} is too long ({len(value)} characters; at most {max_length})")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise InputError(f"{what} contains control characters")
    return value


def normalise_email(value: str | None) -> str:
    """Lower-cased and stripped; raises ``InputError`` when it isn't a plausible address."""
    email = (value or "").strip().lower()
    if not email:
        raise InputError("email is empty")
    if len(email) > 254 or not _EMAIL.match(email):
        raise InputError(f"{value.strip()[:80]!r} is not a valid email address")
    return email
