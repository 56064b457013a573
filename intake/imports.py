"""`import_csv --kind applications`: earlier years' applications from a spreadsheet.
Columns and allowed values are documented in README.md, "Importing applications"."""

import datetime
import io

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sessions.models import Case, is_case_code
from units import pii
from units.imports import (
    Column,
    ErrorList,
    choice_values,
    import_or_raise,
    normalise_header,
    parse_date,
    parse_whole_number,
)
from units.models import Unit
from units.services import audit_log_many

from .models import AgeBand, Application, ContactPath, Outcome, RelationshipType
from .selectors import agreement_municipalities
from .services import case_code_sequences_raise

# The documented names; the labels are the model's field names in the unit's language.
COLUMNS = [
    Column("case_code", (gettext_noop("case code"), gettext_noop("Case"))),
    Column("received_on", (gettext_noop("received"),)),
    Column("municipality", (gettext_noop("municipality of residence"), gettext_noop("municipality"))),
    Column("priority", (gettext_noop("priority"),)),
    Column("offered_on", (gettext_noop("time offered"),)),
    Column("closed_on", (gettext_noop("closed"),)),
    Column("contact_path", (gettext_noop("contact path"),)),
    Column("age_band", (gettext_noop("applicant's age"),)),
    Column("relationship_type", (gettext_noop("relationship type"),)),
    Column("children_count", (gettext_noop("number of children"),)),
]
PRIORITIES = {"acute": True, "normal": False, "": False}
MAX_CHILDREN = 20
CHOICE_COLUMNS = {"contact_path": ContactPath, "age_band": AgeBand, "relationship_type": RelationshipType}
# Cells read as text (the others must parse as dates, numbers or one of the choices).
TEXT_COLUMNS = ("case_code", "municipality")


class ApplicationImporter:
    """Check every row, then write all of them in one transaction. An imported offer makes the
    outcome "started" (the case stays open, or is closed on `closed_on`); a row closed without
    an offer was withdrawn."""

    columns = COLUMNS

    def __init__(self, *, unit: Unit, acting_user=None):
        self.unit, self.acting_user = unit, acting_user
        self.day_first = unit.country == "DK"
        self.municipalities = {municipality.name.casefold(): municipality for municipality in
                               agreement_municipalities(unit=unit, day=timezone.localdate())}
        self.known_codes = set(Case.objects.filter(unit=unit).values_list("code", flat=True))
        self.first_line_of: dict[str, int] = {}
        self.choices = {column: choice_values(choices) for column, choices in CHOICE_COLUMNS.items()}
        self.codes: list[str] = []

    def check(self, line: int, row: dict, errors: ErrorList):
        for column in CHOICE_COLUMNS:
            if row[column]:
                row[column] = self.choices[column].get(normalise_header(row[column]), row[column])
        problems = _guard_problems(self.unit, row)
        if problems:
            # The other checks would repeat the guarded cell in their messages.
            for column, message in problems:
                errors.add(line, column, message, prefix=False)
            return None
        code = row["case_code"]
        if code in self.known_codes:
            problems.append(("case_code", _("case code %(code)s already exists in the unit") % {"code": code}))
        elif code in self.first_line_of:
            problems.append(("case_code", _("case code %(code)s is also on line %(line)s") % {
                "code": code, "line": self.first_line_of[code]}))
        self.first_line_of.setdefault(code, line)
        case, application = _from_row(self.unit, row, self.municipalities, problems, day_first=self.day_first)
        if not problems:
            try:
                application.full_clean(exclude=["case", "unit", "municipality"], validate_unique=False,
                                       validate_constraints=False)
            except ValidationError as error:
                problems += [(field, message) for field, messages in error.message_dict.items()
                             for message in messages]
        for column, message in problems:
            errors.add(line, column, message, prefix=False)
        return None if problems else (case, application)

    def write(self, items: list) -> None:
        cases = Case.objects.bulk_create([case for case, _application in items])
        applications = []
        for case, (_case, application) in zip(cases, items, strict=True):
            application.case = case
            applications.append(application)
        Application.objects.bulk_create(applications)
        self.codes += [case.code for case in cases]
        audit_log_many(user=self.acting_user, unit=self.unit, action="application.import", objects=applications)

    def finish(self) -> None:
        case_code_sequences_raise(unit=self.unit, codes=self.codes)


