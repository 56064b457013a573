"""Writes of the quality records. Each is atomic, validates with full_clean() and leaves one
audit row — except the anonymous survey answer, which must leave no trace of its moment."""

import datetime
import logging
import time
import uuid
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from units.models import Membership, Unit
from units.services import audit_log

from .models import (
    DropInWeek,
    LinkedStaffTime,
    OutreachActivity,
    Qualification,
    QualityEvent,
    StaffQualification,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveySubmission,
    TrainingRecord,
)

# Flood protection per public link: at most this many answers per window. A parent group
# answering together at the end of a meeting stays well below it. Counted in Django's cache,
# not the database: a stored counter with a time would date the answers it counted.
logger = logging.getLogger(__name__)

SURVEY_FLOOD_LIMIT = 30
SURVEY_FLOOD_WINDOW_SECONDS = 10 * 60


class SurveyClosed(Exception):
    pass


class SurveyFormElsewhere(Exception):
    """The form (its one-time token) was sent to another round's link already."""


class SurveyFlooded(Exception):
    pass


def _store(obj: models.Model, *, acting_user, action: str, related: dict | None = None):
    obj.full_clean()
    obj.save()
    for name, values in (related or {}).items():
        getattr(obj, name).set(values)
    audit_log(user=acting_user, unit=obj.unit, action=action, obj=obj)
    return obj


def _assign(obj: models.Model, fields: dict):
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


# --- Survey ---------------------------------------------------------------------------


@transaction.atomic
def survey_question_add(*, unit: Unit, acting_user, text: str, kind: str) -> SurveyQuestion:
    if kind == SurveyQuestion.Kind.TEXT and SurveyQuestion.objects.filter(
        unit=unit, kind=SurveyQuestion.Kind.TEXT, retired=False
    ).exists():
        raise ValidationError({"kind": _("The survey already has its one free-text question; retire it first.")})
    question = SurveyQuestion(unit=unit, text=text, kind=kind)
    return _store(question, acting_user=acting_user, action="survey.question_add")


@transaction.atomic
def survey_question_retire(*, question: SurveyQuestion, acting_user) -> SurveyQuestion:
    question.retired = True
    return _store(question, acting_user=acting_user, action="survey.question_retire")


@transaction.atomic
def survey_round_create(*, unit: Unit, acting_user, title: str, today: datetime.date) -> SurveyRound:
    survey_round = SurveyRound(unit=unit, title=title, created_on=today)
    return _store(survey_round, acting_user=acting_user, action="survey.round_create")


@transaction.atomic
def survey_round_set_open(*, survey_round: SurveyRound, acting_user, is_open: bool) -> SurveyRound:
    survey_round.is_open = is_open
    action = "survey.round_open" if is_open else "survey.round_close"
    return _store(survey_round, acting_user=acting_user, action=action)


