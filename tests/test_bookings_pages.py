"""The calendar pages as each role sees them, the one-click outcome, and queries per page."""

import datetime
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from bookings.models import Booking
from intake.models import Application
from sessions.models import Session
from tests import factories
from tests.bookings_helpers import booking, today
from tests.conftest import logged_in
from tests.sessions_helpers import case
from units.models import Membership, StaffGroup
from units.selectors import selection_counsellors

T = datetime.time
STATUSES = ["held", "client_cancelled", "no_show", "unit_cancelled"]


def _calendar(unit, query=""):
    return f"/{unit.slug}/calendar/{query}"


def _form_data(**overrides):
    return {"date": (today() + datetime.timedelta(days=7)).isoformat(), "start_time": "09:00", "minutes": "60",
            "format": "couple", "participants": "", "location": "office", "room": "", "counsellors": [],
            "case": "", "repeat": "0", "until": "", **overrides}


# --- the day and the week -------------------------------------------------------------------------

def test_the_calendar_opens_on_today_for_the_signed_in_counsellor(alice_client, alice, anna, unit_a):
    with scope(unit=unit_a):
        mine = booking(unit_a, counsellors=[alice], start_time=T(13, 0))
        theirs = booking(unit_a, counsellors=[anna], start_time=T(14, 0))
    response = alice_client.get(_calendar(unit_a))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["day"] == today() and response.context["view"] == "day"
    assert f'id="booking-{mine.pk}"' in page
    assert f'id="booking-{theirs.pk}"' not in page


def test_a_counsellor_cannot_open_a_colleagues_calendar(alice_client, anna, unit_a):
    assert alice_client.get(_calendar(unit_a, f"?counsellor={anna.pk}")).status_code == 404
    assert alice_client.get(_calendar(unit_a, "?counsellor=all")).status_code == 404


def test_the_chief_sees_any_counsellor_and_the_unit_wide_week(anna_client, alice, anna, unit_a):
    monday = today() - datetime.timedelta(days=today().weekday())
    with scope(unit=unit_a):
        mine = booking(unit_a, counsellors=[alice], date=monday + datetime.timedelta(days=6))
        other = booking(unit_a, counsellors=[anna], date=monday)
    week = anna_client.get(_calendar(unit_a, f"?counsellor=all&view=week&date={today().isoformat()}"))
    page = week.content.decode()
    assert [entry[0] for entry in week.context["days"]] == [monday + datetime.timedelta(days=n) for n in range(7)]
    assert f'id="booking-{mine.pk}"' in page and f'id="booking-{other.pk}"' in page
    alices = anna_client.get(_calendar(unit_a, f"?counsellor={alice.pk}&view=week")).content.decode()
    assert f'id="booking-{mine.pk}"' in alices and f'id="booking-{other.pk}"' not in alices
    assert anna_client.get(_calendar(unit_a, "?counsellor=999999")).status_code == 404


def _grouped(unit, name, *people):
    """A staff group of the unit with these people's memberships of the unit in it."""
    with scope(unit=unit):
        group = StaffGroup.objects.create(unit=unit, name=name)
        group.members.set(Membership.objects.filter(unit=unit, user__in=people))
    return group


def test_the_chief_filters_the_calendar_by_a_staff_group_as_the_session_list_does(anna_client, alice, anna, unit_a):
    # Östermalm works in groups (utredning, mottagning, …) that "filter the calendar and the session list".
    carl = factories.user("carl", unit=unit_a, role="counsellor")
    group = _grouped(unit_a, "Mottagning", alice, carl)
    monday = today() + datetime.timedelta(days=7 - today().weekday())  # next week: nothing in it is past
    with scope(unit=unit_a):
        alices = booking(unit_a, counsellors=[alice], date=monday)
        shared = booking(unit_a, counsellors=[alice, carl], date=monday + datetime.timedelta(days=1))
        annas = booking(unit_a, counsellors=[anna], date=monday + datetime.timedelta(days=2))
        waiting_alice = booking(unit_a, counsellors=[alice], date=today() - datetime.timedelta(days=3))
        waiting_anna = booking(unit_a, counsellors=[anna], date=today() - datetime.timedelta(days=3))
    response = anna_client.get(_calendar(unit_a, f"?counsellor=group:{group.pk}&view=week&date={monday}"))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["group"] == group
    assert f'id="booking-{alices.pk}"' in page and f'id="booking-{annas.pk}"' not in page
    assert page.count(f'id="booking-{shared.pk}"') == 1  # two members on it: shown once
    assert f'id="booking-{waiting_alice.pk}"' in page and f'id="booking-{waiting_anna.pk}"' not in page
    assert response.context["awaiting_total"] == 1
    assert f'<option value="group:{group.pk}" selected>Mottagning</option>' in page
    assert f"counsellor=group:{group.pk}" in page  # the previous/next links keep the group
    assert "Kalender · Mottagning" in page


