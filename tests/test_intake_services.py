import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from intake.models import Application, CaseCodeSequence, CounsellorCompetence, Outcome
from intake.services import (
    application_assign,
    application_hand_over,
    application_offer,
    application_register,
    application_withdraw,
    counsellor_competences_set,
)
from sessions.models import Case
from tests import factories
from tests.intake_helpers import days_ago, register
from units.models import AuditEvent, Municipality

TODAY = timezone.localdate()
YEAR = TODAY.year


def test_register_opens_a_case_under_the_units_next_code(in_unit_a, alice):
    first = register(in_unit_a, user=alice, acute=True, age_band="25-34", note_codes="evening")
    second = register(in_unit_a, user=alice)
    assert first.case.code == f"P-{YEAR}-0001"
    assert second.case.code == f"P-{YEAR}-0002"
    case = Case.objects.get(pk=first.case_id)
    assert (case.unit, case.opened_on, case.started_on, case.closed_on) == (in_unit_a, TODAY, None, None)
    stored = Application.objects.get(pk=first.pk)
    assert stored.acute and stored.age_band == "25-34" and stored.outcome == "" and stored.is_waiting
    assert CaseCodeSequence.objects.get(unit=in_unit_a, year=YEAR).last_number == 2
    assert list(AuditEvent.objects.filter(unit=in_unit_a).values_list("action", "user__username", "object_id")) == [
        ("application.register", "alice", str(second.pk)), ("application.register", "alice", str(first.pk))]


def test_code_numbering_follows_the_received_year_and_restarts_each_year(in_unit_a):
    last_year = register(in_unit_a, received_on=datetime.date(YEAR - 1, 12, 30))
    this_year = register(in_unit_a)
    assert last_year.case.code == f"P-{YEAR - 1}-0001"
    assert this_year.case.code == f"P-{YEAR}-0001"


def test_code_numbering_skips_codes_already_taken(in_unit_a):
    Case.objects.create(unit=in_unit_a, code=f"P-{YEAR}-0001", opened_on=TODAY)
    assert register(in_unit_a).case.code == f"P-{YEAR}-0002"


def test_each_unit_numbers_its_own_codes(in_unit_a, unit_b):
    register(in_unit_a)
    with scope(unit=unit_b):
        other = register(unit_b, municipality="Stockholm")
    assert other.case.code == f"P-{YEAR}-0001"


def test_other_municipality_needs_a_reason_and_is_stored_apart(in_unit_a):
    with pytest.raises(ValidationError) as raised:
        register(in_unit_a, municipality=None)
    assert "exception_code" in raised.value.message_dict
    exception = register(in_unit_a, municipality=None, exception_code="agreed")
    assert exception.municipality is None and exception.exception_code == "agreed"


def test_a_municipality_without_agreement_is_refused_and_nothing_is_written(in_unit_a):
    factories.municipality("Norrköping")
    with pytest.raises(ValidationError) as raised:
        register(in_unit_a, municipality="Norrköping")
    assert "municipality" in raised.value.message_dict
    assert not Case.objects.filter(unit=in_unit_a).exists()
    assert not CaseCodeSequence.objects.filter(unit=in_unit_a).exists()


def test_a_received_date_in_the_future_is_refused(in_unit_a):
    with pytest.raises(ValidationError) as raised:
        register(in_unit_a, received_on=TODAY + datetime.timedelta(days=1))
    assert "received_on" in raised.value.message_dict
    assert not Application.objects.filter(unit=in_unit_a).exists()


# The PII guard (000_610e279258caecb4.txt: "Varken journal eller register förs").
IDENTITY_NUMBERS = ["811218-9876", "8112189876", "19811218-9876", "198112189876", "811218+9876", "701063-2391",
                    "010190-1234", "0101901234"]


@pytest.mark.parametrize("number", IDENTITY_NUMBERS)
@pytest.mark.parametrize("field", ["note", "exception_reason"])
def test_free_text_rejects_identity_numbers_and_writes_nothing(unit_b, field, number):
    # Only case-mode units keep free text (tests/test_intake_anonymity.py has the anonymous side).
    fields = {field: f"ring {number} efter 17", "municipality": "Stockholm"}
    if field == "exception_reason":
        fields.update(municipality=None, exception_code="agreed")
    with scope(unit=unit_b):
        with pytest.raises(ValidationError) as raised:
            register(unit_b, **fields)
        assert "personnummer" in " ".join(raised.value.message_dict[field])
        assert not Application.objects.filter(unit=unit_b).exists()
        assert not Case.objects.filter(unit=unit_b).exists()


@pytest.mark.parametrize("text", ["kan bara komma kvällar", "tel 013-20 60 00", "P-2025-0142"])
def test_free_text_without_identity_numbers_is_kept(unit_b, text):
    with scope(unit=unit_b):
        assert register(unit_b, municipality="Stockholm", note=text).note == text


