"""Reads of the quality records: the pages, the exports and the yearly report all call these.

Every function takes the unit explicitly, aggregates in the database and runs a fixed
number of queries whatever the amount of data."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from units.models import Membership, OpeningHours, Unit
from units.opening_hours import unit_opening_hours, weekly_hours
from units.pages import Key
from units.suppression import is_small

from .models import (
    CONTRACT_COMPETENCE,
    DropInWeek,
    LinkedStaffTime,
    OutreachActivity,
    OutreachKind,
    QualityEvent,
    QualitySettings,
    StaffQualification,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    TrainingRecord,
)
from .rules import (
    DROP_IN_HOURS_PER_WEEK,
    Duty,
    ScaleResult,
    drop_in_summary,
    duty_checklist,
    hours_short,
    mondays_between,
    scale_result,
    shown_count,
)

ZERO = Decimal(0)

# The period lists (events, outreach, training): the latest first.
BY_DATE = (Key("date", descending=True), Key("pk", descending=True))


def quality_settings(*, unit: Unit) -> QualitySettings:
    """The unit's settings, or the defaults (no targets) when none were made."""
    return QualitySettings.objects.filter(unit=unit).first() or QualitySettings(unit=unit)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- Survey ---------------------------------------------------------------------------


def public_survey_unit(token: str) -> Unit | None:
    """The unit whose survey round has this public token, or None."""
    # The public link is all an anonymous respondent brings, so its unit cannot be known
    # before this lookup: the one read across units, by an unguessable token, ids only.
    with scopes_disabled():
        unit_id = SurveyRound.objects.filter(token=token).values_list("unit_id", flat=True).first()
    return Unit.objects.filter(pk=unit_id).first() if unit_id else None


def survey_questions(*, unit: Unit) -> list[SurveyQuestion]:
    """The questions asked now, in order; the free-text question last."""
    questions = list(SurveyQuestion.objects.filter(unit=unit, retired=False))
    return sorted(questions, key=lambda question: question.kind == SurveyQuestion.Kind.TEXT)


def survey_rounds(*, unit: Unit) -> list[SurveyRound]:
    # Meta.ordering does not apply to a GROUP BY query, hence the explicit order.
    return list(SurveyRound.objects.filter(unit=unit).annotate(response_count=Count("responses"))
                .order_by("-created_on", "-pk"))


def open_survey_round(*, unit: Unit) -> SurveyRound | None:
    """The newest round open for answers, the one a closing family is offered."""
    return SurveyRound.objects.filter(unit=unit, is_open=True).order_by("-created_on", "-pk").first()


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    result: ScaleResult


@dataclass(frozen=True)
class SurveyResults:
    start: datetime.date
    end: datetime.date
    threshold: int
    responses: int
    responses_label: str
    questions: list[QuestionResult] = field(default_factory=list)


def survey_results(*, unit: Unit, start: datetime.date, end: datetime.date) -> SurveyResults:
    """Per scale question: answers, mean, distribution 1–5 and share satisfied (4–5),
    with counts from 1 to the unit's threshold − 1 suppressed. Never the free text."""
    threshold = unit.suppression_threshold
    responses = SurveyResponse.objects.filter(unit=unit, answered_on__range=(start, end)).count()
    rows = (
        SurveyAnswer.objects.filter(unit=unit, response__answered_on__range=(start, end), score__isnull=False)
        .values("question_id", "score").annotate(n=Count("id")).order_by()
    )
    distributions: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        distributions[row["question_id"]][row["score"]] = row["n"]
    questions = SurveyQuestion.objects.filter(unit=unit, kind=SurveyQuestion.Kind.SCALE).filter(
        Q(retired=False) | Q(pk__in=list(distributions))
    )
    return SurveyResults(
        start=start, end=end, threshold=threshold, responses=responses,
        responses_label=shown_count(responses, threshold),
        questions=[QuestionResult(question, scale_result(distributions.get(question.pk, {}), threshold=threshold))
                   for question in questions],
    )


@dataclass(frozen=True)
class FreeTexts:
    """The free-text answers of a period, or none (`shown` False) when the period has fewer
    responses than the unit's threshold."""

    shown: bool
    threshold: int
    answers: list[SurveyAnswer] = field(default_factory=list)


