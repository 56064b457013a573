"""The private iCalendar feed, read back with a real parser (the `icalendar` package)."""

import datetime
import re
import zoneinfo

import icalendar
from django.test import Client
from django_scopes import scope

from bookings import services
from tests import factories
from tests.bookings_helpers import booking, today
from tests.sessions_helpers import case

T = datetime.time


def _make_feed(client, unit):
    response = client.post(f"/{unit.slug}/calendar/feed/", {"action": "regenerate"})
    assert response.status_code == 200
    url = response.context["new_url"]
    assert url.startswith("http://testserver/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def _events(body: bytes):
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_the_feed_holds_time_place_unit_and_format_and_no_case_code(alice_client, alice, anna, unit_a):
    with scope(unit=unit_a):
        opened = case(unit_a, "P-2026-0042", opened_on=today() - datetime.timedelta(days=10))
        mine = booking(unit_a, counsellors=[alice], case=opened, date=today() + datetime.timedelta(days=2),
                       start_time=T(17, 0), minutes=90, format="couple", location="office", room="Rum 3")
        booking(unit_a, counsellors=[anna], case=opened, date=today() + datetime.timedelta(days=2))
        cancelled = booking(unit_a, counsellors=[alice], date=today())
        services.booking_cancel(booking=cancelled, acting_user=alice, by="client")
    url = _make_feed(alice_client, unit_a)
    response = Client().get(url)  # no log-in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    events = _events(response.content)
    assert len(events) == 1  # only alice's, and not the cancelled one
    event = events[0]
    begins = event.decoded("dtstart")
    assert begins == datetime.datetime.combine(mine.date, T(17, 0), tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    assert event.decoded("duration") == datetime.timedelta(minutes=90)
    assert str(event["summary"]) == "Familjerådgivningen Alfa: Par"
    assert str(event["location"]) == "Mottagningen, Rum 3"
    text = response.content.decode()
    assert "P-2026-0042" not in text and "alice" not in text.lower()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Stockholm" in text
    assert set(event.keys()) <= {"UID", "DTSTAMP", "DTSTART", "DURATION", "SUMMARY", "LOCATION", "TRANSP", "CLASS"}


def test_a_weekly_series_keeps_17_00_across_summer_time_in_the_feed(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        services.booking_create(
            unit=unit_a, acting_user=alice, counsellors=[alice], every_weeks=1, until=datetime.date(2027, 4, 5),
            today=datetime.date(2027, 3, 1), date=datetime.date(2027, 3, 22), start_time=T(17, 0), minutes=60,
            format="individual", participants=None, location="office", room="", case=None)
    url = _make_feed(alice_client, unit_a)
    # The feed covers a year ahead from today; March 2027 is within it.
    starts = sorted(event.decoded("dtstart") for event in _events(Client().get(url).content))
    assert [(s.date(), s.hour, s.utcoffset()) for s in starts] == [
        (datetime.date(2027, 3, 22), 17, datetime.timedelta(hours=1)),
        (datetime.date(2027, 3, 29), 17, datetime.timedelta(hours=2)),
        (datetime.date(2027, 4, 5), 17, datetime.timedelta(hours=2)),
    ]


def test_a_danish_unit_feed_is_in_danish(unit_a):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", country="DK")
    dk = factories.unit("kbh", org=org, name="Familierådgivningen Nørrebro", language="da", country="DK",
                        time_zone="Europe/Copenhagen", funders=("København",))
    person = factories.user("karen", unit=dk, role="counsellor")
    with scope(unit=dk):
        booking(dk, counsellors=[person], date=today() + datetime.timedelta(days=1), format="family", participants=3,
                location="home")
        token = services.feed_regenerate(unit=dk, user=person, acting_user=person)
    event = _events(Client().get(f"/{dk.slug}/calendar/feed/{token}.ics").content)[0]
    assert str(event["summary"]) == "Familierådgivningen Nørrebro: Familie"
    assert str(event["location"]) == "Hjemmet"
    assert event.decoded("dtstart").tzinfo.key == "Europe/Copenhagen"


def test_unknown_revoked_regenerated_and_foreign_tokens_are_404(alice_client, alice, unit_a, unit_b, bob):
    client = Client()
    assert client.get(f"/{unit_a.slug}/calendar/feed/nonsense.ics").status_code == 404
    assert client.get("/no-such-unit/calendar/feed/nonsense.ics").status_code == 404
    old = _make_feed(alice_client, unit_a)
    new = _make_feed(alice_client, unit_a)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    # The token of one unit's feed opens nothing under another unit's address.
    token = re.search(r"/feed/(.+)\.ics", new).group(1)
    assert client.get(f"/{unit_b.slug}/calendar/feed/{token}.ics").status_code == 404
    alice_client.post(f"/{unit_a.slug}/calendar/feed/", {"action": "revoke"})
    assert client.get(new).status_code == 404


def test_a_feed_stops_when_the_person_leaves_the_unit(alice_client, alice, unit_a):
    url = _make_feed(alice_client, unit_a)
    alice.memberships.all().delete()
    assert Client().get(url).status_code == 404
