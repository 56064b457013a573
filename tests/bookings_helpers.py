"""Builders for the calendar tests. Callers are inside the unit's scope."""

import datetime

from django.utils import timezone

from bookings.models import Booking


def today() -> datetime.date:
    return timezone.localdate()


def booking(unit, *, counsellors=(), **fields) -> Booking:
    """A booking written directly (past dates included, which the service refuses to book)."""
    values = {"date": today(), "start_time": datetime.time(9, 0), "minutes": 60, "format": "couple",
              "participants": 2, "location": "office", **fields}
    created = Booking.objects.create(unit=unit, **values)
    created.counsellors.set(counsellors)
    return created


def booking_values(**overrides) -> dict:
    """What the booking form sends (the service's keyword arguments)."""
    return {"date": today() + datetime.timedelta(days=7), "start_time": datetime.time(9, 0), "minutes": 60,
            "format": "couple", "participants": None, "location": "office", "room": "", "case": None, **overrides}
