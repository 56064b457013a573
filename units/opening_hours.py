"""Opening hours and drop-in hours: plain rules over (weekday, start, end) stretches, and the
one read the calendar and the settings page share."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import OpeningHours, Unit

# 004_4991f6e8c25cfe0a.txt: "6 timers åbningstid om ugen" of open anonymous counselling, per kind of unit.
DROP_IN_MINIMUM_HOURS = {Unit.Kind.OPEN_COUNSELLING: Decimal(6)}


def stretch_minutes(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def weekly_hours(stretches) -> Decimal:
    """Hours a week of (weekday, start, end) stretches, exact: 3 h + 3 h 30 min → 6.5."""
    return Decimal(sum(stretch_minutes(start, end) for _weekday, start, end in stretches)) / 60


def overlapping(stretches) -> list[tuple[int, datetime.time, datetime.time]]:
    """Stretches that begin before the previous one of the same weekday has ended."""
    by_day = defaultdict(list)
    for weekday, start, end in stretches:
        by_day[weekday].append((start, end))
    found = []
    for weekday, day in sorted(by_day.items()):
        day.sort()
        for (_start, previous_end), (start, end) in zip(day, day[1:], strict=False):
            if start < previous_end:
                found.append((weekday, start, end))
    return found


def drop_in_shortfall(*, kind: str, drop_in_hours: Decimal) -> Decimal | None:
    """The minimum weekly drop-in hours the unit's kind asks for, when the unit holds fewer."""
    minimum = DROP_IN_MINIMUM_HOURS.get(kind)
    if minimum is not None and drop_in_hours < minimum:
        return minimum
    return None


def unit_opening_hours(unit: Unit) -> dict[str, list[OpeningHours]]:
    """{"open": [...], "drop_in": [...]}, each by weekday and start. One query."""
    found = {kind: [] for kind in OpeningHours.Kind.values}
    for row in OpeningHours.objects.filter(unit=unit).order_by("weekday", "start"):
        found[row.kind].append(row)
    return found


def overlap_message(stretches) -> str | None:
    clashes = overlapping(stretches)
    if not clashes:
        return None
    days = dict(OpeningHours.Weekday.choices)
    return _("Two stretches overlap on %(days)s.") % {
        "days": ", ".join(f"{days[weekday]} {start:%H:%M}" for weekday, start, _end in clashes)}