def test_offer_ends_the_wait_and_starts_the_case(in_unit_a, alice):
    application = register(in_unit_a, received_on=days_ago(10))
    application_offer(application=application, offered_on=days_ago(2), acting_user=alice)
    application.refresh_from_db()
    assert application.offered_on == days_ago(2)
    assert application.outcome == Outcome.STARTED
    assert application.closed_on is None and not application.is_waiting
    assert AuditEvent.objects.filter(unit=in_unit_a, action="application.offer", object_id=str(application.pk),
                                     user=alice).count() == 1


@pytest.mark.parametrize("offered", [days_ago(11), TODAY + datetime.timedelta(days=1)])
def test_offer_date_must_lie_between_received_and_today(in_unit_a, alice, offered):
    application = register(in_unit_a, received_on=days_ago(10))
    with pytest.raises(ValidationError):
        application_offer(application=application, offered_on=offered, acting_user=alice)
    application.refresh_from_db()
    assert application.offered_on is None and application.outcome == ""


def test_an_application_is_offered_only_once(in_unit_a, alice):
    application = register(in_unit_a, received_on=days_ago(10))
    application_offer(application=application, offered_on=days_ago(5), acting_user=alice)
    with pytest.raises(ValidationError):
        application_offer(application=application, offered_on=days_ago(1), acting_user=alice)
    application.refresh_from_db()
    assert application.offered_on == days_ago(5)


def test_assign_to_a_counsellor_of_the_unit(in_unit_a, alice, anna):
    application = register(in_unit_a)
    application_assign(application=application, counsellor_id=alice.pk, acting_user=anna)
    application.refresh_from_db()
    assert application.assigned_to == alice
    assert AuditEvent.objects.filter(action="application.assign", user=anna, object_id=str(application.pk)).exists()


def test_assign_refuses_someone_outside_the_unit(in_unit_a, anna, bob):
    application = register(in_unit_a)
    with pytest.raises(ValidationError):
        application_assign(application=application, counsellor_id=bob.pk, acting_user=anna)
    application.refresh_from_db()
    assert application.assigned_to is None


@pytest.mark.parametrize("outcome", [Outcome.WITHDRAWN, Outcome.REFERRED])
def test_withdraw_or_refer_closes_the_application_and_its_case(in_unit_a, alice, outcome):
    application = register(in_unit_a, received_on=days_ago(4))
    application_withdraw(application=application, outcome=outcome, closed_on=days_ago(1), acting_user=alice)
    application.refresh_from_db()
    assert (application.outcome, application.closed_on) == (outcome, days_ago(1))
    assert Case.objects.get(pk=application.case_id).closed_on == days_ago(1)
    assert AuditEvent.objects.filter(action=f"application.{outcome}", object_id=str(application.pk)).exists()


def test_an_offer_declined_is_withdrawn(in_unit_a, alice):
    application = register(in_unit_a, received_on=days_ago(4))
    application_offer(application=application, offered_on=days_ago(3), acting_user=alice)
    application_withdraw(application=application, outcome=Outcome.WITHDRAWN, closed_on=days_ago(1), acting_user=alice)
    application.refresh_from_db()
    assert (application.offered_on, application.outcome) == (days_ago(3), Outcome.WITHDRAWN)


def test_withdraw_is_refused_once_a_session_was_held(in_unit_a, alice):
    application = register(in_unit_a, received_on=days_ago(20))
    application_offer(application=application, offered_on=days_ago(15), acting_user=alice)
    Case.objects.filter(pk=application.case_id).update(started_on=days_ago(10))
    with pytest.raises(ValidationError):
        application_withdraw(application=application, outcome=Outcome.WITHDRAWN, closed_on=TODAY, acting_user=alice)
    application.refresh_from_db()
    assert application.outcome == Outcome.STARTED and application.closed_on is None


def test_withdraw_only_takes_withdrawn_or_referred(in_unit_a, alice):
    application = register(in_unit_a)
    with pytest.raises(ValidationError):
        application_withdraw(application=application, outcome=Outcome.TRANSFERRED, closed_on=TODAY, acting_user=alice)
    assert Application.objects.get(pk=application.pk).is_waiting


@pytest.fixture
def provider(unit_a):
    """Another family-counselling provider in Sweden that also serves Linköping residents."""
    return factories.unit("charlie", org=factories.organisation("other", "Annan utförare AB", "Linköping"),
                          funders=("Linköping",))


def test_hand_over_creates_a_new_application_in_the_receiving_unit(in_unit_a, anna, provider):
    application = register(in_unit_a, received_on=days_ago(6), acute=True, small_children=True, age_band="35-44",
                           relationship_type="married", children_count=2, wanted_competence="violence",
                           note_codes="evening")
    application_hand_over(application=application, receiver=provider, handed_over_on=days_ago(1), acting_user=anna)

    application.refresh_from_db()
    assert (application.handed_over_to, application.outcome, application.closed_on) == (
        provider, Outcome.TRANSFERRED, days_ago(1))
    assert Case.objects.get(pk=application.case_id).closed_on == days_ago(1)
    with scope(unit=provider):
        received = Application.objects.select_related("case").get(unit=provider)
        assert received.case.code == f"P-{YEAR}-0001"
        assert received.received_on == days_ago(6) and received.received_from == in_unit_a
        assert received.municipality.name == "Linköping" and received.exception_code == ""
        assert (received.acute, received.small_children, received.age_band, received.relationship_type,
                received.children_count, received.wanted_competence, received.note_codes) == (
            True, True, "35-44", "married", 2, "violence", "evening")
        assert received.is_waiting and received.assigned_to is None and received.handed_over_to is None
    assert list(AuditEvent.objects.order_by("pk").values_list("unit__slug", "action"))[-2:] == [
        ("alpha", "application.hand_over"), ("charlie", "application.receive")]


