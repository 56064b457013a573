import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scope

from sessions.imports import import_sessions
from sessions.models import Session
from tests.sessions_helpers import case, close_month
from units.imports import RowErrors

HEADER = "date,start,minutes,format,participants,status,case_code,counsellor,location,fee"
GOOD = [
    "2025-03-04,09:00,60,couple,,held,P-2025-0001,alice,office,paid",
    "2025-03-05,13:30,120,group,6,held,,anna,office,exempt",
    "2025-03-06,,45,individual,,client_cancelled,P-2025-0001,,phone,none",
]


@pytest.fixture
def prepared(in_unit_a, alice, anna):
    return case(in_unit_a, "P-2025-0001")


def test_a_good_file_is_imported_whole(prepared, in_unit_a, alice, anna):
    assert import_sessions(unit=in_unit_a, text="\n".join([HEADER, *GOOD]), acting_user=None) == 3
    sessions = list(Session.objects.filter(unit=in_unit_a).order_by("date"))
    assert [(s.date.day, s.minutes, s.format, s.participants, s.status, s.fee) for s in sessions] == [
        (4, 60, "couple", 2, "held", "paid"), (5, 120, "group", 6, "held", "exempt"),
        (6, 45, "individual", 1, "client_cancelled", "none")]
    assert [list(s.counsellors.all()) for s in sessions] == [[alice], [anna], []]
    assert sessions[0].start_time == datetime.time(9, 0) and sessions[2].start_time is None
    assert sessions[2].location == "phone"
    prepared.refresh_from_db()
    assert prepared.started_on == datetime.date(2025, 3, 4)


@pytest.mark.parametrize(("row", "column"), [
    ("2025-13-04,09:00,60,couple,,held,,,office,paid", "date"),
    ("2025-03-04,9 am,60,couple,,held,,,office,paid", "start"),
    ("2025-03-04,09:00,sixty,couple,,held,,,office,paid", "minutes"),
    ("2025-03-04,09:00,0,couple,,held,,,office,paid", "minutes"),
    ("2025-03-04,09:00,60,triad,,held,,,office,paid", "format"),
    ("2025-03-04,09:00,60,group,,held,,,office,paid", "participants"),
    ("2025-03-04,09:00,60,group,many,held,,,office,paid", "participants"),
    ("2025-03-04,09:00,60,couple,,cancelled,,,office,paid", "status"),
    ("2025-03-04,09:00,60,couple,,held,P-9999-0001,,office,paid", "case_code"),
    ("2025-03-04,09:00,60,couple,,held,,bob,office,paid", "counsellor"),
    ("2025-03-04,09:00,60,couple,,held,,,garden,paid", "location"),
    ("2025-03-04,09:00,60,couple,,held,,,office,free", "fee"),
    ("2099-03-04,09:00,60,couple,,held,,,office,paid", "date"),
])
def test_each_kind_of_bad_row_rejects_the_whole_file(prepared, in_unit_a, bob, row, column):
    with pytest.raises(RowErrors) as excinfo:
        import_sessions(unit=in_unit_a, text="\n".join([HEADER, GOOD[0], row, GOOD[1]]))
    assert [line for line, _message in excinfo.value.errors] == [3]
    assert excinfo.value.errors[0][1].startswith(f"{column}:")
    assert not Session.objects.filter(unit=in_unit_a).exists()


def test_a_row_in_a_closed_billing_month_is_refused(prepared, in_unit_a):
    close_month(in_unit_a, datetime.date(2025, 3, 1))
    with pytest.raises(RowErrors) as excinfo:
        import_sessions(unit=in_unit_a, text="\n".join([HEADER, *GOOD]))
    assert [line for line, _message in excinfo.value.errors] == [2, 3, 4]
    assert not Session.objects.filter(unit=in_unit_a).exists()


def test_every_bad_row_is_listed_with_its_line(prepared, in_unit_a):
    text = "\n".join([HEADER, GOOD[0], "x,,60,couple,,held,,,office,paid", GOOD[1], "2025-03-04,,60,couple,,held,,,,x"])
    with pytest.raises(RowErrors) as excinfo:
        import_sessions(unit=in_unit_a, text=text)
    assert [line for line, _message in excinfo.value.errors] == [3, 5]


def test_a_missing_column_is_reported_on_line_1(in_unit_a):
    with pytest.raises(RowErrors) as excinfo:
        import_sessions(unit=in_unit_a, text="date,minutes\n2025-03-04,60")
    assert excinfo.value.errors[0][0] == 1
    assert "start" in excinfo.value.errors[0][1]


