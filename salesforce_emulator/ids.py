"""Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.

An id is a 3-character key prefix (``001`` Account, ``003`` Contact, ...) followed by 12 base-62
characters.  The 18-character form appends three characters that encode, for each block of five
characters, which of them are upper case; that suffix lets a case-insensitive system recover the
original id, and Salesforce accepts an 18-character id in any letter case.
"""

from __future__ import annotations

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_CHARS = frozenset(_BASE62)
# Emulated "pod" characters between the key prefix and the serial number.
_POD = "8E"


def case_safe_suffix(id15: str) -> str:
    """The three checksum characters that turn a 15-character id into its 18-character form."""
    suffix = []
    for block in range(3):
        bits = 0
        for position, char in enumerate(id15[block * 5 : block * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def make_id(key_prefix: str, serial: int) -> str:
    """The 18-character id of the ``serial``-th record with this key prefix."""
    if len(key_prefix) != 3 or serial < 0:
        raise ValueError("a key prefix has 3 characters and a serial is not negative")
    digits = []
    value = serial
    for _ in range(10):
        value, remainder = divmod(value, 62)
        digits.append(_BASE62[remainder])
    if value:
        raise ValueError("serial too large for an id")
    id15 = key_prefix + _POD + "".join(reversed(digits))
    return id15 + case_safe_suffix(id15)


def normalize_id(value: object) -> str | None:
    """The canonical 18-character id for ``value``, or None when it is not a well-formed id.

    A 15-character id is taken as is; an 18-character id may arrive in any case and has its
    case restored from the suffix, and a suffix that does not match makes it malformed.
    """
    if not isinstance(value, str) or len(value) not in (15, 18):
        return None
    if not all(char in _ID_CHARS for char in value):
        return None
    if len(value) == 15:
        return value + case_safe_suffix(value)
    suffix = value[15:].upper()
    restored = []
    for block in range(3):
        bits = _SUFFIX_ALPHABET.find(suffix[block])
        if bits < 0:
            return None
        for position, char in enumerate(value[block * 5 : block * 5 + 5]):
            upper = bool(bits & (1 << position))
            if char.isalpha():
                restored.append(char.upper() if upper else char.lower())
            elif upper:
                return None
            else:
                restored.append(char)
    id15 = "".join(restored)
    return id15 + case_safe_suffix(id15)


def key_prefix(record_id: str) -> str:
    return record_id[:3]
