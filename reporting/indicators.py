"""The figures of a period. One small function per figure over a unit and a date range
(start and end inclusive), each one aggregate query in the database; `period_figures` puts
them together into the JSON-able dict that the page, the exports, the `period_stats`
command and the yearly PDF all read, so they cannot disagree. The definitions are the
contract in the README ("Period statistics").

Which session rows count: a correction row (`Session.corrects`) replaces its original for
statistics, so an original that has a correction is left out wherever either is dated.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from intake.models import AgeBand, Application, ChildAgeBand, ContactPath, RelationshipLength, RelationshipType
from sessions.models import (
    Activity,
    Case,
    ClimateScore,
    Course,
    Goal,
    Location,
    OutcomeScore,
    Phase,
    Session,
    SessionFormat,
    SessionStatus,
    Visit,
)

from . import profiles, suppression
from .periods import Period, add_months, months_between

HELD = SessionStatus.HELD
NOT_STATED = "not_stated"
# Waiting-time distribution in calendar days: (key, lowest, highest or None).
WAITING_BUCKETS = [("0-7", 0, 7), ("8-14", 8, 14), ("15-21", 15, 21), ("22-28", 22, 28),
                   ("29-42", 29, 42), ("43-56", 43, 56), ("57-", 57, None)]
APPLICANT_CATEGORIES = {
    "age_band": AgeBand,
    "partner_age_band": AgeBand,
    "relationship_type": RelationshipType,
    "relationship_length": RelationshipLength,
    "youngest_child_age_band": ChildAgeBand,
    "contact_path": ContactPath,
}
CHILDREN_COUNTS = ["0", "1", "2", "3"]  # and "4+"
PRIORITY_FLAGS = ["acute", "pregnancy", "small_children", "high_conflict", "violence"]
VISIT_CATEGORIES = {
    "by_channel": ("channel", Visit.Channel, False),
    "by_topic": ("topic", Visit.Topic, False),
    "by_child_age_band": ("child_age_band", Visit.ChildAgeBand, True),
    "by_gender": ("gender", Visit.Gender, True),
    "by_background": ("background", Visit.Background, True),
}

# Breakdowns suppressed when figures of an anonymous unit leave it: dotted path → whether
# the cells add up to a total that is published beside them (see reporting.suppression).
BREAKDOWNS = {
    "sessions_by_format": True,
    "sessions_by_location": True,
    "sessions_by_month": True,
    "new_applications_by_municipality": True,
    "waiting_days_distribution": True,
    **{f"applicants.{name}": True for name in [*APPLICANT_CATEGORIES, "children_count"]},
    "applicants.priority": False,
    **{f"visits.{name}": True for name in VISIT_CATEGORIES},
    "cases_by_phase": False,
    "goals": False,
    "counted_work.sessions": False,
    "counted_work.cases": False,
}


def _decimal_text(value: Decimal, places: str) -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def share_text(part: int, whole: int) -> str | None:
    """`part / whole` as a decimal string with 3 decimals, rounded half up; None when whole is 0."""
    return _decimal_text(Decimal(part) / Decimal(whole), "0.001") if whole else None


def hours_text(minutes: int) -> str:
    """Minutes as hours, a decimal string with 2 decimals, rounded half up."""
    return _decimal_text(Decimal(minutes) / Decimal(60), "0.01")


def month_key(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def effective_sessions(unit):
    return Session.objects.filter(unit=unit).filter(~Exists(Session.objects.filter(corrects=OuterRef("pk"))))


def _counts(queryset, categories: dict[str, Q]) -> dict[str, int]:
    """One aggregate query counting the rows matching each condition."""
    aliases = {f"c{index}": key for index, key in enumerate(categories)}
    row = queryset.aggregate(**{alias: Count("pk", filter=categories[key]) for alias, key in aliases.items()})
    return {key: row[alias] for alias, key in aliases.items()}


def _choice_conditions(field: str, choices, *, blank_is_not_stated: bool = True) -> dict[str, Q]:
    conditions = {value: Q(**{field: value}) for value in choices.values}
    if blank_is_not_stated:
        conditions[NOT_STATED] = Q(**{field: ""})
    return conditions


def _nested(flat: dict[str, int]) -> dict:
    """{"a.b": 1} → {"a": {"b": 1}}."""
    nested = {}
    for key, value in flat.items():
        group, _, name = key.partition(".")
        nested.setdefault(group, {})[name] = value
    return nested


# ---- sessions ------------------------------------------------------------------------


def session_activity(unit, start, end) -> dict:
    """Held sessions, their hours, cancellations and no-shows, held sessions by format and
    the distinct cases with a held session — one pass over the period's sessions."""
    held = Q(status=HELD)
    row = effective_sessions(unit).filter(date__range=(start, end)).aggregate(
        held=Count("pk", filter=held),
        minutes=Sum("minutes", filter=held),
        client_cancelled=Count("pk", filter=Q(status=SessionStatus.CLIENT_CANCELLED)),
        no_show=Count("pk", filter=Q(status=SessionStatus.NO_SHOW)),
        unit_cancelled=Count("pk", filter=Q(status=SessionStatus.UNIT_CANCELLED)),
        cases=Count("case", distinct=True, filter=held),
        **{f"format_{value}": Count("pk", filter=held & Q(format=value)) for value in SessionFormat.values},
    )
    return {
        "sessions_held": row["held"],
        "client_hours": hours_text(row["minutes"] or 0),
        "client_cancellations": row["client_cancelled"],
        "no_shows": row["no_show"],
        "unit_cancellations": row["unit_cancelled"],
        "sessions_by_format": {value: row[f"format_{value}"] for value in SessionFormat.values},
        "unique_cases_seen": row["cases"],
    }