def test_the_command_imports_or_names_the_bad_lines(tmp_path, unit_a, alice, anna):
    with scope(unit=unit_a):
        case(unit_a, "P-2025-0001")
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, *GOOD]), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([HEADER, GOOD[0], "2025-03-04,09:00,60,couple,,held,,zed,office,paid"]), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="line 3"):
        call_command("import_csv", "--unit", unit_a.slug, "--kind", "sessions", str(bad))
    with scope(unit=unit_a):
        assert not Session.objects.filter(unit=unit_a).exists()
    call_command("import_csv", "--unit", unit_a.slug, "--kind", "sessions", str(good), stdout=open("/dev/null", "w"))
    with scope(unit=unit_a):
        assert Session.objects.filter(unit=unit_a).count() == 3


@pytest.mark.parametrize("code", ["Anna Svensson", "Storgatan 12", "P 2025 0001", "ABC"])
def test_a_case_code_off_the_pattern_is_refused_without_being_repeated(prepared, in_unit_a, code):
    with pytest.raises(RowErrors) as excinfo:
        import_sessions(unit=in_unit_a, text=f"{HEADER}\n2025-03-04,09:00,60,couple,,held,{code},,office,paid")
    [(line, message)] = excinfo.value.errors
    assert line == 2 and message.startswith("case_code:") and code not in message
    assert not Session.objects.filter(unit=in_unit_a).exists()


# --- the import's check is the form's check ------------------------------------------------------

CHECKED = [
    {},
    {"minutes": 0}, {"minutes": 481}, {"minutes": None},
    {"format": "triad"}, {"format": "group", "participants": None}, {"format": "group", "participants": 1},
    {"format": "individual", "participants": 2}, {"format": "family", "participants": 4},
    {"status": "cancelled"}, {"location": "garden"}, {"fee": "free"}, {"fee": ""},
    {"constellation": "whole_family"}, {"constellation": "nobody"}, {"activity": "x" * 30},
    {"date": datetime.date(2099, 1, 1)}, {"date": datetime.date(2025, 2, 10)}, {"date": None},
    {"start_time": None}, {"case": "closed"}, {"case": "open"}, {"counsellors": "outsider"},
    {"minutes": 0, "format": "triad", "date": datetime.date(2025, 2, 10), "counsellors": "outsider"},
]


@pytest.mark.parametrize("change", CHECKED, ids=[str(sorted(change)) for change in CHECKED])
def test_the_imports_check_says_what_session_check_says(in_unit_a, alice, bob, change):
    """services.session_values_check (an import: no instance, each field's own check asked once per
    value) gives session_check's values and messages, field by field, in the same order."""
    from sessions import services
    from tests.sessions_helpers import session_values

    close_month(in_unit_a, datetime.date(2025, 2, 1))
    cases = {"open": case(in_unit_a, "P-2025-0001"),
             "closed": case(in_unit_a, "P-2025-0002", closed_on=datetime.date(2025, 3, 1))}
    values = session_values(**{"date": datetime.date(2025, 3, 4), **change})
    values["case"] = cases.get(values["case"])
    counsellors = [alice, bob] if values.pop("counsellors", None) else [alice]
    facts = services.SessionFacts(in_unit_a, preload=True)

    def outcome(check):
        try:
            checked = check(unit=in_unit_a, counsellors=counsellors, facts=facts, **values)
        except ValidationError as error:
            return list(error.message_dict.items())
        return checked if isinstance(checked, dict) else {field: getattr(checked, field)
                                                           for field in services.SESSION_FIELDS}

    expected = outcome(services.session_check)
    assert outcome(services.session_values_check) == expected
    assert outcome(services.session_values_check) == expected  # remembered per value: the same again
    assert expected != [] and (isinstance(expected, dict) or all(messages for _field, messages in expected))
    assert isinstance(expected, dict) == (change in ({}, {"format": "family", "participants": 4},
                                                      {"start_time": None}, {"case": "open"},
                                                      {"constellation": "whole_family"}))


def test_session_has_no_clean_of_its_own():
    # session_values_check runs full_clean's field checks but not Model.clean: were a
    # Session.clean added, the import would have to run it too.
    from django.db import models

    assert Session.clean is models.Model.clean


def test_copy_writes_text_nulls_and_times_as_they_are(unit_a):
    from django.db import connection
    from django.utils import timezone

    from units.bulk import copy_rows
    from units.models import AuditEvent

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    now = timezone.now()
    texts = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "", "Åsa ø"]
    ids = copy_rows(AuditEvent, ["at", "user", "unit", "action", "object_type", "object_id"],
                    [(now, None, unit_a.pk, text, "", str(index)) for index, text in enumerate(texts)])
    stored = list(AuditEvent.objects.filter(pk__in=ids).order_by("pk").values_list(
        "pk", "at", "user", "unit", "action", "object_type", "object_id"))
    assert stored == [(pk, now, None, unit_a.pk, text, "", str(index))
                      for index, (pk, text) in enumerate(zip(ids, texts, strict=True))]
    assert ids == sorted(ids)
