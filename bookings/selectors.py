"""Reads of the calendar: a fixed number of queries per page, whatever the number of bookings."""

import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from units.models import OpeningHours, StaffGroup, Unit
from units.opening_hours import unit_opening_hours
from units.selectors import counselled_by, selection_counsellors, unit_staff

from .models import Booking, CalendarFeed

AWAITING_SHOWN = 25
# The feed: a few weeks back (what was just held) and everything booked ahead, at most a year.
FEED_DAYS_BACK = 60
FEED_DAYS_AHEAD = 366


def _rows(bookings: QuerySet) -> QuerySet:
    people = get_user_model().objects.only("id", "username", "first_name", "last_name")
    return (bookings.select_related("case", "session")
            .prefetch_related(Prefetch("counsellors", queryset=people)))


def _for(bookings: QuerySet, unit: Unit, counsellor, group) -> QuerySet:
    if group is not None:
        return counselled_by(bookings, selection_counsellors(unit, group=group.pk))
    return bookings if counsellor is None else bookings.filter(counsellors=counsellor)


def bookings_between(unit: Unit, *, start: datetime.date, end: datetime.date, counsellor=None,
                     group=None) -> QuerySet:
    """Bookings from `start` to `end` (inclusive), of one counsellor, of one staff group's
    members, or (both None) of the unit."""
    return _rows(_for(Booking.objects.filter(unit=unit, date__gte=start, date__lte=end), unit, counsellor, group)
                 .order_by("date", "start_time", "pk"))


class CardRow(NamedTuple):
    """What a booking's card shows, read as a plain row: a unit-wide week is hundreds of cards,
    and model instances (with a related manager each for the counsellors) cost most of the page."""

    pk: int
    date: datetime.date
    start_time: datetime.time
    minutes: int
    format: str
    location: str
    room: str
    case_code: str | None
    session_status: str | None  # None: no outcome logged yet
    names: tuple[str, ...] = ()  # the counsellors' names, when asked for

    @property
    def end_time(self) -> datetime.time:
        begins = datetime.datetime.combine(datetime.date.min, self.start_time)
        return (begins + datetime.timedelta(minutes=self.minutes)).time()


CARD_FIELDS = ("pk", "date", "start_time", "minutes", "format", "location", "room", "case__code", "session__status")


def card_rows(bookings: QuerySet, *, names: bool = True) -> list[CardRow]:
    """The bookings as card rows, in the queryset's order: one query, and one more for the
    counsellors' names (ordered by user name, as the counsellor picker) when `names` and there are rows."""
    rows = list(bookings.select_related(None).prefetch_related(None).values_list(*CARD_FIELDS))
    if not rows or not names:
        return [CardRow(*row) for row in rows]
    named: dict[int, list[str]] = {}
    through = Booking.counsellors.through.objects.filter(booking_id__in=[row[0] for row in rows])
    for booking_id, first, last, username in through.order_by("user__username", "pk").values_list(
            "booking_id", "user__first_name", "user__last_name", "user__username"):
        # as User.get_full_name() or get_username()
        named.setdefault(booking_id, []).append(f"{first} {last}".strip() or username)
    return [CardRow(*row, tuple(named.get(row[0], ()))) for row in rows]


def card_row(booking: Booking) -> CardRow:
    """One booking already read, as a card row (its case and session read as the instance does)."""
    return CardRow(booking.pk, booking.date, booking.start_time, booking.minutes, booking.format, booking.location,
                   booking.room, booking.case.code if booking.case_id else None,
                   booking.session.status if booking.session_id else None)


def awaiting_outcome(unit: Unit, *, today: datetime.date, counsellor=None, group=None,
                     names: bool = True) -> tuple[list[CardRow], int]:
    """Past bookings still without an outcome — the things to do — oldest first: the first
    AWAITING_SHOWN of them (card rows), and how many there are."""
    waiting = _for(Booking.objects.filter(unit=unit, date__lt=today, session__isnull=True), unit, counsellor, group)
    shown = card_rows(waiting.order_by("date", "start_time", "pk")[:AWAITING_SHOWN], names=names)
    return shown, (waiting.count() if shown else 0)


def calendar_people(unit: Unit) -> list:
    return list(unit_staff(unit).only("id", "username", "first_name", "last_name"))


def calendar_groups(unit: Unit) -> list:
    return list(StaffGroup.objects.filter(unit=unit).only("id", "name"))


def feed_of(unit: Unit, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(unit=unit, user=user).first()


def feed_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=FEED_DAYS_BACK), today + datetime.timedelta(days=FEED_DAYS_AHEAD)


def feed_bookings(unit: Unit, user, *, today: datetime.date | None = None) -> QuerySet:
    """The counsellor's bookings for the feed: only what an event shows (no case, no person);
    cancelled bookings are left out, so a calendar that subscribes drops them."""
    first, last = feed_window(today)
    return (Booking.objects.filter(unit=unit, counsellors=user, date__gte=first, date__lte=last)
            .exclude(session__status__in=["client_cancelled", "unit_cancelled"])
            .order_by("date", "start_time", "pk"))


def reachability(unit: Unit) -> dict:
    """The unit's opening hours and drop-in hours (unit settings, units.opening_hours) by
    weekday (0 = Monday): {"opening": {0: [(08:00, 17:00)], …}, "drop_in": {…}}. One query."""
    found = unit_opening_hours(unit)
    by_day = {"opening": {}, "drop_in": {}}
    for key, kind in (("opening", OpeningHours.Kind.OPEN), ("drop_in", OpeningHours.Kind.DROP_IN)):
        for row in found[kind]:
            by_day[key].setdefault(row.weekday, []).append((row.start, row.end))
    return by_day
