"""Booking, moving, cancelling and the one-click outcome — through the services, on PostgreSQL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.models import Booking, CalendarFeed
from intake.models import Application
from sessions.models import Session
from tests import factories
from tests.bookings_helpers import booking, booking_values, today
from tests.sessions_helpers import case, close_month
from units.models import AuditEvent

T = datetime.time


def _errors(excinfo):
    return excinfo.value.message_dict


def _book(unit, user, **overrides):
    counsellors = overrides.pop("counsellors", [user])
    return services.booking_create(unit=unit, acting_user=user, counsellors=counsellors,
                                   **booking_values(**overrides))


# --- booking --------------------------------------------------------------------------------

def test_a_weekly_series_across_summer_time_keeps_its_start(in_unit_a, alice):
    made = services.booking_create(
        unit=in_unit_a, acting_user=alice, counsellors=[alice], every_weeks=1, until=datetime.date(2027, 4, 12),
        today=datetime.date(2027, 3, 1), **booking_values(date=datetime.date(2027, 3, 15), start_time=T(17, 0)))
    stored = list(Booking.objects.filter(unit=in_unit_a).order_by("date"))
    assert [b.date for b in stored] == [datetime.date(2027, 3, 15) + datetime.timedelta(weeks=n) for n in range(5)]
    assert {b.start_time for b in stored} == {T(17, 0)}
    assert len({b.series for b in stored}) == 1 and stored[0].series is not None
    assert all(list(b.counsellors.all()) == [alice] for b in stored)
    assert AuditEvent.objects.filter(action="booking.create", unit=in_unit_a).count() == len(made) == 5


def test_a_fortnightly_series_over_new_year(in_unit_a, alice):
    services.booking_create(
        unit=in_unit_a, acting_user=alice, counsellors=[alice], every_weeks=2, until=datetime.date(2027, 1, 31),
        today=datetime.date(2026, 12, 1), **booking_values(date=datetime.date(2026, 12, 14)))
    assert list(Booking.objects.filter(unit=in_unit_a).values_list("date", flat=True)) == [
        datetime.date(2026, 12, 14), datetime.date(2026, 12, 28), datetime.date(2027, 1, 11),
        datetime.date(2027, 1, 25)]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"date": datetime.date(2020, 1, 1)}, "date"),
    ({"minutes": 0}, "minutes"),
    ({"minutes": 481}, "minutes"),
    ({"start_time": T(23, 30), "minutes": 60}, "minutes"),
    ({"format": "family", "participants": None}, "participants"),
    ({"room": "Storgatan 12"}, "room"),
])
def test_bad_bookings_are_refused_at_the_field_and_nothing_is_saved(in_unit_a, alice, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        _book(in_unit_a, alice, **overrides)
    assert field in _errors(excinfo)
    assert not Booking.objects.filter(unit=in_unit_a).exists()


def test_a_counsellor_of_another_unit_cannot_be_booked(in_unit_a, alice, bob):
    with pytest.raises(ValidationError) as excinfo:
        _book(in_unit_a, alice, counsellors=[alice, bob])
    assert "counsellors" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        _book(in_unit_a, alice, counsellors=[])
    assert "counsellors" in _errors(excinfo)
    assert not Booking.objects.filter(unit=in_unit_a).exists()


def test_a_series_must_stay_within_the_case(in_unit_a, alice):
    first = today() + datetime.timedelta(days=7)
    closing = case(in_unit_a, opened_on=today(), closed_on=first + datetime.timedelta(days=10))
    with pytest.raises(ValidationError) as excinfo:
        _book(in_unit_a, alice, case=closing, every_weeks=1, until=first + datetime.timedelta(days=21))
    assert (first + datetime.timedelta(days=14)).isoformat() in _errors(excinfo)["case"][0]
    later = case(in_unit_a, "P-2025-0002", opened_on=first + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        _book(in_unit_a, alice, case=later)
    assert "case" in _errors(excinfo)
    assert not Booking.objects.filter(unit=in_unit_a).exists()


@pytest.mark.parametrize(("until_days", "field"), [(None, "until"), (-1, "until"), (400, "until")])
def test_a_series_needs_a_sensible_end(in_unit_a, alice, until_days, field):
    first = today() + datetime.timedelta(days=7)
    until = None if until_days is None else first + datetime.timedelta(days=until_days)
    with pytest.raises(ValidationError) as excinfo:
        _book(in_unit_a, alice, every_weeks=1, until=until)
    assert field in _errors(excinfo)


# --- conflicts ------------------------------------------------------------------------------

def test_a_counsellor_booked_twice_is_warned_about_and_nothing_saved(in_unit_a, alice, anna):
    _book(in_unit_a, alice, start_time=T(9, 0))
    with pytest.raises(services.ConflictWarning) as excinfo:
        _book(in_unit_a, anna, counsellors=[anna, alice], start_time=T(9, 30))
    assert [(c["kind"], c["what"]) for c in excinfo.value.conflicts] == [("counsellor", "alice")]
    assert Booking.objects.filter(unit=in_unit_a).count() == 1
    _book(in_unit_a, anna, counsellors=[anna, alice], start_time=T(9, 30), allow_conflicts=True)
    assert Booking.objects.filter(unit=in_unit_a).count() == 2


def test_a_room_booked_twice_is_a_conflict_back_to_back_is_not(in_unit_a, alice, anna):
    _book(in_unit_a, alice, start_time=T(9, 0), room="Rum 3")
    _book(in_unit_a, anna, counsellors=[anna], start_time=T(10, 0), room="Rum 3")
    with pytest.raises(services.ConflictWarning) as excinfo:
        _book(in_unit_a, anna, counsellors=[anna], start_time=T(8, 30), minutes=45, room="rum 3 ")
    assert {c["kind"] for c in excinfo.value.conflicts} == {"room"}


def test_a_series_is_checked_on_every_date_and_a_cancelled_booking_frees_its_time(in_unit_a, alice):
    first = today() + datetime.timedelta(days=7)
    [later] = _book(in_unit_a, alice, date=first + datetime.timedelta(days=14))
    with pytest.raises(services.ConflictWarning) as excinfo:
        _book(in_unit_a, alice, every_weeks=1, until=first + datetime.timedelta(days=21))
    assert [c["date"] for c in excinfo.value.conflicts] == [later.date]
    Booking.objects.filter(pk=later.pk).update(date=today())
    services.booking_cancel(booking=later, acting_user=alice, by="client")
    Booking.objects.filter(pk=later.pk).update(date=first + datetime.timedelta(days=14))
    assert len(_book(in_unit_a, alice, every_weeks=1, until=first + datetime.timedelta(days=21))) == 4


def test_moving_checks_the_new_time_and_a_logged_booking_cannot_move(in_unit_a, alice):
    [one] = _book(in_unit_a, alice, start_time=T(9, 0))
    [two] = _book(in_unit_a, alice, start_time=T(11, 0))
    with pytest.raises(services.ConflictWarning):
        services.booking_move(booking=two, acting_user=alice, date=one.date, start_time=T(9, 15))
    moved = services.booking_move(booking=two, acting_user=alice, date=one.date + datetime.timedelta(days=1),
                                  start_time=T(9, 15))
    assert (moved.date, moved.start_time) == (one.date + datetime.timedelta(days=1), T(9, 15))
    with pytest.raises(ValidationError):
        services.booking_move(booking=two, acting_user=alice, date=today() - datetime.timedelta(days=1),
                              start_time=T(9, 0))
    done = booking(in_unit_a, counsellors=[alice], date=today())
    services.booking_outcome(booking=done, acting_user=alice, status="held")
    with pytest.raises(ValidationError):
        services.booking_move(booking=done, acting_user=alice, date=today() + datetime.timedelta(days=3),
                              start_time=T(9, 0))


# --- outcome --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["held", "client_cancelled", "no_show", "unit_cancelled"])
def test_one_click_logs_one_session_with_the_booked_values(in_unit_a, alice, anna, status):
    opened = case(in_unit_a, opened_on=today() - datetime.timedelta(days=30))
    planned = booking(in_unit_a, counsellors=[alice, anna], case=opened, start_time=T(8, 0), minutes=75,
                      format="family", participants=3, location="home")
    first = services.booking_outcome(booking=planned, acting_user=alice, status=status)
    again = services.booking_outcome(booking=planned, acting_user=alice, status="no_show")
    assert first.pk == again.pk
    stored = Session.objects.get(unit=in_unit_a)
    assert (stored.date, stored.start_time, stored.minutes, stored.format, stored.participants, stored.location,
            stored.status, stored.case, stored.logged_by) == (
        today(), T(8, 0), 75, "family", 3, "home", status, opened, alice)
    assert set(stored.counsellors.all()) == {alice, anna}
    planned.refresh_from_db()
    assert planned.session == stored
    opened.refresh_from_db()
    assert opened.started_on == (today() if status == "held" else None)


def test_the_outcome_key_is_the_session_services_idempotency_key(in_unit_a, alice):
    """A retry that reaches the session service directly with the booking's key stores nothing new."""
    from sessions.services import session_log

    planned = booking(in_unit_a, counsellors=[alice])
    session = services.booking_outcome(booking=planned, acting_user=alice, status="held")
    again = session_log(unit=in_unit_a, acting_user=alice, counsellors=[alice],
                        idempotency_key=services.outcome_key(planned),
                        **services.outcome_values(planned, user=alice), status="held")
    assert again.pk == session.pk
    assert Session.objects.filter(unit=in_unit_a).count() == 1


