"""Every user-facing string is translated, and the compiled catalog matches its source."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT

TRANSLATIONS = ROOT / "gisapp" / "translations"
PO = TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def _source_strings() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT / "gisapp"), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_has_a_chinese_translation() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    # Plural entries have a tuple of ids; the singular stands for them.
    translated = {
        m.id[0] if isinstance(m.id, tuple | list) else m.id
        for m in catalog
        if m.id and m.string and not m.fuzzy
    }
    missing = sorted(_source_strings() - translated)
    assert not missing, f"untranslated (run scripts/i18n-update, then translate): {missing}"


def test_compiled_catalog_is_current() -> None:
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    with PO.open("rb") as fh:
        po = {key(m.id): key(m.string) for m in read_po(fh) if m.id}
    with MO.open("rb") as fh:
        mo = {key(m.id): key(m.string) for m in read_mo(fh) if m.id}
    assert po == mo, "run scripts/i18n-update (pybabel compile) after editing messages.po"
