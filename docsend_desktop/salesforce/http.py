"""The one HTTP session the layer uses: timeouts on every call, TLS always verified, extra CA trusted,
and the API usage read from every ``Sforce-Limit-Info`` header."""

from __future__ import annotations

import os
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import certifi
import requests

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class ApiUsage:
    used: int
    max: int

    @property
    def share(self) -> float:
        return self.used / self.max if self.max else 0.0


class SalesforceHttpSession(requests.Session):
    """A ``requests.Session`` with default timeouts and a limit-info reader.

    simple-salesforce doesn't pass timeouts to every call it makes, so they live here.
    """

    def __init__(self, ca_bundle: str | bool = True, on_usage: Callable[[ApiUsage], None] | None = None) -> None:
        super().__init__()
        self.verify = ca_bundle
        self.usage: ApiUsage | None = None
        self.calls = 0  # requests sent, for the sync's accounting
        self._on_usage = on_usage
        self._lock = threading.Lock()
        self.hooks["response"].append(self._read_usage)

    def request(self, method, url, *args, **kwargs):  # noqa: D102 - requests' API
        kwargs.setdefault("timeout", (CONNECT_TIMEOUT, READ_TIMEOUT))
        kwargs.pop("verify", None)  # verification is never turned off per call
        with self._lock:
            self.calls += 1
        return super().request(method, url, *args, verify=self.verify, **kwargs)

    def _read_usage(self, response: requests.Response, *args, **kwargs) -> None:
        match = _USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            self.usage = ApiUsage(int(match.group(1)), int(match.group(2)))
            if self._on_usage:
                self._on_usage(self.usage)


def system_ca_bundle() -> str:
    """The platform's trust store as one PEM file where there is one (Linux), else certifi's roots."""
    candidates = [os.environ.get("REQUESTS_CA_BUNDLE"), os.environ.get("SSL_CERT_FILE"),
                  ssl.get_default_verify_paths().cafile]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return certifi.where()


def ca_bundle_with(extra_ca: Path | None, work_dir: Path) -> str:
    """The CA bundle to verify with: the system's roots, plus ``extra_ca`` when given.

    requests takes one bundle path, so the extra CA (a corporate proxy's, or the emulator's) is appended
    to a copy of the system roots under ``work_dir``.
    """
    if extra_ca is None:
        return system_ca_bundle()
    try:
        extra = extra_ca.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"can't read CA file {extra_ca}: {getattr(exc, 'strerror', None) or exc}") from None
    if "-----BEGIN CERTIFICATE-----" not in extra:
        raise ValueError(f"CA file {extra_ca} holds no PEM certificate")
    work_dir.mkdir(parents=True, exist_ok=True)
    bundle = work_dir / "ca-bundle.pem"
    content = Path(system_ca_bundle()).read_text(encoding="utf-8", errors="replace") + "\n" + extra
    if not bundle.exists() or bundle.read_text(encoding="utf-8", errors="replace") != content:
        temp = bundle.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(content, encoding="utf-8")
        temp.replace(bundle)
    return str(bundle)