def cases_started(unit, start, end) -> int:
    """Cases whose first held session is in the period (a case with no held session has not started)."""
    held = effective_sessions(unit).filter(status=HELD, case__isnull=False)
    seen_now = held.filter(date__range=(start, end)).values("case")
    firsts = (held.filter(case__in=seen_now, date__lte=end).values("case")
              .annotate(first=Min("date")).filter(first__gte=start))
    return firsts.count()


def sessions_by_location(unit, start, end) -> dict[str, int]:
    held = effective_sessions(unit).filter(status=HELD, date__range=(start, end))
    return _counts(held, _choice_conditions("location", Location, blank_is_not_stated=False))


def sessions_by_month(unit, start, end) -> dict[str, int]:
    held = effective_sessions(unit).filter(status=HELD, date__range=(start, end))
    months = months_between(start, end)
    return _counts(held, {month_key(first): Q(date__range=(first, last)) for first, last in months})


def counted_work(unit, start, end) -> dict:
    """Östermalm's counted work (003_eba17951e60b4a73.txt, "Antal föräldrar som erhållit råd- och
    stödsamtal", "Antal Tryggare barn-insatser" …): held sessions and distinct cases per activity."""
    held = Q(status=HELD)
    row = effective_sessions(unit).filter(date__range=(start, end)).aggregate(
        **{f"s_{value}": Count("pk", filter=held & Q(activity=value)) for value in Activity.values},
        **{f"c_{value}": Count("case", distinct=True, filter=held & Q(activity=value)) for value in Activity.values},
    )
    return {
        "sessions": {value: row[f"s_{value}"] for value in Activity.values},
        "cases": {value: row[f"c_{value}"] for value in Activity.values},
    }


# ---- applications and the queue ------------------------------------------------------


def new_applications(unit, start, end) -> dict:
    rows = (Application.objects.filter(unit=unit, received_on__range=(start, end))
            .values("municipality__name").annotate(n=Count("pk")).order_by("municipality__name"))
    by_municipality = {row["municipality__name"]: row["n"] for row in rows if row["municipality__name"]}
    other = sum(row["n"] for row in rows if not row["municipality__name"])
    if other:
        by_municipality[profiles.OTHER_MUNICIPALITY] = other
    return {"new_applications": sum(by_municipality.values()), "new_applications_by_municipality": by_municipality}


def waiting_histogram(unit, start, end) -> dict[int, int]:
    """Offers made in the period: waiting days (offered_on − received_on) → number of offers."""
    rows = (Application.objects.filter(unit=unit, offered_on__range=(start, end))
            .annotate(wait=F("offered_on") - F("received_on")).values("wait").annotate(n=Count("pk")).order_by())
    return {row["wait"].days: row["n"] for row in rows}


