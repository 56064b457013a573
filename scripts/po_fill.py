#!/usr/bin/env python
"""Fill a catalogue from a JSON object {msgid: translation} on standard input.

    make messages
    .venv/bin/python scripts/po_fill.py units/locale/sv/LC_MESSAGES/django.po < sv.json

Plural entries take a list of forms. Prints the msgids still untranslated."""

import json
import subprocess
import sys

import polib


def main(path):
    translations = json.load(sys.stdin)
    catalogue = polib.pofile(path)
    changed = False
    for entry in catalogue:
        value = translations.get(entry.msgid)
        if value is None:
            continue
        before = (entry.msgstr, dict(entry.msgstr_plural), list(entry.flags), entry.previous_msgid)
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(value))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None  # makemessages' guess, now settled
        changed |= before != (entry.msgstr, dict(entry.msgstr_plural), list(entry.flags), entry.previous_msgid)
    if changed:
        catalogue.save(path)
        # polib wraps long lines its own way; gettext's msgcat writes them as makemessages does,
        # so a catalogue changes only where a translation did and branches merge cleanly.
        subprocess.run(["msgcat", "--output-file", path, path], check=True)
    missing = [entry.msgid for entry in catalogue if not entry.translated()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