def survey_free_texts(*, unit: Unit, start: datetime.date, end: datetime.date) -> FreeTexts:
    """Free-text answers of a period, for the chief's eyes only. No date is shown with
    them; the random ids give them no telling order. A period with 1 to threshold − 1
    responses (a single day, say) lists none: its scales are hidden, and its few texts,
    read beside the day, would point at the people who wrote them."""
    threshold = unit.suppression_threshold
    responses = SurveyResponse.objects.filter(unit=unit, answered_on__range=(start, end)).count()
    if is_small(responses, threshold):
        return FreeTexts(shown=False, threshold=threshold)
    return FreeTexts(shown=True, threshold=threshold, answers=list(
        SurveyAnswer.objects.filter(unit=unit, response__answered_on__range=(start, end), score__isnull=True)
        .select_related("question").order_by("question_id", "id")
    ))


# --- Outreach -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutreachRow:
    kind: str
    label: str
    activities: int
    audience: int
    hours: Decimal


def outreach_summary(*, unit: Unit, start: datetime.date, end: datetime.date) -> dict:
    """Activities, people reached and hours per kind of outreach work, plus totals."""
    rows = (
        OutreachActivity.objects.filter(unit=unit, date__range=(start, end))
        .values("kind").annotate(activities=Count("id"), audience=Sum("audience"), hours=Sum("hours")).order_by()
    )
    by_kind = {row["kind"]: row for row in rows}
    table = [
        OutreachRow(kind=kind, label=label, activities=by_kind[kind]["activities"],
                    audience=by_kind[kind]["audience"] or 0, hours=by_kind[kind]["hours"] or ZERO)
        for kind, label in OutreachKind.choices if kind in by_kind
    ]
    return {
        "rows": table,
        "activities": sum(row.activities for row in table),
        "audience": sum(row.audience for row in table),
        "hours": sum((row.hours for row in table), ZERO),
    }


def outreach_activities(*, unit: Unit, start: datetime.date, end: datetime.date):
    return (OutreachActivity.objects.filter(unit=unit, date__range=(start, end))
            .prefetch_related("counsellors"))


# --- Staff competence and training ----------------------------------------------------


@dataclass
class StaffRow:
    user: object
    qualifications: list[str]
    is_member: bool
    training: Decimal = ZERO
    supervision: Decimal = ZERO
    introduction: Decimal = ZERO
    introduction_missing: Decimal | None = None


def staff_members(*, unit: Unit) -> list:
    """The unit's staff: the users with a membership, by name."""
    return [membership.user for membership in
            Membership.objects.filter(unit=unit).select_related("user").order_by("user__username")]


def staff_qualifications(*, unit: Unit, user) -> list[str]:
    return list(StaffQualification.objects.filter(unit=unit, user=user).values_list("qualification", flat=True))


def training_records(*, unit: Unit, start: datetime.date, end: datetime.date):
    return TrainingRecord.objects.filter(unit=unit, date__range=(start, end)).select_related("user")


def training_summary(*, unit: Unit, start: datetime.date, end: datetime.date) -> dict:
    """Per staff member: qualifications and hours of training, supervision and introduction
    supervision in the period (against the unit's introduction target); plus totals.
    Former staff with hours in the period are listed too."""
    members = staff_members(unit=unit)
    hours = (
        TrainingRecord.objects.filter(unit=unit, date__range=(start, end))
        .values("user_id", "kind").annotate(hours=Sum("hours")).order_by()
    )
    qualifications = defaultdict(list)
    for user_id, qualification in StaffQualification.objects.filter(unit=unit).values_list("user_id",
                                                                                           "qualification"):
        qualifications[user_id].append(qualification)
    rows = {user.pk: StaffRow(user=user, is_member=True, qualifications=qualifications[user.pk]) for user in members}
    former_ids = {row["user_id"] for row in hours} - set(rows)
    for user in get_user_model().objects.filter(pk__in=former_ids).order_by("username"):
        rows[user.pk] = StaffRow(user=user, is_member=False, qualifications=qualifications[user.pk])
    for row in hours:
        setattr(rows[row["user_id"]], row["kind"], row["hours"])
    target = quality_settings(unit=unit).introduction_supervision_hours
    for row in rows.values():
        if row.introduction:
            row.introduction_missing = hours_short(row.introduction, target)
    table = list(rows.values())
    return {
        "rows": table,
        "introduction_target": target,
        "training": sum((row.training for row in table), ZERO),
        "supervision": sum((row.supervision for row in table), ZERO),
        "introduction": sum((row.introduction for row in table), ZERO),
    }


@dataclass(frozen=True)
class CompetenceCheck:
    required: bool
    holders: list

    @property
    def met(self) -> bool:
        return bool(self.holders)


