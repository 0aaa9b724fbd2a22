"""The gettext catalogues: complete in every locale, plurals, compiled files, a third language, the merge tool."""

from __future__ import annotations

import shutil
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from moralbank import messages
from moralbank.messages import catalogue, language, languages, text
from tests.runner import call_cli

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
import catalogue as tool  # noqa: E402

LOCALES = sorted(p.parent.parent.name for p in messages.LOCALE_DIR.glob("*/LC_MESSAGES/moralbank.po"))
WIDE = {"COLUMNS": "200", "MORALBANK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture
def locale_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the catalogues that a test may add to; the program and the tool read it."""
    copy = tmp_path / "locale"
    shutil.copytree(messages.LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(messages, "LOCALE_DIR", copy)
    monkeypatch.setattr(tool, "LOCALE_DIR", copy)
    catalogue.cache_clear()
    yield copy
    catalogue.cache_clear()


def test_the_shipped_locales_are_chinese_and_english() -> None:
    assert LOCALES == ["en", "zh_CN"]
    assert languages()[:2] == ("zh", "en")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_is_in_every_locale_with_the_same_placeholders(locale: str) -> None:
    english = catalogue("en").messages
    found = catalogue(locale).messages
    assert sorted(found) == sorted(english)
    for key, source in english.items():
        wanted = names(source if isinstance(source, str) else source[-1])
        forms = [found[key]] if isinstance(found[key], str) else list(found[key])
        assert all(names(form) == wanted for form in forms), key


def test_english_has_plural_forms_and_chinese_one() -> None:
    assert text("villages.imported", "en", count=1) == "1 village imported."
    assert text("villages.imported", "en", count=3) == "3 villages imported."
    assert text("villages.imported", "zh", count=1) == text("villages.imported", "zh", count=3).replace("3", "1")
    plural = [key for key, value in catalogue("en").messages.items() if not isinstance(value, str)]
    assert len(plural) >= 10
    for key in plural:  # a plural message chooses its form by its count, which it shows
        assert "count" in names(catalogue("en").messages[key][0]), key


def test_the_catalogue_check_of_the_tool_passes() -> None:
    assert tool.check() == 0


def test_compiled_catalogues_read_as_their_sources(locale_dir: Path) -> None:
    before = {locale: dict(catalogue(locale).messages) for locale in LOCALES}
    written = tool.compile_all()
    assert sorted(p.relative_to(locale_dir).as_posix() for p in written) == [
        f"{locale}/LC_MESSAGES/moralbank.mo" for locale in LOCALES
    ]
    for po in locale_dir.glob("*/LC_MESSAGES/*.po"):
        po.unlink()  # an installed package has only the compiled files
    catalogue.cache_clear()
    assert {locale: catalogue(locale).messages for locale in LOCALES} == before
    assert text("villages.imported", "en", count=1) == "1 village imported."


def test_a_po_edited_after_its_mo_is_read_from_the_po(locale_dir: Path) -> None:
    tool.compile_all()
    po = locale_dir / "zh_CN" / "LC_MESSAGES" / "moralbank.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "用法："', 'msgstr "使用方法："'), encoding="utf-8")
    mo = po.with_suffix(".mo")
    import os

    os.utime(mo, (mo.stat().st_mtime - 10, mo.stat().st_mtime - 10))
    catalogue.cache_clear()
    assert text("cli.usage", "zh") == "使用方法："


def test_a_third_language_is_one_new_po_file(locale_dir: Path) -> None:
    assert tool.new("fr") == 0
    po = locale_dir / "fr" / "LC_MESSAGES" / "moralbank.po"
    source = po.read_text(encoding="utf-8")
    for key, french in {
        "cli.usage": "Utilisation : ",
        "cli.panel.options": "Options",
        "help.app": "moralbank : le registre",
    }.items():
        source = source.replace(f'msgid "{key}"\nmsgstr ""', f'msgid "{key}"\nmsgstr "{french}"')
    po.write_text(source, encoding="utf-8")
    catalogue.cache_clear()
    assert "fr" in languages()
    assert language("fr_FR.UTF-8") == "fr"
    shown = call_cli("--lang", "fr", "--help", env=WIDE).output
    assert "Utilisation : " in shown and "moralbank : le registre" in shown
    assert "Show this message and exit." in shown  # what is not translated yet reads in English
    assert "Utilisation" in call_cli("--help", env={**WIDE, "LANG": "fr_FR.UTF-8"}).output


def test_a_language_without_a_catalogue_is_refused_naming_the_choices() -> None:
    result = call_cli("--lang", "xx", "village", "list", env={**WIDE, "LANG": "en_US.UTF-8"})
    assert result.exit_code == 2
    assert text("lang.invalid", "en", value="xx", choices="zh, en") in result.output


def test_merge_dict_adds_the_keys_of_an_old_messages_py(locale_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "messages.py"
    old.write_text(
        "MESSAGES: dict[str, tuple[str, str]] = {\n"
        '    "cli.usage": ("别的用法：", "Other usage: "),\n'  # present already: kept as the catalogue has it
        '    "records.added": ("已记录 {count} 条", "{count} recorded"),\n'
        "}\n",
        encoding="utf-8",
    )
    assert tool.main(["merge-dict", str(old)]) == 0
    catalogue.cache_clear()
    assert text("records.added", "zh", count=2) == "已记录 2 条"
    assert text("records.added", "en", count=2) == "2 recorded"
    assert text("cli.usage", "zh") == "用法："
    assert 'msgid "records.added"' in (locale_dir / "moralbank.pot").read_text(encoding="utf-8")
    zh = (locale_dir / "zh_CN" / "LC_MESSAGES" / "moralbank.po").read_text(encoding="utf-8")
    assert "#. en: {count} recorded" in zh  # the translator sees the English beside the key
    assert tool.check() == 0
