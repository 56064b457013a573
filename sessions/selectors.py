"""Reads for the session log, the tally and case pages: a fixed number of queries each,
aggregated in the database, whatever the number of rows."""

import datetime
from collections import defaultdict

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth

from billing.models import MonthClose
from units.models import Unit
from units.pages import Key, ordered
from units.selectors import counselled_by, selection_counsellors

from . import rules
from .models import (
    Activity,
    Case,
    ClimateScore,
    Course,
    OutcomeScore,
    Phase,
    Session,
    SessionStatus,
    Visit,
    person_label,
)

# The session list's order: the latest day first; a day's timed sessions latest first, then
# those without a start time, the latest logged first.
SESSION_ORDER = (Key("date", descending=True), Key("start_time", descending=True, nullable=True),
                 Key("pk", descending=True))
CASE_ORDER = (Key("opened_on", descending=True), Key("code"), Key("pk"))
REMEMBERED_FIELDS = ("minutes", "format", "location", "fee")
RECENT_SESSIONS = 20
# The session form lists at most this many cases; any other open case is found by its code.
CASE_MATCHES = 20
RECENT_CASE_SESSIONS = 60  # whose cases the form lists without a search


def open_cases(unit: Unit, *, also=None) -> QuerySet:
    """Cases a session can be logged to; `also` keeps an edited session's own case choosable."""
    return Case.objects.filter(Q(closed_on__isnull=True, lapsed_on__isnull=True) | Q(pk=also),
                               unit=unit).order_by("-opened_on", "code")


def usual_session_values(*, unit: Unit, user) -> dict:
    """What the counsellor usually logs, from their recent sessions: the form starts there.
    One index-only read (index session_usual_values: the counsellor's rows newest first)."""
    recent = list(Session.objects.filter(unit=unit, logged_by=user, corrects__isnull=True)
                  .order_by("-created_at").values_list(*REMEMBERED_FIELDS)[:RECENT_SESSIONS])
    if not recent:
        return {}
    return {field: rules.usual([row[index] for row in recent]) for index, field in enumerate(REMEMBERED_FIELDS)}


def case_choices(unit: Unit, *, user, query: str = "", chosen: int | None = None,
                 also: int | None = None) -> list[tuple[int, str]]:
    """The cases the session form offers (id, code), CASE_MATCHES at most and the chosen one:
    with a search term, the open cases whose code holds it; without, the counsellor's own recent
    cases first, then the newest opened (a new case's first session is the likeliest next)."""
    cases = open_cases(unit, also=also)
    if rules.case_search_term(query):
        rows = case_matches(unit, query, also=also)
    else:
        # The first RECENT_CASE_SESSIONS entries of index session_recent_cases.
        recent = (Session.objects.filter(unit=unit, logged_by=user, corrects__isnull=True, case__isnull=False)
                  .order_by("-created_at").values("case")[:RECENT_CASE_SESSIONS])
        rows = list(cases.alias(mine=ExpressionWrapper(Q(pk__in=recent), output_field=BooleanField()))
                    .order_by(F("mine").desc(), "-opened_on", "code")
                    .values_list("pk", "code")[:CASE_MATCHES])
    if chosen is not None and chosen not in {pk for pk, _code in rows}:
        rows = list(cases.filter(pk=chosen).values_list("pk", "code")) + rows
    return rows


def case_matches(unit: Unit, query: str, *, also: int | None = None) -> list[tuple[int, str]]:
    """The case picker's search: open cases of the unit whose code holds the term (codes only)."""
    term = rules.case_search_term(query)
    if not term:
        return []
    return list(open_cases(unit, also=also).filter(code__icontains=term).order_by("code")
                .values_list("pk", "code")[:CASE_MATCHES])


def _with_lock(sessions: QuerySet) -> QuerySet:
    """`locked`: billing.selectors.month_is_closed for many rows at once (a subquery, not a query per row)."""
    return sessions.annotate(billing_month=TruncMonth("date", output_field=DateField())).annotate(
        locked=Exists(MonthClose.objects.filter(unit=OuterRef("unit"), month=OuterRef("billing_month"))))


def sessions_filtered(unit: Unit, *, date_from=None, date_to=None, counsellor=None, status="",
                      session_format="", group: int | None = None) -> QuerySet:
    sessions = Session.objects.filter(unit=unit)
    if group is not None:
        sessions = counselled_by(sessions, selection_counsellors(unit, group=group))
    if date_from:
        sessions = sessions.filter(date__gte=date_from)
    if date_to:
        sessions = sessions.filter(date__lte=date_to)
    if counsellor:
        sessions = sessions.filter(counsellors=counsellor)
    if status:
        sessions = sessions.filter(status=status)
    if session_format:
        sessions = sessions.filter(format=session_format)
    return sessions


