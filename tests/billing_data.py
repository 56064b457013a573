"""Billing test data made with the ORM inside a unit's scope (the sessions app's services are
written in parallel; these rows are what they store)."""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django_scopes import scope

from billing.models import CallOff, FeeYear, RateYear
from intake.models import Application
from sessions.models import Case, Session
from tests import factories
from units.models import Agreement

_codes = itertools.count(1)


def hourly_agreement(unit, *, cap="2590.00", rates=None, valid_from=datetime.date(2022, 1, 1), valid_to=None):
    """Unit A's Linköping agreement made hourly, like Leanlink's, with a rate per year."""
    agreement = Agreement.objects.get(unit=unit, municipality__name="Linköping")
    agreement.kind = Agreement.Kind.HOURLY
    agreement.hour_cap = None if cap is None else Decimal(cap)
    agreement.valid_from, agreement.valid_to = valid_from, valid_to
    agreement.reference = "SON 2021-233"
    agreement.save()
    for year, rate in (rates or {2025: "605.00"}).items():
        RateYear.objects.create(unit=unit, agreement=agreement, year=year, rate=Decimal(rate))
    return agreement


def fee(unit, *, year, municipality="Linköping", amount="200.00", agreement=None, **options):
    agreement = agreement or Agreement.objects.filter(unit=unit).first()
    return FeeYear.objects.create(unit=unit, agreement=agreement, year=year,
                                  municipality=factories.municipality(municipality), fee=Decimal(amount), **options)


def call_off(unit, agreement, *, year, hours, date=None, reference="SOF 2025-1"):
    return CallOff.objects.create(unit=unit, agreement=agreement, year=year, hours=Decimal(hours),
                                  date=date or datetime.date(year, 6, 1), reference=reference)


def case(unit, *, municipality="Linköping", opened=datetime.date(2025, 1, 2)):
    created = Case.objects.create(unit=unit, code=f"P-2025-{next(_codes):04d}", opened_on=opened)
    Application.objects.create(unit=unit, case=created, received_on=opened,
                               municipality=factories.municipality(municipality) if municipality else None)
    return created


def session(unit, day, minutes=60, *, format="couple", participants=2, status="held", fee="none", case=None,
            start=None, corrects=None, created_at=None):
    row = Session.objects.create(unit=unit, date=day, minutes=minutes, format=format, participants=participants,
                                 status=status, fee=fee, case=case, start_time=start, corrects=corrects)
    if created_at is not None:
        Session.objects.filter(pk=row.pk).update(created_at=created_at)
        row.refresh_from_db()
    return row


def at(day: datetime.date, hour=10) -> datetime.datetime:
    """A moment on `day` in the units' time zone."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Europe/Stockholm"))


# Visit fees per municipality in the funded unit below, distinct so each shows whose it is.
FUNDED_FEES = {"Norrköping": "250.00", "Finspång": "200.00", "Söderköping": "220.00", "Linköping": "300.00"}


def funded_unit(*, linkoping_from=datetime.date(2024, 6, 1), months=(datetime.date(2024, 3, 1),
                                                                     datetime.date(2024, 7, 1))):
    """A unit run by Norrköping, funded by Finspång and Söderköping with fixed yearly amounts
    (like norrkoping-fr) and by Linköping through an agreement valid from `linkoping_from`;
    one paid visit per municipality of residence in each of `months`. Returns the unit."""
    org = factories.organisation("norrkoping", "Norrköpings kommun", "Norrköping")
    unit = factories.unit("norr", org=org, name="Familjerådgivningen Norr",
                          funders=("Norrköping", "Finspång", "Söderköping"))
    with scope(unit=unit):
        for name, amount, reference in (("Finspång", "540000.00", "KS 2019/0412"),
                                        ("Söderköping", "372000.00", "KS 2019/0388")):
            Agreement.objects.filter(unit=unit, municipality__name=name).update(
                kind=Agreement.Kind.FIXED, fixed_amount=Decimal(amount), reference=reference)
        Agreement.objects.create(unit=unit, municipality=factories.municipality("Linköping"),
                                 valid_from=linkoping_from, reference="LKP 2024-1")
        agreements = {a.municipality.name: a for a in Agreement.objects.filter(unit=unit)}
        for month in months:
            if not FeeYear.objects.filter(unit=unit, year=month.year).exists():
                for name, amount in FUNDED_FEES.items():
                    fee(unit, year=month.year, municipality=name, amount=amount, agreement=agreements[name])
            for day, name in enumerate(FUNDED_FEES, start=3):
                session(unit, month.replace(day=day), 60, case=case(unit, municipality=name, opened=month),
                        fee="paid")
    return unit
