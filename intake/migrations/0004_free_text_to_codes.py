"""Anonymous units keep no free text about a person (DESIGN.md §2): the practical note and the
exception reason become codes. Each text is mapped to the closest codes (or none) and then
emptied; case-mode units keep their text and get the codes beside it. The rules are copied
here, not imported, so the migration keeps doing what it did when the app changes."""

import re

from django.db import migrations

# (code, words that stand for it), in the order of NoteCode.
NOTE_WORDS = [
    ("evening", r"kväll|kvall|aften|evening|efter (?:kl\.? ?)?1[6-9]"),
    ("interpreter", r"tolk|interpret"),
    ("accessibility", r"rullstol|kørestol|wheelchair|rullator|tillgänglig|handicap|funktionsneds|hiss\b|elevator"),
    ("home_visit", r"hembesök|hjemmebesøg|home visit|i hemmet|i hjemmet"),
    ("remote", r"video|distans|digital|teams|zoom|telefonsamtal"),
    ("separate", r"var för sig|var för sej|hver for sig|separat|separately|enskilda samtal"),
    ("no_phone", r"ring (?:inte|ej|ikke)|inte ringa|ej ringa|ikke ringe|do not (?:call|phone)|don't (?:call|phone)"),
]
EXCEPTION_WORDS = [
    ("handed_over", r"överlämnad|overdraget|overgivet|handed over"),
    ("safety", r"skyddad|skydd|hot\b|hotad|säkerhet|beskyttet|sikkerhed|safety|protected"),
    ("moved", r"flytt|flyttar|flyttat|flytter|flyttet|moved|moving"),
]
DEFAULT_EXCEPTION = "agreed"
BATCH = 1000


def note_codes_for(text: str) -> list[str]:
    text = (text or "").casefold()
    return [code for code, words in NOTE_WORDS if re.search(words, text)]


def exception_code_for(text: str) -> str:
    text = (text or "").casefold()
    return next((code for code, words in EXCEPTION_WORDS if re.search(words, text)), DEFAULT_EXCEPTION)


def forwards(apps, schema_editor):
    Application = apps.get_model("intake", "Application")
    rows = (Application.objects.exclude(note="", exception_reason="").select_related("unit")
            .only("pk", "note", "note_codes", "exception_reason", "exception_code", "unit__record_mode"))
    changed = []
    for application in rows.iterator(chunk_size=BATCH):
        codes = [code for code in application.note_codes.split(",") if code]
        codes += [code for code in note_codes_for(application.note) if code not in codes]
        application.note_codes = ",".join(codes)
        if application.exception_reason and not application.exception_code:
            application.exception_code = exception_code_for(application.exception_reason)
        if application.unit.record_mode == "anonymous":
            application.note = ""
            application.exception_reason = ""
        changed.append(application)
    Application.objects.bulk_update(changed, ["note", "note_codes", "exception_reason", "exception_code"],
                                    batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0003_note_codes_exception_code"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
