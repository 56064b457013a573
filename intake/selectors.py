"""Reads for the queue, the month table and the long-wait figures: a fixed number of
queries whatever the number of applications (counts are filtered aggregates in the database)."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Q, QuerySet

from units.access import units_sharing_a_funder
from units.models import Agreement, Membership, Municipality, Unit
from units.pages import Key
from units.periods import month_end

from .models import (
    PRIORITY_GROUPS,
    Application,
    CounsellorCompetence,
    ExternalProvider,
    IntakeSettings,
    LongWaitNotice,
    QueueOrder,
)
from .rules import days_waited, month_starts, wait_level

LONG_WAIT_WINDOW_DAYS = 30


def waiting_on(day: datetime.date) -> Q:
    """Received by `day`, and neither offered a time nor closed by then."""
    return (
        Q(received_on__lte=day)
        & (Q(offered_on__isnull=True) | Q(offered_on__gt=day))
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    )


def agreement_municipalities(*, unit: Unit, day: datetime.date) -> list[Municipality]:
    """The municipalities of residence a unit serves: its funders with an agreement valid on `day`."""
    # Agreement rows are the unit's own (scoped); the municipalities are read through them.
    ids = Agreement.objects.filter(unit=unit, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    ).values("municipality_id")
    return list(Municipality.objects.filter(pk__in=ids).order_by("name"))


def hand_over_receivers(*, unit: Unit) -> QuerySet[Unit]:
    """Providers an application may be handed over to: other units of the same kind that one
    of this unit's funders also funds — never an unrelated tenant."""
    return units_sharing_a_funder(unit)


def intake_settings(*, unit: Unit) -> IntakeSettings | None:
    return IntakeSettings.objects.filter(unit=unit).first()


@dataclass(frozen=True)
class Counsellor:
    user_id: int
    name: str
    competences: tuple[str, ...]


def counsellors(*, unit: Unit) -> list[Counsellor]:
    """Everyone who counsels in the unit (counsellors and the chief), with competence tags."""
    members = Membership.objects.filter(unit=unit).select_related("user").order_by("user__username")
    tags: dict[int, list[str]] = {}
    for user_id, competence in CounsellorCompetence.objects.filter(unit=unit).order_by("competence").values_list(
        "user_id", "competence"
    ):
        tags.setdefault(user_id, []).append(competence)
    return [
        Counsellor(member.user_id, member.user.get_full_name() or member.user.get_username(),
                   tuple(tags.get(member.user_id, ())))
        for member in members
    ]


@dataclass(frozen=True)
class QueueRow:
    application: Application
    days: int
    level: str
    suggested: list[str]


def unit_queue_order(*, unit: Unit) -> str:
    """The unit's queue order setting (IntakeSettings.queue_order)."""
    return IntakeSettings.objects.filter(unit=unit).values_list("queue_order", flat=True).first() \
        or QueueOrder.ACUTE_THEN_WAIT


def queue_order(order: str = QueueOrder.ACUTE_THEN_WAIT) -> tuple[Key, ...]:
    """The queue's order, as the page's keys: acute first; with the priority order then any
    priority group (000_610e279258caecb4.txt: "gravida par, par med små barn, hög konfliktnivå,
    våld" — waiting_applications' `priority_group`); then the longest wait (calendar days) first."""
    group = (Key("priority_group", descending=True),) if order == QueueOrder.PRIORITY_THEN_WAIT else ()
    return (Key("acute", descending=True), *group, Key("received_on"), Key("pk"))


def waiting_applications(*, unit: Unit) -> QuerySet[Application]:
    """The queue: applications neither offered a time nor closed, with `priority_group` (any
    flag of PRIORITY_GROUPS) for the priority queue order."""
    any_group = Q()
    for flag in PRIORITY_GROUPS:
        any_group |= Q(**{flag: True})
    return Application.objects.filter(unit=unit, offered_on__isnull=True, closed_on__isnull=True).annotate(
        priority_group=ExpressionWrapper(any_group, output_field=BooleanField()))


def queue_over_limit(*, unit: Unit, today: datetime.date) -> int:
    """How many in the queue have waited longer than the unit's limit (days > limit)."""
    return waiting_applications(unit=unit).filter(
        received_on__lt=today - datetime.timedelta(days=unit.wait_limit_days)).count()


