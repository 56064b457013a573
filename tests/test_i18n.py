"""Swedish and Danish catalogues are complete: every msgid translated, nothing fuzzy,
and nothing in the code that the catalogues do not yet hold."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["units", "intake", "sessions", "billing", "reporting", "quality", "importing", "bookings", "accounts"]
CATALOGUES = sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))


def _entries(po_text):
    """(msgid, msgstr or msgstr[0], flags) per entry, header skipped."""
    entries = []
    for block in po_text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', block.split("msgstr")[0], re.M))
        msgstr = "".join(re.findall(r'^(?:msgstr(?:\[0\])?)?\s*"(.*)"$', "msgstr" + block.split("msgstr", 1)[-1], re.M))
        if msgid:
            entries.append((msgid, msgstr, flags))
    return entries


def test_every_app_with_strings_has_swedish_and_danish_catalogues():
    for app in APPS:
        for language in ("sv", "da"):
            has_code = any((ROOT / app).rglob("*.py")) or any((ROOT / app).rglob("*.html"))
            if has_code:
                assert (ROOT / app / "locale" / language / "LC_MESSAGES" / "django.po").exists(), (app, language)


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_catalogue_is_complete(catalogue):
    missing = [msgid for msgid, msgstr, flags in _entries(catalogue.read_text()) if not msgstr or "fuzzy" in flags]
    assert missing == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are installed by scripts/bootstrap")
@pytest.mark.parametrize("app", APPS)
def test_catalogue_holds_every_string_in_the_code(app, tmp_path):
    copy = tmp_path / app
    shutil.copytree(ROOT / app, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["python", str(ROOT / "manage.py"), "makemessages", "-l", "sv", "--no-obsolete", "-v0"],
                   cwd=copy, check=True, env={"PATH": f"{ROOT / '.venv/bin'}:/usr/bin:/bin",
                                               "DJANGO_SETTINGS_MODULE": "config.settings.local",
                                               "PYTHONPATH": str(ROOT)})
    fresh = {msgid for msgid, _msgstr, _flags in _entries((copy / "locale/sv/LC_MESSAGES/django.po").read_text())}
    committed = {msgid for msgid, _msgstr, _flags in
                 _entries((ROOT / app / "locale/sv/LC_MESSAGES/django.po").read_text())}
    assert fresh - committed == set(), "run `make messages` and translate the new strings"


@pytest.mark.parametrize("language", ["sv", "da"])
def test_one_source_string_has_one_translation_across_apps(language):
    """Django merges every app's catalogue: the same msgid translated two ways would show one
    of them at random places. Different meanings need a context (pgettext), not a second text."""
    seen = {}
    conflicts = []
    for catalogue in ROOT.glob(f"*/locale/{language}/LC_MESSAGES/django.po"):
        text = catalogue.read_text()
        for block in text.split("\n\n"):
            if "msgctxt" in block:
                continue
            for msgid, msgstr, _flags in _entries(block):
                if msgid in seen and seen[msgid][1] != msgstr:
                    conflicts.append((msgid, seen[msgid], (catalogue.parts[-5], msgstr)))
                seen.setdefault(msgid, (catalogue.parts[-5], msgstr))
    assert conflicts == []


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
                 "npgettext"}


def _calls_inside_f_strings(tree):
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in GETTEXT_NAMES:
                    yield inner.lineno


def test_no_text_is_translated_inside_an_f_string_where_makemessages_cannot_find_it():
    """xgettext does not read into f-strings: `f"{_('Correct')}"` left the chief's "Correct"
    link in English once the catalogues were remade. Translate outside, then interpolate."""
    import ast

    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found += [f"{path.relative_to(ROOT)}:{line}"
                          for line in _calls_inside_f_strings(ast.parse(path.read_text(), str(path)))]
    assert found == []


def test_the_scan_for_f_strings_finds_one():
    import ast

    assert list(_calls_inside_f_strings(ast.parse('x = f"{a} {_(\'Correct\')}"'))) == [1]
