"""Applications for intake tests: one through the service, many in bulk."""

import datetime

from django.utils import timezone

from intake.models import Application
from intake.services import application_register
from sessions.models import Case
from units.models import Municipality


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def register(unit, *, user=None, municipality="Linköping", **fields) -> Application:
    """Register through the service, received today in Linköping unless told otherwise."""
    fields.setdefault("received_on", timezone.localdate())
    place = Municipality.objects.get(name=municipality) if municipality else None
    return application_register(unit=unit, acting_user=user, municipality=place, **fields)


def bulk(unit, count: int, *, received_on=None, **fields) -> list[Application]:
    """Many waiting applications at once, for query-count tests."""
    municipality = Municipality.objects.get(name="Linköping")
    received_on = received_on or days_ago(3)
    first = Case.objects.filter(unit=unit).count()
    cases = Case.objects.bulk_create(
        [Case(unit=unit, code=f"T-{index:05d}", opened_on=received_on) for index in range(first, first + count)]
    )
    return Application.objects.bulk_create(
        [Application(unit=unit, case=case, received_on=received_on, municipality=municipality, **fields)
         for case in cases]
    )
