"""Builders for the session-log tests. Callers are inside the unit's scope."""

import datetime

from billing.models import MonthClose
from sessions.models import Case, Session

DAY = datetime.date(2025, 3, 4)


def case(unit, code="P-2025-0001", *, opened_on=datetime.date(2025, 1, 10), **fields):
    return Case.objects.create(unit=unit, code=code, opened_on=opened_on, **fields)


def session(unit, *, counsellors=(), **fields):
    values = {"date": DAY, "minutes": 60, "format": "couple", "participants": 2, **fields}
    created = Session.objects.create(unit=unit, **values)
    created.counsellors.set(counsellors)
    return created


def close_month(unit, day):
    return MonthClose.objects.create(unit=unit, month=day.replace(day=1))


def session_values(**overrides):
    """What the session form sends (the service's keyword arguments)."""
    return {"date": DAY, "start_time": datetime.time(9, 0), "minutes": 60, "format": "couple", "participants": None,
            "location": "office", "status": "held", "fee": "paid", "case": None, **overrides}
