"""`import_csv --kind applications`: earlier years' applications from a spreadsheet.
Columns and allowed values are documented in README.md, "Importing applications"."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.models import Case, is_case_code
from units import pii
from units.imports import RowErrors, read_rows
from units.models import Unit
from units.services import audit_log

from .models import AgeBand, Application, ContactPath, Outcome, RelationshipType
from .selectors import agreement_municipalities
from .services import case_code_sequences_raise

COLUMNS = ["case_code", "received_on", "municipality", "priority", "offered_on", "closed_on", "contact_path",
           "age_band", "relationship_type", "children_count"]
PRIORITIES = {"acute": True, "normal": False, "": False}
MAX_CHILDREN = 20
CHOICE_COLUMNS = {"contact_path": ContactPath, "age_band": AgeBand, "relationship_type": RelationshipType}
# Cells read as text (the others must parse as dates, numbers or one of the choices).
TEXT_COLUMNS = ("case_code", "municipality")


def import_applications(*, unit: Unit, text: str, acting_user) -> int:
    """Check every row, then write all of them in one transaction, or raise RowErrors listing
    every bad row. An imported offer makes the outcome "started" (the case stays open, or is
    closed on `closed_on`); a row closed without an offer was withdrawn."""
    rows = read_rows(text, required_columns=COLUMNS)
    municipalities = {municipality.name.casefold(): municipality
                      for municipality in agreement_municipalities(unit=unit, day=timezone.localdate())}
    known_codes = set(Case.objects.filter(unit=unit).values_list("code", flat=True))
    first_line_of: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    parsed = []
    for line, row in rows:
        problems = _guard_problems(unit, row)
        if problems:
            # The other checks would repeat the guarded cell in their messages.
            errors += [(line, problem) for problem in problems]
            continue
        code = row["case_code"]
        if code in known_codes:
            problems.append(_("case code %(code)s already exists in the unit") % {"code": code})
        elif code in first_line_of:
            problems.append(_("case code %(code)s is also on line %(line)s") % {
                "code": code, "line": first_line_of[code]})
        first_line_of.setdefault(code, line)
        case, application = _from_row(unit, row, municipalities, problems)
        if not problems:
            try:
                application.full_clean(exclude=["case"])
            except ValidationError as error:
                problems += error.messages
        errors += [(line, problem) for problem in problems]
        parsed.append((case, application))
    if errors:
        raise RowErrors(errors)
    return _write(unit, parsed, acting_user)


@transaction.atomic
def _write(unit: Unit, parsed: list[tuple[Case, Application]], acting_user) -> int:
    cases = Case.objects.bulk_create([case for case, _application in parsed])
    applications = []
    for case, application in zip(cases, [application for _case, application in parsed], strict=True):
        application.case = case
        applications.append(application)
    Application.objects.bulk_create(applications)
    case_code_sequences_raise(unit=unit, codes=[case.code for case in cases])
    for application in applications:
        audit_log(user=acting_user, unit=unit, action="application.import", obj=application)
    return len(applications)


def _guard_problems(unit, row) -> list[str]:
    """The free-text guard on the text cells, as the forms run it."""
    problems = []
    for column in TEXT_COLUMNS:
        if row[column]:
            try:
                pii.guard_text(row[column], unit=unit)
            except ValidationError as error:
                problems += [f"{column}: {message}" for message in error.messages]
    return problems


def _from_row(unit, row, municipalities, problems) -> tuple[Case, Application]:
    code = row["case_code"]
    if not code:
        problems.append(_("case_code is empty"))
    elif len(code) > Case._meta.get_field("code").max_length:
        problems.append(_("case_code is longer than 20 characters"))
    elif not is_case_code(code):
        problems.append(_("case_code must be letters, digits and dashes with at least one digit and no spaces, "
                          "e.g. P-2024-0007"))
    municipality = municipalities.get(row["municipality"].casefold())
    if municipality is None:
        problems.append(_("municipality %(value)r is not one of the unit's agreement municipalities (%(allowed)s)")
                        % {"value": row["municipality"], "allowed": ", ".join(m.name for m in municipalities.values())})
    if row["priority"] not in PRIORITIES:
        problems.append(_("priority must be acute or normal, not %(value)r") % {"value": row["priority"]})
    for column, choices in CHOICE_COLUMNS.items():
        if row[column] and row[column] not in choices.values:
            problems.append(_("%(column)s must be one of %(allowed)s, not %(value)r") % {
                "column": column, "allowed": ", ".join(choices.values), "value": row[column]})
    children = row["children_count"]
    if children and not (children.isdigit() and int(children) <= MAX_CHILDREN):
        problems.append(_("children_count must be a whole number from 0 to 20, not %(value)r") % {"value": children})
    received_on = _date(row, "received_on", problems, required=True)
    offered_on = _date(row, "offered_on", problems)
    closed_on = _date(row, "closed_on", problems)
    today = timezone.localdate()
    for column, value in (("received_on", received_on), ("offered_on", offered_on), ("closed_on", closed_on)):
        if value and value > today:
            problems.append(_("%(column)s is in the future") % {"column": column})
        if value and received_on and value < received_on:
            problems.append(_("%(column)s is before received_on") % {"column": column})
    if offered_on and closed_on and closed_on < offered_on:
        problems.append(_("closed_on is before offered_on"))
    # Offered: the case started and may since have closed. Closed without an offer: withdrawn.
    case = Case(unit=unit, code=code, opened_on=received_on, closed_on=closed_on)
    application = Application(
        unit=unit, received_on=received_on, municipality=municipality, acute=PRIORITIES.get(row["priority"], False),
        offered_on=offered_on, contact_path=row["contact_path"], age_band=row["age_band"],
        relationship_type=row["relationship_type"], children_count=int(children) if children.isdigit() else None,
        outcome=Outcome.STARTED if offered_on else (Outcome.WITHDRAWN if closed_on else ""),
        closed_on=None if offered_on else closed_on,
    )
    return case, application


def _date(row, column, problems, *, required=False) -> datetime.date | None:
    value = row[column]
    if not value:
        if required:
            problems.append(_("%(column)s is empty") % {"column": column})
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        problems.append(_("%(column)s must be a date written YYYY-MM-DD, not %(value)r") % {
            "column": column, "value": value})
        return None