def test_a_future_booking_has_no_outcome_yet(in_unit_a, alice):
    [ahead] = _book(in_unit_a, alice)
    with pytest.raises(ValidationError) as excinfo:
        services.booking_outcome(booking=ahead, acting_user=alice, status="held")
    assert "date" in _errors(excinfo)
    assert not Session.objects.filter(unit=in_unit_a).exists()
    ahead.refresh_from_db()
    assert ahead.session is None


def test_the_billing_lock_refuses_the_outcome_in_a_closed_month(in_unit_a, alice):
    past = (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    planned = booking(in_unit_a, counsellors=[alice], date=past)
    close_month(in_unit_a, past)
    with pytest.raises(ValidationError) as excinfo:
        services.booking_outcome(booking=planned, acting_user=alice, status="held")
    assert "closed" in _errors(excinfo)["date"][0]
    assert not Session.objects.filter(unit=in_unit_a).exists()


def test_a_client_cancellation_ahead_is_an_aterbud_dated_today(in_unit_a, alice):
    [ahead] = _book(in_unit_a, alice)
    session = services.booking_cancel(booking=ahead, acting_user=alice, by="client")
    assert (session.status, session.date) == ("client_cancelled", timezone.localdate())
    planned = booking(in_unit_a, counsellors=[alice], date=today() - datetime.timedelta(days=2))
    session = services.booking_cancel(booking=planned, acting_user=alice, by="unit")
    assert (session.status, session.date) == ("unit_cancelled", planned.date)


def test_a_booking_made_by_mistake_is_removed_without_a_trace_in_statistics(in_unit_a, alice):
    [ahead] = _book(in_unit_a, alice)
    assert services.booking_cancel(booking=ahead, acting_user=alice, by="error") is None
    assert services.booking_cancel(booking=ahead, acting_user=alice, by="error") is None  # second click
    assert not Booking.objects.filter(unit=in_unit_a).exists()
    assert not Session.objects.filter(unit=in_unit_a).exists()
    assert AuditEvent.objects.filter(action="booking.remove", object_id=str(ahead.pk)).count() == 1


# --- from the queue ---------------------------------------------------------------------------

def test_offering_a_time_from_the_queue_ends_the_wait_today(in_unit_a, alice):
    received = today() - datetime.timedelta(days=9)
    opened = case(in_unit_a, opened_on=received)
    application = Application.objects.create(unit=in_unit_a, case=opened, received_on=received,
                                             municipality=factories.municipality("Linköping"))
    made = services.booking_create(unit=in_unit_a, acting_user=alice, counsellors=[alice],
                                   application=application, **booking_values(case=None))
    application.refresh_from_db()
    assert application.offered_on == today()
    assert application.outcome == "started"
    assert made[0].case == opened
    # A second booking of the same application leaves the offer date alone.
    services.booking_create(unit=in_unit_a, acting_user=alice, counsellors=[alice], application=application,
                            **booking_values(date=today() + datetime.timedelta(days=14)))
    application.refresh_from_db()
    assert application.offered_on == today()


# --- the feed token -------------------------------------------------------------------------

def test_a_new_feed_token_kills_the_old_one(in_unit_a, alice):
    old = services.feed_regenerate(unit=in_unit_a, user=alice, acting_user=alice)
    new = services.feed_regenerate(unit=in_unit_a, user=alice, acting_user=alice)
    assert old != new
    stored = CalendarFeed.objects.get(unit=in_unit_a, user=alice)
    assert stored.token_hash == services.token_hash(new)
    assert old not in stored.token_hash and new not in stored.token_hash
    services.feed_revoke(unit=in_unit_a, user=alice, acting_user=alice)
    assert not CalendarFeed.objects.filter(unit=in_unit_a).exists()
