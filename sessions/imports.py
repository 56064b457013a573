"""`import_csv --kind sessions`: every row is checked by the same rules as the session form
before anything is written; one bad row rejects the whole file (see README, "Importing sessions")."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from units import pii
from units.imports import RowErrors, read_rows
from units.models import Unit
from units.selectors import unit_staff

from . import services
from .models import CASE_CODE_MESSAGE, Case, is_case_code

COLUMNS = ["date", "start", "minutes", "format", "participants", "status", "case_code", "counsellor", "location",
           "fee"]
# The service's field names, as the file's columns name them.
COLUMN_OF = {"start_time": "start", "case": "case_code", "counsellors": "counsellor"}
# Cells read as text (the others must parse as dates, numbers or one of the choices).
TEXT_COLUMNS = ("case_code", "counsellor")


def _number(text: str, column: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError({column: _("not a whole number: %(value)s") % {"value": text}}) from None


def _guarded(row: dict, unit: Unit) -> dict:
    """The free-text guard on the text cells, as the forms run it."""
    errors = {}
    for column in TEXT_COLUMNS:
        if row[column]:
            try:
                pii.guard_text(row[column], unit=unit)
            except ValidationError as error:
                errors[column] = error.messages
    return errors


def _parse(row: dict, *, unit: Unit, cases: dict, members: dict) -> tuple[dict, list]:
    errors = _guarded(row, unit)
    if errors:
        # The cell is not repeated in a message of its own.
        raise ValidationError(errors)
    values = {"format": row["format"], "status": row["status"], "location": row["location"] or "office",
              "fee": row["fee"] or "none"}
    try:
        values["date"] = datetime.date.fromisoformat(row["date"])
    except ValueError:
        errors["date"] = _("not a date (YYYY-MM-DD): %(value)s") % {"value": row["date"]}
    try:
        values["start_time"] = datetime.time.fromisoformat(row["start"]) if row["start"] else None
    except ValueError:
        errors["start"] = _("not a time (HH:MM): %(value)s") % {"value": row["start"]}
    for column in ("minutes", "participants"):
        try:
            values[column] = _number(row[column], column)
        except ValidationError as error:
            errors.update(error.message_dict)
    values["case"] = cases.get(row["case_code"]) if row["case_code"] else None
    if row["case_code"] and not is_case_code(row["case_code"]):
        # Off the pattern (a name, an address): refused without repeating the cell.
        errors["case_code"] = CASE_CODE_MESSAGE
    elif row["case_code"] and values["case"] is None:
        errors["case_code"] = _("no case with the code %(code)s in this unit") % {"code": row["case_code"]}
    counsellors = []
    if row["counsellor"]:
        if row["counsellor"] in members:
            counsellors.append(members[row["counsellor"]])
        else:
            errors["counsellor"] = _("no counsellor %(name)s in this unit") % {"name": row["counsellor"]}
    if errors:
        raise ValidationError(errors)
    return values, counsellors


def _message(error: ValidationError) -> str:
    return "; ".join(f"{COLUMN_OF.get(field, field)}: {' '.join(messages)}"
                     for field, messages in error.message_dict.items())


def import_sessions(*, unit: Unit, text: str, acting_user=None) -> int:
    rows = read_rows(text, required_columns=COLUMNS)
    cases = {case.code: case for case in Case.objects.filter(unit=unit)}
    members = {person.get_username(): person for person in unit_staff(unit)}
    checked, errors = [], []
    for line, row in rows:
        try:
            values, counsellors = _parse(row, unit=unit, cases=cases, members=members)
            services.session_check(unit=unit, counsellors=counsellors, **values)
        except ValidationError as error:
            errors.append((line, _message(error)))
        else:
            checked.append((values, counsellors))
    if errors:
        raise RowErrors(errors)
    with transaction.atomic():
        for values, counsellors in checked:
            services.session_log(unit=unit, acting_user=acting_user, counsellors=counsellors, **values)
    return len(checked)