def test_another_units_staff_group_is_a_404_and_a_counsellor_has_no_group_filter(
        anna_client, alice_client, alice, unit_a, unit_b):
    # alice also works in unit B, in a group there: that group must not open unit A's calendar, and
    # it selects nobody of unit A (one join for unit and group, not a membership anywhere).
    Membership.objects.create(user=alice, unit=unit_b, role="counsellor")
    foreign = _grouped(unit_b, "Utredning", alice)
    own = _grouped(unit_a, "Mottagning", alice)
    assert anna_client.get(_calendar(unit_a, f"?counsellor=group:{foreign.pk}")).status_code == 404
    assert anna_client.get(_calendar(unit_a, "?counsellor=group:999999")).status_code == 404
    assert anna_client.get(_calendar(unit_a, "?counsellor=group:x")).status_code == 404
    assert alice_client.get(_calendar(unit_a, f"?counsellor=group:{own.pk}")).status_code == 404
    with scope(unit=unit_a):
        assert list(selection_counsellors(unit_a, group=foreign.pk)) == []
        assert list(selection_counsellors(unit_a, group=own.pk)) == [alice]
    assert list(selection_counsellors(unit_b, group=foreign.pk)) == [alice]
    unit_bs_group_page = anna_client.get(_calendar(unit_a, "?counsellor=all")).content.decode()
    assert "Utredning" not in unit_bs_group_page and f"group:{own.pk}" in unit_bs_group_page


def test_the_unit_day_shows_each_card_whole_and_escaped(anna_client, alice, anna, unit_a):
    """A card as the chief sees the unit's day (bookings.cards writes it from plain rows): the
    time, format, place and case code, the counsellors by user name, free text
    escaped, the outcome badge once logged, and the one-click buttons while none is."""
    alice.first_name, alice.last_name = "Åsa & <Ö>", "Berg"
    alice.save()
    with scope(unit=unit_a):
        opened = case(unit_a, "P-2025-0007", opened_on=today() - datetime.timedelta(days=20))
        planned = booking(unit_a, counsellors=[alice, anna], case=opened, format="family", minutes=90,
                          room='Rum "3" & <b>', start_time=T(9, 0))
        logged = booking(unit_a, counsellors=[alice], location="video", start_time=T(11, 0))
        logged.session = Session.objects.create(unit=unit_a, date=logged.date, minutes=60, format="couple",
                                                participants=2, status="no_show")
        logged.save()
    query = f"?counsellor=all&date={today().isoformat()}"
    page = anna_client.get(_calendar(unit_a, query)).content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="X"', page)
    base, which = f"/{unit_a.slug}/calendar/", f" {today().isoformat()} 09:00"
    buttons = "".join(
        f'<button type="submit" name="status" value="{value}" class="btn btn-sm {kind}">{label}'
        f'<span class="visually-hidden">{which}</span></button>'
        for value, kind, label in [("held", "btn-success", "Genomfört"), ("client_cancelled", "btn-outline-dark",
                                   "Återbud"), ("no_show", "btn-outline-dark", "Uteblivet"),
                                   ("unit_cancelled", "btn-outline-dark", "Inställt av enheten")])
    assert (
        f'<div class="booking border rounded p-2 mb-2" id="booking-{planned.pk}"><a class="fw-semibold" '
        f'href="{base}{planned.pk}/">09:00–10:30</a><div class="small">Familj · Mottagningen, '
        'Rum &quot;3&quot; &amp; &lt;b&gt; · P-2025-0007</div><div class="small text-body-secondary">Åsa &amp; '
        f'&lt;Ö&gt; Berg, anna</div><form method="post" action="{base}{planned.pk}/outcome/" '
        'class="d-flex flex-wrap gap-1 mt-1 outcome-buttons"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="X"><input type="hidden" name="next" value="{base}{query.replace("&", "&amp;")}">{buttons}'
        f'<a class="btn btn-sm btn-link" href="{base}{planned.pk}/log/">Genomfört, men annorlunda'
        f'<span class="visually-hidden">{which}</span></a></form></div>') in page
    assert (
        f'<div class="booking border rounded p-2 mb-2" id="booking-{logged.pk}"><a class="fw-semibold" '
        f'href="{base}{logged.pk}/">11:00–12:00</a> <span class="badge text-bg-secondary">Uteblivet</span>'
        '<div class="small">Par · Video</div><div class="small text-body-secondary">Åsa &amp; &lt;Ö&gt; Berg</div>'
        '</div>') in page


