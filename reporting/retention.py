"""Retention (gallring, DESIGN.md §6; README "Retention"): the details of cases and applications
whose last activity lies longer back than the unit's retention period are removed, and the
statistics do not move.

A case (with its application) is due when nothing has happened in it for the retention period:
no session or booking, no phase, goal review, follow-up, score, no date of its own or
of its application, no change in the audit log. A closed case's closing date is its last
activity in the normal course; a case or application nobody closed counts as ended when it has
been inactive that long — it is not closed in the past after the fact (its closing date stays
empty, so no period's "cases closed" moves).

Before anything goes, every ended period the removed rows were counted in is frozen
(reporting.models.FrozenFigures): the period statistics of each period kind (quarter, tertial,
half-year, year) and the national yearly figures, exactly as they were. Readers take the frozen
copy from then on (indicators.period_figures, national.unit_figures), so every page, export,
organisation page and report reads the same figures before and after. Closed billing months are
their own snapshots (billing.models.MonthClose) and submitted reports their own files: the purge
reads and writes neither.
"""

import datetime
import json
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import BooleanField, Count, Exists, Max, Min, OuterRef, Q, Subquery, When
from django.db.models import Case as Case_
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking
from intake.models import Application, ExceptionReason, Outcome
from sessions.models import Case, ClimateScore, FollowUpMeeting, Goal, OutcomeScore, Phase, Session, SessionStatus
from units.models import Unit
from units.periods import KINDS, Period, add_months, month_end
from units.retention import minimum_months
from units.services import audit_log

from . import indicators, national, profiles
from .models import FrozenFigures, PurgeRecord

# What a purge removes, in the order the pages and the command list it.
KINDS_REMOVED = ("cases", "applications", "sessions", "bookings", "outcome_scores", "climate_scores", "goals",
                 "phases", "follow_ups")
KIND_LABELS = {
    "cases": _("Cases"), "applications": _("Applications"), "sessions": _("Sessions"), "bookings": _("Bookings"),
    "outcome_scores": _("Outcome scores (ORS/SRS)"), "climate_scores": _("Family climate scores"),
    "goals": _("Goals"), "phases": _("Phases"), "follow_ups": _("Follow-up meetings"),
}
# The not-current-again indicator counts a closed case in the periods ending 12–24 months after it closed.
INDICATOR_MONTHS = 24


def retention_months(unit: Unit) -> int:
    """The unit's setting, never below what its own indicators need (a unit saved before the
    rule existed may hold less)."""
    return max(unit.retention_months, minimum_months(unit))


def cutoff(unit: Unit, as_of: datetime.date) -> datetime.date:
    """Cases whose last activity is on or before this day are due."""
    return add_months(as_of, -retention_months(unit))


# Each (table, its case column, a date column) whose dates are activity in a case.
_CASE_DATES = [("counselling_case", "id", column) for column in (
    "opened_on", "started_on", "closed_on", "assigned_on", "regular_from", "closing_meeting_on", "rereferred_on")] + [
    ("counselling_session", "case_id", "date"), ("bookings_booking", "case_id", "date"),
    ("counselling_phase", "case_id", "started_on"), ("counselling_phase", "case_id", "ended_on"),
    ("counselling_goal", "case_id", "reviewed_on"), ("counselling_followupmeeting", "case_id", "date"),
    ("counselling_outcomescore", "case_id", "date"), ("counselling_climatescore", "case_id", "date"),
    ("intake_application", "case_id", "received_on"), ("intake_application", "case_id", "offered_on"),
    ("intake_application", "case_id", "closed_on"),
]


def _activity_sql(unit: Unit) -> tuple[str, list]:
    """(SQL, parameters) of a table (case_id, last_activity): per case of the unit the latest day
    anything happened in it — one pass over each table (UNION ALL, then GROUP BY), not a
    subquery per case. A change in the audit log counts on its day."""
    parts, params = [], []
    for table, case_column, column in _CASE_DATES:
        parts.append(f"SELECT {case_column} AS case_id, {column} AS day FROM {table} "  # noqa: S608 - fixed names
                     f"WHERE unit_id = %s AND {case_column} IS NOT NULL AND {column} IS NOT NULL")
        params.append(unit.pk)
    parts.append("SELECT c.id, DATE(e.at) FROM units_auditevent e JOIN counselling_case c "
                 "ON e.object_id = CAST(c.id AS VARCHAR(40)) AND c.unit_id = e.unit_id "
                 "WHERE e.unit_id = %s AND e.object_type = %s")
    parts.append("SELECT a.case_id, DATE(e.at) FROM units_auditevent e JOIN intake_application a "
                 "ON e.object_id = CAST(a.id AS VARCHAR(40)) AND a.unit_id = e.unit_id "
                 "WHERE e.unit_id = %s AND e.object_type = %s")
    params += [unit.pk, "counselling.case", unit.pk, "intake.application"]
    union = " UNION ALL ".join(parts)
    sql = f"SELECT case_id, MAX(day) AS last_activity FROM ({union}) activity GROUP BY case_id"  # noqa: S608
    return sql, params


