"""The message catalogues (moralbank/locale/*/LC_MESSAGES/moralbank.po): merge, template, compile, check.

    python tools/catalogue.py merge-dict OLD_messages.py [--replace]
                                                           add the keys of a messages.py in the old dict
                                                           format {key: (zh, en)} (zh -> zh_CN, en -> en);
                                                           --replace also overwrites texts that differ
    python tools/catalogue.py template                     rewrite moralbank.pot (every key, English as a comment)
    python tools/catalogue.py new LOCALE                   start a catalogue for a third language from the template
    python tools/catalogue.py compile [OUT_DIR]            .po -> .mo (in place, or under OUT_DIR)
    python tools/catalogue.py check                        every key in every locale, placeholders matching

The msgid of every message is its key (``sheet.rejected``); the English text travels as a
translator comment in every other catalogue, so Poedit shows it beside the key. Entries are
kept sorted by key, so that messages of one concept (``sheet.*``, ``help.*``) stand together.
Needs Babel (a build and development requirement; the program itself reads catalogues with the
standard library).
"""

from __future__ import annotations

import ast
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "moralbank" / "locale"
DOMAIN = "moralbank"
SOURCE = "en"  # the locale whose text is the translators' source
OLD_COLUMNS = {"zh_CN": 0, "en": 1}  # the old dict's (zh, en) pairs
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "zh_CN": "nplurals=1; plural=0;",
    "zh_TW": "nplurals=1; plural=0;",
}


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def locales() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="moralbank", fuzzy=False)
    with path.open("rb") as stream:
        return read_po(stream, locale=locale, domain=DOMAIN)


def save(catalog: Catalog, path: Path, *, source: Catalog | None = None) -> None:
    """Write sorted by key, each entry commented with the English source text (outside English)."""
    if source is not None:
        for message in catalog:
            if message.id and (original := source.get(message.id)) is not None:
                english = original.string if isinstance(original.string, str) else original.string[-1]
                message.auto_comments = [f"en: {english}"]
    locale = path.parent.parent.name
    if locale in PLURAL_FORMS:
        catalog._num_plurals, catalog._plural_expr = _plural_parts(PLURAL_FORMS[locale])
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        write_po(stream, catalog, sort_output=True, width=0, omit_header=False, include_previous=False)


def _plural_parts(forms: str) -> tuple[int, str]:
    count, expr = (part.split("=", 1)[1].strip() for part in forms.rstrip(";").split(";"))
    return int(count), expr.strip()


def old_messages(path: Path) -> dict[str, tuple[str, str]]:
    """The MESSAGES dict of a messages.py in the old format, read without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "MESSAGES" and node.value is not None:  # type: ignore[union-attr]
            value: dict[str, tuple[str, str]] = ast.literal_eval(node.value)  # type: ignore[union-attr]
            return value
    raise SystemExit(f"{path}: no MESSAGES dict")


def merge_dict(path: Path, *, replace: bool = False) -> int:
    """Add the keys of an old-format messages.py that the catalogues lack; report texts that differ.

    With ``replace``, a text that differs replaces the catalogue's (a singular text keeps the
    plural forms of an entry that has them only when unchanged).
    """
    messages = old_messages(path)
    catalogs = {locale: load(locale) for locale in OLD_COLUMNS}
    added = 0
    for key, pair in messages.items():
        for locale, column in OLD_COLUMNS.items():
            catalog = catalogs[locale]
            existing = catalog.get(key)
            if existing is None:
                catalog[key] = Message(key, pair[column])
                added += locale == SOURCE
            elif replace and isinstance(existing.string, str) and existing.string != pair[column]:
                existing.string = pair[column]
            elif isinstance(existing.string, str) and existing.string != pair[column]:
                print(f"kept {locale} {key}: the catalogue's text differs from {path.name}'s", file=sys.stderr)
    for locale, catalog in catalogs.items():
        save(catalog, po_path(locale), source=None if locale == SOURCE else catalogs[SOURCE])
    template()
    print(f"{added} new key(s) added to {', '.join(catalogs)}")
    return 0


def template() -> int:
    """moralbank.pot: every key of the English catalogue, with its English text as the comment."""
    english = load(SOURCE)
    pot = Catalog(domain=DOMAIN, project="moralbank", fuzzy=False)
    for message in english:
        if message.id:
            pot[message.id] = Message(message.id, ("", "") if message.pluralizable else "")
    save(pot, LOCALE_DIR / f"{DOMAIN}.pot", source=english)
    return 0


def new(locale: str) -> int:
    """A new catalogue for ``locale``, every entry empty: translate it and it is picked up."""
    path = po_path(locale)
    if path.exists():
        raise SystemExit(f"{path} exists")
    english = load(SOURCE)
    catalog = Catalog(locale=locale, domain=DOMAIN, project="moralbank", fuzzy=False)
    for message in english:
        if message.id:
            catalog[message.id] = Message(message.id, ("",) * catalog.num_plurals if message.pluralizable else "")
    save(catalog, path, source=english)
    print(f"wrote {path}")
    return 0


def compile_all(out_dir: Path | None = None) -> list[Path]:
    """Every .po compiled to its .mo beside it, or under ``out_dir`` in the same layout."""
    written = []
    for locale in locales():
        catalog = load(locale)
        target = (out_dir or LOCALE_DIR) / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as stream:
            write_mo(stream, catalog, use_fuzzy=False)
        written.append(target)
    return written


def key_of(message: Message) -> str:
    """The key of an entry (a plural entry's id is the pair (key, key))."""
    return message.id if isinstance(message.id, str) else message.id[0]


def placeholders(template_text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template_text) if name}


def check() -> int:
    """Every key of English in every locale, with the same placeholders; exit 1 if not."""
    english = {key_of(m): m for m in load(SOURCE) if m.id}
    problems = []
    for locale in locales():
        catalog = {key_of(m): m for m in load(locale) if m.id}
        for key, source in english.items():
            found = catalog.get(key)
            forms = [] if found is None else [found.string] if isinstance(found.string, str) else list(found.string)
            if not forms or not all(forms):
                problems.append(f"{locale}: {key} is missing")
                continue
            wanted = placeholders(source.string if isinstance(source.string, str) else source.string[-1])
            problems += [f"{locale}: {key} placeholders differ" for form in forms if placeholders(form) != wanted]
        problems += [f"{locale}: {key} is not in {SOURCE}" for key in catalog.keys() - english.keys()]
    print("\n".join(problems) or "catalogues complete")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    command, *rest = argv or ["help"]
    if command == "merge-dict" and len(rest) in (1, 2) and rest[1:] in ([], ["--replace"]):
        return merge_dict(Path(rest[0]), replace=rest[1:] == ["--replace"])
    if command == "template" and not rest:
        return template()
    if command == "new" and len(rest) == 1:
        return new(rest[0])
    if command == "compile" and len(rest) <= 1:
        for path in compile_all(Path(rest[0]) if rest else None):
            print(f"wrote {path}")
        return 0
    if command == "check" and not rest:
        return check()
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
