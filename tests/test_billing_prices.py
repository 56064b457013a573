"""Price tables at /<unit>/billing/prices/: the chief and the funding organisation's
administrator enter hourly rates, visit fees and call-offs; every entry is audited; a closed
month keeps the prices it was billed with (a new price applies from the next open month); the
chief's landing page reminds of next year's prices in December and January."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django_scopes import scope

from billing import panels, rules
from billing.models import CallOff, FeeYear, RateYear
from billing.selectors import missing_prices, month_statement, price_reminder_year
from billing.services import month_close, rate_enter
from tests import billing_data as data
from tests.conftest import logged_in
from units.models import Agreement, AuditEvent

JANUARY, FEBRUARY, MARCH = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)


@pytest.fixture
def hourly(in_unit_a):
    """Unit A billed by the hour at 605.00 in 2025, one 60-minute session in each of January–March."""
    agreement = data.hourly_agreement(in_unit_a, rates={2025: "605.00"})
    for month in (JANUARY, FEBRUARY, MARCH):
        data.session(in_unit_a, month.replace(day=6), 60)
    return agreement


@pytest.fixture
def anna_client(anna):
    return logged_in(anna)


def _url(unit, year=2025):
    return f"/{unit.slug}/billing/prices/?year={year}"


def _rate(agreement, rate, year=2025):
    return {"form": "rate", "rate-agreement": agreement.pk, "rate-year": year, "rate-rate": rate}


# --- the rules ---------------------------------------------------------------------------------

def test_the_price_in_force_is_the_latest_begun():
    entries = [(1, "605"), (4, "650"), (9, "700")]
    assert [rules.in_force(entries, month) for month in (1, 3, 4, 8, 9, 12)] == [
        "605", "605", "650", "650", "700", "700"]
    assert rules.in_force([(3, "650")], 2) is None
    assert rules.in_force([], 5) is None


def test_a_price_takes_effect_after_the_last_closed_month():
    assert rules.first_open_month([]) == 1
    assert rules.first_open_month([1, 2, 3]) == 4
    assert rules.first_open_month([3]) == 4  # January and February had nothing to bill
    assert rules.first_open_month(list(range(1, 13))) is None


def test_the_reminder_asks_in_december_for_next_year_and_in_january_for_this_year():
    assert price_reminder_year(datetime.date(2025, 12, 1)) == 2026
    assert price_reminder_year(datetime.date(2026, 1, 31)) == 2026
    assert price_reminder_year(datetime.date(2026, 2, 1)) is None
    assert price_reminder_year(datetime.date(2025, 11, 30)) is None


# --- who may open the page ------------------------------------------------------------------------

def test_the_chief_sees_the_year_in_a_fixed_number_of_queries(anna_client, unit_a, hourly,
                                                               django_assert_max_num_queries):
    with scope(unit=unit_a):
        data.fee(unit_a, year=2025, agreement=hourly)
        data.call_off(unit_a, hourly, year=2025, hours="40.00")
    with django_assert_max_num_queries(14):
        response = anna_client.get(_url(unit_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Prislistor 2025" in text and "605,00\xa0kr" in text and "200,00\xa0kr" in text and "SOF 2025-1" in text


def test_a_counsellor_gets_404(alice_client, unit_a, hourly):
    assert alice_client.get(_url(unit_a)).status_code == 404
    assert alice_client.post(_url(unit_a), _rate(hourly, "700.00")).status_code == 404
    with scope(unit=unit_a):
        assert RateYear.objects.get(unit=unit_a).rate == Decimal("605.00")


def test_another_organisations_administrator_gets_404(oscar_client, unit_a, hourly):
    assert oscar_client.get(_url(unit_a)).status_code == 404


# --- entering prices ----------------------------------------------------------------------------

def test_the_chief_enters_next_years_rate_audited(anna_client, anna, unit_a, hourly):
    response = anna_client.post(_url(unit_a, 2026), _rate(hourly, "627.40", 2026))
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    with scope(unit=unit_a):
        row = RateYear.objects.get(unit=unit_a, year=2026)
    assert (row.rate, row.from_month, row.agreement) == (Decimal("627.40"), 1, hourly)
    assert AuditEvent.objects.filter(unit=unit_a, user=anna, action="billing.rate_enter",
                                     object_id=str(row.pk)).count() == 1


def test_a_rate_entered_after_closing_applies_from_the_next_open_month_and_closed_months_keep_theirs(
        anna_client, anna, unit_a, hourly):
    with scope(unit=unit_a):
        month_close(unit=unit_a, month=JANUARY, acting_user=anna, with_pdf=False)
        january_before = month_statement(unit=unit_a, month=JANUARY).data
    response = anna_client.post(_url(unit_a), _rate(hourly, "650.00"))
    assert response.status_code == 302
    with scope(unit=unit_a):
        rows = list(RateYear.objects.filter(unit=unit_a, year=2025).order_by("from_month")
                    .values_list("from_month", "rate"))
        assert rows == [(1, Decimal("605.00")), (2, Decimal("650.00"))]
        assert month_statement(unit=unit_a, month=JANUARY).data == january_before
        assert january_before["rate"] == "605.00" and january_before["amount"] == "605.00"
        assert month_statement(unit=unit_a, month=FEBRUARY).data["amount"] == "650.00"
        assert month_statement(unit=unit_a, month=MARCH).data["rate"] == "650.00"
        # While February is open its row is corrected in place; once it closes, a new row follows.
        rate_enter(unit=unit_a, agreement=hourly, year=2025, rate=Decimal("660.00"), acting_user=anna)
        assert RateYear.objects.filter(unit=unit_a, year=2025).count() == 2
        month_close(unit=unit_a, month=FEBRUARY, acting_user=anna, with_pdf=False)
        rate_enter(unit=unit_a, agreement=hourly, year=2025, rate=Decimal("700.00"), acting_user=anna)
        assert list(RateYear.objects.filter(unit=unit_a, year=2025).order_by("from_month")
                    .values_list("from_month", "rate")) == [
            (1, Decimal("605.00")), (2, Decimal("660.00")), (3, Decimal("700.00"))]
        assert month_statement(unit=unit_a, month=FEBRUARY).data["amount"] == "660.00"
        assert month_statement(unit=unit_a, month=MARCH).data["amount"] == "700.00"
    page = anna_client.get(_url(unit_a)).content.decode()
    assert "2025-03" in page
    assert list(AuditEvent.objects.filter(unit=unit_a, action__startswith="billing.rate_")
                .order_by("pk").values_list("action", flat=True)) == [
        "billing.rate_enter", "billing.rate_change", "billing.rate_enter"]


def test_the_same_rate_again_writes_nothing(anna_client, unit_a, hourly):
    anna_client.post(_url(unit_a), _rate(hourly, "605.00"))
    with scope(unit=unit_a):
        assert RateYear.objects.filter(unit=unit_a).count() == 1
    assert not AuditEvent.objects.filter(unit=unit_a, action__startswith="billing.rate").exists()


def test_a_year_closed_to_december_refuses_new_prices(anna, unit_a, in_unit_a, hourly):
    from billing.models import MonthClose

    for month in range(1, 13):
        MonthClose.objects.create(unit=unit_a, month=datetime.date(2024, month, 1))
    client = logged_in(anna)
    response = client.post(_url(unit_a, 2024), _rate(hourly, "590.00", 2024))
    assert response.status_code == 200
    assert "Alla månader 2024 är stängda" in response.content.decode()
    assert not RateYear.objects.filter(unit=unit_a, year=2024).exists()


def test_a_rate_needs_an_hourly_agreement_and_a_number(anna_client, unit_a, in_unit_a):
    fixed = Agreement.objects.get(unit=unit_a, municipality__name="Finspång")
    response = anna_client.post(_url(unit_a), {"form": "rate", "rate-agreement": fixed.pk, "rate-year": 2025,
                                               "rate-rate": "abc"})
    assert response.status_code == 200
    form = response.context["forms"]["rate"]
    assert "agreement" in form.errors and "rate" in form.errors
    assert not RateYear.objects.filter(unit=unit_a).exists()


def test_a_fee_with_its_options_per_municipality(anna_client, anna, unit_a, in_unit_a, hourly):
    finspang = Agreement.objects.get(unit=unit_a, municipality__name="Finspång")
    response = anna_client.post(_url(unit_a), {
        "form": "fee", "fee-agreement": finspang.pk, "fee-year": 2025, "fee-fee": "150.00",
        "fee-first_visit_free": "on"})
    assert response.status_code == 302
    row = FeeYear.objects.get(unit=unit_a, year=2025)
    assert (row.municipality.name, row.fee, row.first_visit_free, row.fee_on_no_show, row.from_month) == (
        "Finspång", Decimal("150.00"), True, False, 1)
    # A paid first visit of a Finspång resident is free; the second pays 150.00.
    resident = data.case(unit_a, municipality="Finspång")
    data.session(unit_a, datetime.date(2025, 2, 3), 60, case=resident, fee="paid")
    data.session(unit_a, datetime.date(2025, 2, 10), 60, case=resident, fee="paid")
    fees = month_statement(unit=unit_a, month=FEBRUARY).data["fees"]
    assert fees["by_municipality"]["Finspång"] == {"visits": 1, "fee": "150.00", "total": "150.00"}
    assert AuditEvent.objects.filter(unit=unit_a, user=anna, action="billing.fee_enter").count() == 1


def test_a_fee_changed_after_closing_leaves_the_closed_month_and_applies_from_the_next(anna, unit_a, in_unit_a,
                                                                                        hourly):
    data.fee(unit_a, year=2025, agreement=hourly)
    resident = data.case(unit_a)
    for month in (JANUARY, FEBRUARY):
        data.session(unit_a, month.replace(day=20), 60, case=resident, fee="paid")
    month_close(unit=unit_a, month=JANUARY, acting_user=anna, with_pdf=False)
    response = logged_in(anna).post(_url(unit_a), {"form": "fee", "fee-agreement": hourly.pk, "fee-year": 2025,
                                                   "fee-fee": "220.00", "fee-fee_on_no_show": "on"})
    assert response.status_code == 302
    assert list(FeeYear.objects.filter(unit=unit_a).order_by("from_month").values_list("from_month", "fee")) == [
        (1, Decimal("200.00")), (2, Decimal("220.00"))]
    assert month_statement(unit=unit_a, month=JANUARY).data["fees"]["total"] == "200.00"
    assert month_statement(unit=unit_a, month=FEBRUARY).data["fees"]["total"] == "220.00"


def test_a_call_off_raises_the_limit_of_the_open_months_only(anna_client, anna, unit_a, in_unit_a):
    agreement = data.hourly_agreement(unit_a, cap="2.00", rates={2025: "605.00"})
    for month in (JANUARY, FEBRUARY, MARCH):
        data.session(unit_a, month.replace(day=6), 90)  # 1.50 h each
    month_close(unit=unit_a, month=JANUARY, acting_user=anna, with_pdf=False)
    january = month_statement(unit=unit_a, month=JANUARY).data
    february = month_statement(unit=unit_a, month=FEBRUARY).data
    assert (february["billable_hours"], february["hours_over_cap"]) == ("0.50", "1.00")
    response = anna_client.post(_url(unit_a), {"form": "call_off", "call_off-agreement": agreement.pk,
                                               "call_off-year": 2025, "call_off-date": "2025-02-20",
                                               "call_off-hours": "1.00", "call_off-reference": "SOF 2025-17"})
    assert response.status_code == 302
    call_off = CallOff.objects.get(unit=unit_a)
    assert (call_off.hours, call_off.reference, call_off.date) == (Decimal("1.00"), "SOF 2025-17",
                                                                   datetime.date(2025, 2, 20))
    # January stays as closed; February, still open, charges up to the new limit of 3.00 h.
    assert month_statement(unit=unit_a, month=JANUARY).data == january
    february = month_statement(unit=unit_a, month=FEBRUARY).data
    assert (february["billable_hours"], february["hours_over_cap"], february["hours_limit"]) == (
        "1.50", "0.00", "3.00")
    assert february["amount"] == "907.50"  # 1.50 h × 605.00
    march = month_statement(unit=unit_a, month=MARCH).data
    assert (march["billable_hours"], march["hours_over_cap"]) == ("0.00", "1.50")
    assert AuditEvent.objects.filter(unit=unit_a, action="billing.call_off_add", object_id=str(call_off.pk)
                                     ).count() == 1
    # Its year has a closed month: it can no longer be removed.
    anna_client.post(f"/{unit_a.slug}/billing/prices/call-offs/{call_off.pk}/remove/")
    assert CallOff.objects.filter(pk=call_off.pk).exists()


def test_a_call_off_of_an_open_year_can_be_removed_audited(anna_client, unit_a, in_unit_a):
    agreement = data.hourly_agreement(unit_a, cap="100.00", rates={2026: "627.40"})
    call_off = data.call_off(unit_a, agreement, year=2026, hours="10.00")
    assert anna_client.post(f"/{unit_a.slug}/billing/prices/call-offs/{call_off.pk}/remove/").status_code == 302
    assert not CallOff.objects.filter(pk=call_off.pk).exists()
    assert AuditEvent.objects.filter(unit=unit_a, action="billing.call_off_remove").count() == 1


def test_a_call_off_of_zero_hours_or_with_an_identity_number_is_refused(anna_client, unit_a, in_unit_a):
    agreement = data.hourly_agreement(unit_a, cap="100.00")
    base = {"form": "call_off", "call_off-agreement": agreement.pk, "call_off-year": 2025,
            "call_off-date": "2025-02-20"}
    response = anna_client.post(_url(unit_a), base | {"call_off-hours": "0", "call_off-reference": "SOF 1"})
    assert "hours" in response.context["forms"]["call_off"].errors
    response = anna_client.post(_url(unit_a), base | {"call_off-hours": "5",
                                                      "call_off-reference": "19850101-1234"})
    assert "reference" in response.context["forms"]["call_off"].errors
    assert not CallOff.objects.filter(unit=unit_a).exists()


def test_another_units_call_off_is_404(anna_client, unit_a, unit_b):
    with scope(unit=unit_b):
        agreement = Agreement.objects.get(unit=unit_b)
        agreement.kind, agreement.hour_cap = Agreement.Kind.HOURLY, Decimal("10")
        agreement.save()
        other = data.call_off(unit_b, agreement, year=2026, hours="1.00")
    assert anna_client.post(f"/{unit_a.slug}/billing/prices/call-offs/{other.pk}/remove/").status_code == 404
    with scope(unit=unit_b):
        assert CallOff.objects.filter(pk=other.pk).exists()


# --- the funding organisation's administrator ------------------------------------------------------

def test_a_funders_administrator_enters_prices_of_its_own_agreement_only(olga):
    unit = data.funded_unit()
    with scope(unit=unit):
        linkoping = Agreement.objects.get(unit=unit, municipality__name="Linköping")
        finspang = Agreement.objects.get(unit=unit, municipality__name="Finspång")
    client = logged_in(olga)
    page = client.get(_url(unit, 2024))
    assert page.status_code == 200
    assert [pk for pk, _label in page.context["forms"]["fee"].fields["agreement"].choices] == [linkoping.pk]
    text = page.content.decode()
    assert "300,00\xa0kr" in text and "250,00\xa0kr" not in text  # Linköping's fee, not Norrköping's
    refused = client.post(_url(unit), {"form": "fee", "fee-agreement": finspang.pk, "fee-year": 2026,
                                       "fee-fee": "1.00"})
    assert "agreement" in refused.context["forms"]["fee"].errors
    assert client.post(_url(unit), {"form": "fee", "fee-agreement": linkoping.pk, "fee-year": 2026,
                                    "fee-fee": "310.00"}).status_code == 302
    with scope(unit=unit):
        row = FeeYear.objects.get(year=2026)
    assert (row.municipality.name, row.fee) == ("Linköping", Decimal("310.00"))
    assert AuditEvent.objects.filter(unit=unit, user=olga, action="billing.fee_enter").count() == 1


# --- the reminder ---------------------------------------------------------------------------------

def _panels(unit, user, role, today):
    request = RequestFactory().get("/")
    request.unit, request.unit_role, request.user = unit, role, user
    with scope(unit=unit):
        return panels.panels(request, today=today)


def test_december_reminds_the_chief_of_next_years_missing_rate_and_fees(anna, unit_a, hourly):
    with scope(unit=unit_a):
        data.fee(unit_a, year=2025, agreement=hourly)
        data.fee(unit_a, year=2025, municipality="Finspång", agreement=hourly)
        data.fee(unit_a, year=2026, municipality="Finspång", agreement=hourly)
        missing = missing_prices(unit=unit_a, year=2026)
    assert (missing.rates, missing.fees) == (["Linköping"], ["Linköping"])
    found = _panels(unit_a, anna, "chief", datetime.date(2025, 12, 3))
    reminder = [panel for panel in found if panel["template"] == "billing/_prices_panel.html"]
    assert len(reminder) == 1 and reminder[0]["missing"].year == 2026
    assert not [panel for panel in _panels(unit_a, anna, "chief", datetime.date(2025, 11, 3))
                if panel["template"] == "billing/_prices_panel.html"]
    assert _panels(unit_a, anna, "counsellor", datetime.date(2025, 12, 3)) == []
    with scope(unit=unit_a):
        rate_enter(unit=unit_a, agreement=hourly, year=2026, rate=Decimal("627.40"), acting_user=anna)
        data.fee(unit_a, year=2026, agreement=hourly)
    assert not [panel for panel in _panels(unit_a, anna, "chief", datetime.date(2026, 1, 5))
                if panel["template"] == "billing/_prices_panel.html"]


def test_the_reminder_shows_on_the_landing_page(anna_client, unit_a, hourly, monkeypatch):
    from billing import panels as billing_panels

    monkeypatch.setattr(billing_panels, "price_reminder_year", lambda today: 2026)
    text = anna_client.get(f"/{unit_a.slug}/").content.decode()
    assert "Priser för 2026" in text and "timpris för avtalet med Linköping" in text
    assert f"/{unit_a.slug}/billing/prices/?year=2026" in text