def _due_sql(unit: Unit, as_of: datetime.date) -> tuple[str, list]:
    """(SQL, parameters) of the ids of the cases due as of `as_of` (counting rows excluded)."""
    activity, params = _activity_sql(unit)
    return (f"SELECT t.case_id FROM ({activity}) t JOIN counselling_case c ON c.id = t.case_id "  # noqa: S608
            "WHERE c.lapsed_on IS NULL AND t.last_activity <= %s", [*params, cutoff(unit, as_of)])


def _last_activity(unit: Unit, case_ids: list[int]) -> datetime.date | None:
    """The latest last activity among these cases."""
    if not case_ids:
        return None
    activity, params = _activity_sql(unit)
    placeholders = ", ".join(["%s"] * len(case_ids))
    (row,) = indicators._select(f"SELECT MAX(t.last_activity) FROM ({activity}) t "  # noqa: S608
                                f"WHERE t.case_id IN ({placeholders})", [*params, *case_ids])
    value = row[0]
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _lingering(unit: Unit, cases):
    """Annotate `lingers`: the case is still counted in periods that have not ended — its
    application waits, a phase is open, or it started and nobody closed it (ongoing)."""
    case = OuterRef("pk")
    return cases.annotate(
        waiting=Exists(Application.objects.filter(unit=unit, case=case, offered_on__isnull=True,
                                                  closed_on__isnull=True)),
        open_phase=Exists(Phase.objects.filter(unit=unit, case=case, ended_on__isnull=True)),
        has_held=Exists(Session.objects.filter(unit=unit, case=case, status=SessionStatus.HELD)),
    ).annotate(lingers=Case_(When(Q(waiting=True) | Q(open_phase=True) | Q(closed_on__isnull=True, has_held=True),
                                  then=True), default=False, output_field=BooleanField()))


def due_cases(unit: Unit, as_of: datetime.date):
    """The cases a purge as of `as_of` takes up: nothing happened in them for the retention
    period. `lingers` tells those still counted in unended periods (they are ended as inactive)
    from those over (they go at once)."""
    sql, params = _due_sql(unit, as_of)
    return _lingering(unit, Case.objects.filter(unit=unit, pk__in=RawSQL(sql, params)))  # noqa: S611 - fixed SQL


def ended_inactive(unit: Unit, today: datetime.date):
    """Counting rows of cases ended as inactive in a year that has ended: every period of that day
    has ended too, so they can be frozen and go."""
    return Case.objects.filter(unit=unit, lapsed_on__lt=datetime.date(today.year, 1, 1))


# The rows of a due case that go with it, by kind (each table has unit_id and case_id).
_COUNTED = {"applications": Application, "sessions": Session, "bookings": Booking, "outcome_scores": OutcomeScore,
            "climate_scores": ClimateScore, "goals": Goal, "phases": Phase, "follow_ups": FollowUpMeeting}


def counts(unit: Unit, as_of: datetime.date) -> dict[str, int]:
    """How many rows of each kind a purge as of `as_of` removes. `ended` and `inactive` split the
    cases: over (closed, or never started and no longer waiting) or still open but inactive. Two
    queries: the split, and every kind's count from the due cases found once (a WITH query; a
    subquery per count would look for the due cases again in each)."""
    split = due_cases(unit, as_of).aggregate(cases=Count("pk"), inactive=Count("pk", filter=Q(lingers=True)))
    due, params = _due_sql(unit, as_of)
    columns = ", ".join(f"(SELECT COUNT(*) FROM {model._meta.db_table} WHERE unit_id = %s "  # noqa: S608 - fixed names
                        "AND case_id IN (SELECT id FROM due))" for model in _COUNTED.values())
    (row,) = indicators._select(
        f"WITH due AS (SELECT id FROM counselling_case WHERE unit_id = %s AND id IN ({due})) "  # noqa: S608
        f"SELECT {columns}", [unit.pk, *params, *[unit.pk] * len(_COUNTED)])
    found = {"cases": split["cases"], **dict(zip(_COUNTED, row, strict=True))}
    return {**found, "ended": split["cases"] - split["inactive"], "inactive": split["inactive"]}


