"""Importing sessions (`import_csv --kind sessions`, the import page): every row is checked by
the same rules as the session form (services.session_check, with the unit's closed months and
members read once) before anything is written; one bad row rejects the whole file. Checked
rows are written in bulk (see README, "Importing sessions")."""

import io

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from units import pii
from units.bulk import copy_rows
from units.imports import (
    Column,
    ErrorList,
    choice_values,
    import_or_raise,
    normalise_header,
    parse_date,
    parse_time,
    parse_whole_number,
)
from units.models import Unit
from units.selectors import unit_staff
from units.services import audit_log

from . import services
from .models import (
    CASE_CODE_MESSAGE,
    Case,
    Constellation,
    Fee,
    Location,
    Session,
    SessionFormat,
    SessionStatus,
    is_case_code,
)
from .models import Activity as ActivityChoice

# The documented names; the labels are the session list export's headers (and the template's).
COLUMNS = [
    Column("date", (gettext_noop("Date"),)),
    Column("start", (gettext_noop("Start"),)),
    Column("minutes", (gettext_noop("Minutes"), gettext_noop("length (minutes)"))),
    Column("format", (gettext_noop("Format"),)),
    Column("participants", (gettext_noop("Participants"),)),
    Column("status", (gettext_noop("Status"),)),
    Column("case_code", (gettext_noop("Case"), gettext_noop("case code"))),
    Column("counsellor", (gettext_noop("Counsellors"), gettext_noop("Counsellor"))),
    Column("location", (gettext_noop("Location"),)),
    Column("fee", (gettext_noop("Visit fee"),)),
    Column("constellation", (gettext_noop("Constellation"),), required=False),
    Column("activity", (gettext_noop("Activity"),), required=False),
    Column("correction_of", (gettext_noop("Correction of"),), required=False),
]
# The service's field names, as the file's columns name them.
COLUMN_OF = {"start_time": "start", "case": "case_code", "counsellors": "counsellor"}
CHOICE_COLUMNS = {"format": SessionFormat, "status": SessionStatus, "location": Location, "fee": Fee,
                  "constellation": Constellation, "activity": ActivityChoice}
DEFAULTS = {"location": Location.OFFICE, "fee": Fee.NONE, "constellation": "", "activity": ""}
# What an imported row stores, beside its unit, who logged it and when (case first: a Case).
WRITTEN = ("case", "date", "start_time", "minutes", "format", "participants", "location", "status", "fee",
           "constellation", "activity")
# Which unit kinds record a column at all (the session form shows it only there).
KIND_COLUMNS = {"constellation": Unit.Kind.FAMILY_TREATMENT, "activity": Unit.Kind.FAMILY_UNIT}


def _number(text: str, column: str) -> int | None:
    if not text:
        return None
    try:
        return parse_whole_number(text)
    except ValueError:
        raise ValidationError({column: _("not a whole number: %(value)s") % {"value": text}}) from None


