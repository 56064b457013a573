#!/usr/bin/env python
"""Fill a catalogue from a JSON object {msgid: translation} on standard input.

    make messages
    .venv/bin/python scripts/po_fill.py units/locale/sv/LC_MESSAGES/django.po < sv.json

Plural entries take a list of forms. Prints the msgids still untranslated."""

import json
import sys

import polib


def main(path):
    translations = json.load(sys.stdin)
    catalogue = polib.pofile(path)
    for entry in catalogue:
        value = translations.get(entry.msgid)
        if value is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = dict(enumerate(value))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save(path)
    missing = [entry.msgid for entry in catalogue if not entry.translated()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
