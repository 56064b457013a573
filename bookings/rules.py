"""Pure rules of the calendar: values in, values out, no database."""

import datetime
import zoneinfo

# A series runs at most a year ahead (Familjeteam: "1 gång varannan vecka" for months).
MAX_SERIES_DAYS = 366
MAX_OCCURRENCES = 60

ONCE, WEEKLY, FORTNIGHTLY = 0, 1, 2


def occurrences(first: datetime.date, *, every_weeks: int, until: datetime.date | None) -> list[datetime.date]:
    """The dates of a series: `first`, then every `every_weeks` weeks up to and including
    `until`. Days are added, never week numbers: "every second week" stays on the same
    fortnightly rhythm across a year with ISO week 53 (2026) and across New Year."""
    if not every_weeks or until is None:
        return [first]
    step = datetime.timedelta(weeks=every_weeks)
    dates = []
    day = first
    while day <= until:
        dates.append(day)
        day += step
    return dates


def minute_of_day(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def ends_after_midnight(start: datetime.time, minutes: int) -> bool:
    return minute_of_day(start) + minutes > 24 * 60


def overlaps(start_a: datetime.time, minutes_a: int, start_b: datetime.time, minutes_b: int) -> bool:
    """Two bookings on the same day overlap when one starts before the other ends; one that
    starts as the other ends does not."""
    a, b = minute_of_day(start_a), minute_of_day(start_b)
    return a < b + minutes_b and b < a + minutes_a


def local_span(day: datetime.date, start: datetime.time, minutes: int, time_zone: str):
    """The booking as two aware datetimes in the unit's time zone. The wall-clock time is what
    was booked, so its UTC offset follows summer time on that very date."""
    zone = zoneinfo.ZoneInfo(time_zone)
    begins = datetime.datetime.combine(day, start, tzinfo=zone)
    ends = (begins.astimezone(datetime.UTC) + datetime.timedelta(minutes=minutes)).astimezone(zone)
    return begins, ends


def outside_hours(weekday: int, start: datetime.time, minutes: int,
                  opening: dict[int, list[tuple[datetime.time, datetime.time]]]) -> bool:
    """Whether a session falls (partly) outside the unit's opening hours that weekday
    (0 = Monday): an evening visit, or one on a day the unit is closed."""
    begin, end = minute_of_day(start), minute_of_day(start) + minutes
    for opens, closes in opening.get(weekday, []):
        if minute_of_day(opens) <= begin and end <= minute_of_day(closes):
            return False
    return True


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())
