from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import Unit


def unit_staff(unit: Unit) -> QuerySet:
    """The unit's counsellors and chiefs, by user name: the people its records may name."""
    return get_user_model().objects.filter(memberships__unit=unit).order_by("username")


GROUP_PREFIX = "group:"


def group_choice(raw: str) -> int | None:
    """The staff group a counsellor choice names (`?counsellor=group:<id>`), or None."""
    number = raw.removeprefix(GROUP_PREFIX) if raw.startswith(GROUP_PREFIX) else ""
    return int(number) if number.isdigit() else None


def selection_counsellors(unit: Unit, *, group: int) -> QuerySet:
    """The counsellors of a selection in the session list or the calendar: the people whose membership
    of this unit is in the staff group. One join for unit and group, so a group of another unit
    (or a person's membership elsewhere) selects nobody."""
    return get_user_model().objects.filter(memberships__unit=unit, memberships__groups=group,
                                           memberships__groups__unit=unit)


def counselled_by(rows: QuerySet, people: QuerySet) -> QuerySet:
    """Rows (sessions, bookings) with at least one of `people` among their counsellors, each once."""
    return rows.filter(pk__in=rows.filter(counsellors__in=people).values("pk"))
