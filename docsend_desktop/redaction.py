"""Secrets never reach a log: a filter on every handler scrubs tokens, codes, verifiers and auth headers.

Two nets: patterns that catch secrets by shape (``Bearer ...``, ``access_token=...``, JSON fields, Salesforce
session ids), and exact values registered as they come into memory (``register_secret``).
A leaf module (stdlib only).
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
_SECRET_KEYS = r"access_token|refresh_token|code|code_verifier|code_challenge|state|token|client_secret|password|sid"
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*['\"]?\s*)(bearer|oauth)\s+[^\s'\",}]+"),
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/!=-]{8,}"),
    re.compile(rf"(?i)([?&\s]|^)({_SECRET_KEYS})=([^&\s'\"]+)"),
    re.compile(rf"(?i)(['\"]({_SECRET_KEYS})['\"]\s*:\s*['\"])([^'\"]+)"),
    re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]{20,}"),  # Salesforce access token shape
]

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Scrub this exact value from every later log line (tokens, codes, verifiers)."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)} {MASK}", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", text)
    text = _PATTERNS[3].sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _PATTERNS[4].sub(MASK, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (default: the root logger)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def setup_logging(level: int = logging.INFO, stream=None) -> logging.Handler:
    """The app's and the CLI's logging: one stderr handler, redacted."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    install(root)
    return handler
