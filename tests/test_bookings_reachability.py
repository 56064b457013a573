"""Reachability: sessions held outside the unit's opening hours (evening visits) and the drop-in
hours a week, in the statistics; opening hours and evening bookings in the calendar."""

import datetime

from django_scopes import scope

from reporting import indicators
from sessions.models import Session
from tests.bookings_helpers import booking, today
from tests.sessions_helpers import session
from units.models import OpeningHours

T = datetime.time
MONDAY = datetime.date(2025, 3, 3)


def _open_weekdays(unit):
    OpeningHours.objects.bulk_create([OpeningHours(unit=unit, kind="open", weekday=day, start=T(8, 0), end=T(17, 0))
                                      for day in range(5)])


def test_held_sessions_outside_opening_hours_are_counted(in_unit_a):
    _open_weekdays(in_unit_a)
    day = datetime.timedelta(days=1)
    session(in_unit_a, date=MONDAY, start_time=T(10, 0), minutes=60)  # inside
    session(in_unit_a, date=MONDAY + day, start_time=T(17, 30), minutes=60)  # evening
    session(in_unit_a, date=MONDAY + 2 * day, start_time=T(16, 30), minutes=90)  # runs into the evening
    session(in_unit_a, date=MONDAY + 5 * day, start_time=T(10, 0), minutes=60)  # Saturday, closed
    session(in_unit_a, date=MONDAY, start_time=None, minutes=60)  # no start: not judged
    session(in_unit_a, date=MONDAY, start_time=T(18, 0), minutes=60, status="client_cancelled")  # not held
    wrong = session(in_unit_a, date=MONDAY + 3 * day, start_time=T(19, 0), minutes=60)
    Session.objects.create(unit=in_unit_a, date=wrong.date, start_time=T(9, 0), minutes=60, format="couple",
                           participants=2, corrects=wrong)  # corrected to a daytime session
    figures = indicators.reachability(in_unit_a, MONDAY, MONDAY + 30 * day)
    # Three of the five held sessions with a start time (as corrected) run outside the hours.
    assert figures == {"sessions_outside_opening_hours": 3, "evening_share": "0.600", "drop_in_hours_per_week": None}


def test_without_opening_hours_nothing_is_judged_and_drop_in_hours_are_added_up(in_unit_a):
    session(in_unit_a, date=MONDAY, start_time=T(20, 0), minutes=60)
    OpeningHours.objects.bulk_create([
        OpeningHours(unit=in_unit_a, kind="drop_in", weekday=1, start=T(13, 0), end=T(16, 0)),
        OpeningHours(unit=in_unit_a, kind="drop_in", weekday=3, start=T(13, 0), end=T(16, 30)),
    ])
    assert indicators.reachability(in_unit_a, MONDAY, MONDAY + datetime.timedelta(days=30)) == {
        "sessions_outside_opening_hours": None, "evening_share": None, "drop_in_hours_per_week": "6.50"}


def test_the_statistics_page_shows_the_reachability_figures(anna_client, unit_a):
    with scope(unit=unit_a):
        _open_weekdays(unit_a)
        session(unit_a, date=MONDAY, start_time=T(18, 0), minutes=60)
    page = anna_client.get(f"/{unit_a.slug}/stats/2025-Q1/").content.decode()
    assert "Samtal utanför öppettiderna (kvällsbesök)" in page
    data = anna_client.get(f"/{unit_a.slug}/stats/2025-Q1/?export=json").json()
    assert data["reachability"]["sessions_outside_opening_hours"] == 1


def test_the_calendar_shows_opening_hours_and_marks_an_evening_booking(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        _open_weekdays(unit_a)
        OpeningHours.objects.create(unit=unit_a, kind="drop_in", weekday=today().weekday(), start=T(13, 0),
                                    end=T(16, 0))
        evening = booking(unit_a, counsellors=[alice], start_time=T(18, 0))
        daytime = booking(unit_a, counsellors=[alice], start_time=T(9, 0))
    page = alice_client.get(f"/{unit_a.slug}/calendar/").content.decode()
    assert "Drop in-tider: 13:00–16:00" in page
    evening_card = page[page.index(f'id="booking-{evening.pk}"'):][:400]
    daytime_card = page[page.index(f'id="booking-{daytime.pk}"'):][:400]
    assert "utanför öppettiderna" in evening_card and "utanför öppettiderna" not in daytime_card
    # the badge is markup, not its escaped text (it was, for a booking without an outcome)
    assert '</a> <span class="badge text-bg-info">utanför öppettiderna</span><div class="small">' in evening_card