def waiting_summary(histogram: dict[int, int], *, limit: int) -> dict:
    """Pure: offers, median (as statistics.median: the mean of the two middle values when the
    count is even), p90 by nearest rank (the ceil(0.9·n)-th smallest), max, and the share of
    offers within the limit (3 decimals, half up; None without offers)."""
    ordered = sorted(histogram.items())
    offers = sum(count for _days, count in ordered)
    if not offers:
        return {"offers": 0, "median": None, "p90": None, "max": None, "within_limit_share": None}

    def nth_smallest(rank):
        seen = 0
        for days, count in ordered:
            seen += count
            if seen >= rank:
                return days
        raise ValueError(rank)

    middle = offers // 2
    median = nth_smallest(middle + 1) if offers % 2 else (nth_smallest(middle) + nth_smallest(middle + 1)) / 2
    within = sum(count for days, count in ordered if days <= limit)
    return {
        "offers": offers,
        "median": median,
        "p90": nth_smallest(-(-9 * offers // 10)),
        "max": ordered[-1][0],
        "within_limit_share": share_text(within, offers),
    }


def waiting_distribution(histogram: dict[int, int]) -> dict[str, int]:
    """Pure: offers per waiting-time bucket (WAITING_BUCKETS)."""
    return {key: sum(count for days, count in histogram.items() if low <= days and (high is None or days <= high))
            for key, low, high in WAITING_BUCKETS}


def _waiting_on(day: datetime.date) -> Q:
    """Received on/before `day`, with no offer on/before it, not closed on/before it."""
    return (Q(received_on__lte=day) & (Q(offered_on__isnull=True) | Q(offered_on__gt=day))
            & (Q(closed_on__isnull=True) | Q(closed_on__gt=day)))


def waiting_now(unit, end, *, limit: int) -> dict:
    """The queue at the end of the period; over_limit: waiting more than `limit` days by then."""
    over = end - datetime.timedelta(days=limit)
    return _counts(Application.objects.filter(unit=unit, received_on__lte=end),
                   {"count": _waiting_on(end), "over_limit": _waiting_on(end) & Q(received_on__lt=over)})


def queue_by_month(unit, start, end) -> dict[str, int]:
    """The queue (as in waiting_now) at the end of each month of the period."""
    months = months_between(start, end)
    return _counts(Application.objects.filter(unit=unit, received_on__lte=end),
                   {month_key(first): _waiting_on(last) for first, last in months})


def applicants(unit, start, end) -> dict:
    """Anonymous categories of the applications received in the period (000_610e279258caecb4.txt:
    "de sökandes ålder, relationens art och längd, antal barn i familjen och deras ålder samt de
    sökandes kontaktväg"), and the priority flags."""
    conditions = {}
    for field, choices in APPLICANT_CATEGORIES.items():
        conditions |= {f"{field}.{key}": q for key, q in _choice_conditions(field, choices).items()}
    conditions |= {f"children_count.{n}": Q(children_count=int(n)) for n in CHILDREN_COUNTS}
    conditions["children_count.4+"] = Q(children_count__gte=4)
    conditions[f"children_count.{NOT_STATED}"] = Q(children_count__isnull=True)
    conditions |= {f"priority.{flag}": Q(**{flag: True}) for flag in PRIORITY_FLAGS}
    return _nested(_counts(Application.objects.filter(unit=unit, received_on__range=(start, end)), conditions))


# ---- cases ---------------------------------------------------------------------------


def cases_closed(unit, start, end) -> int:
    return Case.objects.filter(unit=unit, closed_on__range=(start, end)).count()


def cases_by_phase(unit, start, end) -> dict[str, int]:
    """Cases with a phase of each kind going on at some time in the period."""
    phases = Phase.objects.filter(unit=unit, started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    row = phases.aggregate(**{kind: Count("case", distinct=True, filter=Q(kind=kind)) for kind in Phase.Kind.values})
    return {kind: row[kind] for kind in Phase.Kind.values}


def urgent_assignments(unit, start, end) -> dict[str, int]:
    """Urgent assignments (skyndsamma uppdrag) given in the period and whether they became a
    regular assignment within the unit's limit (001_12d4c227923da397.txt)."""
    limit = datetime.timedelta(days=unit.urgent_conversion_days)
    urgent = Case.objects.filter(unit=unit, urgent=True, assigned_on__range=(start, end)).annotate(
        delay=F("regular_from") - F("assigned_on"))
    return _counts(urgent, {
        "count": Q(),
        "regular_in_time": Q(delay__lte=limit),
        "regular_late": Q(delay__gt=limit),
        "not_regular": Q(regular_from__isnull=True),
    })


def goals(unit, start, end) -> dict[str, int]:
    """Goals of the genomförandeplan of cases closed in the period, by status."""
    closed_goals = Goal.objects.filter(unit=unit, case__closed_on__range=(start, end))
    return _counts(closed_goals, {status: Q(status=status) for status in Goal.Status.values})


def _first_and_last(model, *, field: str, **filters):
    """Per (case, person): the first and the last value of `field`, by date."""
    same_person = model.objects.filter(case=OuterRef("case"), person=OuterRef("person"), **filters)
    return {
        f"first_{field}": Subquery(same_person.order_by("date", "pk").values(field)[:1]),
        f"last_{field}": Subquery(same_person.order_by("-date", "-pk").values(field)[:1]),
    }


def ors(unit, start, end) -> dict[str, int]:
    """ORS change per person in cases closed in the period, from the first to the last score
    (persons with at least two). Reliable change ±5; recovery: reliable improvement from below
    the clinical cut-off (25 adults, 32 children) to at or above it. Thresholds:
    settings.FAMILJESTOD_OUTCOME_THRESHOLDS."""
    thresholds = settings.FAMILJESTOD_OUTCOME_THRESHOLDS
    change = thresholds["reliable_change"]
    persons = (OutcomeScore.objects.filter(unit=unit, kind=OutcomeScore.Kind.ORS, case__closed_on__range=(start, end))
               .values("case", "person", "is_child")
               .annotate(n=Count("pk"), **_first_and_last(OutcomeScore, field="total", kind="ors"))
               .filter(n__gte=2))
    cutoff = (Q(is_child=False, first_total__lt=thresholds["ors_cutoff_adult"],
                last_total__gte=thresholds["ors_cutoff_adult"])
              | Q(is_child=True, first_total__lt=thresholds["ors_cutoff_child"],
                  last_total__gte=thresholds["ors_cutoff_child"]))
    improved = Q(last_total__gte=F("first_total") + change)
    # Counting the per-person annotation `n` keeps the outer query on the grouped rows.
    return persons.aggregate(
        persons=Count("n"),
        reliable_improvement=Count("n", filter=improved),
        reliable_deterioration=Count("n", filter=Q(last_total__lte=F("first_total") - change)),
        recovery=Count("n", filter=improved & cutoff),
    )


def srs(unit, start, end) -> dict[str, int]:
    """SRS ratings made in the period, and those at or below the alliance-concern level (36)."""
    concern = settings.FAMILJESTOD_OUTCOME_THRESHOLDS["srs_alliance_concern"]
    ratings = OutcomeScore.objects.filter(unit=unit, kind=OutcomeScore.Kind.SRS, date__range=(start, end))
    return _counts(ratings, {"ratings": Q(), "alliance_concern": Q(total__lte=concern)})


CLIMATE_FACTORS = ["closeness", "distance", "spontaneity", "chaos"]


def family_climate(unit, start, end) -> dict:
    """Familjeklimat: per person in cases closed in the period with at least two measurements,
    last minus first factor score; the mean change per factor (2 decimals, half up)."""
    subqueries = {}
    for factor in CLIMATE_FACTORS:
        subqueries |= _first_and_last(ClimateScore, field=factor)
    persons = (ClimateScore.objects.filter(unit=unit, case__closed_on__range=(start, end))
               .values("case", "person").annotate(n=Count("pk"), **subqueries).filter(n__gte=2))
    row = persons.aggregate(
        persons=Count("n"),
        **{factor: Sum(F(f"last_{factor}") - F(f"first_{factor}")) for factor in CLIMATE_FACTORS},
    )
    count = row["persons"]
    return {"persons": count, **{
        factor: _decimal_text(Decimal(row[factor]) / count, "0.01") if count else None for factor in CLIMATE_FACTORS
    }}


def not_current_again(unit, start, end) -> dict:
    """Östermalm's key indicator (003_eba17951e60b4a73.txt: "Andel barn och ungdomar som varit
    aktuella för insatser … och som inte är aktuella 12 månader efter avslutad insats", 84 %):
    of the cases (one per child) closed 12–24 months before the period end — after the day 24
    months before, up to and including the day 12 months before — the share not current again
    (Case.rereferred_on) within 12 months of closing."""
    ended_after, ended_until = add_months(end, -24), add_months(end, -12)
    months_later = ((ExtractYear("rereferred_on") - ExtractYear("closed_on")) * 12
                    + ExtractMonth("rereferred_on") - ExtractMonth("closed_on"))
    ended = Case.objects.filter(unit=unit, closed_on__gt=ended_after, closed_on__lte=ended_until).annotate(
        months_later=months_later, day_closed=ExtractDay("closed_on"), day_again=ExtractDay("rereferred_on"))
    # rereferred_on ≤ closed_on + 12 months, in whole months and days (29 Feb + 12 months = 28 Feb).
    again = Q(rereferred_on__isnull=False) & (
        Q(months_later__lt=12) | Q(months_later=12, day_again__lte=F("day_closed")))
    row = _counts(ended, {"ended": Q(), "current_again": again})
    kept = row["ended"] - row["current_again"]
    share = share_text(kept, row["ended"])
    target = unit.indicator_target_percent
    return {
        "ended_from": (ended_after + datetime.timedelta(days=1)).isoformat(),
        "ended_to": ended_until.isoformat(),
        "ended": row["ended"],
        "not_current_again": kept,
        "share": share,
        "target_percent": str(target),
        "meets_target": None if share is None else Decimal(share) * 100 >= target,
    }


# ---- open counselling (København) ----------------------------------------------------


def visits(unit, start, end) -> dict:
    """The anonymous inquiry tally (henvendelser) by channel, topic and the anonymous
    categories the target-group comparison needs (004_4991f6e8c25cfe0a.txt)."""
    conditions = {"total": Q()}
    for name, (field, choices, optional) in VISIT_CATEGORIES.items():
        conditions |= {f"{name}.{key}": q for key, q in
                       _choice_conditions(field, choices, blank_is_not_stated=optional).items()}
    flat = _counts(Visit.objects.filter(unit=unit, date__range=(start, end)), conditions)
    return {"total": flat.pop("total"), **_nested(flat)}


def courses(unit, start, end) -> dict[str, int]:
    """Courses (forløb): started and ended in the period, and still open at its end."""
    return _counts(Course.objects.filter(unit=unit, started_on__lte=end), {
        "started": Q(started_on__gte=start),
        "ended": Q(ended_on__range=(start, end)),
        "open_at_end": Q(ended_on__isnull=True) | Q(ended_on__gt=end),
    })


# ---- the period --------------------------------------------------------------------------

# Figures a report profile's sections add to the core (reporting.profiles names them).
SECTION_FIGURES = {
    "queue_by_month": queue_by_month,
    "sessions_by_location": sessions_by_location,
    "sessions_by_month": sessions_by_month,
    "cases_closed": cases_closed,
    "applicants": applicants,
    "cases_by_phase": cases_by_phase,
    "urgent_assignments": urgent_assignments,
    "goals": goals,
    "ors": ors,
    "srs": srs,
    "family_climate": family_climate,
    "counted_work": counted_work,
    "not_current_again": not_current_again,
    "visits": visits,
    "courses": courses,
}


def core_figures(unit, start, end) -> dict:
    """The figures every unit reports (the JSON contract)."""
    activity = session_activity(unit, start, end)
    histogram = waiting_histogram(unit, start, end)
    return {
        **{key: activity[key] for key in ("sessions_held", "client_hours", "client_cancellations", "no_shows",
                                          "unit_cancellations", "sessions_by_format")},
        **new_applications(unit, start, end),
        "cases_started": cases_started(unit, start, end),
        "unique_cases_seen": activity["unique_cases_seen"],
        "waiting_days": waiting_summary(histogram, limit=unit.wait_limit_days),
        "waiting_now": waiting_now(unit, end, limit=unit.wait_limit_days),
        "wait_limit_days": unit.wait_limit_days,
        "waiting_days_distribution": waiting_distribution(histogram),
    }


def period_figures(*, unit, period: Period, core_only: bool = False) -> dict:
    """Every figure of the unit's report profile for the period (only the core with `core_only`),
    JSON-able. Call it inside the unit's scope."""
    start, end = period.start, period.end
    figures = {"unit": unit.slug, "period": period.label, "start": start.isoformat(), "end": end.isoformat()}
    figures |= core_figures(unit, start, end)
    for key in [] if core_only else profiles.profile_for(unit).figure_keys:
        figures[key] = SECTION_FIGURES[key](unit, start, end)
    return figures


def suppressed(figures: dict, *, unit) -> dict:
    """The figures as they may leave the unit: small counts in breakdowns of an anonymous unit hidden."""
    if not unit.is_anonymous:
        return figures
    return suppression.suppress_figures(figures, breakdowns=BREAKDOWNS, threshold=unit.suppression_threshold)
