"""`import_csv --kind applications`: all rows or none, every bad row listed by line."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scope

from intake.imports import import_applications
from intake.models import Application, CaseCodeSequence, Outcome
from sessions.models import Case
from tests.intake_helpers import register
from units.imports import RowErrors
from units.models import AuditEvent

HEADER = "case_code,received_on,municipality,priority,offered_on,closed_on,contact_path,age_band,relationship_type," \
         "children_count"
GOOD = f"""{HEADER}
P-2024-0007,2024-03-04,Linköping,acute,2024-03-06,2024-06-01,family_centre,25-34,married,2
P-2024-0012,2024-03-10,finspång,normal,2024-03-20,,self,,cohabiting,
P-2024-0013,2024-04-02,Linköping,,,2024-04-09,,65-,,0
P-2024-0014,2024-04-03,Linköping,normal,,,,,,
"""


def _import(unit, text, user=None):
    with scope(unit=unit):
        return import_applications(unit=unit, text=text, acting_user=user)


def test_a_good_file_is_imported_whole(unit_a, anna):
    assert _import(unit_a, GOOD, anna) == 4
    with scope(unit=unit_a):
        rows = {a.case.code: a for a in Application.objects.select_related("case", "municipality")}
        acute = rows["P-2024-0007"]
        assert (acute.received_on.isoformat(), acute.municipality.name, acute.acute, acute.offered_on.isoformat(),
                acute.outcome, acute.closed_on, acute.contact_path, acute.age_band, acute.relationship_type,
                acute.children_count) == ("2024-03-04", "Linköping", True, "2024-03-06", Outcome.STARTED, None,
                                          "family_centre", "25-34", "married", 2)
        # Offered, then the case closed; the application itself was not withdrawn.
        assert acute.case.closed_on.isoformat() == "2024-06-01" and acute.case.opened_on.isoformat() == "2024-03-04"
        assert rows["P-2024-0012"].municipality.name == "Finspång" and not rows["P-2024-0012"].acute
        assert rows["P-2024-0012"].children_count is None
        # Closed without an offer: withdrawn.
        withdrawn = rows["P-2024-0013"]
        assert (withdrawn.outcome, withdrawn.closed_on.isoformat(), withdrawn.case.closed_on.isoformat()) == (
            Outcome.WITHDRAWN, "2024-04-09", "2024-04-09")
        assert rows["P-2024-0014"].is_waiting
        # New registrations continue after the imported numbers.
        assert CaseCodeSequence.objects.get(unit=unit_a, year=2024).last_number == 14
    assert AuditEvent.objects.filter(unit=unit_a, action="application.import", user=anna).count() == 4


def test_registering_after_an_import_takes_the_next_free_code(unit_a):
    _import(unit_a, GOOD)
    with scope(unit=unit_a):
        application = register(unit_a, received_on=timezone.datetime(2024, 5, 2).date())
    assert application.case.code == "P-2024-0015"


# Messages name the CSV columns, in the language the command runs in (English).
BAD_ROWS = [
    (",2024-03-04,Linköping,normal,,,,,,", "case_code is empty"),
    ("P-2024-0001,2024-03-04,Linköping,normal,,,,,,", "case code P-2024-0001 already exists in the unit"),
    ("P-2024-0099,2024-03-04,Linköping,normal,,,,,,", "case code P-2024-0099 is also on line 2"),
    ("811218-9876,2024-03-04,Linköping,normal,,,,,,", "case_code: This looks like a personal identity number"),
    ("X-" + "9" * 20 + ",2024-03-04,Linköping,normal,,,,,,", "case_code is longer than 20 characters"),
    ("P-2024-0100,,Linköping,normal,,,,,,", "received_on is empty"),
    ("P-2024-0100,04/03/2024,Linköping,normal,,,,,,", "received_on must be a date written YYYY-MM-DD"),
    ("P-2024-0100,2099-01-01,Linköping,normal,,,,,,", "received_on is in the future"),
    ("P-2024-0100,2024-03-04,Norrköping,normal,,,,,,",
     "municipality 'Norrköping' is not one of the unit's agreement municipalities (Finspång, Linköping)"),
    ("P-2024-0100,2024-03-04,Linköping,urgent,,,,,,", "priority must be acute or normal, not 'urgent'"),
    ("P-2024-0100,2024-03-04,Linköping,normal,2024-03-01,,,,,", "offered_on is before received_on"),
    ("P-2024-0100,2024-03-04,Linköping,normal,2024-03-10,2024-03-08,,,,", "closed_on is before offered_on"),
    ("P-2024-0100,2024-03-04,Linköping,normal,,,newspaper,,,", "contact_path must be one of self, family_centre"),
    ("P-2024-0100,2024-03-04,Linköping,normal,,,,30-40,,", "age_band must be one of -24, 25-34"),
    ("P-2024-0100,2024-03-04,Linköping,normal,,,,,engaged,", "relationship_type must be one of married"),
    ("P-2024-0100,2024-03-04,Linköping,normal,,,,,,two", "children_count must be a whole number from 0 to 20"),
    ("P-2024-0100,2024-03-04,Linköping,normal,,,,,,21", "children_count must be a whole number from 0 to 20"),
]


@pytest.mark.parametrize("row,message", BAD_ROWS, ids=[message[:40] for _row, message in BAD_ROWS])
def test_each_kind_of_bad_row_rejects_the_whole_file(unit_a, row, message):
    with scope(unit=unit_a):
        register(unit_a)  # the unit already has one application
        Case.objects.filter(unit=unit_a).update(code="P-2024-0001")
    good = "P-2024-0099,2024-03-01,Linköping,normal,,,,,,"
    with pytest.raises(RowErrors) as raised:
        _import(unit_a, f"{HEADER}\n{good}\n{row}\n")
    lines = [line for line, _message in raised.value.errors]
    assert lines == [3] * len(lines)
    assert any(text.startswith(message) for _line, text in raised.value.errors), raised.value.errors
    with scope(unit=unit_a):
        assert Application.objects.count() == 1 and Case.objects.count() == 1


def test_every_bad_row_is_listed_by_line(unit_a):
    text = f"{HEADER}\nP-1,2024-01-01,Linköping,,,,,,,\nP-2,bad,Linköping,,,,,,,\nP-3,2024-01-01,Linköping,,,,,,,\n" \
           "P-4,2024-01-01,Mars,maybe,,,,,,\n"
    with pytest.raises(RowErrors) as raised:
        _import(unit_a, text)
    assert [line for line, _message in raised.value.errors] == [3, 5, 5]


def test_a_missing_column_is_reported_on_the_header_line(unit_a):
    with pytest.raises(RowErrors) as raised:
        _import(unit_a, "case_code,received_on\nP-1,2024-01-01\n")
    assert raised.value.errors[0][0] == 1 and "municipality" in raised.value.errors[0][1]


def test_the_command_imports_a_file_and_refuses_a_bad_one(unit_a, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("import_csv", "--unit", unit_a.slug, "--kind", "applications", str(good),
                 stdout=open("/dev/null", "w"))
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nP-2025-0001,2025-01-02,Linköping,normal,,,,,,\nP-2025-0002,2025-01-02,,,,,,,,\n",
                   encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_csv", "--unit", unit_a.slug, "--kind", "applications", str(bad))
    assert "line 3: municipality '' is not one of" in str(raised.value)
    with scope(unit=unit_a):
        assert Application.objects.count() == 4
        assert not Case.objects.filter(code="P-2025-0001").exists()
