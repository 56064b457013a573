"""billing.demo.seed_history through seed_demo: price tables, fixed amounts, closed months."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from billing.models import CallOff, FeeYear, MonthClose, RateYear
from billing.selectors import month_statement
from tests import billing_data as data
from units.models import Unit

UNTIL = datetime.date(2025, 11, 20)


@pytest.fixture
def seeded(db, settings):
    """Tenants, then a year of Leanlink sessions as the sessions demo would leave them, then history."""
    settings.DEBUG = True
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))
    leanlink = Unit.objects.get(slug="leanlink-fr")
    with scope(unit=leanlink):
        for number in range(600):
            day = datetime.date(2024, 1, 1) + datetime.timedelta(days=number * 11 % 680)
            case = data.case(leanlink, municipality="Norrköping" if number % 50 == 0 else "Linköping",
                             opened=day) if number % 5 == 0 else None
            data.session(leanlink, day, 45 + number % 60, fee="paid" if case else "none", case=case)
    # Its speed is a benchmark figure (bench/RESULTS.md, seed_demo), not an assertion here.
    call_command("seed_demo", "--until", UNTIL.isoformat(), stdout=open("/dev/null", "w"))
    return leanlink


def test_leanlink_gets_yearly_rates_fees_a_call_off_and_every_past_month_closed(seeded):
    leanlink = seeded
    with scope(unit=leanlink):
        rates = dict(RateYear.objects.values_list("year", "rate"))
        assert rates[2022] == Decimal("605.00") and sorted(rates) == [2022, 2023, 2024, 2025]
        for year in (2023, 2024, 2025):
            assert Decimal("1.025") <= rates[year] / rates[year - 1] <= Decimal("1.04")
        fees = dict(FeeYear.objects.filter(municipality__name="Linköping").values_list("year", "fee"))
        assert fees[2022] == Decimal("200.00") and fees[2025] > fees[2024] > fees[2023] > fees[2022]
        # An exception resident of another municipality has a fee too, so no month is refused.
        assert FeeYear.objects.filter(municipality__name="Norrköping", year=2024).exists()
        assert CallOff.objects.get().year == 2025
        closes = MonthClose.objects.order_by("month")
        assert [close.month for close in closes] == [
            datetime.date(year, month, 1) for year in (2024, 2025) for month in range(1, 13)
            if datetime.date(year, month, 1) < UNTIL.replace(day=1)]
        assert all(close.csv_sha256 and not close.pdf_file for close in closes)
        assert closes[0].closed_at.date() == datetime.date(2024, 2, 5)  # third working day after January
        assert int(Decimal(month_statement(unit=leanlink, month=datetime.date(2024, 3, 1)).data["amount"])) > 0


def test_norrkoping_bills_fixed_yearly_amounts_to_finspang_and_soderkoping(seeded):
    norrkoping = Unit.objects.get(slug="norrkoping-fr")
    with scope(unit=norrkoping):
        march = month_statement(unit=norrkoping, month=datetime.date(2025, 3, 1))
        statement = march.data
        assert march.closed and MonthClose.objects.count() == 22
        assert FeeYear.objects.get(year=2025, municipality__name="Finspång").first_visit_free
    assert statement["agreement"] is None
    assert [(fixed["municipality"], fixed["amount"]) for fixed in statement["fixed"]] == [
        ("Finspång", "45000.00"), ("Söderköping", "31000.00")]
    assert statement["total_amount"] == "76000.00"


def _counts():
    # Counting the rows of every demo unit at once.
    with scopes_disabled():
        return RateYear.objects.count(), FeeYear.objects.count(), MonthClose.objects.count()


def test_seeding_again_changes_nothing(seeded):
    counts = _counts()
    call_command("seed_demo", "--until", UNTIL.isoformat(), stdout=open("/dev/null", "w"))
    assert _counts() == counts
