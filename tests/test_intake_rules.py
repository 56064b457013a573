import datetime

import pytest

from intake.rules import case_code, days_waited, month_starts, parse_case_code, wait_level


def test_case_codes_have_the_year_and_at_least_four_digits():
    assert case_code(2025, 142) == "P-2025-0142"
    assert case_code(2025, 12345) == "P-2025-12345"
    assert parse_case_code("P-2025-0142") == (2025, 142)
    assert parse_case_code("P-2025-12345") == (2025, 12345)
    assert parse_case_code("A-2025-0142") is None and parse_case_code("P-25-0142") is None


def test_waits_are_calendar_days():
    assert days_waited(datetime.date(2025, 2, 26), datetime.date(2025, 3, 1)) == 3
    assert days_waited(datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)) == 0


@pytest.mark.parametrize("days,level", [(10, ""), (11, "near"), (14, "near"), (15, "over"), (40, "over")])
def test_wait_level_against_a_fourteen_day_limit(days, level):
    assert wait_level(days, 14) == level


def test_month_starts_cross_the_new_year():
    assert month_starts(datetime.date(2025, 2, 14), 4) == [
        datetime.date(2024, 11, 1), datetime.date(2024, 12, 1), datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)]
    assert len(month_starts(datetime.date(2025, 2, 14), 24)) == 24


@pytest.mark.parametrize("start,end", [("2024-02-01", "2024-02-29"), ("2025-02-01", "2025-02-28"),
                                       ("2025-12-01", "2025-12-31"), ("2025-04-01", "2025-04-30")])
def test_month_end(start, end):
    from units.periods import month_end  # the one month arithmetic, shared by the queue

    first = datetime.date.fromisoformat(start)
    assert month_end(first.year, first.month) == datetime.date.fromisoformat(end)
