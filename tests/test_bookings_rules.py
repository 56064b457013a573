"""The calendar's pure rules: recurrence across summer time and New Year, overlaps, hours."""

import datetime

from bookings import rules

D = datetime.date
T = datetime.time


def test_weekly_series_keeps_its_weekday_and_ends_on_the_until_date():
    assert rules.occurrences(D(2027, 3, 15), every_weeks=1, until=D(2027, 4, 5)) == [
        D(2027, 3, 15), D(2027, 3, 22), D(2027, 3, 29), D(2027, 4, 5)]
    assert rules.occurrences(D(2027, 3, 15), every_weeks=1, until=D(2027, 4, 4))[-1] == D(2027, 3, 29)


def test_a_single_booking_is_one_date():
    assert rules.occurrences(D(2027, 3, 15), every_weeks=0, until=D(2027, 6, 1)) == [D(2027, 3, 15)]


def test_fortnightly_series_crosses_new_year_and_iso_week_53():
    # 2026 has an ISO week 53 (28 Dec–3 Jan): alternating by week number parity would put two
    # sessions in weeks 53 and 1 back to back. The rhythm is 14 days, always.
    dates = rules.occurrences(D(2026, 12, 14), every_weeks=2, until=D(2027, 1, 25))
    assert dates == [D(2026, 12, 14), D(2026, 12, 28), D(2027, 1, 11), D(2027, 1, 25)]
    assert [day.isocalendar()[1] for day in dates] == [51, 53, 2, 4]
    assert all(day.weekday() == 0 for day in dates)


def test_wall_clock_time_survives_the_change_to_summer_time():
    # Sweden and Denmark move to summer time on 28 March 2027 (02:00 → 03:00).
    before, after = (rules.local_span(day, T(17, 0), 60, "Europe/Stockholm")
                     for day in (D(2027, 3, 22), D(2027, 3, 29)))
    assert (before[0].hour, after[0].hour) == (17, 17)
    assert before[0].utcoffset() == datetime.timedelta(hours=1)
    assert after[0].utcoffset() == datetime.timedelta(hours=2)
    assert before[0].astimezone(datetime.UTC).hour == 16
    assert after[0].astimezone(datetime.UTC).hour == 15


def test_a_session_over_the_night_of_the_change_back_lasts_its_minutes():
    # 31 October 2027 03:00 summer time is 02:00 winter time: 01:30 + 120 min ends at 02:30 local.
    begins, ends = rules.local_span(D(2027, 10, 31), T(1, 30), 120, "Europe/Copenhagen")
    assert ends - begins == datetime.timedelta(hours=1)  # wall clock: the hour 02–03 comes twice
    assert ends.astimezone(datetime.UTC) - begins.astimezone(datetime.UTC) == datetime.timedelta(minutes=120)
    assert (ends.hour, ends.minute) == (2, 30)


def test_overlap_is_a_shared_minute_and_back_to_back_is_not():
    assert rules.overlaps(T(9, 0), 60, T(9, 30), 60)
    assert rules.overlaps(T(9, 30), 30, T(9, 0), 90)
    assert not rules.overlaps(T(9, 0), 60, T(10, 0), 60)
    assert not rules.overlaps(T(10, 0), 60, T(9, 0), 60)


def test_a_booking_ends_on_its_own_day():
    assert not rules.ends_after_midnight(T(23, 0), 60)
    assert rules.ends_after_midnight(T(23, 0), 61)


def test_outside_opening_hours():
    opening = {0: [(T(8, 0), T(17, 0))], 1: [(T(8, 0), T(12, 0)), (T(13, 0), T(17, 0))]}
    assert not rules.outside_hours(0, T(16, 0), 60, opening)
    assert rules.outside_hours(0, T(16, 30), 60, opening)  # runs into the evening
    assert rules.outside_hours(0, T(18, 0), 60, opening)
    assert rules.outside_hours(1, T(11, 30), 60, opening)  # over the lunch break
    assert rules.outside_hours(5, T(10, 0), 60, opening)  # Saturday: closed