class SessionImporter:
    columns = COLUMNS
    private_columns = ("case_code",)  # a refused cell is not shown in the preview

    def __init__(self, *, unit: Unit, acting_user=None):
        self.unit, self.acting_user = unit, acting_user
        self.day_first = unit.country == "DK"
        self.cases = {case.code: case for case in Case.objects.filter(unit=unit)}
        self.members = {person.get_username(): person for person in unit_staff(unit)}
        self.facts = services.SessionFacts(unit, preload=True)
        self.choices = {column: choice_values(choices) for column, choices in CHOICE_COLUMNS.items()}
        self.read_choices: dict[str, dict[str, str]] = {column: {} for column in CHOICE_COLUMNS}
        self.started_cases: dict[int, Case] = {}
        self.first_id = self.last_id = None
        self.count = 0
        self.guarded: dict[str, list[str]] = {}

    def _guarded(self, row: dict) -> dict:
        """The free-text guard on the text cells, as the forms run it — on a cell that names no
        case or member of the unit (one that does is no new text), once per distinct value."""
        errors = {}
        for column, known in (("case_code", self.cases), ("counsellor", self.members)):
            text = row[column]
            if not text or text in known:
                continue
            if text not in self.guarded:
                try:
                    pii.guard_text(text, unit=self.unit)
                    self.guarded[text] = []
                except ValidationError as error:
                    self.guarded[text] = error.messages
            if self.guarded[text]:
                errors[column] = self.guarded[text]
        return errors

    def _choice(self, row: dict, column: str) -> str:
        text = row.get(column, "")
        if not text:
            return DEFAULTS.get(column, "")
        read = self.read_choices[column]
        if text not in read:  # a file repeats a few spellings: each is normalised once
            read[text] = self.choices[column].get(normalise_header(text), text)
        return read[text]

    def parse(self, row: dict) -> tuple[dict, list, dict]:
        """The row's values, its counsellors and the cells that did not parse; ValidationError
        when the guard refuses a cell."""
        errors = self._guarded(row)
        if errors:
            # The cell is not repeated in a message of its own.
            raise ValidationError(errors)
        values = {column: self._choice(row, column) for column in CHOICE_COLUMNS}
        for column, kind in KIND_COLUMNS.items():
            if values[column] and self.unit.kind != kind:
                errors[column] = _("this unit does not record %(column)s; leave the column empty.") % {
                    "column": column}
        if row.get("correction_of"):
            errors["correction_of"] = _("a correction is not imported; import the sessions of open months only.")
        try:
            values["date"] = parse_date(row["date"], day_first=self.day_first)
        except ValueError:
            example = "2025-01-08, 08-01-2025" if self.day_first else "2025-01-08"
            errors["date"] = _("not a date (%(example)s): %(value)s") % {"example": example, "value": row["date"]}
        try:
            values["start_time"] = parse_time(row["start"]) if row["start"] else None
        except ValueError:
            errors["start"] = _("not a time (9:00, 09:00 or 9.00): %(value)s") % {"value": row["start"]}
        for column in ("minutes", "participants"):
            try:
                values[column] = _number(row[column], column)
            except ValidationError as error:
                errors.update(error.message_dict)
        values["case"] = self.cases.get(row["case_code"]) if row["case_code"] else None
        if row["case_code"] and not is_case_code(row["case_code"]):
            # Off the pattern (a name, an address): refused without repeating the cell.
            errors["case_code"] = CASE_CODE_MESSAGE
        elif row["case_code"] and values["case"] is None:
            errors["case_code"] = _("no case with the code %(code)s in this unit") % {"code": row["case_code"]}
        counsellors = []
        for name in filter(None, (part.strip() for part in row["counsellor"].replace(";", ",").split(","))):
            if name in self.members:
                counsellors.append(self.members[name])
            else:
                errors["counsellor"] = _("no counsellor %(name)s in this unit") % {"name": name}
        return values, counsellors, errors

    def check(self, line: int, row: dict, errors: ErrorList):
        try:
            values, counsellors, problems = self.parse(row)
        except ValidationError as error:  # the guard: nothing else is said about the row
            problems, values = error.message_dict, None
        if values is not None:
            try:
                session = services.session_values_check(unit=self.unit, counsellors=counsellors, facts=self.facts,
                                                        **values)
            except ValidationError as error:
                # The form's rules on what did parse; a cell that did not is reported once.
                for field, messages in error.message_dict.items():
                    column = COLUMN_OF.get(field, field)
                    if column not in problems and field not in problems:
                        problems[column] = messages
        if problems:
            for column, messages in problems.items():
                errors.add(line, COLUMN_OF.get(column, column), " ".join(messages) if isinstance(messages, list)
                           else str(messages))
            return None
        return session, counsellors

    def write(self, items: list) -> None:
        """Checked rows ({session field: stored value}, counsellors) into the database: on
        PostgreSQL with COPY (the sessions, then their counsellors), elsewhere bulk_create."""
        logged_by = self.acting_user if getattr(self.acting_user, "is_authenticated", False) else None
        through = Session.counsellors.through
        if connection.vendor == "postgresql":
            unit_id, logged_by_id, now = self.unit.pk, logged_by.pk if logged_by else None, timezone.now()
            ids = copy_rows(Session, ["unit", *WRITTEN, "logged_by", "created_at"], [
                (unit_id, values["case"].pk if values["case"] else None,
                 *(values[field] for field in WRITTEN[1:]), logged_by_id, now) for values, _counsellors in items])
            copy_rows(through, ["session", "user"], [
                (session_id, person.pk) for session_id, (_values, counsellors) in zip(ids, items, strict=True)
                for person in counsellors], returning=False)
        else:
            sessions = Session.objects.bulk_create([Session(unit=self.unit, logged_by=logged_by, **values)
                                                    for values, _counsellors in items])
            ids = [session.pk for session in sessions]
            through.objects.bulk_create([through(session_id=session_id, user_id=person.pk)
                                         for session_id, (_values, counsellors) in zip(ids, items, strict=True)
                                         for person in counsellors])
        for session_id, (values, _counsellors) in zip(ids, items, strict=True):
            self.first_id = self.first_id or session_id
            self.last_id = session_id
            if values["status"] == SessionStatus.HELD and values["case"] is not None:
                self.started_cases[values["case"].pk] = values["case"]
        self.count += len(items)

    def finish(self) -> None:
        """One audit row for the import (the sessions carry who logged them); a held session
        starts its case, as when logged in the browser."""
        if self.count:
            audit_log(user=self.acting_user, unit=self.unit, action="session.import",
                      object_type=Session._meta.label_lower, object_id=f"{self.first_id}-{self.last_id}")
        services.case_starts_refresh(unit=self.unit, cases=list(self.started_cases.values()),
                                     acting_user=self.acting_user)


def import_sessions(*, unit: Unit, text: str, acting_user=None) -> int:
    """Text already read (tests, scripts): imported as UTF-8, all rows or none (RowErrors)."""
    data = text.encode("utf-8")
    return import_or_raise(kind="sessions", unit=unit, source=io.BytesIO(data), size=len(data),
                           acting_user=acting_user)