def queue_rows(applications, *, unit: Unit, today: datetime.date, team: list[Counsellor]) -> list[QueueRow]:
    """A page of the queue (waiting_applications in queue_order) as the page shows it."""
    rows = []
    for application in applications:
        days = days_waited(application.received_on, today)
        wanted = application.wanted_competence
        suggested = [member.name for member in team if wanted and wanted in member.competences]
        rows.append(QueueRow(application, days, wait_level(days, unit.wait_limit_days), suggested))
    return rows


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date
    received: int
    offered: int
    waiting_at_end: int


def queue_by_month(*, unit: Unit, today: datetime.date, months: int = 24) -> list[MonthRow]:
    """Received, offered and still waiting at the month's end (today for the current month)."""
    counts = {}
    for index, start in enumerate(month_starts(today, months)):
        end = min(month_end(start.year, start.month), today)
        counts[f"received_{index}"] = Count("pk", filter=Q(received_on__range=(start, end)))
        counts[f"offered_{index}"] = Count("pk", filter=Q(offered_on__range=(start, end)))
        counts[f"waiting_{index}"] = Count("pk", filter=waiting_on(end))
    figures = Application.objects.filter(unit=unit).aggregate(**counts)
    return [
        MonthRow(start, figures[f"received_{index}"], figures[f"offered_{index}"], figures[f"waiting_{index}"])
        for index, start in enumerate(month_starts(today, months))
    ]


def received_by_municipality(*, unit: Unit, start: datetime.date, end: datetime.date) -> list[tuple[str | None, int]]:
    """(municipality name, count) per listed municipality; None for "other — by exception", last."""
    rows = (
        Application.objects.filter(unit=unit, received_on__range=(start, end))
        .values("municipality__name")
        .annotate(count=Count("pk"))
        .order_by("municipality__name")
    )
    named = [(row["municipality__name"], row["count"]) for row in rows if row["municipality__name"]]
    exceptions = [(None, row["count"]) for row in rows if not row["municipality__name"]]
    return named + exceptions


@dataclass(frozen=True)
class LongWaits:
    limit: int
    waiting: int
    over_limit: int
    longest_days: int | None
    days_over_limit: int  # of the last LONG_WAIT_WINDOW_DAYS, today included
    window_days: int = LONG_WAIT_WINDOW_DAYS


def long_waits(*, unit: Unit, today: datetime.date) -> LongWaits:
    """Waiting now, waiting beyond the limit now, and on how many of the last 30 days the
    longest wait exceeded the limit — in one query."""
    limit = unit.wait_limit_days
    counts = {
        "waiting": Count("pk", filter=waiting_on(today)),
        "over": Count("pk", filter=waiting_on(today) & Q(received_on__lt=today - datetime.timedelta(days=limit))),
        "oldest": Min("received_on", filter=waiting_on(today)),
    }
    for back in range(LONG_WAIT_WINDOW_DAYS):
        day = today - datetime.timedelta(days=back)
        counts[f"day_{back}"] = Count(
            "pk", filter=waiting_on(day) & Q(received_on__lt=day - datetime.timedelta(days=limit))
        )
    figures = Application.objects.filter(unit=unit).aggregate(**counts)
    return LongWaits(
        limit=limit,
        waiting=figures["waiting"],
        over_limit=figures["over"],
        longest_days=days_waited(figures["oldest"], today) if figures["oldest"] else None,
        days_over_limit=sum(1 for back in range(LONG_WAIT_WINDOW_DAYS) if figures[f"day_{back}"]),
    )


def long_wait_notices_sent(*, unit: Unit, limit: int = 10) -> list[LongWaitNotice]:
    """The notices the app sent, newest first (the last `limit`)."""
    return list(LongWaitNotice.objects.filter(unit=unit).select_related("sent_by")[:limit])


def external_providers(*, unit: Unit, active_only: bool = False) -> QuerySet[ExternalProvider]:
    providers = ExternalProvider.objects.filter(unit=unit)
    return providers.filter(active=True) if active_only else providers
