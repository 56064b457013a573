"""Issue #11, finding 2: anonymous units keep no free text about a person, and case codes
follow one pattern in every mode. Unit alpha is anonymous, bravo is a case-mode unit."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from intake.imports import import_applications
from intake.models import Application, ExceptionReason, NoteCode
from intake.services import application_hand_over
from sessions.models import Case, is_case_code
from tests import factories
from tests.intake_helpers import days_ago, register
from units import pii
from units.imports import RowErrors

TODAY = timezone.localdate()
PERSON_TEXT = "Anna Svensson och Per Svensson, Storgatan 12, 582 22 Linköping, tel 070-123 45 67"


def _form(**changes):
    data = {"received_on": TODAY.isoformat(), "channel": "phone", "municipality": "", "contact_path": "",
            "age_band": "", "partner_age_band": "", "relationship_type": "", "relationship_length": "",
            "children_count": "", "youngest_child_age_band": "", "wanted_competence": ""}
    data.update(changes)
    return data


def _linkoping():
    return str(factories.municipality("Linköping").pk)


# --- the practical note and the exception reason: closed choices in anonymous units ----------

def test_the_anonymous_form_offers_choices_and_no_free_text(alice_client, unit_a):
    form = alice_client.get(f"/{unit_a.slug}/applications/new/").context["form"]
    assert "note" not in form.fields and "exception_reason" not in form.fields
    assert [value for value, _label in form.fields["note_codes"].choices] == NoteCode.values
    assert [value for value, _label in form.fields["exception_code"].choices][1:] == ExceptionReason.values


def test_a_posted_note_is_never_stored_in_an_anonymous_unit(alice_client, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/applications/new/", _form(
        municipality=_linkoping(), note=PERSON_TEXT, note_codes=["evening", "interpreter"]))
    assert response.status_code == 302
    with scope(unit=unit_a):
        application = Application.objects.get(unit=unit_a)
    assert (application.note, application.note_codes) == ("", "evening,interpreter")


def test_the_service_refuses_free_text_in_an_anonymous_unit(in_unit_a):
    with pytest.raises(ValidationError) as raised:
        register(in_unit_a, note=PERSON_TEXT)
    assert "note" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        register(in_unit_a, municipality=None, exception_code="moved",
                 exception_reason="Anna Svensson, Storgatan 12 Norrköping")
    assert "exception_reason" in raised.value.message_dict
    assert not Application.objects.exists() and not Case.objects.exists()


def test_an_unknown_note_code_is_refused(in_unit_a):
    with pytest.raises(ValidationError) as raised:
        register(in_unit_a, note_codes="evening,Kalle")
    assert "note_codes" in raised.value.message_dict
    assert not Application.objects.exists()


def test_the_application_page_shows_the_labels_of_the_choices(alice_client, in_unit_a):
    application = register(in_unit_a, municipality=None, exception_code="moved", note_codes="evening,no_phone")
    page = alice_client.get(f"/{in_unit_a.slug}/applications/{application.pk}/").content.decode()
    queue = alice_client.get(f"/{in_unit_a.slug}/queue/").content.decode()
    with translation.override("sv"):
        labels = [str(NoteCode.EVENING.label), str(NoteCode.NO_PHONE.label), str(ExceptionReason.MOVED.label)]
    for label in labels:
        assert label in page
    assert labels[0] in queue and labels[1] in queue
    assert "no_phone" not in page


def test_other_municipality_needs_a_reason_code_at_the_field(alice_client, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/applications/new/", _form(municipality="other"))
    assert response.status_code == 200 and "exception_code" in response.context["form"].errors
    with scope(unit=unit_a):
        assert not Application.objects.exists() and not Case.objects.exists()
    done = alice_client.post(f"/{unit_a.slug}/applications/new/", _form(municipality="other",
                                                                        exception_code="agreed"))
    assert done.status_code == 302
    with scope(unit=unit_a):
        stored = Application.objects.get()
    assert (stored.municipality, stored.exception_code, stored.exception_reason) == (None, "agreed", "")


def test_a_case_unit_keeps_its_guarded_free_text(unit_b):
    with scope(unit=unit_b):
        application = register(unit_b, municipality=None, exception_code="agreed",
                               exception_reason="Avtalat med socialkontoret", note="kvällstid")
        assert (application.note, application.exception_reason) == ("kvällstid", "Avtalat med socialkontoret")
        with pytest.raises(ValidationError) as raised:
            register(unit_b, municipality="Stockholm", note="ring 811218-9876")
        assert "note" in raised.value.message_dict


def test_the_case_units_form_runs_the_unit_aware_guard(bob_client, unit_b, monkeypatch):
    def refuse(value, *, unit=None):
        if "FORBIDDEN" in value:
            raise ValidationError("guarded", code="guard")

    monkeypatch.setattr(pii, "guard_text", refuse)
    response = bob_client.post(f"/{unit_b.slug}/applications/new/", _form(
        municipality="other", exception_code="agreed", exception_reason="FORBIDDEN", note="FORBIDDEN"))
    assert response.status_code == 200
    assert "guarded" in response.context["form"].errors["note"]
    assert "guarded" in response.context["form"].errors["exception_reason"]
    with scope(unit=unit_b):
        assert not Application.objects.exists()


# --- a hand-over carries no free text ------------------------------------------------------------

@pytest.fixture
def provider(unit_a):
    return factories.unit("charlie", org=factories.organisation("other", "Annan utförare AB", "Linköping"),
                          funders=("Finspång",))


def test_a_hand_over_carries_codes_and_never_free_text(unit_b, bob):
    # A case-mode sender may keep guarded free text; none of it travels.
    receiver = factories.unit("echo", org=factories.organisation("ostergotland", "Annan kommun", "Stockholm"),
                              funders=("Stockholm",))
    with scope(unit=unit_b):
        application = register(unit_b, received_on=days_ago(4), municipality=None, exception_code="moved",
                               exception_reason="Anna Svensson, Storgatan 12 Norrköping", note="Anna, kvällar",
                               note_codes="interpreter")
        application_hand_over(application=application, receiver=receiver, handed_over_on=TODAY, acting_user=bob)
    with scope(unit=receiver):
        received = Application.objects.get(unit=receiver)
    assert (received.municipality, received.exception_code, received.exception_reason, received.note,
            received.note_codes, received.received_from) == (None, "moved", "", "", "interpreter", unit_b)


def test_a_hand_over_outside_the_receivers_agreements_is_coded_as_handed_over(in_unit_a, anna, provider):
    application = register(in_unit_a, received_on=days_ago(2))  # Linköping: charlie has no such agreement
    application_hand_over(application=application, receiver=provider, handed_over_on=TODAY, acting_user=anna)
    with scope(unit=provider):
        received = Application.objects.get(unit=provider)
    assert (received.municipality, received.exception_code, received.exception_reason) == (
        None, ExceptionReason.HANDED_OVER, "")


# --- case codes follow a pattern in every mode ---------------------------------------------------

@pytest.mark.parametrize("code", ["P-2025-0142", "U-2025-0001", "T-00001", "P-1", "2025-17", "AB12",
                                  "X-" + "9" * 18])
def test_codes_of_the_pattern_pass(code):
    assert is_case_code(code)


@pytest.mark.parametrize("code", ["Anna Svensson", "Storgatan 12", "anna svensson", "P 2025 0142", "ABC-DEF",
                                  "P_2025_1", "P-2025-0142 ", "X-" + "9" * 19, "", "Åsa-1", "P-2025/1"])
def test_codes_off_the_pattern_fail(code):
    assert not is_case_code(code)


@pytest.mark.parametrize("unit_name", ["unit_a", "unit_b"])
def test_the_case_model_refuses_a_code_off_the_pattern(request, unit_name):
    unit = request.getfixturevalue(unit_name)
    with pytest.raises(ValidationError) as raised:
        Case(unit=unit, code="Anna Svensson", opened_on=TODAY).full_clean()
    assert "code" in raised.value.message_dict


HEADER = "case_code,received_on,municipality,priority,offered_on,closed_on,contact_path,age_band," \
         "relationship_type,children_count"


def test_an_import_refuses_names_and_addresses_as_case_codes(unit_a):
    text = (f"{HEADER}\nP-2024-0001,2024-03-01,Linköping,,,,,,,\nAnna Svensson,2024-03-01,Linköping,,,,,,,\n"
            "Storgatan 12,2024-03-02,Linköping,,,,,,,\n")
    with scope(unit=unit_a), pytest.raises(RowErrors) as raised:
        import_applications(unit=unit_a, text=text, acting_user=None)
    assert [line for line, _message in raised.value.errors] == [3, 4]
    # The guard may name what the cell looks like (a street address) before the pattern is checked.
    assert all(message.startswith("case_code") for _line, message in raised.value.errors), raised.value.errors
    assert "case_code must be letters, digits and dashes" in raised.value.errors[0][1]
    with scope(unit=unit_a):
        assert not Case.objects.exists() and not Application.objects.exists()


def test_an_import_runs_the_guard_on_its_text_cells(unit_a, monkeypatch):
    def refuse(value, *, unit=None):
        if value == "P-2024-0666":
            raise ValidationError("guarded", code="guard")

    monkeypatch.setattr(pii, "guard_text", refuse)
    text = f"{HEADER}\nP-2024-0666,2024-03-01,Linköping,,,,,,,\n"
    with scope(unit=unit_a), pytest.raises(RowErrors) as raised:
        import_applications(unit=unit_a, text=text, acting_user=None)
    assert raised.value.errors == [(2, "case_code: guarded")]


def test_the_queue_search_finds_nothing_for_a_term_off_the_pattern(alice_client, in_unit_a):
    application = register(in_unit_a)
    Case.objects.filter(pk=application.case_id).update(code="Anna Svensson")  # written before the rule
    response = alice_client.get(f"/{in_unit_a.slug}/queue/", {"code": "anna svensson"})
    assert response.status_code == 200
    Case.objects.filter(pk=application.case_id).update(code="P-2025-0142")
    found = alice_client.get(f"/{in_unit_a.slug}/queue/", {"code": "p-2025-0142"})
    assert found.status_code == 302 and found["Location"].endswith(f"/applications/{application.pk}/")


# --- the data migration: existing free text becomes a code or nothing ------------------------------

migration = importlib.import_module("intake.migrations.0004_free_text_to_codes")


@pytest.mark.parametrize("text,codes", [
    ("kan bara komma kvällar", ["evening"]),
    ("Behöver tolk, kvällstid", ["evening", "interpreter"]),
    ("rullstol", ["accessibility"]),
    ("Ring inte hem", ["no_phone"]),
    (PERSON_TEXT, []),
    ("", []),
])
def test_the_migration_maps_a_note_to_codes(text, codes):
    assert migration.note_codes_for(text) == codes


@pytest.mark.parametrize("text,code", [
    ("Överenskommelse med socialförvaltningen: flyttar till Linköping", "moved"),
    ("Överenskommelse med socialförvaltningen: barnen bor i Linköping", "agreed"),
    ("Skyddad adress", "safety"),
    ("Överlämnad av Familjerådgivningen Alfa", "handed_over"),
    ("Anna Svensson, Storgatan 12 Norrköping", "agreed"),
])
def test_the_migration_maps_an_exception_reason_to_a_code(text, code):
    assert migration.exception_code_for(text) == code


def test_the_migration_blanks_free_text_in_anonymous_units_only(in_unit_a, unit_b):
    anonymous = register(in_unit_a, municipality=None, exception_code="agreed")
    Application.objects.filter(pk=anonymous.pk).update(
        note="kvällar, Anna Svensson 070-123 45 67", exception_code="", exception_reason="Skyddad adress, Storgatan 12")
    with scope(unit=unit_b):
        kept = register(unit_b, note="kvällstid", municipality=None, exception_code="agreed",
                        exception_reason="Flyttar till Stockholm")
        Application.objects.filter(pk=kept.pk).update(exception_code="")
    with scopes_disabled():
        migration.forwards(apps, None)
        anonymous.refresh_from_db()
        kept.refresh_from_db()
    assert (anonymous.note, anonymous.note_codes, anonymous.exception_reason, anonymous.exception_code) == (
        "", "evening", "", "safety")
    assert (kept.note, kept.note_codes, kept.exception_reason, kept.exception_code) == (
        "kvällstid", "evening", "Flyttar till Stockholm", "moved")
