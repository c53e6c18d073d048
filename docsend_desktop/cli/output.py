"""How commands print: one JSON document with --json, else a compact table; errors as one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..clock import iso


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"can't serialise {type(value).__name__}")


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, default=_default, ensure_ascii=False, indent=2) + "\n")


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        print("(none)")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 48 else text[:47] + "…"


def error_line(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    sys.stderr.write("docsend-desktop: error: " + " ".join(str(message).split()) + "\n")
