"""Rows for the period-statistics tests, created straight with the ORM inside the unit's scope."""

import datetime
import itertools

from intake.models import Application
from sessions.models import Case, Session
from tests import factories

_codes = itertools.count(1)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def case(unit, *, opened="2024-01-01", **fields):
    for key in ("started_on", "closed_on", "assigned_on", "regular_from", "rereferred_on"):
        if isinstance(fields.get(key), str):
            fields[key] = day(fields[key])
    return Case.objects.create(unit=unit, code=f"T-{next(_codes):05d}", opened_on=day(opened), **fields)


def session(unit, the_case, date, *, minutes=60, format="individual", status="held", corrects=None, **fields):
    return Session.objects.create(unit=unit, case=the_case, date=day(date), minutes=minutes, format=format,
                                  status=status, corrects=corrects, **fields)


def application(unit, received, *, offered=None, closed=None, municipality=None, **fields):
    if municipality is None:  # "other municipality — by exception" always carries its reason
        fields.setdefault("exception_reason", "By agreement with the administration")
    return Application.objects.create(
        unit=unit, case=case(unit, opened=received), received_on=day(received),
        offered_on=day(offered) if offered else None, closed_on=day(closed) if closed else None,
        municipality=factories.municipality(municipality) if municipality else None, **fields,
    )


def core_fixture(unit):
    """The hand-computed fixture of tests/test_reporting_indicators.py (2025-Q1, limit 14 days)."""
    a, b, c, d, e, f, g, h = (case(unit) for _ in range(8))
    session(unit, a, "2024-12-20", minutes=60, format="couple")
    session(unit, a, "2025-01-15", minutes=90, format="couple")
    session(unit, a, "2025-03-15", status="unit_cancelled")
    session(unit, b, "2024-12-10", status="no_show")
    session(unit, b, "2025-02-03", minutes=45)
    session(unit, c, "2025-03-31", format="family")
    session(unit, d, "2025-01-10", status="client_cancelled")
    session(unit, d, "2025-02-10", status="no_show")
    session(unit, e, "2025-04-01")
    session(unit, f, "2025-01-01", minutes=50, format="group", participants=6)
    # Corrections replace their originals: G's held session was in fact a no-show, H's lasted 75 minutes.
    session(unit, g, "2025-02-20", status="no_show", corrects=session(unit, g, "2025-02-20"))
    session(unit, h, "2025-03-05", minutes=75, corrects=session(unit, h, "2025-03-05", minutes=30))
    session(unit, None, "2025-03-10", format="group", participants=8)

    application(unit, "2024-12-20", offered="2025-01-05", municipality="Linköping")
    application(unit, "2025-01-02", offered="2025-01-09", municipality="Linköping")
    application(unit, "2025-01-10", offered="2025-01-24", municipality="Finspång")
    application(unit, "2025-02-01", offered="2025-02-11")
    application(unit, "2025-03-20", offered="2025-04-02", municipality="Linköping")
    application(unit, "2025-03-01", municipality="Finspång")
    application(unit, "2025-02-15", closed="2025-03-01", outcome="withdrawn", municipality="Linköping")
    application(unit, "2025-01-20", closed="2025-04-10", outcome="withdrawn")
    application(unit, "2024-11-01", offered="2025-03-31", municipality="Linköping")
    application(unit, "2025-03-31", municipality="Linköping")