def test_a_bad_date_shows_today_with_a_message(alice_client, unit_a):
    response = alice_client.get(_calendar(unit_a, "?date=2025-13-45"))
    assert response.status_code == 200
    assert response.context["day"] == today()
    assert "2025-13-45" in response.content.decode()


def test_past_bookings_without_an_outcome_come_first(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        waiting = booking(unit_a, counsellors=[alice], date=today() - datetime.timedelta(days=3))
        done = booking(unit_a, counsellors=[alice], date=today() - datetime.timedelta(days=2))
        done.session = Session.objects.create(unit=unit_a, date=done.date, minutes=60, format="couple",
                                              participants=2)
        done.save()
    response = alice_client.get(_calendar(unit_a))
    assert [b.pk for b in response.context["awaiting_bookings"]] == [waiting.pk]
    page = response.content.decode()
    assert page.index(f'id="booking-{waiting.pk}"') < page.index('id="day-')


def test_an_administrator_has_no_calendar(olga_client, unit_a):
    assert olga_client.get(_calendar(unit_a)).status_code == 404


def test_another_units_booking_is_a_404(alice_client, bob, unit_b, unit_a):
    with scope(unit=unit_b):
        theirs = booking(unit_b, counsellors=[bob], date=today())
    for suffix in ("", "log/"):
        assert alice_client.get(f"/{unit_a.slug}/calendar/{theirs.pk}/{suffix}").status_code == 404
    for suffix, data in (("outcome/", {"status": "held"}), ("cancel/", {"by": "client"}), ("", {})):
        assert alice_client.post(f"/{unit_a.slug}/calendar/{theirs.pk}/{suffix}", data).status_code == 404
    with scope(unit=unit_b):
        assert not Session.objects.filter(unit=unit_b).exists()


# --- booking ----------------------------------------------------------------------------------------

def test_booking_a_fortnightly_series_from_the_form(alice_client, alice, unit_a):
    first = today() + datetime.timedelta(days=7)
    response = alice_client.post(f"/{unit_a.slug}/calendar/new/", _form_data(
        counsellors=[alice.pk], repeat="2", until=(first + datetime.timedelta(days=42)).isoformat()))
    assert response.status_code == 302
    with scope(unit=unit_a):
        assert list(Booking.objects.filter(unit=unit_a).values_list("date", flat=True)) == [
            first + datetime.timedelta(days=14 * n) for n in range(4)]


def test_a_conflict_is_shown_before_saving_and_a_second_save_books_anyway(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        booking(unit_a, counsellors=[alice], date=today() + datetime.timedelta(days=7), start_time=T(9, 30))
    data = _form_data(counsellors=[alice.pk])
    warned = alice_client.post(f"/{unit_a.slug}/calendar/new/", data)
    assert warned.status_code == 200
    assert warned.context["form"].conflicts[0]["kind"] == "counsellor"
    assert 'name="allow_conflicts" value="True"' in warned.content.decode()
    with scope(unit=unit_a):
        assert Booking.objects.filter(unit=unit_a).count() == 1
    assert alice_client.post(f"/{unit_a.slug}/calendar/new/", {**data, "allow_conflicts": "True"}).status_code == 302
    with scope(unit=unit_a):
        assert Booking.objects.filter(unit=unit_a).count() == 2


def test_a_past_date_is_refused_at_the_field(alice_client, alice, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/calendar/new/", _form_data(
        counsellors=[alice.pk], date=(today() - datetime.timedelta(days=1)).isoformat()))
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    with scope(unit=unit_a):
        assert not Booking.objects.filter(unit=unit_a).exists()


def test_booking_from_a_case_and_offering_a_time_from_the_queue(alice_client, alice, unit_a, unit_b):
    with scope(unit=unit_a):
        opened = case(unit_a, opened_on=today() - datetime.timedelta(days=5))
        waiting = case(unit_a, "P-2025-0009", opened_on=today() - datetime.timedelta(days=5))
        application = Application.objects.create(unit=unit_a, case=waiting, received_on=waiting.opened_on,
                                                 municipality=factories.municipality("Linköping"))
    form = alice_client.get(f"/{unit_a.slug}/calendar/new/?case={opened.pk}").context["form"]
    assert form.initial["case"] == opened.pk
    with scope(unit=unit_b):
        foreign = case(unit_b, "B-1")
    assert alice_client.get(f"/{unit_a.slug}/calendar/new/?case={foreign.pk}").status_code == 404
    offer = alice_client.post(f"/{unit_a.slug}/calendar/new/?application={application.pk}",
                              _form_data(counsellors=[alice.pk]))
    assert offer.status_code == 302
    with scope(unit=unit_a):
        application.refresh_from_db()
        assert application.offered_on == today()
        assert Booking.objects.get(unit=unit_a).case == waiting


# --- one click ----------------------------------------------------------------------------------------

def test_a_double_click_logs_one_session(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        planned = booking(unit_a, counsellors=[alice])
    url = f"/{unit_a.slug}/calendar/{planned.pk}/outcome/"
    for _ in range(2):
        response = alice_client.post(url, {"status": "held", "next": f"/{unit_a.slug}/"})
        assert response.status_code == 302 and response["Location"] == f"/{unit_a.slug}/"
    with scope(unit=unit_a):
        assert Session.objects.filter(unit=unit_a).count() == 1
    assert alice_client.post(url, {"status": "held", "next": "https://evil.example/"})["Location"].startswith(
        f"/{unit_a.slug}/calendar/")


def _as_the_session_form_would(unit, booking_row, status, people):
    return {"date": booking_row.date.isoformat(), "start_time": booking_row.start_time.strftime("%H:%M"),
            "minutes": str(booking_row.minutes), "format": booking_row.format,
            "participants": str(booking_row.participants), "status": status, "location": booking_row.location,
            "fee": "none", "counsellors": [person.pk for person in people],
            "case": booking_row.case_id or "", "idempotency_key": str(uuid.uuid4())}


COMPARED = ("date", "start_time", "minutes", "format", "participants", "location", "status", "fee", "case_id",
            "constellation", "activity", "logged_by_id", "corrects_id")


@pytest.mark.parametrize("status", STATUSES)
def test_one_click_equals_the_session_form_for_every_status(alice_client, alice, anna, unit_a, status):
    with scope(unit=unit_a):
        opened = case(unit_a, opened_on=today() - datetime.timedelta(days=20))
        clicked = booking(unit_a, counsellors=[alice, anna], case=opened, format="family", participants=4,
                          location="home", minutes=90, start_time=T(8, 15))
        typed = booking(unit_a, counsellors=[alice, anna], case=opened, format="family", participants=4,
                        location="home", minutes=90, start_time=T(8, 15))
    alice_client.post(f"/{unit_a.slug}/calendar/{clicked.pk}/outcome/", {"status": status})
    alice_client.post(f"/{unit_a.slug}/sessions/new/", _as_the_session_form_would(unit_a, typed, status,
                                                                                   [alice, anna]))
    with scope(unit=unit_a):
        one, other = Session.objects.filter(unit=unit_a).order_by("pk")
        clicked.refresh_from_db()
        assert clicked.session == one
        assert [getattr(one, field) for field in COMPARED] == [getattr(other, field) for field in COMPARED]
        assert set(one.counsellors.all()) == set(other.counsellors.all()) == {alice, anna}


def test_held_but_different_opens_the_session_form_prefilled(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        planned = booking(unit_a, counsellors=[alice], minutes=60, start_time=T(10, 0))
    form = alice_client.get(f"/{unit_a.slug}/calendar/{planned.pk}/log/").context["form"]
    assert (form.initial["minutes"], form.initial["start_time"], form.initial["counsellors"]) == (
        60, T(10, 0), [alice.pk])
    data = _as_the_session_form_would(unit_a, planned, "held", [alice])
    response = alice_client.post(f"/{unit_a.slug}/calendar/{planned.pk}/log/", {**data, "minutes": "75"})
    assert response.status_code == 302
    with scope(unit=unit_a):
        planned.refresh_from_db()
        assert planned.session.minutes == 75
        assert Session.objects.filter(unit=unit_a).count() == 1
    # Once logged, the link opens the session itself.
    assert alice_client.get(f"/{unit_a.slug}/calendar/{planned.pk}/log/")["Location"] == (
        f"/{unit_a.slug}/sessions/{planned.session_id}/")


def test_the_landing_page_shows_todays_bookings_with_the_buttons(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        planned = booking(unit_a, counsellors=[alice], start_time=T(15, 0))
    page = alice_client.get(f"/{unit_a.slug}/").content.decode()
    assert f'id="booking-{planned.pk}"' in page
    assert f'/{unit_a.slug}/calendar/{planned.pk}/outcome/' in page


def test_cancel_and_move_are_one_action_each(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        ahead = booking(unit_a, counsellors=[alice], date=today() + datetime.timedelta(days=3))
        other = booking(unit_a, counsellors=[alice], date=today() + datetime.timedelta(days=4))
    new_day = today() + datetime.timedelta(days=5)
    moved = alice_client.post(f"/{unit_a.slug}/calendar/{other.pk}/", {
        "date": new_day.isoformat(), "start_time": "13:00", "minutes": "45", "room": "Rum 2"})
    assert moved.status_code == 302
    assert alice_client.post(f"/{unit_a.slug}/calendar/{ahead.pk}/cancel/", {"by": "client"}).status_code == 302
    with scope(unit=unit_a):
        other.refresh_from_db()
        ahead.refresh_from_db()
        assert (other.date, other.start_time, other.minutes, other.room) == (new_day, T(13, 0), 45, "Rum 2")
        assert ahead.session.status == "client_cancelled"


# --- queries --------------------------------------------------------------------------------------------

def _fill_week(unit, counsellors: int, bookings: int, start: int = 0):
    people = [factories.user(f"c{start + n:03d}", unit=unit, role="counsellor") for n in range(counsellors)]
    monday = today() - datetime.timedelta(days=today().weekday())
    with scope(unit=unit):
        opened = case(unit, f"Q-{start}", opened_on=today() - datetime.timedelta(days=40))
        rows = Booking.objects.bulk_create([
            Booking(unit=unit, case=opened if n % 2 else None, date=monday + datetime.timedelta(days=n % 7),
                    start_time=T(8 + n % 9, 0), minutes=60, format="couple", participants=2)
            for n in range(bookings)])
        through = Booking.counsellors.through
        through.objects.bulk_create([through(booking_id=row.pk, user_id=people[n % len(people)].pk)
                                     for n, row in enumerate(rows)])
        past = [row for row in rows if row.date < today()][:3]
        for row in past[:1]:
            row.session = Session.objects.create(unit=unit, date=row.date, minutes=60, format="couple",
                                                 participants=2)
            row.save()
    return people


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_unit_week_takes_a_fixed_number_of_queries(anna_client, unit_a):
    url = _calendar(unit_a, "?view=week&counsellor=all")
    _fill_week(unit_a, 3, 10)
    with scope(unit=unit_a):
        booking(unit_a, counsellors=[], date=today() - datetime.timedelta(days=8), start_time=T(18, 0))
    few = _queries(anna_client, url)
    _fill_week(unit_a, 30, 400, start=100)
    with scope(unit=unit_a):
        assert Booking.objects.filter(unit=unit_a).count() == 411
    assert get_user_model().objects.filter(memberships__unit=unit_a).count() >= 30
    many = _queries(anna_client, url)
    assert many == few
    assert many <= 16
    with scope(unit=unit_a):
        group = StaffGroup.objects.create(unit=unit_a, name="Familjeteam")
        group.members.set(Membership.objects.filter(unit=unit_a))
    by_group = _queries(anna_client, f"{url.replace('counsellor=all', f'counsellor=group:{group.pk}')}")
    assert by_group == many + 1  # the chosen group itself


def test_the_counsellors_day_and_the_landing_page_take_a_fixed_number_of_queries(unit_a):
    people = _fill_week(unit_a, 2, 10)
    with scope(unit=unit_a):  # one of each kind, so the small case runs every prefetch too
        booking(unit_a, counsellors=[people[0]], date=today(), start_time=T(18, 0))
        booking(unit_a, counsellors=[people[0]], date=today() - datetime.timedelta(days=1), start_time=T(18, 0))
    client = logged_in(people[0])
    day, home = _queries(client, _calendar(unit_a)), _queries(client, f"/{unit_a.slug}/")
    _fill_week(unit_a, 2, 300, start=50)
    with scope(unit=unit_a):
        for row in Booking.objects.filter(unit=unit_a, counsellors__username__in=["c050", "c051"])[:100]:
            row.counsellors.add(people[0])
    assert _queries(client, _calendar(unit_a)) == day
    assert _queries(client, f"/{unit_a.slug}/") == home