def test_hand_over_to_a_unit_without_agreement_for_the_municipality_records_an_exception(in_unit_a, anna):
    # Delta shares a funder with alpha (Finspång) but has no agreement with Linköping.
    receiver = factories.unit("delta", org=factories.organisation("norrkoping", "Norrköpings kommun", "Norrköping"),
                              funders=("Finspång",))
    application = register(in_unit_a, received_on=days_ago(3))
    application_hand_over(application=application, receiver=receiver, handed_over_on=TODAY, acting_user=anna)
    with scope(unit=receiver):
        received = Application.objects.get(unit=receiver)
    assert (received.municipality, received.exception_code, received.exception_reason) == (None, "handed_over", "")
    assert received.received_from == in_unit_a


def test_the_sender_never_sees_the_receivers_later_data(in_unit_a, anna, provider):
    application = register(in_unit_a)
    application_hand_over(application=application, receiver=provider, handed_over_on=TODAY, acting_user=anna)
    with scope(unit=provider):
        received = Application.objects.get(unit=provider)
        application_offer(application=received, offered_on=TODAY, acting_user=None)
    # In the sender's scope the receiver's application does not exist, and nothing points to it.
    assert not Application.objects.filter(pk=received.pk).exists()
    application.refresh_from_db()
    assert application.offered_on is None and application.outcome == Outcome.TRANSFERRED


@pytest.mark.parametrize("receiver_kind", ["itself", "other country", "case-mode team", "no shared funder"])
def test_hand_over_only_to_a_provider_of_the_same_kind_and_country(in_unit_a, anna, unit_b, receiver_kind):
    receivers = {
        "no shared funder": lambda: factories.unit("foxtrot", org=factories.organisation(
            "norrkoping", "Norrköpings kommun", "Norrköping"), funders=("Norrköping",)),
        "itself": lambda: in_unit_a,
        "other country": lambda: factories.unit("echo", org=factories.organisation("kobenhavn", "Kbh", "København",
                                                                                  "DK"),
                                                country="DK", language="da", funders=("København",)),
        "case-mode team": lambda: unit_b,
    }
    if receiver_kind == "case-mode team":
        unit_b.kind = "familjebehandling"
        unit_b.save()
    application = register(in_unit_a)
    with pytest.raises(ValidationError):
        application_hand_over(application=application, receiver=receivers[receiver_kind](), handed_over_on=TODAY,
                              acting_user=anna)
    application.refresh_from_db()
    assert application.is_waiting and application.handed_over_to is None
    assert Application.objects.count() == 1


def test_only_a_waiting_application_is_handed_over(in_unit_a, anna, provider):
    application = register(in_unit_a, received_on=days_ago(3))
    application_offer(application=application, offered_on=TODAY, acting_user=anna)
    with pytest.raises(ValidationError):
        application_hand_over(application=application, receiver=provider, handed_over_on=TODAY, acting_user=anna)
    with scope(unit=provider):
        assert not Application.objects.filter(unit=provider).exists()


def test_competences_are_replaced(in_unit_a, alice, anna):
    counsellor_competences_set(unit=in_unit_a, counsellor_id=alice.pk, competences=["violence", "hbtq"],
                               acting_user=anna)
    counsellor_competences_set(unit=in_unit_a, counsellor_id=alice.pk, competences=["hbtq", "sexology"],
                               acting_user=anna)
    assert sorted(CounsellorCompetence.objects.filter(user=alice).values_list("competence", flat=True)) == [
        "hbtq", "sexology"]
    assert AuditEvent.objects.filter(action="counsellor_competence.set", object_id=str(alice.pk)).count() == 2


def test_competences_only_for_the_units_counsellors(in_unit_a, anna, bob):
    with pytest.raises(ValidationError):
        counsellor_competences_set(unit=in_unit_a, counsellor_id=bob.pk, competences=["violence"], acting_user=anna)
    assert not CounsellorCompetence.objects.filter(unit=in_unit_a).exists()


def test_register_takes_municipalities_only_from_agreements_valid_on_the_received_day(in_unit_a):
    from units.models import Agreement

    Agreement.objects.filter(unit=in_unit_a, municipality__name="Finspång").update(valid_to=days_ago(30))
    with pytest.raises(ValidationError):
        application_register(unit=in_unit_a, acting_user=None, received_on=TODAY,
                             municipality=Municipality.objects.get(name="Finspång"))
    earlier = application_register(unit=in_unit_a, acting_user=None, received_on=days_ago(31),
                                   municipality=Municipality.objects.get(name="Finspång"))
    assert earlier.municipality.name == "Finspång"