def session_rows(sessions: QuerySet) -> QuerySet:
    """Rows as the list and the export show them: case, correction, lock and `counsellor_names`
    (the counsellors' usernames in order, "a, b"; None for none) — in the rows' own query: a
    prefetch of the counsellors built a user and two managers per row (issue 17)."""
    # "Not null" lets PostgreSQL read the partial index of corrections instead of every session.
    corrected = Exists(Session.objects.filter(corrects=OuterRef("pk"), corrects__isnull=False))
    return ordered(_with_lock(sessions).select_related("case", "corrects")
                   .annotate(corrected=corrected, counsellor_names=_counsellor_names()), SESSION_ORDER)


def _counsellor_names() -> Subquery:
    links = Session.counsellors.through.objects.filter(session=OuterRef("pk"))
    return Subquery(links.values("session").annotate(
        names=StringAgg("user__username", delimiter=", ", order_by="user__username")).values("names"))


def effective_sessions(unit: Unit) -> QuerySet:
    """Each session once, as it stands now: a row that has a correction is replaced by it.
    Statistics, totals and the case start count these; billing reads the chain itself."""
    return Session.objects.filter(unit=unit).filter(~Exists(Session.objects.filter(corrects=OuterRef("pk"))))


def session_totals(sessions: QuerySet) -> dict:
    """Totals of the sessions as they stand now (a corrected row counts as its correction)."""
    held = Q(status=SessionStatus.HELD)
    totals = sessions.filter(~Exists(Session.objects.filter(corrects=OuterRef("pk")))).aggregate(
        held=Count("pk", filter=held),
        minutes=Sum("minutes", filter=held),
        client_cancelled=Count("pk", filter=Q(status=SessionStatus.CLIENT_CANCELLED)),
        no_show=Count("pk", filter=Q(status=SessionStatus.NO_SHOW)),
        unit_cancelled=Count("pk", filter=Q(status=SessionStatus.UNIT_CANCELLED)),
    )
    totals["hours"] = rules.hours(totals.pop("minutes"))
    return totals


def session_locked(session: Session) -> bool:
    return _with_lock(Session.objects.filter(unit=session.unit, pk=session.pk)).values_list("locked", flat=True).get()


# --- tally ----------------------------------------------------------------------------------

def visit_counts(unit: Unit, *, today: datetime.date) -> list[dict]:
    """Inquiries per channel today, this week (from Monday) and this month."""
    week = today - datetime.timedelta(days=today.weekday())
    month = today.replace(day=1)
    counted = dict(
        (row["channel"], row) for row in Visit.objects.filter(unit=unit, date__gte=min(week, month), date__lte=today)
        .values("channel").annotate(
            today=Count("pk", filter=Q(date=today)),
            week=Count("pk", filter=Q(date__gte=week)),
            month=Count("pk", filter=Q(date__gte=month)),
        ).order_by()
    )
    return [{"channel": channel, "label": label, **{period: counted.get(channel, {}).get(period, 0)
                                                     for period in ("today", "week", "month")}}
            for channel, label in Visit.Channel.choices]


def course_counts(unit: Unit, *, today: datetime.date) -> dict:
    month = today.replace(day=1)
    return Course.objects.filter(unit=unit).aggregate(
        running=Count("pk", filter=Q(ended_on__isnull=True)),
        started=Count("pk", filter=Q(started_on__gte=month, started_on__lte=today)),
        ended=Count("pk", filter=Q(ended_on__gte=month, ended_on__lte=today)),
    )


def running_courses(unit: Unit) -> QuerySet:
    return Course.objects.filter(unit=unit, ended_on__isnull=True).order_by("started_on", "pk")


# --- cases ----------------------------------------------------------------------------------

def cases_in_state(unit: Unit, *, state: str = "open") -> QuerySet:
    # A case the retention purge ended as inactive is a counting row, no one's case any more.
    cases = Case.objects.filter(unit=unit, lapsed_on__isnull=True)
    if state == "open":
        return cases.filter(closed_on__isnull=True)
    if state == "closed":
        return cases.filter(closed_on__isnull=False)
    return cases


def cases_listed(cases: QuerySet) -> QuerySet:
    """The case list's rows: held sessions and the last one, in the list's order."""
    counted = Q(sessions__corrections__isnull=True, sessions__status=SessionStatus.HELD)
    return ordered(cases.annotate(held=Count("sessions", filter=counted),
                                  last_session=Max("sessions__date", filter=counted)), CASE_ORDER)