def schedule(unit: Unit, today: datetime.date, *, months: int = 12) -> list[tuple[datetime.date, int]]:
    """(month end, cases due by then) for this month and the next `months - 1`: one query."""
    ends = [month_end(day.year, day.month) for day in (add_months(today.replace(day=1), step)
                                                       for step in range(months))]
    activity, params = _activity_sql(unit)
    columns = ", ".join(["COUNT(*) FILTER (WHERE t.last_activity <= %s)"] * len(ends))
    (row,) = indicators._select(
        f"SELECT {columns} FROM ({activity}) t JOIN counselling_case c ON c.id = t.case_id "  # noqa: S608
        "WHERE c.lapsed_on IS NULL", [*(cutoff(unit, end) for end in ends), *params])
    return list(zip(ends, row, strict=True))


@transaction.atomic
def retention_months_set(*, unit: Unit, months: int, acting_user) -> Unit:
    """The chief's setting; Unit.clean refuses less than the unit's statistics need."""
    unit.retention_months = months
    unit.full_clean(validate_unique=False, validate_constraints=False)
    unit.save(update_fields=["retention_months"])
    audit_log(user=acting_user, unit=unit, action="retention.settings", obj=unit)
    return unit


# ---- freezing --------------------------------------------------------------------------


@dataclass
class Touched:
    """The days the purged rows were counted on, from `first` to `last`, and the ended periods
    and years in that span."""

    first: datetime.date
    last: datetime.date
    periods: list[Period] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def touched(unit: Unit, *, removed: list[int], ending: list[int], today: datetime.date) -> Touched | None:
    """The span of days whose figures the purged rows are part of. A case whose details go is
    counted up to its last activity (and, for the not-current-again indicator, up to 24 months
    after it closed). A case ended as inactive keeps, as a counting row, exactly what the days
    after its last activity count (waiting, open phase, ongoing), so nothing later needs freezing
    for it; a counting row that goes was counted up to the day it ended."""
    every = [*removed, *ending]
    if not every:
        return None
    cases = Case.objects.filter(unit=unit, pk__in=every)
    firsts = [
        cases.aggregate(first=Min("opened_on"))["first"],
        Session.objects.filter(unit=unit, case_id__in=every).aggregate(first=Min("date"))["first"],
        Application.objects.filter(unit=unit, case_id__in=every).aggregate(first=Min("received_on"))["first"],
    ]
    lasts = []
    if removed:
        lasts.append(_last_activity(unit, removed))
        closed = cases.filter(pk__in=removed).aggregate(closed=Max("closed_on"))["closed"]
        if closed and "not_current_again" in profiles.profile_for(unit).figure_keys:
            lasts.append(add_months(closed, INDICATOR_MONTHS))
    if ending:
        lasts.append(cases.filter(pk__in=ending).aggregate(last=Max("lapsed_on"))["last"])
    span = Touched(first=min(day for day in firsts if day), last=min(max(lasts), today))
    for kind in KINDS:
        period = Period.containing(span.first, kind)
        while period.start <= span.last:
            if period.end < today:
                span.periods.append(period)
            period = period.next()
    span.years = [year for year in range(span.first.year, span.last.year + 1)
                  if datetime.date(year, 12, 31) < today]
    return span


def freeze(unit: Unit, span: Touched) -> int:
    """Store the figures of each period and year in the span that are not frozen yet, counted
    from the rows as they are now (before the purge). Returns how many were frozen."""
    existing = set(FrozenFigures.objects.filter(unit=unit).values_list("kind", "label"))
    rows = []
    for period in span.periods:
        if (FrozenFigures.Kind.PERIOD, period.label) not in existing:
            figures = indicators.count_period_figures(unit=unit, period=period)
            rows.append(FrozenFigures(unit=unit, kind=FrozenFigures.Kind.PERIOD, label=period.label,
                                      figures=json.dumps(figures, ensure_ascii=False)))
    for year in span.years:
        if (FrozenFigures.Kind.NATIONAL, str(year)) not in existing:
            rows.append(FrozenFigures(unit=unit, kind=FrozenFigures.Kind.NATIONAL, label=str(year),
                                      figures=national.freeze_text(national.count_unit_figures(unit, year))))
    FrozenFigures.objects.bulk_create(rows)
    return len(rows)


# ---- the purge -------------------------------------------------------------------------


@dataclass
class PurgeResult:
    unit: Unit
    as_of: datetime.date
    counts: dict[str, int]
    frozen: int = 0
    record: PurgeRecord | None = None


