"""Demo calendar (seed_demo): the coming four weeks booked for every unit that logs sessions,
and a few bookings of the last open day before today still waiting for their outcome.

Runs after the sessions and billing histories: the bookings are drawn from what each unit
actually logs (format, participants, place, open cases), and the to-do bookings go on a day
whose billing month is still open — on the first of a month, when the previous month is closed,
they are today's first hours instead."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from billing.selectors import month_is_closed
from sessions.models import Case, Location, Session, SessionStatus
from units.models import Role, Unit

from .models import Booking

DAY = datetime.timedelta(days=1)
WEEKS_AHEAD = 4
SLOTS = [datetime.time(9, 0), datetime.time(10, 30), datetime.time(13, 0), datetime.time(14, 30)]
EVENING = datetime.time(17, 30)
AWAITING = 3


def seed_history(*, unit: Unit, rng, start: datetime.date, end: datetime.date) -> None:
    if Booking.objects.filter(unit=unit).exists():
        return
    today = timezone.localdate()
    recent = list(Session.objects.filter(unit=unit, status=SessionStatus.HELD, date__gte=end - 90 * DAY,
                                         corrects__isnull=True)
                  .values_list("format", "participants", "location", "minutes")[:400])
    counsellors = list(get_user_model().objects.filter(memberships__unit=unit, memberships__role=Role.COUNSELLOR)
                       .order_by("username"))
    if not recent or not counsellors:
        return
    cases = list(Case.objects.filter(unit=unit, opened_on__lte=today)
                 .filter(Q(closed_on__isnull=True)).order_by("-opened_on")[:60])
    rows, people = [], []

    def add(day, slot, person_index, *, case=None, series=None):
        session_format, participants, location, minutes = rng.choice(recent)
        if location not in (Location.OFFICE, Location.HOME, Location.FLAT, Location.VIDEO, Location.PHONE):
            location = Location.OFFICE
        rows.append(Booking(unit=unit, date=day, start_time=slot, minutes=min(minutes, 90), format=session_format,
                            participants=participants, location=location, case=case, series=series,
                            room=f"Rum {person_index + 1}" if location == Location.OFFICE else ""))
        people.append(counsellors[person_index])

    first_day = today + DAY
    for index, _person in enumerate(counsellors):
        day = first_day
        while day <= today + WEEKS_AHEAD * 7 * DAY:
            if day.weekday() < 5:
                for slot in rng.sample(SLOTS, rng.randint(1, 3)):
                    add(day, slot, index, case=rng.choice(cases) if cases and rng.random() < 0.8 else None)
                if rng.random() < 0.15:  # an evening visit (Leanlink: "kvällstid finns")
                    add(day, EVENING, index, case=rng.choice(cases) if cases else None)
            day += DAY
    waiting_day = today - DAY
    while waiting_day.weekday() >= 5:
        waiting_day -= DAY
    if month_is_closed(unit=unit, day=waiting_day):
        waiting_day = today
    for number in range(AWAITING):
        add(waiting_day, [datetime.time(7, 30), datetime.time(8, 0), datetime.time(8, 30)][number]
            if waiting_day == today else SLOTS[number], number % len(counsellors),
            case=cases[number] if len(cases) > number else None)
    for row in rows:
        if row.case is not None and (row.case.opened_on > row.date):
            row.case = None
    created = Booking.objects.bulk_create(rows)
    through = Booking.counsellors.through
    through.objects.bulk_create([through(booking_id=row.pk, user_id=person.pk)
                                 for row, person in zip(created, people, strict=True)])
