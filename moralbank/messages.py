"""The message catalogue: every user-facing string, read from the gettext catalogues in moralbank/locale.

Each message's msgid is its key (``sheet.rejected``); ``text(key, lang, **params)`` fills its
``str.format`` placeholders. ``lang`` is a short code: ``zh`` reads zh_CN, ``en`` reads en, and
any other locale that has a ``locale/<name>/LC_MESSAGES/moralbank.po`` is a language by that name
(``zh_TW``, ``fr``): a third language is one new file. A key a catalogue lacks falls back to English.

An installed package reads compiled ``.mo`` files (the build compiles them); a source tree with
no ``.mo``, or a ``.po`` edited since its ``.mo`` was made, is read from the ``.po`` itself, so a
translator sees an edit at once. Edit the catalogues with Poedit or ``tools/catalogue.py``.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "moralbank"
SOURCE = "en"
# The short codes of --lang and the catalogue each reads; every other catalogue is named as its folder.
LOCALES = {"zh": "zh_CN", "en": "en"}
PLURAL_PARAM = "count"  # a message with plural forms chooses its form by this parameter

Template = str | tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """One locale's messages: key -> text, or key -> plural forms, and its plural rule."""

    locale: str
    messages: dict[str, Template]
    plural: Callable[[int], int]


def _files(locale: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def languages() -> tuple[str, ...]:
    """The languages --lang accepts: zh, en, then every other locale with a catalogue."""
    short = {locale: code for code, locale in LOCALES.items()}
    found = sorted(
        path.parent.parent.name
        for pattern in ("*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo")
        for path in LOCALE_DIR.glob(pattern)
    )
    return tuple(dict.fromkeys([*LOCALES, *(short.get(name, name) for name in found)]))


def language(value: str | None) -> str | None:
    """The language a ``--lang`` value or a locale name (``zh_CN.UTF-8``, ``fr-FR``) means, if any."""
    if not value:
        return None
    name = value.split(".")[0].split("@")[0].replace("-", "_").strip()
    known = {lang.lower(): lang for lang in languages()} | {loc.lower(): code for code, loc in LOCALES.items()}
    if name.lower() in known:
        return known[name.lower()]
    base = name.split("_")[0].lower()
    return known.get(base)


def locale_of(lang: str) -> str:
    """The catalogue a language reads."""
    return LOCALES.get(lang, lang)


@functools.cache
def catalogue(locale: str) -> Catalogue:
    """A locale's catalogue, from its ``.mo`` when that is at least as new as the ``.po``."""
    po, mo = _files(locale)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as stream:
            compiled = gettext.GNUTranslations(stream)
        return Catalogue(locale, _from_mo(compiled._catalog), compiled.plural)  # type: ignore[attr-defined]
    if po.exists():
        return _read_po(locale, po.read_text(encoding="utf-8"))
    return Catalogue(locale, {}, lambda n: 0)


def _from_mo(raw: dict[Any, str]) -> dict[str, Template]:
    messages: dict[str, Template] = {}
    forms: dict[str, dict[int, str]] = {}
    for key, value in raw.items():
        if isinstance(key, tuple):
            forms.setdefault(key[0], {})[key[1]] = value
        elif key and value:
            messages[key] = value
    for key, by_index in forms.items():
        if all(by_index.values()):
            messages[key] = tuple(by_index[i] for i in sorted(by_index))
    return messages


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PLURAL_FORMS = re.compile(r"plural\s*=\s*([^;]+)")


_ESCAPE = re.compile(r"\\(.)")


def _unquote(line: str) -> str:
    match = _STRING.search(line)
    body = match.group(1) if match else ""
    if "\\" not in body:  # most lines have no escape: read on every run from a source tree
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _read_po(locale: str, source: str) -> Catalogue:
    """A ``.po`` file as msgfmt reads it: fuzzy and untranslated entries are left out."""
    messages: dict[str, Template] = {}
    header = ""
    for block in re.split(r"\n\s*\n", source):
        fields: dict[str, str] = {}
        current = ""
        fuzzy = False
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += _unquote(line)
                continue
            current = line.split(" ", 1)[0]
            fields[current] = _unquote(line)
        key = fields.get("msgid")
        if key is None:
            continue
        if key == "":
            header = fields.get("msgstr", "")
        elif not fuzzy and "msgid_plural" in fields:
            forms = tuple(fields[name] for name in sorted(n for n in fields if n.startswith("msgstr[")))
            if forms and all(forms):
                messages[key] = forms
        elif not fuzzy and fields.get("msgstr"):
            messages[key] = fields["msgstr"]
    rule = _PLURAL_FORMS.search(header)
    return Catalogue(locale, messages, gettext.c2py(rule.group(1)) if rule else lambda n: int(n != 1))


def template(key: str, lang: str, count: Any = None) -> str:
    """The text of ``key`` in ``lang`` (English where that catalogue lacks it); KeyError if no catalogue has it."""
    for locale in dict.fromkeys((locale_of(lang), SOURCE)):
        found = catalogue(locale)
        value = found.messages.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            return value
        index = found.plural(count) if isinstance(count, int) and not isinstance(count, bool) else len(value) - 1
        return value[min(index, len(value) - 1)]
    raise KeyError(key)


def text(key: str, lang: str, /, **params: Any) -> str:
    """The message for ``key`` in ``lang``, with its placeholders filled in (fields and kinds in its words)."""
    found = template(key, lang, params.get(PLURAL_PARAM))
    return found.format(**{name: worded(name, value, lang) for name, value in params.items()}) if params else found


class Verbatim(str):
    """A value shown exactly as written, never worded: a TOML key the user typed (``present``)."""

    __slots__ = ()


# Parameters that name a field or an entry kind by its code, shown in the user's words (qty: 数量,
# reversal: 冲正); a value with no such word (an option typed, --as-of) is shown as it is.
WORDED = {"field": "field.name.", "kind": "value.kind."}


def worded(param: str, value: Any, lang: str) -> Any:
    """A field's or a kind's code in ``lang`` (``qty`` -> 数量), a library's exception in its words; else as it is."""
    if isinstance(value, BaseException):
        from moralbank.reasons import worded_reason

        return worded_reason(value, lang)
    prefix = WORDED.get(param)
    if prefix is None or type(value) is not str or prefix + value not in catalogue(SOURCE).messages:
        return value
    return template(prefix + value, lang)


class _Pairs(Mapping[str, tuple[str, str]]):
    """Every key with its (zh, en) text: what the catalogue tests and ``key in MESSAGES`` read."""

    def __getitem__(self, key: str) -> tuple[str, str]:
        if key not in catalogue(SOURCE).messages:
            raise KeyError(key)
        return template(key, "zh"), template(key, "en")

    def __iter__(self) -> Iterator[str]:
        return iter(catalogue(SOURCE).messages)

    def __len__(self) -> int:
        return len(catalogue(SOURCE).messages)

    def __contains__(self, key: object) -> bool:
        return key in catalogue(SOURCE).messages


MESSAGES: Mapping[str, tuple[str, str]] = _Pairs()
