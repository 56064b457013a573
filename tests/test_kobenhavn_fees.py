"""The visit fee is a unit setting (units.fees): which choices exist decides the session form, the
session service (so imports and the calendar's one-click outcome), and the price tables. København:
"børnefamilier kan modtage gratis familieorienteret rådgivning" (004_4991f6e8c25cfe0a.txt) — a free
service offers no visit fee anywhere."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from billing.services import fee_enter
from bookings.services import booking_outcome
from sessions.forms import SessionForm
from sessions.models import Session
from sessions.services import session_log
from tests import factories
from tests.bookings_helpers import booking
from tests.conftest import logged_in
from tests.sessions_helpers import session_values
from tests.test_unit_settings import _form
from units import fees
from units.models import AuditEvent, Unit


@pytest.fixture
def amager(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    return factories.unit("kbh-a", org=org, name="Familierådgivningen Amager", kind=Unit.Kind.OPEN_COUNSELLING,
                          language="da", country="DK", funders=("København",), visit_fee_asked=False)


@pytest.fixture
def mette(amager):
    return factories.user("mette", unit=amager, role="chief")


def test_the_rule_not_applicable_always_exists_and_a_free_service_offers_nothing_else(amager, unit_a, unit_b):
    assert fees.offered_fees(amager) == ["none"] and fees.is_free(amager) and not fees.form_asks(amager)
    assert fees.offered_fees(unit_a) == ["none", "paid", "exempt"] and fees.form_asks(unit_a)
    unit_a.visit_fee_choices = "exempt"
    assert fees.offered_fees(unit_a) == ["none", "exempt"] and fees.is_free(unit_a)
    assert fees.fee_or_default(unit_a, "paid") == "none"  # a usual fee no longer offered
    unit_a.default_visit_fee = "exempt"
    assert fees.fee_or_default(unit_a, "paid") == "exempt"
    assert fees.stored_choices("exempt,paid,bogus,") == ["paid", "exempt"]
    assert not fees.form_asks(unit_b)  # a case unit's form never asks


def test_gratis_radgivning_the_session_form_of_a_free_service_has_no_fee_field(amager, mette, unit_a, alice):
    with scope(unit=amager):
        assert "fee" not in SessionForm(unit=amager, user=mette).fields
    unit_a.visit_fee_choices, unit_a.default_visit_fee = "paid", "exempt"
    with scope(unit=unit_a):
        form = SessionForm(unit=unit_a, user=alice)
    assert [value for value, _label in form.fields["fee"].choices] == ["paid", "none"]  # the form's own order
    assert form.fields["fee"].initial == "none"  # "exempt" is preselected but not offered


def test_gratis_radgivning_a_paid_session_is_refused_by_the_service_and_nothing_written(amager, mette):
    with scope(unit=amager):
        for fee in ("paid", "exempt"):
            with pytest.raises(ValidationError) as refused:
                session_log(unit=amager, acting_user=mette, **session_values(fee=fee))
            assert refused.value.message_dict["fee"] == ["Visits to this unit are free: a session carries no "
                                                         "visit fee."]
        session_log(unit=amager, acting_user=mette, **session_values(fee="none"))
        assert list(Session.objects.filter(unit=amager).values_list("fee", flat=True)) == ["none"]


def test_a_choice_the_unit_does_not_offer_is_refused_with_its_name(unit_a, alice):
    unit_a.visit_fee_choices = "paid"
    unit_a.save()
    with scope(unit=unit_a), pytest.raises(ValidationError) as refused:
        session_log(unit=unit_a, acting_user=alice, **session_values(fee="exempt"))
    assert "“Exempt”" in refused.value.message_dict["fee"][0]


def test_a_session_marked_exempt_before_the_unit_became_free_can_still_be_edited_and_corrected(unit_a, alice, anna):
    """Only a new value is checked against today's fee setting: the stored "exempt" passes an edit and
    a correction that keep it; changing it to one the unit no longer offers is refused."""
    from sessions.services import session_correct, session_update
    from tests.sessions_helpers import DAY, close_month, session

    with scope(unit=unit_a):
        kept = session(unit_a, counsellors=[alice], fee="exempt", status="held", location="office")
        locked = session(unit_a, counsellors=[alice], fee="exempt", status="held", location="office",
                         date=DAY.replace(year=DAY.year - 1))
        unit_a.visit_fee_asked = False
        unit_a.save()
        assert session_update(session=kept, acting_user=alice, minutes=75).minutes == 75
        with pytest.raises(ValidationError) as refused:
            session_update(session=kept, acting_user=alice, fee="paid")
        assert "fee" in refused.value.message_dict
        close_month(unit_a, locked.date)
        correction = session_correct(original=locked, acting_user=anna, minutes=90)
        assert (correction.fee, correction.minutes) == ("exempt", 90)
        kept.refresh_from_db()
        assert (kept.fee, kept.minutes) == ("exempt", 75)


def test_the_import_refuses_a_paid_visit_in_a_free_service(amager, mette):
    from sessions.imports import import_sessions
    from units.imports import RowErrors

    text = ("date;start;minutes;format;participants;status;case_code;counsellor;location;fee\n"
            "2025-03-03;;60;couple;;held;;;;paid\n2025-03-04;;60;couple;;held;;;;\n")
    with scope(unit=amager):
        with pytest.raises(RowErrors) as refused:
            import_sessions(unit=amager, text=text, acting_user=mette)
        assert Session.objects.filter(unit=amager).count() == 0
    assert [line for line, message in refused.value.errors if "free" in message] == [2]


def test_a_bookings_outcome_in_a_free_service_logs_no_fee_whatever_was_usual(amager, mette):
    with scope(unit=amager):
        Session.objects.create(unit=amager, date=datetime.date(2025, 1, 2), minutes=60, format="couple",
                               fee="paid", logged_by=mette)  # from before the service was made free
        held = booking_outcome(booking=booking(amager, counsellors=[mette]), acting_user=mette, status="held")
    assert held.fee == "none"


def test_the_price_tables_of_a_free_service_take_no_visit_fee(amager, mette):
    client = logged_in(mette)
    page = client.get(f"/{amager.slug}/billing/prices/")
    assert page.status_code == 200 and 'id="free-service"' in page.content.decode()
    with scope(unit=amager):
        agreement = amager.agreements.get()
        with pytest.raises(ValidationError) as refused:
            fee_enter(unit=amager, agreement=agreement, year=2025, municipality=agreement.municipality, fee=100,
                      first_visit_free=False, fee_on_no_show=False, acting_user=mette)
    assert "free" in refused.value.messages[0]
    assert not AuditEvent.objects.filter(action__startswith="billing.fee").exists()


def test_the_settings_page_decides_the_choices_refuses_a_choice_less_form_and_writes_nothing(unit_a, anna, alice):
    chief, counsellor = logged_in(anna), logged_in(alice)
    url = f"/{unit_a.slug}/settings/"
    refused = chief.post(url, _form(unit_a, **{"unit-visit_fee_choices": [], "unit-name": "Nytt namn"}))
    assert refused.status_code == 200
    assert refused.context["page"].form.errors["visit_fee_choices"]
    wrong_default = chief.post(url, _form(unit_a, **{"unit-visit_fee_choices": ["exempt"],
                                                     "unit-default_visit_fee": "paid"}))
    assert wrong_default.context["page"].form.errors["default_visit_fee"]
    unit_a.refresh_from_db()
    assert (unit_a.name, unit_a.visit_fee_choices) == ("Familjerådgivningen Alfa", "paid,exempt")
    saved = chief.post(url, _form(unit_a, **{"unit-visit_fee_choices": ["exempt"]}))
    assert saved.status_code == 302
    unit_a.refresh_from_db()
    assert unit_a.visit_fee_choices == "exempt"
    assert AuditEvent.objects.filter(action="unit.settings_change", object_type="unit.visit_fee_choices").exists()
    fee = counsellor.get(f"/{unit_a.slug}/sessions/new/").context["form"].fields["fee"]
    assert [value for value, _label in fee.choices] == ["exempt", "none"]


def test_the_session_list_of_a_free_service_has_no_visit_fee_column_but_the_export_keeps_it(amager, mette, alice_client,
                                                                                           unit_a):
    client = logged_in(mette)
    with scope(unit=amager):
        session_log(unit=amager, acting_user=mette, **session_values(fee="none"))
    page = client.get(f"/{amager.slug}/sessions/").content.decode()
    assert "Besøgsgebyr" not in page and "Ikke relevant" not in page
    exported = client.get(f"/{amager.slug}/sessions/?export=csv").content.decode("utf-8-sig").splitlines()
    assert "Besøgsgebyr" in exported[0]  # the same columns in every unit: it imports back
    assert "Besöksavgift" in alice_client.get(f"/{unit_a.slug}/sessions/").content.decode()


def test_the_edit_form_offers_a_stored_fee_the_unit_no_longer_offers_and_saves_it_unchanged(unit_a, alice):
    """A unit that still asks the fee but dropped "exempt": an old exempt session's edit form shows
    "exempt" chosen and saves it as it was; a new session's form does not offer it."""
    from tests.sessions_helpers import session

    with scope(unit=unit_a):
        old = session(unit_a, counsellors=[alice], fee="exempt", status="held", location="office")
    unit_a.visit_fee_asked, unit_a.visit_fee_choices = True, "paid"
    unit_a.save()
    client = logged_in(alice)
    edit = client.get(f"/{unit_a.slug}/sessions/{old.pk}/").content.decode()
    assert 'value="exempt"' in edit and 'value="paid"' in edit
    assert 'value="exempt"' not in client.get(f"/{unit_a.slug}/sessions/new/").content.decode()
    with scope(unit=unit_a):
        form = SessionForm(unit=unit_a, user=alice, session=old, initial={"fee": "exempt"})
        assert [value for value, _label in form.fields["fee"].choices] == ["paid", "exempt", "none"]
    data = {"date": old.date.isoformat(), "start_time": "", "minutes": "75", "format": old.format,
            "participants": str(old.participants), "status": "held", "location": "office", "fee": "exempt",
            "counsellors": [alice.pk], "case": ""}
    assert client.post(f"/{unit_a.slug}/sessions/{old.pk}/", data).status_code == 302
    with scope(unit=unit_a):
        old.refresh_from_db()
    assert (old.fee, old.minutes) == ("exempt", 75)
