"""Demo price tables and closed months (seed_demo runs this after the sessions history).

Leanlink: 605.00 SEK/h in 2022 (002_93c1598fd6f3fa34.txt §1.2) raised each year by an index of
2.5–3.5 %, the visit fee 200.00 SEK in 2022 raised yearly, a call-off in 2025, and every month
before the current one closed. The demo closes without rendering PDFs (about a second each for
a month of Leanlink's volume): the statement is frozen in the snapshot and stored as CSV, and
the PDF is rendered from the snapshot on its first download.
Norrköping: fixed yearly amounts from Finspång and Söderköping (000_610e279258caecb4.txt §3.1),
each municipality's own visit fee, and its past months closed too."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from billing.models import CallOff, FeeYear, MonthClose, RateYear
from billing.rules import money
from billing.selectors import next_month
from billing.services import month_close
from intake.models import Application
from units.models import Agreement, Municipality, Unit

CONTRACT_REFERENCE = "SON 2021-233"  # the contract's diarienummer
RATE_2022 = Decimal("605.00")
# The municipality's yearly index ("kommunens uppräkningsmodell"), as a demo assumption.
INDEX = {2023: Decimal("0.035"), 2024: Decimal("0.032"), 2025: Decimal("0.028"), 2026: Decimal("0.025")}
LATER_INDEX = Decimal("0.025")

# (fee in the first year, yearly raise, first visit free, fee on no-show)
FEES = {
    "Linköping": (Decimal("200.00"), Decimal("10.00"), False, False),
    "Norrköping": (Decimal("250.00"), Decimal("10.00"), False, False),
    "Finspång": (Decimal("200.00"), Decimal("10.00"), True, False),
    "Söderköping": (Decimal("220.00"), Decimal("5.00"), False, True),
}
OTHER_FEE = FEES["Linköping"]

FIXED_YEARLY = {
    "Finspång": (Decimal("540000.00"), "KS 2019/0412"),
    "Söderköping": (Decimal("372000.00"), "KS 2019/0388"),
}
CALL_OFF = (2025, Decimal("150.00"), datetime.date(2025, 10, 15), "SOF 2025-1187")


def seed_history(*, unit: Unit, rng, start: datetime.date, end: datetime.date) -> None:
    if FeeYear.objects.filter(unit=unit).exists():
        return
    if unit.slug == "leanlink-fr":
        _leanlink(unit, start, end)
    elif unit.slug == "norrkoping-fr":
        _norrkoping(unit, start, end)


def _rate(year: int) -> Decimal:
    rate = RATE_2022
    for later in range(2023, year + 1):
        rate = money(rate * (1 + INDEX.get(later, LATER_INDEX)))
    return rate


def _fees(unit: Unit, years: range, names: list[str], agreement_for) -> None:
    """A fee each year for the named municipalities and every one the unit's applicants live in."""
    ids = set(Application.objects.filter(unit=unit).exclude(municipality=None).values_list("municipality", flat=True))
    rows = []
    for municipality in Municipality.objects.filter(Q(pk__in=ids) | Q(name__in=names)):
        first, raise_by, first_free, no_show = FEES.get(municipality.name, OTHER_FEE)
        agreement = agreement_for(municipality)
        for index, year in enumerate(years):
            rows.append(FeeYear(unit=unit, agreement=agreement, year=year, municipality=municipality,
                                fee=first + raise_by * index, first_visit_free=first_free, fee_on_no_show=no_show))
    FeeYear.objects.bulk_create(rows)


def _leanlink(unit: Unit, start: datetime.date, end: datetime.date) -> None:
    agreement = Agreement.objects.get(unit=unit, kind=Agreement.Kind.HOURLY)
    Agreement.objects.filter(pk=agreement.pk, reference="").update(reference=CONTRACT_REFERENCE)
    years = range(agreement.valid_from.year, end.year + 1)
    RateYear.objects.bulk_create([RateYear(unit=unit, agreement=agreement, year=year, rate=_rate(year))
                                  for year in years])
    _fees(unit, years, [agreement.municipality.name], lambda municipality: agreement)
    year, hours, granted, reference = CALL_OFF
    if year in years:
        CallOff.objects.create(unit=unit, agreement=agreement, year=year, hours=hours, date=granted,
                               reference=reference)
    _close_past_months(unit, start, end)


def _close_past_months(unit: Unit, start: datetime.date, end: datetime.date) -> None:
    chief = get_user_model().objects.filter(username=f"{unit.slug}.chief").first()
    month = start.replace(day=1)
    while next_month(month) <= end.replace(day=1):
        close = month_close(unit=unit, month=month, acting_user=chief, with_pdf=False, today=end)
        # Closed on the third working day after the month, as a chief would.
        closed_on = next_month(month) + datetime.timedelta(days=2)
        while closed_on.weekday() >= 5:
            closed_on += datetime.timedelta(days=1)
        MonthClose.objects.filter(pk=close.pk).update(closed_at=timezone.make_aware(
            datetime.datetime.combine(closed_on, datetime.time(10, 0))))
        month = next_month(month)


def _norrkoping(unit: Unit, start: datetime.date, end: datetime.date) -> None:
    agreements = {a.municipality.name: a for a in Agreement.objects.filter(unit=unit).select_related("municipality")}
    for name, (amount, reference) in FIXED_YEARLY.items():
        Agreement.objects.filter(pk=agreements[name].pk).update(fixed_amount=amount, reference=reference)
    own = agreements[unit.organisation.municipality.name]
    _fees(unit, range(start.year, end.year + 1), list(agreements),
          lambda municipality: agreements.get(municipality.name, own))
    _close_past_months(unit, start, end)
