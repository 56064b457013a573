import datetime

import pytest

from units.models import Unit
from units.periods import Period, add_months, current_period, months_between


@pytest.mark.parametrize(("label", "start", "end"), [
    ("2025-Q1", "2025-01-01", "2025-03-31"),
    ("2025-Q4", "2025-10-01", "2025-12-31"),
    ("2025-T1", "2025-01-01", "2025-04-30"),
    ("2025-T2", "2025-05-01", "2025-08-31"),
    ("2025-T3", "2025-09-01", "2025-12-31"),
    ("2025-H1", "2025-01-01", "2025-06-30"),
    ("2024-H2", "2024-07-01", "2024-12-31"),
    ("2025", "2025-01-01", "2025-12-31"),
    ("2024-Q1", "2024-01-01", "2024-03-31"),
])
def test_parse_gives_inclusive_start_and_end(label, start, end):
    period = Period.parse(label)
    assert (period.start.isoformat(), period.end.isoformat(), str(period)) == (start, end, label)


@pytest.mark.parametrize("label", ["2025-Q5", "2025-Q0", "2025-T4", "2025-H3", "2025-q1", "25-Q1", "2025-", "",
                                   "2025-M1", "2025-Q1x", "0000"])
def test_parse_rejects_what_is_not_a_period(label):
    with pytest.raises(ValueError):
        Period.parse(label)


@pytest.mark.parametrize(("label", "previous", "following", "year_earlier"), [
    ("2025-Q1", "2024-Q4", "2025-Q2", "2024-Q1"),
    ("2025-Q4", "2025-Q3", "2026-Q1", "2024-Q4"),
    ("2025-T1", "2024-T3", "2025-T2", "2024-T1"),
    ("2025-T3", "2025-T2", "2026-T1", "2024-T3"),
    ("2025-H1", "2024-H2", "2025-H2", "2024-H1"),
    ("2025", "2024", "2026", "2024"),
])
def test_stepping_back_and_forth(label, previous, following, year_earlier):
    period = Period.parse(label)
    assert (str(period.previous()), str(period.next()), str(period.year_earlier())) == (
        previous, following, year_earlier)


@pytest.mark.parametrize(("kind", "expected"), [("quarter", "2025-Q2"), ("tertial", "2025-T2"),
                                                 ("half", "2025-H1")])
def test_the_units_own_period_contains_today(kind, expected):
    unit = Unit(period_kind=kind)
    assert str(current_period(unit, datetime.date(2025, 5, 1))) == expected
    assert str(Period.containing(datetime.date(2025, 4, 30), kind)) in {"2025-Q2", "2025-T1", "2025-H1"}


def test_months_of_a_period():
    assert Period.parse("2024-Q1").months()[1] == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    assert len(Period.parse("2025").months()) == 12
    assert months_between(datetime.date(2024, 11, 1), datetime.date(2025, 1, 31))[-1][0] == datetime.date(2025, 1, 1)


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(datetime.date(2025, 4, 30), -12) == datetime.date(2024, 4, 30)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 12, 31), -24) == datetime.date(2023, 12, 31)


@pytest.mark.parametrize(("label", "swedish", "danish"), [
    ("2025-Q1", "kvartal 1 2025", "1. kvartal 2025"),   # the issue: "1. kvartal 2025" as Danes write it
    ("2025-T3", "tertial 3 2025", "3. tertial 2025"),
    ("2024-H2", "halvår 2 2024", "2. halvår 2024"),
    ("2025", "2025", "2025"),
])
def test_periods_are_named_as_people_write_them_while_the_label_stays_iso(label, swedish, danish):
    from django.utils import translation

    period = Period.parse(label)
    with translation.override("sv"):
        assert period.name == swedish
    with translation.override("da"):
        assert period.name == danish
    assert str(period) == label