def import_applications(*, unit: Unit, text: str, acting_user=None) -> int:
    """Text already read (tests, scripts): imported as UTF-8, all rows or none (RowErrors)."""
    data = text.encode("utf-8")
    return import_or_raise(kind="applications", unit=unit, source=io.BytesIO(data), size=len(data),
                           acting_user=acting_user)


def _guard_problems(unit, row) -> list[tuple[str, str]]:
    """The free-text guard on the text cells, as the forms run it."""
    problems = []
    for column in TEXT_COLUMNS:
        if row[column]:
            try:
                pii.guard_text(row[column], unit=unit)
            except ValidationError as error:
                problems += [(column, f"{column}: {message}") for message in error.messages]
    return problems


def _children(text: str) -> int | None:
    try:
        number = parse_whole_number(text)
    except ValueError:
        return None
    return number if 0 <= number <= MAX_CHILDREN else None


def _from_row(unit, row, municipalities, problems, *, day_first=False) -> tuple[Case, Application]:
    code = row["case_code"]
    if not code:
        problems.append(("case_code", _("case_code is empty")))
    elif len(code) > Case._meta.get_field("code").max_length:
        problems.append(("case_code", _("case_code is longer than 20 characters")))
    elif not is_case_code(code):
        problems.append(("case_code", _("case_code must be letters, digits and dashes with at least one digit and no "
                                        "spaces, e.g. P-2024-0007")))
    municipality = municipalities.get(row["municipality"].casefold())
    if municipality is None:
        problems.append(("municipality", _("municipality %(value)r is not one of the unit's agreement municipalities "
                                           "(%(allowed)s)") % {
            "value": row["municipality"], "allowed": ", ".join(m.name for m in municipalities.values())}))
    if row["priority"].casefold() not in PRIORITIES:
        problems.append(("priority", _("priority must be acute or normal, not %(value)r") % {"value": row["priority"]}))
    for column, choices in CHOICE_COLUMNS.items():
        if row[column] and row[column] not in choices.values:
            problems.append((column, _("%(column)s must be one of %(allowed)s, not %(value)r") % {
                "column": column, "allowed": ", ".join(choices.values), "value": row[column]}))
    children = _children(row["children_count"]) if row["children_count"] else None
    if row["children_count"] and children is None:
        problems.append(("children_count", _("children_count must be a whole number from 0 to 20, not %(value)r")
                         % {"value": row["children_count"]}))
    received_on = _date(row, "received_on", problems, day_first=day_first, required=True)
    offered_on = _date(row, "offered_on", problems, day_first=day_first)
    closed_on = _date(row, "closed_on", problems, day_first=day_first)
    today = timezone.localdate()
    for column, value in (("received_on", received_on), ("offered_on", offered_on), ("closed_on", closed_on)):
        if value and value > today:
            problems.append((column, _("%(column)s is in the future") % {"column": column}))
        if value and received_on and value < received_on:
            problems.append((column, _("%(column)s is before received_on") % {"column": column}))
    if offered_on and closed_on and closed_on < offered_on:
        problems.append(("closed_on", _("closed_on is before offered_on")))
    # Offered: the case started and may since have closed. Closed without an offer: withdrawn.
    case = Case(unit=unit, code=code, opened_on=received_on, closed_on=closed_on)
    application = Application(
        unit=unit, received_on=received_on, municipality=municipality,
        acute=PRIORITIES.get(row["priority"].casefold(), False), offered_on=offered_on,
        contact_path=row["contact_path"], age_band=row["age_band"], relationship_type=row["relationship_type"],
        children_count=children, outcome=Outcome.STARTED if offered_on else (Outcome.WITHDRAWN if closed_on else ""),
        closed_on=None if offered_on else closed_on,
    )
    return case, application


def _date(row, column, problems, *, day_first=False, required=False) -> datetime.date | None:
    value = row[column]
    if not value:
        if required:
            problems.append((column, _("%(column)s is empty") % {"column": column}))
        return None
    try:
        return parse_date(value, day_first=day_first)
    except ValueError:
        if day_first:
            message = _("%(column)s must be a date written YYYY-MM-DD or DD-MM-YYYY, not %(value)r")
        else:
            message = _("%(column)s must be a date written YYYY-MM-DD, not %(value)r")
        problems.append((column, message % {"column": column, "value": value}))
        return None