def _flood_allows(survey_round: SurveyRound) -> bool:
    """The flood limit is a guard, not a condition of storing: when the shared cache (Redis) is
    down the answer is still stored, and the failure is logged for the operators."""
    window = int(time.time() // SURVEY_FLOOD_WINDOW_SECONDS)
    key = f"quality:survey-flood:{survey_round.pk}:{window}"
    try:
        cache.add(key, 0, timeout=SURVEY_FLOOD_WINDOW_SECONDS)
        return cache.incr(key) <= SURVEY_FLOOD_LIMIT
    except Exception:  # the cache backend's own errors (redis.ConnectionError, …) have no common base
        logger.warning("survey flood limit not checked: the cache is unreachable", exc_info=True)
        return True


@transaction.atomic
def survey_response_submit(*, survey_round: SurveyRound, token: uuid.UUID, scores: dict[SurveyQuestion, int | None],
                           texts: dict[SurveyQuestion, str], today: datetime.date) -> bool:
    """Store one anonymous response. False when this form (its token) was already sent —
    a double click — and nothing new is stored.

    No acting user and no audit row: the respondent is anonymous, and an audit row would
    stamp the response with the time of day it came in."""
    if not survey_round.is_open:
        raise SurveyClosed
    unit = survey_round.unit
    response = SurveyResponse(unit=unit, round=survey_round, answered_on=today)
    answers = [SurveyAnswer(unit=unit, response=response, question=question, score=score)
               for question, score in scores.items() if score is not None]
    answers += [SurveyAnswer(unit=unit, response=response, question=question, text=text.strip())
                for question, text in texts.items() if text.strip()]
    if not answers:
        raise ValidationError(_("Answer at least one question before you send."))
    response.full_clean()
    for answer in answers:
        answer.full_clean(exclude=["response"])
    # Tokens are unique over all units: look for one sent anywhere, not only in this unit.
    with scopes_disabled():
        sent_to = SurveySubmission.objects.filter(token=token).values_list("round_id", flat=True).first()
        if sent_to is None:
            if not _flood_allows(survey_round):
                raise SurveyFlooded
            submission, created = SurveySubmission.objects.get_or_create(
                token=token, defaults={"unit": unit, "round": survey_round}
            )
            sent_to = None if created else submission.round_id  # else: sent twice at the same instant
    if sent_to is not None:
        if sent_to != survey_round.pk:
            raise SurveyFormElsewhere
        return False
    response.save()
    SurveyAnswer.objects.bulk_create(answers)
    return True


# --- Outreach -------------------------------------------------------------------------


def _require_staff(unit: Unit, people, field: str) -> None:
    """Only the unit's own staff can be named on its records."""
    ids = {person.pk for person in people}
    if ids and set(Membership.objects.filter(unit=unit, user_id__in=ids).values_list("user_id", flat=True)) != ids:
        raise ValidationError({field: _("Choose staff of this unit.")})


@transaction.atomic
def outreach_save(*, unit: Unit, acting_user, activity: OutreachActivity | None = None, date: datetime.date,
                  kind: str, hours: Decimal, audience: int | None = None, note: str = "",
                  counsellors=()) -> OutreachActivity:
    """Record an outreach activity, or correct one when `activity` is given."""
    _require_staff(unit, counsellors, "counsellors")
    action = "outreach.update" if activity else "outreach.record"
    activity = activity or OutreachActivity(unit=unit, recorded_by=acting_user)
    _assign(activity, {"date": date, "kind": kind, "hours": hours, "audience": audience, "note": note})
    return _store(activity, acting_user=acting_user, action=action, related={"counsellors": counsellors})


@transaction.atomic
def outreach_delete(*, activity: OutreachActivity, acting_user) -> None:
    audit_log(user=acting_user, unit=activity.unit, action="outreach.delete", obj=activity)
    activity.delete()


# --- Staff competence and training ----------------------------------------------------


@transaction.atomic
def qualifications_set(*, unit: Unit, acting_user, user, qualifications: list[str]) -> None:
    """Make the staff member's qualifications exactly these."""
    _require_staff(unit, [user], "user")
    unknown = set(qualifications) - set(Qualification.values)
    if unknown:
        raise ValidationError(_("Unknown qualification."))
    StaffQualification.objects.filter(unit=unit, user=user).exclude(qualification__in=qualifications).delete()
    held = set(StaffQualification.objects.filter(unit=unit, user=user).values_list("qualification", flat=True))
    StaffQualification.objects.bulk_create(
        [StaffQualification(unit=unit, user=user, qualification=value) for value in qualifications if value not in held]
    )
    audit_log(user=acting_user, unit=unit, action="staff.qualifications_set",
              object_type="auth.user", object_id=str(user.pk))


@transaction.atomic
def training_save(*, unit: Unit, acting_user, record: TrainingRecord | None = None, user, kind: str,
                  date: datetime.date, hours: Decimal, title: str = "") -> TrainingRecord:
    """Record training, supervision or introduction supervision, or correct a record."""
    _require_staff(unit, [user], "user")
    action = "training.update" if record else "training.record"
    record = record or TrainingRecord(unit=unit, recorded_by=acting_user)
    _assign(record, {"user": user, "kind": kind, "date": date, "hours": hours, "title": title})
    return _store(record, acting_user=acting_user, action=action)


@transaction.atomic
def training_delete(*, record: TrainingRecord, acting_user) -> None:
    audit_log(user=acting_user, unit=record.unit, action="training.delete", obj=record)
    record.delete()


# --- Lex Sarah, complaints, incidents, concern reports --------------------------------


@transaction.atomic
def quality_event_save(*, unit: Unit, acting_user, event: QualityEvent | None = None, kind: str,
                       date: datetime.date, description: str, measures: str = "",
                       status: str = QualityEvent.Status.OPEN, reported_to_ivo_on: datetime.date | None = None,
                       reported_to_administration_on: datetime.date | None = None) -> QualityEvent:
    """Record a lex Sarah report, complaint, suggestion or incident, or update one."""
    action = "quality_event.update" if event else "quality_event.record"
    event = event or QualityEvent(unit=unit, recorded_by=acting_user)
    _assign(event, {"kind": kind, "date": date, "description": description, "measures": measures,
                    "status": status, "reported_to_ivo_on": reported_to_ivo_on,
                    "reported_to_administration_on": reported_to_administration_on})
    return _store(event, acting_user=acting_user, action=action)


@transaction.atomic
def concern_report_count(*, unit: Unit, acting_user, date: datetime.date) -> QualityEvent:
    """Count one concern report about a child (orosanmälan, SoL 14 kap 1 §). The report itself
    is made in the social services' own system; here only its date is kept."""
    event = QualityEvent(unit=unit, kind=QualityEvent.Kind.CONCERN_REPORT, date=date,
                         status=QualityEvent.Status.CLOSED, recorded_by=acting_user)
    return _store(event, acting_user=acting_user, action="quality_event.concern_report")


# --- København: linked staff time -------------------------------------------------------


@transaction.atomic
def linked_staff_time_save(*, unit: Unit, acting_user, allocation: LinkedStaffTime | None = None, role: str,
                           hours_per_week: Decimal, valid_from: datetime.date,
                           valid_to: datetime.date | None = None) -> LinkedStaffTime:
    action = "linked_staff.update" if allocation else "linked_staff.record"
    allocation = allocation or LinkedStaffTime(unit=unit)
    _assign(allocation, {"role": role, "hours_per_week": hours_per_week, "valid_from": valid_from,
                         "valid_to": valid_to})
    return _store(allocation, acting_user=acting_user, action=action)


@transaction.atomic
def drop_in_week_save(*, unit: Unit, acting_user, week: datetime.date, hours: Decimal) -> DropInWeek:
    """The drop-in hours held in the week beginning `week` (a Monday); a second entry corrects it."""
    row = DropInWeek.objects.select_for_update().filter(unit=unit, week=week).first()
    action = "drop_in_week.update" if row else "drop_in_week.record"
    row = row or DropInWeek(unit=unit, week=week)
    row.hours, row.recorded_by = hours, acting_user
    row.full_clean()
    row.save()
    audit_log(user=acting_user, unit=unit, action=action, obj=row)
    return row