class AsOfInFuture(ValueError):
    pass


def purge_expired(*, unit: Unit, as_of: datetime.date, today: datetime.date, acting_user=None,
                  dry_run: bool = False) -> PurgeResult:
    """Purge what is due as of `as_of` (freezing the figures first) and write a PurgeRecord and an
    audit row with the counts. `dry_run` counts and writes nothing. A purge that writes may not
    look ahead: a period after today has not ended and cannot be frozen. Call in the unit's scope."""
    if dry_run:
        return PurgeResult(unit=unit, as_of=as_of, counts=counts(unit, as_of))
    if as_of > today:
        raise AsOfInFuture(as_of)
    with transaction.atomic():
        # One purge of a unit at a time (the nightly job and a chief's command may overlap).
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        found = counts(unit, as_of)
        due = list(due_cases(unit, as_of).values_list("pk", "lingers"))
        removed = [pk for pk, lingers in due if not lingers]
        lapsing = [pk for pk, lingers in due if lingers]
        ending = list(ended_inactive(unit, today).values_list("pk", flat=True))
        # Computed before anything changes: ending a case moves its application's and phases' dates.
        span = touched(unit, removed=[*removed, *lapsing], ending=ending, today=today)
        frozen = freeze(unit, span) if span else 0
        _lapse(unit, lapsing, today)  # first: it reads the first held session before the sessions go
        _remove_details(unit, [*removed, *lapsing])
        _remove_cases(unit, [*removed, *ending])
        record = PurgeRecord.objects.create(unit=unit, as_of=as_of, ran_by=acting_user,
                                            retention_months=retention_months(unit),
                                            counts={**found, "counting_rows_removed": len(ending)},
                                            frozen_periods=frozen)
        audit_log(user=acting_user, unit=unit, action="retention.purge", obj=record)
    return PurgeResult(unit=unit, as_of=as_of, counts=found, frozen=frozen, record=record)


def _remove_details(unit: Unit, case_ids: list[int]) -> None:
    """What describes the cases: bookings, scores, goals, follow-ups and sessions (corrections first: they
    protect their originals). Phases stay with a case ended as inactive until its row goes."""
    for model in (Booking, OutcomeScore, ClimateScore, Goal, FollowUpMeeting):
        model.objects.filter(unit=unit, case_id__in=case_ids).delete()
    sessions = Session.objects.filter(unit=unit)
    sessions.filter(Q(case_id__in=case_ids) | Q(corrects__case_id__in=case_ids), corrects__isnull=False).delete()
    sessions.filter(case_id__in=case_ids).delete()


def _lapse(unit: Unit, case_ids: list[int], day: datetime.date) -> None:
    """End inactive cases on `day` without closing them, keeping only what unended periods count:
    the case's dates under a random code, its application's anonymous categories, its phases'
    kinds and dates. The start moves to `started_on` (its sessions are gone)."""
    if not case_ids:
        return
    first_held = (Session.objects.filter(unit=unit, case=OuterRef("pk"), status=SessionStatus.HELD,
                                         corrections__isnull=True).order_by("date").values("date")[:1])
    cases = Case.objects.filter(unit=unit, pk__in=case_ids)
    cases.update(started_on=Subquery(first_held))
    rows = list(cases.only("pk"))
    for row in rows:
        row.code = f"G-{secrets.randbelow(10 ** 12):012d}"  # no link to the code the unit used
        row.officer_office, row.family_code, row.closing_meeting_on, row.lapsed_on = "", "", None, day
    Case.objects.bulk_update(rows, ["code", "officer_office", "family_code", "closing_meeting_on", "lapsed_on"])
    Phase.objects.filter(unit=unit, case_id__in=case_ids, ended_on__isnull=True).update(ended_on=day)
    applications = Application.objects.filter(unit=unit, case_id__in=case_ids)
    applications.filter(municipality__isnull=True, exception_code="").update(exception_code=ExceptionReason.AGREED)
    applications.update(note="", note_codes="", exception_reason="", assigned_to=None, wanted_competence="")
    applications.filter(closed_on__isnull=True).update(closed_on=day, outcome=Outcome.LAPSED)


def _remove_cases(unit: Unit, case_ids: list[int]) -> None:
    _remove_details(unit, case_ids)
    Phase.objects.filter(unit=unit, case_id__in=case_ids).delete()
    Application.objects.filter(unit=unit, case_id__in=case_ids).delete()
    Case.objects.filter(unit=unit, pk__in=case_ids).delete()