def overlong_phases(unit: Unit, cases, *, today: datetime.date) -> dict[int, list[str]]:
    """Case id → labels of its phases that lasted (or last) longer than their typical length
    (rules.phase_overlong), for the cases of one list page — one query."""
    found: dict[int, list[str]] = defaultdict(list)
    phases = Phase.objects.filter(unit=unit, case__in=[case.pk for case in cases]).order_by("started_on", "pk")
    for phase in phases:
        if rules.phase_overlong(kind=phase.kind, started_on=phase.started_on, ended_on=phase.ended_on, today=today):
            found[phase.case_id].append(phase.get_kind_display())
    return dict(found)


def overdue_urgent_cases(unit: Unit, *, today: datetime.date) -> list[Case]:
    """Urgent assignments older than the unit's limit that have not become regular."""
    limit = today - datetime.timedelta(days=unit.urgent_conversion_days)
    return list(Case.objects.filter(unit=unit, urgent=True, regular_from__isnull=True, closed_on__isnull=True,
                                    lapsed_on__isnull=True)
                .filter(Q(assigned_on__lt=limit) | Q(assigned_on__isnull=True, opened_on__lt=limit))
                .order_by("assigned_on", "code"))


def case_is_overdue(case: Case, *, unit: Unit, today: datetime.date) -> bool:
    return rules.urgent_overdue(urgent=case.urgent, since=case.assigned_on or case.opened_on,
                                regular_from=case.regular_from, closed_on=case.closed_on,
                                days=unit.urgent_conversion_days, today=today)


def support_talks_held(case: Case | None) -> int:
    """Held råd- och stödsamtal of the case, each session once as it stands now."""
    if case is None:
        return 0
    return effective_sessions(case.unit).filter(case=case, status=SessionStatus.HELD,
                                                activity=Activity.SUPPORT_TALK).count()


def case_sessions(case: Case) -> QuerySet:
    return (Session.objects.filter(unit=case.unit, case=case).select_related("corrects")
            .prefetch_related("counsellors").order_by("date", "start_time", "pk"))


def case_phases(case: Case) -> QuerySet:
    return Phase.objects.filter(unit=case.unit, case=case).order_by("started_on", "pk")


def ors_trends(case: Case) -> list[dict]:
    """Each person's ORS totals in date order, against the clinical cut-off, with the change
    from the first score marked when it reaches the reliable-change index."""
    thresholds = case.unit.outcome_thresholds
    by_person = defaultdict(list)
    is_child = {}
    for person, child, date, total in (OutcomeScore.objects.filter(unit=case.unit, case=case, kind="ors")
                                       .order_by("person", "date", "pk")
                                       .values_list("person", "is_child", "date", "total")):
        by_person[person].append((date, total))
        is_child[person] = child
    trends = []
    for person, points in by_person.items():
        first = points[0][1]
        trends.append({
            "person": person_label(person),
            "is_child": is_child[person],
            "cutoff": rules.ors_cutoff(is_child=is_child[person], thresholds=thresholds),
            "points": [{"date": date, "total": total, "change": total - first,
                        "reliable": rules.ors_change(first, total, thresholds=thresholds)}
                       for date, total in points],
            "change": points[-1][1] - first,
            "reliable": rules.ors_change(first, points[-1][1], thresholds=thresholds),
        })
    return trends


def srs_scores(case: Case) -> list[dict]:
    thresholds = case.unit.outcome_thresholds
    return [{"score": score, "concern": rules.srs_concern(score.total, thresholds=thresholds)}
            for score in OutcomeScore.objects.filter(unit=case.unit, case=case, kind="srs").order_by("date", "pk")]


def climate_scores(case: Case) -> QuerySet:
    return ClimateScore.objects.filter(unit=case.unit, case=case).order_by("date", "person", "pk")


def earlier_case_to_mark(unit: Unit, *, family_code: str, opened_on: datetime.date, exclude=None) -> Case | None:
    """The family's latest case (same family code) closed before `opened_on` and not yet marked
    current again: the case a new case for the family offers to mark."""
    if not (family_code or "").strip():
        return None
    earlier = Case.objects.filter(unit=unit, family_code=family_code.strip(), closed_on__lt=opened_on,
                                  rereferred_on__isnull=True, lapsed_on__isnull=True)
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    return earlier.order_by("-closed_on", "-pk").first()


def suggested_case_code(unit: Unit, *, today: datetime.date) -> str:
    prefix = "U"
    codes = list(Case.objects.filter(unit=unit, code__startswith=f"{prefix}-{today.year}-")
                 .values_list("code", flat=True))
    return rules.next_code(prefix, today.year, codes)
