"""The contract's arithmetic (002_93c1598fd6f3fa34.txt §1.2, §2.3), boundary by boundary."""

from decimal import Decimal

import pytest

from billing import rules
from billing.rules import FeeTerms

D = Decimal


# "Debiterbar tid räknas i timmar där en timme är 60 minuter. För utförd tid som över- eller
# understiger hel klocktimme om 60 minuter utgår en fjärdedels timersättning för varje påbörjad kvart."
@pytest.mark.parametrize(("minutes", "hours"), [
    (1, "0.25"), (14, "0.25"), (15, "0.25"), (16, "0.50"),
    (40, "0.75"), (45, "0.75"), (50, "1.00"),
    (59, "1.00"), (60, "1.00"), (61, "1.25"),
    (90, "1.50"), (119, "2.00"), (120, "2.00"), (121, "2.25"),
])
def test_every_started_quarter_above_or_below_a_whole_hour_bills_a_quarter_hour(minutes, hours):
    assert rules.billable_hours(minutes) == D(hours)
    assert rules.session_time(minutes=minutes, is_group=False, participants=2) == rules.BilledTime(D(hours))


# "fyra klienttimmar för varje genomförd grupptimme med minst 5 deltagare ... gruppverksamhet som
# omfattar 1-2 timmars verksamhet per grupptillfälle"
@pytest.mark.parametrize(("minutes", "participants", "hours", "flags"), [
    (60, 5, "4.00", ()),
    (60, 8, "4.00", ()),
    (61, 5, "5.00", ()),
    (90, 6, "6.00", ()),
    (119, 5, "8.00", ()),
    (120, 5, "8.00", ()),
    (60, 4, "1.00", (rules.FEWER_THAN_5,)),
    (120, 4, "2.00", (rules.FEWER_THAN_5,)),
    (59, 5, "1.00", (rules.SHORTER_THAN_1_HOUR,)),
    (45, 3, "0.75", (rules.FEWER_THAN_5, rules.SHORTER_THAN_1_HOUR)),
    (121, 5, "2.25", (rules.LONGER_THAN_2_HOURS,)),
    (150, 9, "2.50", (rules.LONGER_THAN_2_HOURS,)),
])
def test_group_of_1_to_2_hours_with_at_least_5_bills_4_client_hours_per_hour_else_plain_time_flagged(
        minutes, participants, hours, flags):
    assert rules.session_time(minutes=minutes, is_group=True, participants=participants) == rules.BilledTime(
        D(hours), flags)


def test_a_couple_session_with_many_participants_is_never_a_group():
    assert rules.session_time(minutes=60, is_group=False, participants=6) == rules.BilledTime(D("1.00"))


# "Maximal beställningsvolym är 2 590 timmar per år" + "skriftligen avropa ytterligare timmar"
@pytest.mark.parametrize(("before", "limit", "hours", "charged", "over"), [
    # Well under the cap: everything charged.
    ("100.00", "2590.00", ["1.00", "1.25"], ["1.00", "1.25"], ["0", "0"]),
    # The cap is crossed in the middle of a month, inside one session.
    ("2589.50", "2590.00", ["0.25", "1.00", "1.25"], ["0.25", "0.25", "0"], ["0", "0.75", "1.25"]),
    # Exactly at the cap: the next quarter is over.
    ("2589.75", "2590.00", ["0.25", "0.25"], ["0.25", "0"], ["0", "0.25"]),
    # Already over from earlier months: nothing charged.
    ("2600.00", "2590.00", ["1.00"], ["0"], ["1.00"]),
    # A call-off of 100 h raises the limit to 2 690: the same hours are charged.
    ("2600.00", "2690.00", ["1.00"], ["1.00"], ["0"]),
    # A negative correction over the cap gives back no charged hours ...
    ("2600.00", "2590.00", ["-1.00"], ["0"], ["-1.00"]),
    # ... but under the cap it gives back what it took.
    ("100.00", "2590.00", ["-0.50"], ["-0.50"], ["0"]),
    # No cap at all.
    ("9999.00", None, ["2.00"], ["2.00"], ["0"]),
])
def test_hours_are_charged_in_date_order_until_cap_plus_call_offs(before, limit, hours, charged, over):
    shares = rules.allocate_cap(hours_before=D(before), limit=None if limit is None else D(limit),
                                hours=[D(h) for h in hours])
    assert [share.charged for share in shares] == [D(c) for c in charged]
    assert [share.over_cap for share in shares] == [D(o) for o in over]


@pytest.mark.parametrize(("hours", "rate", "amount"), [
    ("1.00", "605.00", "605.00"),
    ("1.25", "605.00", "756.25"),
    ("0.25", "626.18", "156.55"),  # 156.545 rounds half up
    ("0.75", "646.22", "484.67"),  # 484.665
    ("2590.00", "605.00", "1566950.00"),
])
def test_amount_is_hours_times_rate_rounded_to_ore(hours, rate, amount):
    assert rules.hours_amount(hours=D(hours), rate=D(rate)) == D(amount)


# "Avgiften för familjerådgivningen är 200 kr per besök ... Avgiften tas ut av Leanlink men
# tillfaller Social- och omsorgsförvaltningen." Fee options differ between municipalities.
PLAIN = FeeTerms(D("200.00"))
FIRST_FREE = FeeTerms(D("200.00"), first_visit_free=True)
NO_SHOW_PAYS = FeeTerms(D("200.00"), fee_on_no_show=True)


@pytest.mark.parametrize(("status", "mark", "first", "terms", "fee"), [
    ("held", "paid", False, PLAIN, "200.00"),
    ("held", "paid", True, PLAIN, "200.00"),
    ("held", "exempt", False, PLAIN, "0.00"),
    ("held", "none", False, PLAIN, "0.00"),
    ("held", "paid", True, FIRST_FREE, "0.00"),
    ("held", "paid", False, FIRST_FREE, "200.00"),
    ("no_show", "paid", False, PLAIN, "0.00"),
    ("no_show", "paid", False, NO_SHOW_PAYS, "200.00"),
    ("no_show", "exempt", False, NO_SHOW_PAYS, "0.00"),
    ("client_cancelled", "paid", False, NO_SHOW_PAYS, "0.00"),
    ("unit_cancelled", "paid", False, NO_SHOW_PAYS, "0.00"),
])
def test_visit_fee_with_first_visit_free_and_fee_on_no_show_options(status, mark, first, terms, fee):
    assert rules.visit_fee(status=status, fee_mark=mark, first_visit=first, terms=terms) == D(fee)


@pytest.mark.parametrize(("status", "mark", "applies"), [
    ("held", "paid", True), ("no_show", "paid", True), ("held", "exempt", False),
    ("client_cancelled", "paid", False), ("unit_cancelled", "paid", False),
])
def test_the_fee_table_is_needed_only_for_a_paid_visit_or_no_show(status, mark, applies):
    assert rules.fee_applies(status=status, fee_mark=mark) is applies


@pytest.mark.parametrize(("yearly", "months"), [
    ("540000.00", ["45000.00"] * 11 + ["45000.00"]),
    ("100000.00", ["8333.33"] * 11 + ["8333.37"]),
    ("1000.01", ["83.33"] * 11 + ["83.38"]),
])
def test_a_fixed_yearly_amount_is_billed_in_twelfths_that_add_up_exactly(yearly, months):
    amounts = [rules.fixed_month_amount(yearly=D(yearly), month=number) for number in range(1, 13)]
    assert amounts == [D(m) for m in months]
    assert sum(amounts) == D(yearly)
