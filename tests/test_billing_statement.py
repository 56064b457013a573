"""The month's statement (billing.selectors.month_statement) with hand-computed figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from billing.selectors import compute_statement, month_statement, year_overview
from billing.services import month_close
from tests import billing_data as data
from units.models import Agreement

D = Decimal
MARCH = datetime.date(2025, 3, 1)


@pytest.fixture
def hourly(in_unit_a):
    return data.hourly_agreement(in_unit_a, rates={2025: "605.00", 2026: "626.18"})


def test_statement_has_one_line_per_billable_session_and_the_documented_keys(in_unit_a, hourly):
    unit = in_unit_a
    data.session(unit, datetime.date(2025, 2, 27), 60)  # February: year to date only
    couple = data.session(unit, datetime.date(2025, 3, 3), 61)
    single = data.session(unit, datetime.date(2025, 3, 4), 50, format="individual", participants=1)
    group = data.session(unit, datetime.date(2025, 3, 5), 90, format="group", participants=6)
    data.session(unit, datetime.date(2025, 3, 6), 60, status="no_show")
    data.session(unit, datetime.date(2025, 3, 7), 60, status="client_cancelled")
    data.session(unit, datetime.date(2025, 3, 8), 60, status="unit_cancelled")
    data.session(unit, datetime.date(2025, 4, 1), 60)

    statement = month_statement(unit=unit, month=MARCH).data

    assert set(statement) >= {"unit", "month", "agreement", "rate", "lines", "billable_hours", "amount",
                              "hours_year_to_date", "hours_cap", "call_off_hours", "hours_over_cap", "fees"}
    assert set(statement["fees"]) == {"visits", "total", "by_municipality"}
    assert set(statement["lines"][0]) >= {"date", "session_id", "format", "participants", "minutes",
                                          "billable_hours", "amount", "flag"}
    assert statement["unit"] == "alpha" and statement["month"] == "2025-03" and statement["rate"] == "605.00"
    assert statement["agreement"]["municipality"] == "Linköping"
    assert [(line["session_id"], line["billable_hours"], line["amount"], line["flag"])
            for line in statement["lines"]] == [
        (couple.pk, "1.25", "756.25", None),
        (single.pk, "1.00", "605.00", None),
        (group.pk, "6.00", "3630.00", None),  # 4 client hours per group hour: 4 × 1.50
    ]
    # 1.25 + 1.00 + 6.00 = 8.25 h × 605.00 = 4 991.25
    assert statement["billable_hours"] == "8.25"
    assert statement["amount"] == "4991.25"
    assert statement["hours_year_to_date"] == "9.25"
    assert statement["hours_cap"] == "2590.00"
    assert statement["call_off_hours"] == "0.00"
    assert statement["hours_over_cap"] == "0.00"
    assert statement["fees"] == {"visits": 0, "total": "0.00", "by_municipality": {}}


def test_a_group_outside_the_rule_bills_plain_time_and_is_flagged_with_the_reason(in_unit_a, hourly):
    data.session(in_unit_a, datetime.date(2025, 3, 3), 60, format="group", participants=4)
    data.session(in_unit_a, datetime.date(2025, 3, 4), 121, format="group", participants=7)

    statement = month_statement(unit=in_unit_a, month=MARCH).data

    assert [(line["billable_hours"], line["flag"]) for line in statement["lines"]] == [
        ("1.00", "fewer_than_5_participants"), ("2.25", "longer_than_2_hours")]
    assert statement["flagged_lines"] == 2
    assert statement["billable_hours"] == "3.25"


def test_cap_crossed_in_the_middle_of_a_month_charges_up_to_the_cap_and_shows_the_rest(in_unit_a):
    unit = in_unit_a
    data.hourly_agreement(unit, cap="10.00")
    data.session(unit, datetime.date(2025, 1, 20), 120, format="group", participants=5)  # 8.00
    data.session(unit, datetime.date(2025, 2, 10), 90)  # 1.50 → 9.50 before March
    data.session(unit, datetime.date(2025, 3, 10), 61)  # 1.25: nothing left
    data.session(unit, datetime.date(2025, 3, 3), 60)  # 1.00: first in date order, 0.50 fits

    statement = month_statement(unit=unit, month=MARCH).data

    assert [(line["date"], line["billable_hours"], line["charged_hours"], line["amount"])
            for line in statement["lines"]] == [
        ("2025-03-03", "1.00", "0.50", "302.50"),
        ("2025-03-10", "1.25", "0.00", "0.00"),
    ]
    assert statement["billable_hours"] == "0.50"
    assert statement["amount"] == "302.50"
    assert statement["hours_over_cap"] == "1.75"
    assert statement["hours_year_to_date"] == "11.75"


def test_a_call_off_raises_the_years_limit(in_unit_a):
    unit = in_unit_a
    agreement = data.hourly_agreement(unit, cap="10.00")
    data.call_off(unit, agreement, year=2025, hours="5.00", reference="SOF 2025-77")
    data.call_off(unit, agreement, year=2024, hours="50.00")  # another year: no effect
    data.session(unit, datetime.date(2025, 2, 10), 570)  # 9.50
    data.session(unit, datetime.date(2025, 3, 3), 120)  # 2.00 → 11.50, under 15.00

    statement = month_statement(unit=unit, month=MARCH).data

    assert statement["call_off_hours"] == "5.00"
    assert statement["call_offs"] == [{"date": "2025-06-01", "hours": "5.00", "reference": "SOF 2025-77"}]
    assert statement["hours_limit"] == "15.00"
    assert statement["billable_hours"] == "2.00"
    assert statement["hours_over_cap"] == "0.00"


def test_rate_changes_at_new_year_and_the_year_to_date_starts_again(in_unit_a, hourly):
    unit = in_unit_a
    data.session(unit, datetime.date(2025, 12, 30), 61)
    data.session(unit, datetime.date(2026, 1, 2), 61)

    december = month_statement(unit=unit, month=datetime.date(2025, 12, 1)).data
    january = month_statement(unit=unit, month=datetime.date(2026, 1, 1)).data

    assert (december["rate"], december["amount"], december["hours_year_to_date"]) == ("605.00", "756.25", "1.25")
    # 1.25 × 626.18 = 782.725 → 782.73
    assert (january["rate"], january["amount"], january["hours_year_to_date"]) == ("626.18", "782.73", "1.25")


def test_a_year_with_no_rate_is_refused_with_what_to_enter(in_unit_a, hourly):
    data.session(in_unit_a, datetime.date(2027, 1, 5), 60)
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        compute_statement(unit=in_unit_a, month=datetime.date(2027, 1, 1))
    assert refused.value.messages == ["Ange timpriset för 2027 i avtalet med Linköping."]


def test_a_municipality_with_no_fee_is_refused_rather_than_billed_zero(in_unit_a, hourly):
    unit = in_unit_a
    data.fee(unit, year=2025, municipality="Linköping")
    data.session(unit, datetime.date(2025, 3, 3), fee="paid", case=data.case(unit, municipality="Finspång"))
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        compute_statement(unit=unit, month=MARCH)
    assert refused.value.messages == ["Ange besöksavgiften för 2025 för invånare i Finspång."]


def test_a_session_outside_the_agreements_validity_is_refused(in_unit_a):
    data.hourly_agreement(in_unit_a, valid_to=datetime.date(2025, 3, 15))
    data.session(in_unit_a, datetime.date(2025, 3, 14), 60)
    data.session(in_unit_a, datetime.date(2025, 3, 20), 60)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        compute_statement(unit=in_unit_a, month=MARCH)
    assert refused.value.messages == [
        "The sessions on 2025-03-20 are outside the agreement with Linköping (valid 2022-01-01–2025-03-15). "
        "Enter an agreement that covers these dates."]


def test_sessions_before_any_hourly_agreement_are_refused(in_unit_a):
    data.hourly_agreement(in_unit_a, valid_from=datetime.date(2025, 4, 1))
    data.session(in_unit_a, datetime.date(2025, 3, 20), 60)
    with translation.override("en"), pytest.raises(ValidationError, match="No hourly agreement covers the sessions "
                                                                          "on 2025-03-20"):
        compute_statement(unit=in_unit_a, month=MARCH)


def test_fees_are_shown_apart_per_municipality_with_each_municipalitys_options(in_unit_a, hourly):
    unit = in_unit_a
    data.fee(unit, year=2025, municipality="Linköping", amount="200.00", fee_on_no_show=True)
    data.fee(unit, year=2025, municipality="Finspång", amount="180.00", first_visit_free=True)
    linkoping, finspang = data.case(unit), data.case(unit, municipality="Finspång")
    data.session(unit, datetime.date(2025, 3, 3), case=linkoping, fee="paid")
    data.session(unit, datetime.date(2025, 3, 10), case=linkoping, fee="exempt")
    data.session(unit, datetime.date(2025, 3, 17), case=linkoping, fee="paid", status="no_show")
    data.session(unit, datetime.date(2025, 3, 4), case=finspang, fee="paid")  # first visit: free
    data.session(unit, datetime.date(2025, 3, 11), case=finspang, fee="paid")
    data.session(unit, datetime.date(2025, 3, 18), case=finspang, fee="paid", status="no_show")  # no option
    data.session(unit, datetime.date(2025, 3, 19), 90, format="group", participants=5, fee="paid")  # no case

    statement = month_statement(unit=unit, month=MARCH).data

    assert statement["fees"] == {
        "visits": 4,
        "total": "780.00",
        "by_municipality": {
            "Finspång": {"visits": 1, "fee": "180.00", "total": "180.00"},
            "Linköping": {"visits": 3, "fee": "200.00", "total": "600.00"},
        },
    }
    # Fees are not netted into the amount for the hours: 4 held sessions of 1.00 h + the group's 6.00 h.
    assert statement["amount"] == "6050.00"


def test_fixed_agreements_bill_a_twelfth_of_the_yearly_amount(in_unit_a):
    Agreement.objects.filter(unit=in_unit_a, municipality__name="Finspång").update(
        kind=Agreement.Kind.FIXED, fixed_amount=D("100000.00"), reference="KS 2019/0412")
    data.session(in_unit_a, datetime.date(2025, 3, 3), 60)

    march = month_statement(unit=in_unit_a, month=MARCH).data
    december = month_statement(unit=in_unit_a, month=datetime.date(2025, 12, 1)).data

    assert march["agreement"] is None and march["lines"] == [] and march["rate"] is None
    assert march["fixed"] == [{"municipality": "Finspång", "reference": "KS 2019/0412",
                               "yearly_amount": "100000.00", "amount": "8333.33"}]
    assert (march["amount"], march["fixed_amount"], march["total_amount"]) == ("0.00", "8333.33", "8333.33")
    assert december["fixed_amount"] == "8333.37"


def test_a_fixed_agreement_without_an_amount_is_refused(in_unit_a):
    Agreement.objects.filter(unit=in_unit_a, municipality__name="Finspång").update(kind=Agreement.Kind.FIXED)
    with translation.override("en"), pytest.raises(ValidationError, match="fixed yearly amount .* Finspång"):
        compute_statement(unit=in_unit_a, month=MARCH)


def test_a_correction_is_billed_as_the_difference_in_the_month_it_was_made(in_unit_a, hourly, anna):
    unit = in_unit_a
    data.fee(unit, year=2025, municipality="Linköping", amount="200.00")
    original = data.session(unit, datetime.date(2025, 2, 10), 60, case=data.case(unit), fee="paid")
    month_close(unit=unit, month=datetime.date(2025, 2, 1), acting_user=anna)
    # The sessions app stores the corrected values as a new row in an open month.
    correction = data.session(unit, datetime.date(2025, 2, 10), 90, case=original.case, fee="exempt",
                              corrects=original, created_at=data.at(datetime.date(2025, 3, 12)))
    data.session(unit, datetime.date(2025, 3, 3), 60)

    statement = month_statement(unit=unit, month=MARCH).data

    first = statement["lines"][0]
    assert first["session_id"] == correction.pk and first["kind"] == "correction"
    assert first["corrects"]["session_id"] == original.pk and first["corrects"]["month"] == "2025-02"
    assert (first["billable_hours"], first["amount"]) == ("0.50", "302.50")
    assert statement["billable_hours"] == "1.50"
    # The fee paid in February is taken back: the corrected visit is exempt.
    assert statement["fees"]["by_municipality"]["Linköping"] == {"visits": -1, "fee": "200.00", "total": "-200.00"}
    # February's 1.00 + the correction's 0.50 + March's 1.00.
    assert statement["hours_year_to_date"] == "2.50"
    assert month_statement(unit=unit, month=datetime.date(2025, 2, 1)).data["billable_hours"] == "1.00"


def test_a_correction_to_a_cancelled_session_gives_the_hours_back(in_unit_a, hourly, anna):
    unit = in_unit_a
    original = data.session(unit, datetime.date(2025, 2, 10), 61)
    month_close(unit=unit, month=datetime.date(2025, 2, 1), acting_user=anna)
    data.session(unit, datetime.date(2025, 2, 10), 61, status="client_cancelled", corrects=original,
                 created_at=data.at(datetime.date(2025, 3, 2)))

    statement = month_statement(unit=unit, month=MARCH).data

    assert [(line["billable_hours"], line["amount"]) for line in statement["lines"]] == [("-1.25", "-756.25")]
    assert statement["hours_year_to_date"] == "0.00"


def _month_of_sessions(unit, count):
    case = data.case(unit)
    for number in range(count):
        data.session(unit, datetime.date(2025, 3, 1 + number % 28), 45 + number, case=case, fee="paid")
        data.session(unit, datetime.date(2025, 2, 1 + number % 28), 60, fee="paid")


def test_statement_takes_a_fixed_number_of_queries_whatever_the_month_holds(in_unit_a, hourly):
    unit = in_unit_a
    data.fee(unit, year=2025)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            compute_statement(unit=unit, month=MARCH)
        return len(captured)

    _month_of_sessions(unit, 3)
    few = queries()
    _month_of_sessions(unit, 40)
    assert queries() == few <= 6


def test_year_to_date_summed_in_the_database_matches_the_rules(in_unit_a, hourly):
    """The SQL in `_held_quarters` and `rules.session_time` agree on every boundary."""
    unit = in_unit_a
    expected = D("0")
    for day, minutes, fmt, participants in [
        (2, 14, "couple", 2), (3, 15, "couple", 2), (4, 16, "couple", 2), (5, 59, "couple", 2),
        (6, 60, "couple", 2), (7, 61, "couple", 2), (8, 119, "group", 5), (9, 120, "group", 5),
        (10, 121, "group", 5), (11, 60, "group", 4), (12, 59, "group", 5), (13, 90, "group", 8),
    ]:
        data.session(unit, datetime.date(2025, 1, day), minutes, format=fmt, participants=participants)
    data.session(unit, datetime.date(2025, 1, 20), 60, status="no_show")
    january = compute_statement(unit=unit, month=datetime.date(2025, 1, 1))
    expected = sum(D(line["billable_hours"]) for line in january["lines"])
    # 0.25+0.25+0.50+1.00+1.00+1.25 + 8.00+8.00+2.25+1.00+1.00+6.00
    assert expected == D("30.50")

    february = compute_statement(unit=unit, month=datetime.date(2025, 2, 1))

    assert february["hours_year_to_date"] == "30.50"


def test_year_overview_adds_up_the_months_statements_closed_and_open(in_unit_a, anna):
    unit = in_unit_a
    data.hourly_agreement(unit, cap="3.00")
    data.fee(unit, year=2025)
    data.session(unit, datetime.date(2025, 1, 10), 120, case=data.case(unit), fee="paid")
    data.session(unit, datetime.date(2025, 2, 10), 61, fee="paid")
    data.session(unit, datetime.date(2025, 3, 10), 60, fee="paid")
    month_close(unit=unit, month=datetime.date(2025, 1, 1), acting_user=anna)

    with CaptureQueriesContext(connection) as captured:
        overview = year_overview(unit=unit, year=2025, today=datetime.date(2025, 4, 15))

    assert len(captured) <= 7
    months = {entry["month"]: entry for entry in overview["months"]}
    assert list(months) == [datetime.date(2025, number, 1) for number in range(1, 5)]
    assert months[datetime.date(2025, 1, 1)]["closed"] and not months[datetime.date(2025, 2, 1)]["closed"]
    for month, entry in months.items():
        assert entry["statement"] == compute_statement(unit=unit, month=month)
    # 2.00 + 1.25 + 1.00 = 4.25 h, of which 3.00 under the cap.
    assert overview["hours_year_to_date"] == "4.25"
    assert overview["totals"]["billable_hours"] == "3.00"
    assert overview["totals"]["hours_over_cap"] == "1.25"
    assert overview["totals"]["amount"] == "1815.00"
    assert overview["fees_by_municipality"] == {"Linköping": {"visits": 3, "total": "600.00"}}


def test_year_overview_reads_session_rows_from_the_first_open_month_only(in_unit_a, anna):
    """The closed months come from their snapshots; the rows are read from the first open month on
    (a correction of a closed month made later is billed there), none when every month is closed."""
    unit = in_unit_a
    data.hourly_agreement(unit, cap="3.00")
    data.fee(unit, year=2025)
    original = data.session(unit, datetime.date(2025, 1, 10), 120, case=data.case(unit), fee="paid")
    data.session(unit, datetime.date(2025, 2, 10), 61, fee="paid")
    for month in (1, 2):
        month_close(unit=unit, month=datetime.date(2025, month, 1), acting_user=anna)
    data.session(unit, datetime.date(2025, 1, 10), 90, case=original.case, fee="paid", corrects=original,
                 created_at=data.at(datetime.date(2025, 3, 2)))
    data.session(unit, datetime.date(2025, 3, 10), 60, fee="paid")

    overview = year_overview(unit=unit, year=2025, today=datetime.date(2025, 3, 20))
    for entry in overview["months"]:
        assert entry["statement"] == compute_statement(unit=unit, month=entry["month"])
    # 2.00 + 1.25 + (1.50 − 2.00 + 1.00) = 3.75 h
    assert overview["hours_year_to_date"] == "3.75"

    month_close(unit=unit, month=datetime.date(2025, 3, 1), acting_user=anna)
    with CaptureQueriesContext(connection) as captured:
        closed = year_overview(unit=unit, year=2025, today=datetime.date(2025, 3, 20))
    assert not [query for query in captured.captured_queries if "counselling_session" in query["sql"]]
    assert [entry["closed"] for entry in closed["months"]] == [True, True, True]
    assert closed["months"] == [{**entry, "closed": True} for entry in overview["months"]]
    assert closed["totals"] == overview["totals"] and closed["hours_year_to_date"] == "3.75"


def test_a_second_correction_of_a_free_first_visit_refunds_nothing(in_unit_a, hourly, anna):
    """002_93c1598fd6f3fa34.txt: the fee belongs to the administration — a fee never charged
    (the free first visit) must not be taken back when the visit is corrected twice."""
    unit = in_unit_a
    data.fee(unit, year=2025, municipality="Finspång", amount="180.00", first_visit_free=True)
    original = data.session(unit, datetime.date(2025, 2, 4), 60, case=data.case(unit, municipality="Finspång"),
                            fee="paid")
    month_close(unit=unit, month=datetime.date(2025, 2, 1), acting_user=anna)
    first = data.session(unit, datetime.date(2025, 2, 4), 90, case=original.case, fee="paid", corrects=original,
                         created_at=data.at(datetime.date(2025, 3, 2)))
    data.session(unit, datetime.date(2025, 2, 4), 90, case=original.case, fee="exempt", corrects=first,
                 created_at=data.at(datetime.date(2025, 3, 5)))

    fees = month_statement(unit=unit, month=MARCH).data["fees"]

    assert (fees["visits"], fees["total"]) == (0, "0.00")

