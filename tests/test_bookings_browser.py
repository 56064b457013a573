"""The calendar in Chromium: a recurring series booked from a case, one booking marked held with
one click, and the session in the session list and in the statistics."""

import datetime
import json

import pytest
from django.utils import timezone
from django_scopes import scope

from bookings.models import Booking
from sessions.models import Session
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.sessions_helpers import case
from units.periods import current_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _find(data, key):
    if isinstance(data, dict):
        if key in data:
            return data[key]
        for value in data.values():
            found = _find(value, key)
            if found is not None:
                return found
    return None


def test_book_a_series_from_a_case_mark_one_held_and_see_it_counted(page, live_server, unit_b, bob):
    today = timezone.localdate()
    with scope(unit=unit_b):
        family = case(unit_b, "U-2026-0007", opened_on=today - datetime.timedelta(days=20),
                      assigned_on=today - datetime.timedelta(days=20))
    browser_login(page, live_server, "bob")
    # The running period (the menu opens on the last complete one).
    stats_url = f"{live_server.url}/{unit_b.slug}/stats/{current_period(unit_b, today).label}/"
    before = _find(json.loads(page.context.request.get(f"{stats_url}?export=json").text()), "sessions_held")

    page.goto(f"{live_server.url}/{unit_b.slug}/cases/{family.pk}/")
    page.get_by_role("link", name="Boka ett samtal").click()
    page.wait_for_url("**/calendar/new/?case=*")
    assert_accessible(page)
    form = page.locator("form.session-form")
    form.get_by_label("Datum").fill(today.isoformat())
    form.get_by_label("Start").fill("00:05")
    form.get_by_label("Längd (minuter)").fill("60")
    form.locator("label", has_text="Familj").first.click()
    form.get_by_label("Deltagare").fill("3")
    form.locator("label", has_text="Varannan vecka").click()
    form.get_by_label("Upprepa till och med").fill((today + datetime.timedelta(days=42)).isoformat())
    form.get_by_role("button", name="Boka", exact=True).click()
    page.wait_for_url("**/calendar/?date=*")
    assert "4 bokningar är gjorda" in page.locator("main").inner_text()
    with scope(unit=unit_b):
        series = list(Booking.objects.filter(unit=unit_b).order_by("date"))
    assert [b.date for b in series] == [today + datetime.timedelta(days=14 * n) for n in range(4)]
    assert all(b.case_id == family.pk and b.participants == 3 for b in series)
    assert_accessible(page)

    todays = page.locator(f"#booking-{series[0].pk}")
    todays.get_by_role("button", name="Genomfört").click()
    page.wait_for_load_state()
    assert "Registrerat: Genomfört" in page.locator("main").inner_text()
    with scope(unit=unit_b):
        held = Session.objects.get(unit=unit_b)
    assert (held.date, held.status, held.case_id, held.minutes, held.format) == (today, "held", family.pk, 60,
                                                                                 "family")
    assert page.locator(f"#booking-{series[0].pk} .outcome-buttons").count() == 0
    assert_accessible(page)

    page.goto(f"{live_server.url}/{unit_b.slug}/sessions/")
    row = page.locator(f"#session-{held.pk}")
    assert "U-2026-0007" in row.inner_text() and "Genomfört" in row.inner_text()
    after = _find(json.loads(page.context.request.get(f"{stats_url}?export=json").text()), "sessions_held")
    assert after == before + 1
    page.goto(stats_url)
    assert page.locator("main").inner_text().count("Genomförda samtal") >= 1


def test_the_calendar_week_and_the_feed_page_are_accessible(page, live_server, unit_a, alice):
    with scope(unit=unit_a):
        Booking.objects.create(unit=unit_a, date=timezone.localdate(), start_time=datetime.time(9, 0), minutes=60,
                               format="couple", participants=2).counsellors.set([alice])
    browser_login(page, live_server, "alice")
    for size in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/{unit_a.slug}/calendar/?view=week")
        assert_accessible(page)
    page.goto(f"{live_server.url}/{unit_a.slug}/calendar/feed/")
    page.get_by_role("button", name="Skapa en prenumerationsadress").click()
    page.wait_for_load_state()
    address = page.get_by_label("Din nya prenumerationsadress (visas bara nu — kopiera den)").input_value()
    assert address.endswith(".ics")
    assert_accessible(page)
    body = page.context.request.get(address)
    assert body.status == 200 and body.headers["content-type"].startswith("text/calendar")
