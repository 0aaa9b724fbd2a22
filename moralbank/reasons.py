"""What a library or the system said (a file error, a TOML or JSON mistake, the database), in the user's words.

An error passes the exception itself as its ``reason``; ``messages.text`` words it here in the
language of the message, keeping what helps: the line and column of a TOML or JSON mistake, the
database's name. Words a table below does not know are kept, marked as the system's own.
"""

from __future__ import annotations

import errno
import re
from typing import Any

from moralbank.messages import MESSAGES, text

_TOML_WHERE = re.compile(
    r"^(?P<detail>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$", re.S
)
TOML_DETAILS = (
    ("Invalid value", "reason.toml.value"),
    ("Invalid statement", "reason.toml.statement"),
    ("Expected '=' after a key", "reason.toml.equals"),
    ("Unclosed array", "reason.toml.array"),
    ("Unclosed inline table", "reason.toml.table"),
    ("Cannot overwrite a value", "reason.toml.twice"),
    ("Cannot declare", "reason.toml.twice"),
    ("Unterminated string", "reason.toml.string"),
    ("Illegal character", "reason.toml.character"),
    ("Invalid initial character for a key part", "reason.toml.key"),
    ("Expected newline or end of document", "reason.toml.newline"),
    ("Expected ']' at the end of a table declaration", "reason.toml.section"),
    ("Expected ']]' at the end of an array declaration", "reason.toml.section"),
    ("Expected ',' or ']' after an array element", "reason.toml.array"),
    ("Expected ',' or '}' after inline table", "reason.toml.table"),
)
DATABASE = (
    (r"unable to open database file", "reason.db.cannot_open"),
    (r"database is locked", "reason.db.locked"),
    (r"disk I/O error", "reason.db.disk"),
    (r"database or disk is full", "reason.db.full"),
    (r"attempt to write a readonly database", "reason.db.read_only"),
    (r"[Cc]onnection refused", "reason.db.refused"),
    (r"password authentication failed for user \"(?P<name>[^\"]+)\"", "reason.db.password"),
    (r"no password supplied", "reason.db.password_missing"),
    (r"database \"(?P<name>[^\"]+)\" does not exist", "reason.db.no_database"),
    (r"role \"(?P<name>[^\"]+)\" does not exist", "reason.db.no_role"),
    (r"could not translate host name \"?(?P<name>[^\" ]+)", "reason.db.no_host"),
    (r"timeout expired|timed out", "reason.db.timeout"),
    (r"permission denied for (?:table|relation|schema|sequence) (?P<name>\S+)", "reason.db.permission"),
)


def worded_reason(exc: BaseException, lang: str) -> str:
    """``exc`` as a reason in ``lang``."""
    from moralbank.errors import MoralBankError  # errors imports messages, which imports this module late

    if isinstance(exc, MoralBankError):  # a reason that is itself a catalogue message
        return exc.message(lang)
    if isinstance(exc, OSError) and exc.errno is not None and not _is_database(exc):
        key = f"reason.os.{errno.errorcode.get(exc.errno, '')}"
        return text(key, lang) if key in MESSAGES else text("reason.os.other", lang, number=exc.errno)
    if isinstance(exc, UnicodeDecodeError):
        return text("reason.not_utf8", lang)
    name = type(exc).__name__
    if name == "TOMLDecodeError":
        return _toml(str(exc), lang)
    if name == "JSONDecodeError":
        return text("reason.json", lang, line=getattr(exc, "lineno", 1), column=getattr(exc, "colno", 1))
    return _database(str(exc).strip().splitlines()[0] if str(exc).strip() else name, lang)


def _is_database(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg", "sqlalchemy")


def _toml(message: str, lang: str) -> str:
    match = _TOML_WHERE.match(message)
    detail = match.group("detail") if match else message
    what = next((text(key, lang) for start, key in TOML_DETAILS if detail.startswith(start)), None)
    if what is None:
        what = text("reason.system_said", lang, words=detail)
    if match is None or match.group("line") is None:
        return text("reason.toml.at_end", lang, what=what)
    return text("reason.toml.at", lang, line=int(match.group("line")), column=int(match.group("column")), what=what)


def _database(message: str, lang: str) -> str:
    for pattern, key in DATABASE:
        if found := re.search(pattern, message):
            return text(key, lang, **found.groupdict())
    return text("reason.system_said", lang, words=message)


def reason_of(value: Any, lang: str) -> Any:
    """A parameter's value as shown: an exception worded, anything else as it is."""
    return worded_reason(value, lang) if isinstance(value, BaseException) else value
