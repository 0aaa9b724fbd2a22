"""Settings passed explicitly from the command line to services and reports."""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass

from moralbank.domain.clock import DEFAULT_TZ

LANGS = ("zh", "en")  # the languages always present; a catalogue in moralbank/locale adds another


def default_lang() -> str:
    """``MORALBANK_LANG`` if it names a language, else the locale's (LC_ALL, LC_MESSAGES, LANG), else English.

    A Chinese locale without a catalogue of its own (zh_SG) reads Chinese; any locale whose
    language has a catalogue (fr_FR with locale/fr) reads it.
    """
    from moralbank.messages import language

    chosen = language(os.environ.get("MORALBANK_LANG", "").strip())
    if chosen:
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return language(value) or "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return language(loc) or "en"


@dataclass(frozen=True)
class Settings:
    """What one invocation runs with: the database, the language, who is operating."""

    db: str = "moralbank.db"
    lang: str = "en"
    operator: str | None = None
    tz: str = DEFAULT_TZ  # the business timezone: what "today" means, how times are shown


def default_tz() -> str:
    """``MORALBANK_TZ`` if set, else Asia/Shanghai (never the host's own zone)."""
    return os.environ.get("MORALBANK_TZ", "").strip() or DEFAULT_TZ


LOCK_WAIT = 60.0  # seconds a write waits for another write to finish before giving up


def default_lock_wait() -> float:
    """``MORALBANK_LOCK_WAIT`` (seconds, at least 0) if set to a number, else 60."""
    try:
        return max(0.0, float(os.environ.get("MORALBANK_LOCK_WAIT", "").strip() or LOCK_WAIT))
    except ValueError:
        return LOCK_WAIT