def competence_check(*, unit: Unit) -> CompetenceCheck:
    """Leanlink's contract (002_93c1598fd6f3fa34.txt §2.6): at least one current staff member
    who is an authorised family counsellor or a licensed psychotherapist."""
    member_ids = Membership.objects.filter(unit=unit).values("user_id")
    holder_ids = (StaffQualification.objects.filter(unit=unit, qualification__in=CONTRACT_COMPETENCE,
                                                    user_id__in=member_ids).values("user_id"))
    holders = list(get_user_model().objects.filter(pk__in=holder_ids).order_by("username"))
    return CompetenceCheck(required=quality_settings(unit=unit).requires_authorised_counsellor, holders=holders)


# --- Lex Sarah, complaints, incidents, concern reports --------------------------------


def incident_counts(*, unit: Unit, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """How many of each kind (lex Sarah, complaint, suggestion, incident, concern report)."""
    counts = dict(
        QualityEvent.objects.filter(unit=unit, date__range=(start, end))
        .values_list("kind").annotate(n=Count("id")).order_by()
    )
    return {kind: counts.get(kind, 0) for kind in QualityEvent.Kind.values}


def quality_events(*, unit: Unit, start: datetime.date, end: datetime.date, with_lex_sarah: bool):
    """The events of a period; lex Sarah details only for those who may see them (the chief)."""
    events = QualityEvent.objects.filter(unit=unit, date__range=(start, end))
    return events if with_lex_sarah else events.exclude(kind=QualityEvent.Kind.LEX_SARAH)


def lex_sarah_reports(*, unit: Unit, start: datetime.date, end: datetime.date):
    """002_93c1598fd6f3fa34.txt §4.2: “En sammanställning över samtliga lex Sarah-rapporter och
    -anmälningar med redogörelse för hur dessa har hanterats” — for the yearly report."""
    return QualityEvent.objects.filter(unit=unit, kind=QualityEvent.Kind.LEX_SARAH, date__range=(start, end))


# --- København concept duties -----------------------------------------------------------


def linked_hours_per_week(*, unit: Unit, on: datetime.date) -> Decimal:
    return LinkedStaffTime.objects.filter(unit=unit, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    ).aggregate(total=Sum("hours_per_week"))["total"] or ZERO


def drop_in_held(*, unit: Unit, start: datetime.date, end: datetime.date) -> dict:
    """Drop-in hours held in the weeks whose Monday is from start to end (a running period: up to
    today, this week included): each week's recorded hours (DropInWeek), else the drop-in hours a
    week of the unit's settings, which the calendar shows. The statistics (`drop_in` of
    period_stats), the duties checklist and the reports read this. Two queries."""
    recorded = dict(DropInWeek.objects.filter(unit=unit, week__range=(start, end)).values_list("week", "hours"))
    stretches = unit_opening_hours(unit)[OpeningHours.Kind.DROP_IN]
    scheduled = weekly_hours((row.weekday, row.start, row.end) for row in stretches)
    return drop_in_summary(mondays_between(start, end), recorded, scheduled=scheduled)


def drop_in_weeks(*, unit: Unit, year: int, today: datetime.date | None = None) -> list[dict]:
    """The weeks of the year up to today, newest first: Monday, ISO week, what the settings hold,
    what was recorded, and what counts as held. At most 53 rows, two queries."""
    start, end = year_bounds(year)
    last = min(end, today or timezone.localdate())
    recorded = dict(DropInWeek.objects.filter(unit=unit, week__range=(start, last)).values_list("week", "hours"))
    stretches = unit_opening_hours(unit)[OpeningHours.Kind.DROP_IN]
    scheduled = weekly_hours((row.weekday, row.start, row.end) for row in stretches)
    rows = []
    for monday in reversed(mondays_between(start, last)):
        held = recorded.get(monday, scheduled)
        rows.append({"monday": monday, "iso_week": monday.isocalendar().week, "scheduled": scheduled,
                     "recorded": recorded.get(monday), "held": held, "below": held < DROP_IN_HOURS_PER_WEEK})
    return rows


def concept_duties(*, unit: Unit, year: int, today: datetime.date | None = None) -> list[Duty]:
    """The yearly duties of 004_4991f6e8c25cfe0a.txt, counted from the outreach records of
    the year; the linked staff hours as of today (current year) or the year's last day; the
    drop-in hours held a week over the weeks of the year so far."""
    start, end = year_bounds(year)
    today = today or timezone.localdate()
    counts = dict(
        OutreachActivity.objects.filter(unit=unit, date__range=(start, end))
        .values_list("kind").annotate(n=Count("id")).order_by()
    )
    return duty_checklist(counts, linked_hours_per_week=linked_hours_per_week(unit=unit, on=min(today, end)),
                          drop_in=drop_in_held(unit=unit, start=start, end=min(today, end)))
