"""The iCalendar (RFC 5545) feed of one counsellor's bookings.

An event says when, where, the unit's name and the format — nothing else: no case code, no
participants, no outcome, nothing about a person (the phone or Outlook it lands in is not
the unit's). Times carry the unit's time zone (TZID plus its VTIMEZONE for the feed's window),
so a calendar shows 17:00 on both sides of a change to or from summer time.

`icalendar` builds the calendar, its VTIMEZONE, the escaping and the line folding. The events
themselves are written line by line with those same helpers: they differ only in start, length,
id and a handful of repeated texts, and building a component per event costs ~4 ms each — a
year of bookings would take seconds."""

import datetime
from functools import lru_cache

import icalendar
from django.utils.translation import gettext as _
from icalendar.parser import Contentline, Parameters

from sessions.models import Location, SessionFormat
from units.models import Unit

_FORMATS = dict(SessionFormat.choices)
_LOCATIONS = dict(Location.choices)
_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=512)
def _text_line(name: str, value: str) -> str:
    return Contentline.from_parts(name, Parameters(), icalendar.vText(value)).to_ical().decode() + "\r\n"


@lru_cache(maxsize=64)
def _duration(minutes: int) -> str:
    return icalendar.vDuration(datetime.timedelta(minutes=minutes)).to_ical().decode()


def _place(location: str, room: str) -> str:
    place = str(_LOCATIONS.get(location, ""))
    return f"{place}, {room}" if room else place


def calendar_ics(*, unit: Unit, bookings, first: datetime.date, last: datetime.date) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Familjestöd//Calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", unit.name)
    calendar.add("x-wr-timezone", unit.time_zone)
    calendar.add_component(icalendar.Timezone.from_tzid(unit.time_zone, first_date=first, last_date=last))
    head = calendar.to_ical()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    title = _("%(unit)s: %(format)s")
    summaries = {key: _text_line("SUMMARY", title % {"unit": unit.name, "format": str(label)})
                 for key, label in _FORMATS.items()}
    zone = unit.time_zone
    uid = f"@{unit.slug}.familjestod"
    lines = []
    for pk, day, start, minutes, session_format, location, room in bookings.values_list(
            "pk", "date", "start_time", "minutes", "format", "location", "room"):
        lines.append(
            f"BEGIN:VEVENT\r\nUID:booking-{pk}{uid}\r\nDTSTAMP:{stamp}\r\n"
            f"DTSTART;TZID={zone}:{day:%Y%m%d}T{start:%H%M%S}\r\nDURATION:{_duration(minutes)}\r\n"
            f"{summaries.get(session_format) or _text_line('SUMMARY', unit.name)}"
            f"{_text_line('LOCATION', _place(location, room))}"
            "TRANSP:OPAQUE\r\nCLASS:PRIVATE\r\nEND:VEVENT\r\n")
    return head[:-len(_END)] + "".join(lines).encode() + _END
