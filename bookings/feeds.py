"""The iCalendar (RFC 5545) feed of one counsellor's bookings, built with `icalendar`.

An event says when, where, the unit's name and the format — nothing else: no case code, no
participants, no outcome, nothing about a person (the phone or Outlook it lands in is not
the unit's). Times carry the unit's time zone (TZID plus its VTIMEZONE), so a calendar shows
17:00 on both sides of a change to or from summer time."""

import datetime
import zoneinfo

import icalendar
from django.utils.translation import gettext as _

from sessions.models import Location, SessionFormat
from units.models import Unit

from .models import Booking

_FORMATS = dict(SessionFormat.choices)
_LOCATIONS = dict(Location.choices)


def _place(booking: Booking) -> str:
    place = str(_LOCATIONS.get(booking.location, ""))
    return f"{place}, {booking.room}" if booking.room else place


def calendar_ics(*, unit: Unit, bookings) -> bytes:
    zone = zoneinfo.ZoneInfo(unit.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Familjestöd//Calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", unit.name)
    calendar.add("x-wr-timezone", unit.time_zone)
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    formats = {key: str(label) for key, label in _FORMATS.items()}
    title = _("%(unit)s: %(format)s")
    for booking in bookings:
        begins = datetime.datetime.combine(booking.date, booking.start_time, tzinfo=zone)
        event = icalendar.Event()
        event.add("uid", f"booking-{booking.pk}@{unit.slug}.familjestod")
        event.add("dtstamp", stamp)
        event.add("dtstart", begins)
        event.add("duration", datetime.timedelta(minutes=booking.minutes))
        event.add("summary", title % {"unit": unit.name, "format": formats.get(booking.format, booking.format)})
        event.add("location", _place(booking))
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
