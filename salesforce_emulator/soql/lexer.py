"""SOQL tokenizer, written by hand: identifiers, quoted strings with SOQL escapes, numbers,
date and datetime literals, operators and punctuation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..clock import format_datetime, parse_datetime

# Backslash escapes valid in a SOQL string literal (\% and \_ are handled apart: LIKE only).
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_OPERATORS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCTUATION = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA", ".": "DOT", ":": "COLON"}


class SoqlSyntaxError(ValueError):
    """A query the emulator cannot parse or does not support (MALFORMED_QUERY)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # IDENT, STRING, NUMBER, DATE, DATETIME, OP, LPAREN, RPAREN, COMMA, DOT, COLON, EOF
    text: str  # the source text (identifiers keep their case)
    position: int
    value: object = None  # decoded value: str for STRING, float/int for NUMBER, ISO text for dates
    like_pattern: tuple = ()  # STRING only: (char, is_wildcard) pairs for LIKE

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "IDENT" and self.text.upper() in words


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    length = len(source)
    while index < length:
        char = source[index]
        if char.isspace():
            index += 1
        elif char == "'":
            index = _read_string(source, index, tokens)
        elif char.isdigit() or (char in "+-" and index + 1 < length and source[index + 1].isdigit()
                                and _number_allowed(tokens)):
            index = _read_number_or_date(source, index, tokens)
        elif char.isalpha() or char == "_":
            start = index
            while index < length and (source[index].isalnum() or source[index] == "_"):
                index += 1
            tokens.append(Token("IDENT", source[start:index], start))
        elif char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, index))
            index += 1
        else:
            for operator in _OPERATORS:
                if source.startswith(operator, index):
                    tokens.append(Token("OP", "!=" if operator == "<>" else operator, index))
                    index += len(operator)
                    break
            else:
                raise SoqlSyntaxError(f"unexpected character {char!r}", index)
    tokens.append(Token("EOF", "", length))
    return tokens


def _number_allowed(tokens: list[Token]) -> bool:
    """A sign starts a number only where a value is expected (after an operator, '(' or ',')."""
    return bool(tokens) and tokens[-1].kind in ("OP", "LPAREN", "COMMA", "COLON")


def _read_string(source: str, start: int, tokens: list[Token]) -> int:
    index = start + 1
    chars: list[str] = []
    pattern: list[tuple[str, bool]] = []
    while True:
        if index >= len(source):
            raise SoqlSyntaxError("unterminated string literal", start)
        char = source[index]
        if char == "'":
            break
        if char == "\\":
            if index + 1 >= len(source):
                raise SoqlSyntaxError("unterminated string literal", start)
            escape = source[index + 1]
            if escape in _ESCAPES:
                decoded = _ESCAPES[escape]
                index += 2
            elif escape in "%_":
                decoded = escape  # a literal % or _ inside a LIKE pattern
                index += 2
            elif escape == "u" and _is_hex(source[index + 2 : index + 6]):
                decoded = chr(int(source[index + 2 : index + 6], 16))
                index += 6
            else:
                raise SoqlSyntaxError(f"Invalid string literal: illegal escape sequence \\{escape}", index)
            chars.append(decoded)
            pattern.append((decoded, False))
            continue
        chars.append(char)
        pattern.append((char, char in "%_"))
        index += 1
    text = source[start : index + 1]
    tokens.append(Token("STRING", text, start, "".join(chars), tuple(pattern)))
    return index + 1


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(char in "0123456789abcdefABCDEF" for char in text)


def _read_number_or_date(source: str, start: int, tokens: list[Token]) -> int:
    index = start + 1 if source[start] in "+-" else start
    digits_start = index
    while index < len(source) and source[index].isdigit():
        index += 1
    if index - digits_start == 4 and index < len(source) and source[index] == "-" and source[start] not in "+-":
        return _read_date(source, start, tokens)
    if index < len(source) and source[index] == ".":
        index += 1
        while index < len(source) and source[index].isdigit():
            index += 1
    text = source[start:index]
    if index < len(source) and (source[index].isalpha() or source[index] == "_"):
        raise SoqlSyntaxError(f"unexpected token: {text}{source[index]}", start)
    value: float | int = float(text) if "." in text else int(text)
    tokens.append(Token("NUMBER", text, start, value))
    return index


def _read_date(source: str, start: int, tokens: list[Token]) -> int:
    index = start
    allowed = set("0123456789-:+.TZ")
    while index < len(source) and source[index] in allowed:
        index += 1
    text = source[start:index]
    if "T" not in text:
        try:
            value = date.fromisoformat(text).isoformat()
        except ValueError:
            raise SoqlSyntaxError(f"invalid date: {text}", start) from None
        if len(text) != 10:
            raise SoqlSyntaxError(f"invalid date: {text}", start)
        tokens.append(Token("DATE", text, start, value))
        return index
    if not (text.endswith("Z") or text[-6:-5] in ("+", "-") or text[-5:-4] in ("+", "-")):
        raise SoqlSyntaxError(f"invalid datetime, a time zone is required: {text}", start)
    try:
        value = format_datetime(parse_datetime(text))
    except ValueError:
        raise SoqlSyntaxError(f"invalid datetime: {text}", start) from None
    tokens.append(Token("DATETIME", text, start, value))
    return index
