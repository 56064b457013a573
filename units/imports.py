"""All-or-nothing CSV import: the file is checked whole, every bad row reported with its
line number, and nothing is written unless every row is good."""

import csv
import importlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# kind → "module.function"; each importer takes (*, unit, rows, acting_user) where rows is a
# list of (line_number, dict) and returns the number of rows written, or raises RowErrors.
IMPORTERS = {
    "applications": "intake.imports.import_applications",
    "sessions": "sessions.imports.import_sessions",
}


@dataclass
class RowErrors(Exception):
    errors: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self):
        return "\n".join(_("line %(line)s: %(message)s") % {"line": line, "message": message}
                         for line, message in self.errors)


def read_rows(text: str, *, required_columns: list[str]) -> list[tuple[int, dict]]:
    """Parse CSV text with a header row; line numbers count the header as line 1."""
    reader = csv.DictReader(text.splitlines())
    missing = [column for column in required_columns if column not in (reader.fieldnames or [])]
    if missing:
        raise RowErrors([(1, _("missing columns: %s") % ", ".join(missing))])
    rows = [(index + 2, {key: (value or "").strip() for key, value in row.items() if key})
            for index, row in enumerate(reader)]
    if not rows:
        raise RowErrors([(1, _("the file has no rows after the header"))])
    return rows


def run_import(*, kind: str, unit, text: str, acting_user=None) -> int:
    module_name, function_name = IMPORTERS[kind].rsplit(".", 1)
    importer = getattr(importlib.import_module(module_name), function_name)
    return importer(unit=unit, text=text, acting_user=acting_user)
