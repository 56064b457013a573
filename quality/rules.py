"""Pure arithmetic of the quality records: values in, values out, no database."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from units.suppression import is_small, primary_label

from .models import SCALE_MAX, SCALE_MIN, OutreachKind

SCALE = range(SCALE_MIN, SCALE_MAX + 1)
# "Share satisfied": answers 4 or 5 on the 1–5 scale.
SATISFIED_FROM = 4
ONE_DECIMAL = Decimal("0.1")


def shown_count(count: int, threshold: int) -> str:
    """A count as it may leave the unit (the statistics' own rule, units.suppression)."""
    return primary_label(threshold) if is_small(count, threshold) else str(count)


@dataclass(frozen=True)
class ScaleResult:
    """One scale question over a period. When suppressed, only `count_label` is set."""

    count_label: str
    suppressed: bool
    count: int | None = None
    mean: Decimal | None = None
    distribution: tuple[int, ...] | None = None  # answers per score 1..5
    satisfied_percent: Decimal | None = None


def scale_result(distribution: dict[int, int], *, threshold: int) -> ScaleResult:
    counts = tuple(distribution.get(score, 0) for score in SCALE)
    total = sum(counts)
    if is_small(total, threshold):
        return ScaleResult(count_label=shown_count(total, threshold), suppressed=True)
    if total == 0:
        return ScaleResult(count_label="0", suppressed=False, count=0, distribution=counts)
    weighted = sum(score * n for score, n in zip(SCALE, counts, strict=True))
    satisfied = sum(n for score, n in zip(SCALE, counts, strict=True) if score >= SATISFIED_FROM)
    return ScaleResult(
        count_label=str(total), suppressed=False, count=total, distribution=counts,
        mean=(Decimal(weighted) / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        satisfied_percent=(Decimal(100 * satisfied) / total).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP),
    )


# 004_4991f6e8c25cfe0a.txt, the concept's table: (outreach kind, required per year, label).
CONCEPT_DUTIES = [
    (OutreachKind.DAYCARE_VISIT, 1,
     _("Visit day-care institutions or invite them (“årligt besøge udvalgte dagsinstitutioner”)")),
    (OutreachKind.THEME_EVENT, 1, _("Theme event for professionals (“en gang årligt … et temaarrangement”)")),
    (OutreachKind.VOLUNTEER_MEETING, 1,
     _("Meeting with the volunteer activities (“et årligt møde med de tilknyttede frivillige aktiviteter”)")),
    (OutreachKind.CROSS_CITY_MEETING, 4, _("Cross-city meetings (“mødes 4 gange årligt”)")),
    (OutreachKind.FOLLOW_GROUP_MEETING, 2, _("Meetings with the follow group (“to gange årligt”)")),
    # "Samarbejde lokalt - professionelle": a cooperation is on the checklist once it met at least once a year.
    (OutreachKind.HEALTH_VISITORS, 1, _("Cooperation with the health visitors (“et samarbejde med sundhedsplejen”)")),
    (OutreachKind.HOUSING_SOCIAL_WORKERS, 1,
     _("Cooperation with housing social workers (“et samarbejde med boligsociale medarbejdere”)")),
    (OutreachKind.SOCIAL_CENTRE, 1, _("Cooperation with Socialcenter København (“et samarbejde med Socialcenter "
                                      "København”)")),
]
# "6 timers åbningstid om ugen, hvor det er muligt for borgerne at komme ind fra gaden uden forudgående aftale".
DROP_IN_HOURS_PER_WEEK = Decimal(6)
TWO_DECIMALS = Decimal("0.01")
# "Der skal tilknyttes personale fra Børnefamilieenheden minimum 6 timer om ugen".
LINKED_STAFF_HOURS_PER_WEEK = Decimal(6)


@dataclass(frozen=True)
class Duty:
    key: str
    label: str
    required: Decimal
    done: Decimal
    per_week: bool = False
    detail: str = ""  # what the figure is made of, e.g. the weeks below the minimum

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.done, Decimal(0))


def mondays_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The Mondays from start to end, both included: each week belongs to the period its Monday is in."""
    first = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
    return [first + datetime.timedelta(weeks=n) for n in range(max(0, (end - first).days // 7 + 1))]


def _two(value: Decimal) -> str:
    return str(value.quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP))


def drop_in_summary(mondays: list[datetime.date], recorded: dict[datetime.date, Decimal], *,
                    scheduled: Decimal) -> dict:
    """Drop-in hours held over the weeks (their Mondays): a week's recorded hours, else the hours a week
    of the unit's settings (`scheduled`). JSON-able: hours as decimal strings, 2 decimals, half up;
    `hours_per_week` is None without weeks."""
    held = [recorded.get(monday, scheduled) for monday in mondays]
    total = sum(held, Decimal(0))
    return {
        "weeks": len(mondays),
        "weeks_recorded": sum(1 for monday in mondays if monday in recorded),
        "hours_held": _two(total),
        "hours_per_week": _two(total / len(mondays)) if mondays else None,
        "weeks_below_minimum": sum(1 for hours in held if hours < DROP_IN_HOURS_PER_WEEK),
        "minimum_per_week": _two(DROP_IN_HOURS_PER_WEEK),
        "scheduled_per_week": _two(scheduled),
    }


def drop_in_duty(summary: dict) -> Duty:
    weeks, below = summary["weeks"], summary["weeks_below_minimum"]
    return Duty(
        key="drop_in", per_week=True, required=DROP_IN_HOURS_PER_WEEK,
        done=Decimal(summary["hours_per_week"] or 0),
        label=str(_("Drop-in hours held a week, on average (“6 timers åbningstid om ugen”)")),
        detail=str(ngettext("%(below)s of %(weeks)s week below 6 hours", "%(below)s of %(weeks)s weeks below 6 hours",
                            weeks) % {"below": below, "weeks": weeks}),
    )


def duty_checklist(counts: dict[str, int], *, linked_hours_per_week: Decimal,
                   drop_in: dict | None = None) -> list[Duty]:
    duties = [Duty(key=str(kind), label=str(label), required=Decimal(required), done=Decimal(counts.get(kind, 0)))
              for kind, required, label in CONCEPT_DUTIES]
    duties.append(Duty(
        key="linked_staff", per_week=True, required=LINKED_STAFF_HOURS_PER_WEEK, done=linked_hours_per_week,
        label=str(_("Staff from the børnefamilieenhed, hours a week (“minimum 6 timer om ugen”)")),
    ))
    if drop_in is not None:
        duties.append(drop_in_duty(drop_in))
    return duties


def hours_short(done: Decimal, target: Decimal | None) -> Decimal | None:
    """Hours still missing towards a target, or None when there is no target."""
    if target is None:
        return None
    return max(target - done, Decimal(0))
