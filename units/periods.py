"""Reporting periods: `2025-Q1`..`Q4`, `2025-T1`..`T3` (tertial: Jan–Apr, May–Aug, Sep–Dec),
`2025-H1`/`H2` and `2025` (the year). Start and end are both inclusive."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext

# Period kind → (letter in the label, months per period). The kinds match Unit.PeriodKind.
KINDS = {"quarter": ("Q", 3), "tertial": ("T", 4), "half": ("H", 6), "year": ("", 12)}
_LETTERS = {letter: kind for kind, (letter, _months) in KINDS.items() if letter}
PATTERN = r"\d{4}(?:-(?:Q[1-4]|T[1-3]|H[12]))?"
_LABEL = re.compile(r"(?P<year>\d{4})(?:-(?P<letter>[QTH])(?P<number>\d))?")

# The years a page or a command can be asked about: wider than any record a unit keeps, and
# narrow enough that the year before and after (comparisons, navigation, the previous
# period's queue) are ordinary dates. A year outside is "not found", never a server error.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return year


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), clamped to the month's last day (29 Feb → 28 Feb)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month_index + 1, min(day.day, calendar.monthrange(year, month_index + 1)[1]))


def months_between(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of each month from `start`'s month to `end`'s month."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((datetime.date(year, month, 1), month_end(year, month)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    number: int = 1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.number <= self.count_in_year:
            raise ValueError(f"{self.kind} {self.number} does not exist")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} out of range")

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _LABEL.fullmatch(text or "")
        if match is None:
            raise ValueError(f"not a period: {text!r}")
        check_year(int(match["year"]))
        if match["letter"] is None:
            return cls(int(match["year"]), "year")
        return cls(int(match["year"]), _LETTERS[match["letter"]], int(match["number"]))

    @classmethod
    def containing(cls, day: datetime.date, kind: str) -> "Period":
        return cls(day.year, kind, (day.month - 1) // KINDS[kind][1] + 1)

    @property
    def months_long(self) -> int:
        return KINDS[self.kind][1]

    @property
    def count_in_year(self) -> int:
        return 12 // self.months_long

    @property
    def first_month(self) -> int:
        return (self.number - 1) * self.months_long + 1

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        return month_end(self.year, self.first_month + self.months_long - 1)

    @property
    def label(self) -> str:
        letter = KINDS[self.kind][0]
        return f"{self.year}-{letter}{self.number}" if letter else str(self.year)

    @property
    def name(self) -> str:
        """The period as people write it in the active language ("kvartal 1 2025", "1. kvartal 2025");
        the label (`2025-Q1`) stays what URLs, file names, JSON and CSV headers use."""
        template = {
            "quarter": gettext("quarter %(number)s %(year)s"),
            "tertial": gettext("tertial %(number)s %(year)s"),
            "half": gettext("half-year %(number)s %(year)s"),
        }.get(self.kind)
        return template % {"number": self.number, "year": self.year} if template else str(self.year)

    def __str__(self):
        return self.label

    def months(self) -> list[tuple[datetime.date, datetime.date]]:
        return months_between(self.start, self.end)

    def shifted(self, steps: int) -> "Period":
        index = self.year * self.count_in_year + self.number - 1 + steps
        year, position = divmod(index, self.count_in_year)
        return Period(year, self.kind, position + 1)

    def previous(self) -> "Period":
        return self.shifted(-1)

    def next(self) -> "Period":
        return self.shifted(1)

    def year_earlier(self) -> "Period":
        return Period(self.year - 1, self.kind, self.number)


def current_period(unit, today: datetime.date) -> Period:
    """The period of the unit's own kind (Unit.period_kind) that contains `today`."""
    return Period.containing(today, unit.period_kind)


def last_complete_period(unit, today: datetime.date) -> Period:
    """The latest period of the unit's own kind that has ended: where statistics open."""
    return current_period(unit, today).previous()


def period_state(period: Period, today: datetime.date) -> str:
    """"future" (not begun), "running" (counted up to today) or "complete"."""
    if period.start > today:
        return "future"
    return "running" if period.end >= today else "complete"
