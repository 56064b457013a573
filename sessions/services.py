"""Writes of the session log, the walk-in tally and case work. Every rule about what may be
stored lives here, so the form, the edit page and the CSV import obey the same rules.

Corrections (billing lock): a session in a closed billing month never changes. The chief
adds a correction instead: a new Session row with `corrects` pointing at the version it
replaces. The correction row holds the corrected values in full (not a difference) and keeps
the session's real date; billing reads the month the correction was *made* (its
`created_at`) and bills billed(correction) − billed(corrects) there, so a closed statement
never changes. Everywhere else — lists, totals, statistics, the case start — a corrected row
is replaced by its correction (`selectors.effective_sessions`): each session counts once, as
it stands now. Corrections form a chain: only the latest version can be corrected again.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import closed_month_starts, month_is_closed
from intake.models import Application, Outcome
from units import fees
from units.models import Membership, Role, Unit
from units.services import audit_log, audit_log_many

from . import rules
from .models import (
    CHILD_ROLES,
    Case,
    ClimateScore,
    Course,
    FollowUpMeeting,
    Goal,
    GroupRound,
    OutcomeScore,
    Phase,
    Session,
    SessionStatus,
    Visit,
)
from .selectors import earlier_case_to_mark, effective_sessions

SESSION_FIELDS = ("date", "start_time", "minutes", "format", "participants", "location", "status", "fee", "case",
                  "constellation", "activity")
CASE_FIELDS = ("opened_on", "assigned_on", "officer_office", "urgent", "planning_meeting_on", "regular_from",
               "closing_meeting_on",
               "closed_on", "rereferred_on", "closing_focus", "kind", "children", "family_code")


# --- idempotency -----------------------------------------------------------------------

def _stored(model, *, unit: Unit, key) -> models.Model | None:
    """The row a double click, a browser retry or a resubmitted form already stored."""
    return model.objects.filter(unit=unit, idempotency_key=key).first() if key else None


def _insert_once(instance: models.Model) -> tuple[models.Model, bool]:
    """Save, or — when a concurrent request won the race for the same key — return its row."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        existing = _stored(type(instance), unit=instance.unit, key=instance.idempotency_key)
        if existing is None:
            raise
        return existing, False
    return instance, True


def _acting(user):
    return user if user is not None and user.is_authenticated else None


# --- sessions ----------------------------------------------------------------------------

class SessionFacts:
    """What the session rules read from the database: whether a billing month is closed and
    who the unit's members are. By default each is asked when a rule needs it (one session from
    a form); `preload` reads them once for a whole file (the import), so that every row is
    checked by the same rules without a query of its own — and then the model fields' own checks
    are remembered per field and value, since a file's rows repeat a few values."""

    def __init__(self, unit: Unit, *, preload: bool = False):
        self.unit = unit
        self.preloaded = preload
        self.today = timezone.localdate()
        self._closed = closed_month_starts(unit=unit) if preload else None
        self._members = set(Membership.objects.filter(unit=unit).values_list("user_id", flat=True)) if preload else None
        self._field_checks: dict[tuple, list] = {}

    def month_closed(self, day: datetime.date) -> bool:
        if self._closed is None:
            return month_is_closed(unit=self.unit, day=day)
        return day.replace(day=1) in self._closed

    def members(self, user_ids: set[int]) -> set[int]:
        if self._members is None:
            members = Membership.objects.filter(unit=self.unit, user_id__in=user_ids)
            return set(members.values_list("user_id", flat=True))
        return user_ids & self._members

    def field_errors(self, values: dict, exclude: list[str]) -> dict[str, list]:
        """What `Session.full_clean(exclude=…)` says of these values' fields (clean_fields, then
        the model's clean), without an instance: each field's `clean` is asked once per distinct
        value. For preloaded facts only: the case is one of the unit's own, not looked up."""
        errors: dict[str, list] = {}
        for field in _CHECKED_FIELDS:
            if field.name in exclude:
                continue
            raw = values[field.name]
            if field.blank and raw in field.empty_values:
                continue
            key = (field.name, raw)
            found = self._field_checks.get(key)
            if found is None:
                try:
                    field.clean(raw, None)
                    found = []
                except ValidationError as error:
                    found = error.error_list
                self._field_checks[key] = found
            if found:
                errors[field.name] = found
        return errors


# The fields full_clean would look at: the values a session is given. (The others — id, unit,
# logged_by, idempotency key, correction link, creation time — are set by the services.)
_CHECKED_FIELDS = [Session._meta.get_field(name) for name in
                   ("case", "date", "start_time", "minutes", "format", "participants", "location", "status", "fee",
                    "constellation", "activity")]
_DEFAULTS = {name: Session._meta.get_field(name).get_default() for name in SESSION_FIELDS}


def _given(values: dict) -> dict:
    values = {field: values.get(field) for field in SESSION_FIELDS if field in values}
    for text_field in ("constellation", "activity"):
        values[text_field] = values.get(text_field) or ""
    if values.get("participants") is None:
        values["participants"] = rules.default_participants(values.get("format"))
    return values


def _exclude(facts: SessionFacts) -> list[str]:
    # A preloaded case is one of the unit's own cases: the field need not ask the database.
    return ["participants", "unit", "logged_by", *(["case"] if facts.preloaded else [])]


def _rule_errors(errors: dict, session: dict, *, unit: Unit, counsellors, correcting: bool,
                 facts: SessionFacts, stored_fee: str | None = None) -> None:
    """The session rules beyond each field's own check, on the values as checked. `stored_fee`:
    the fee of the session being edited or corrected — only a new value is checked against
    today's fee setting (an "exempt" session stays editable after the unit stops asking)."""

    def add(field, message, code=None):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    minutes, day, case = session["minutes"], session["date"], session["case"]
    if "fee" not in errors and session["fee"] != stored_fee and (problem := fees.fee_problem(unit, session["fee"])):
        add("fee", problem)
    if minutes is not None and not 1 <= minutes <= rules.MAX_MINUTES:
        add("minutes", _("Give the length in minutes, from 1 to %(max)d.") % {"max": rules.MAX_MINUTES})
    if "format" not in errors:
        problem = rules.participants_problem(session["format"], session["participants"])
        if problem:
            add("participants", problem)
    if day and "date" not in errors:
        if day > facts.today:
            add("date", _("A session is logged after it has taken place; this date is in the future."))
        elif not correcting and facts.month_closed(day):
            add("date", _("The billing month of %(date)s is closed. Only the unit chief can add a correction.")
                % {"date": day.isoformat()}, code="month_closed")
    if case is not None:
        if case.unit_id != unit.pk:
            add("case", _("Choose a case of this unit."))
        elif not correcting and case.closed_on and day and day > case.closed_on:
            add("case", _("The case was closed on %(date)s.") % {"date": case.closed_on.isoformat()})
    counsellor_ids = {person.pk for person in counsellors}
    if counsellor_ids and facts.members(counsellor_ids) != counsellor_ids:
        add("counsellors", _("Choose counsellors of this unit."))


def session_check(*, unit: Unit, counsellors=(), correcting: bool = False, facts: SessionFacts | None = None,
                  stored_fee: str | None = None, **values) -> Session:
    """The unsaved session, or ValidationError with messages at the fields."""
    facts = facts or SessionFacts(unit)
    session = Session(unit=unit, **_given(values))
    errors: dict[str, list] = {}
    try:
        session.full_clean(exclude=_exclude(facts), validate_constraints=False, validate_unique=not facts.preloaded)
    except ValidationError as error:
        errors.update(error.error_dict)
    _rule_errors(errors, {field: getattr(session, field) for field in SESSION_FIELDS}, unit=unit,
                 counsellors=counsellors, correcting=correcting, facts=facts, stored_fee=stored_fee)
    if errors:
        raise ValidationError(errors)
    return session


def session_values_check(*, unit: Unit, facts: SessionFacts, counsellors=(), **values) -> dict:
    """session_check for one row of many (an import, with preloaded facts): the same rules, but
    no model instance — the stored values of every session field ({"case": Case or None, …}),
    or ValidationError with the same messages at the same fields. The fields' own checks
    (full_clean's) are remembered per distinct value. (Session has no `clean` of its own for
    full_clean to run; tests/test_sessions_import.py keeps it so.)"""
    if not facts.preloaded:
        raise ValueError("session_values_check needs preloaded facts")
    session = {**_DEFAULTS, **_given(values)}
    errors = facts.field_errors(session, _exclude(facts))
    # An import creates new rows: every fee is a new value, checked against today's setting (a
    # re-imported export's "exempt" row of a unit that stopped asking is refused, as in the form).
    _rule_errors(errors, session, unit=unit, counsellors=counsellors, correcting=False, facts=facts)
    if errors:
        raise ValidationError(errors)
    return session


def _refresh_case_start(case: Case | None, acting_user) -> None:
    if case is not None:
        case_starts_refresh(unit=case.unit, cases=[case], acting_user=acting_user)


def case_starts_refresh(*, unit: Unit, cases: list[Case], acting_user) -> None:
    """`started_on` is the date of a case's first held session. The first one also marks the
    application, if any, as started. For one case (a session logged) or many (an import)."""
    if not cases:
        return
    firsts = dict(effective_sessions(unit).filter(case__in=[case.pk for case in cases], status=SessionStatus.HELD)
                  .values("case").annotate(first=Min("date")).values_list("case", "first"))
    changed = [case for case in cases if firsts.get(case.pk) != case.started_on]
    if not changed:
        return
    for case in changed:
        case.started_on = firsts.get(case.pk)
    # The dates just computed, not a subquery per case: right after a large import the table's
    # statistics are stale and that plan took a minute for 2 000 cases (bench/RESULTS.md).
    Case.objects.bulk_update(changed, ["started_on"], batch_size=1000)
    audit_log_many(user=acting_user, unit=unit, action="case.start", objects=changed)
    started = [case.pk for case in changed if case.started_on is not None]
    if not started:
        return
    applications = list(Application.objects.filter(unit=unit, case__in=started, outcome="").only("pk"))
    Application.objects.filter(unit=unit, pk__in=[application.pk for application in applications]).update(
        outcome=Outcome.STARTED)
    audit_log_many(user=acting_user, unit=unit, action="application.start", objects=applications)


@transaction.atomic
def session_log(*, unit: Unit, acting_user, counsellors=(), idempotency_key=None, **values) -> Session:
    """Log one session. The same idempotency key twice stores one session and returns it."""
    existing = _stored(Session, unit=unit, key=idempotency_key)
    if existing is not None:
        return existing
    session = session_check(unit=unit, counsellors=counsellors, **values)
    session.logged_by = _acting(acting_user)
    session.idempotency_key = idempotency_key
    session, created = _insert_once(session)
    if not created:
        return session
    session.counsellors.add(*counsellors)  # a new row has none yet: no read of the current ones
    audit_log(user=acting_user, unit=unit, action="session.log", obj=session)
    if session.status == SessionStatus.HELD:
        _refresh_case_start(session.case, acting_user)
    return session


def _refuse_if_locked(session: Session) -> None:
    if month_is_closed(unit=session.unit, day=session.date):
        raise ValidationError(
            _("The billing month of %(date)s is closed: the session cannot be changed. "
              "Only the unit chief can add a correction.") % {"date": session.date.isoformat()},
            code="month_closed",
        )


def _values_of(session: Session) -> dict:
    return {field: getattr(session, field) for field in SESSION_FIELDS}


@transaction.atomic
def session_update(*, session: Session, acting_user, counsellors=None, **values) -> Session:
    """Change a session of an open billing month (refused once the month is closed).
    Fields and counsellors not given keep their values."""
    session = Session.objects.select_for_update().get(unit=session.unit, pk=session.pk)
    _refuse_if_locked(session)
    if counsellors is None:
        counsellors = list(session.counsellors.all())
    checked = session_check(unit=session.unit, counsellors=counsellors, stored_fee=session.fee,
                            **{**_values_of(session), **values})
    old_case = session.case
    for field in SESSION_FIELDS:
        setattr(session, field, getattr(checked, field))
    session.save()
    session.counsellors.set(counsellors)
    audit_log(user=acting_user, unit=session.unit, action="session.update", obj=session)
    _refresh_case_start(old_case, acting_user)
    if session.case_id != getattr(old_case, "pk", None):
        _refresh_case_start(session.case, acting_user)
    return session


def _is_chief(user, unit: Unit) -> bool:
    return user is not None and Membership.objects.filter(user=user, unit=unit, role=Role.CHIEF).exists()


@transaction.atomic
def session_correct(*, original: Session, acting_user, counsellors=None, idempotency_key=None, **values) -> Session:
    """A correction of a session in a closed month: a new row that replaces it (see the module
    docstring). Only the unit chief may add one. Fields not given keep the original's values."""
    unit = original.unit
    if not _is_chief(acting_user, unit):
        raise PermissionDenied(_("Only the unit chief can correct a session in a closed month."))
    existing = _stored(Session, unit=unit, key=idempotency_key)
    if existing is not None:
        return existing
    original = Session.objects.select_for_update().get(unit=unit, pk=original.pk)
    if not month_is_closed(unit=unit, day=original.date):
        raise ValidationError(_("The billing month is still open: edit the session instead."), code="month_open")
    if original.corrections.exists():
        raise ValidationError(_("This session has already been corrected: correct the latest correction instead."),
                              code="corrected")
    if original.corrects_id and original.corrects.corrects_id and original.corrects.corrects.corrects_id:
        # Billing follows a chain of at most three corrections back to the session itself.
        raise ValidationError(_("This session has been corrected three times; ask the platform administrator."),
                              code="too_many_corrections")
    if counsellors is None:
        counsellors = list(original.counsellors.all())
    values = {**_values_of(original), **values, "case": original.case, "start_time": original.start_time}
    correction = session_check(unit=unit, counsellors=counsellors, correcting=True, stored_fee=original.fee,
                               **values)
    correction.corrects = original
    correction.logged_by = _acting(acting_user)
    correction.idempotency_key = idempotency_key
    correction, created = _insert_once(correction)
    if created:
        correction.counsellors.set(counsellors)
        audit_log(user=acting_user, unit=unit, action="session.correct", obj=correction)
        _refresh_case_start(original.case, acting_user)
    return correction


# --- walk-in and contact tally -------------------------------------------------------------

def _not_in_future(day: datetime.date, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


UNDO_SECONDS = 60


def visit_undo(*, unit: Unit, visit: Visit, acting_user) -> None:
    """Take back a count just made (a mistap): only the person who counted it, within a minute."""
    recent = timezone.now() - datetime.timedelta(seconds=UNDO_SECONDS)
    if visit.counted_by_id != getattr(acting_user, "pk", None) or visit.created_at < recent:
        raise ValidationError(_("Only a count you made in the last minute can be undone."))
    audit_log(user=acting_user, unit=unit, action="visit.undo", obj=visit)
    visit.delete()


@transaction.atomic
def visit_count(*, unit: Unit, acting_user, date: datetime.date, channel: str, topic: str,
                child_age_band: str = "", gender: str = "", background: str = "", idempotency_key=None) -> Visit:
    """Count one anonymous inquiry. The same idempotency key twice counts it once."""
    existing = _stored(Visit, unit=unit, key=idempotency_key)
    if existing is not None:
        return existing
    visit = Visit(unit=unit, date=date, channel=channel, topic=topic, child_age_band=child_age_band or "",
                  gender=gender or "", background=background or "", counted_by=_acting(acting_user),
                  idempotency_key=idempotency_key)
    visit.full_clean(exclude=["unit", "counted_by"], validate_constraints=False)
    _not_in_future(date, "date")
    visit, created = _insert_once(visit)
    if created:
        audit_log(user=acting_user, unit=unit, action="visit.count", obj=visit)
    return visit


@transaction.atomic
def course_start(*, unit: Unit, acting_user, started_on: datetime.date, idempotency_key=None) -> Course:
    """An inquiry became a course (forløb): counted when it starts and when it ends."""
    existing = _stored(Course, unit=unit, key=idempotency_key)
    if existing is not None:
        return existing
    course = Course(unit=unit, started_on=started_on, idempotency_key=idempotency_key)
    course.full_clean(exclude=["unit"], validate_constraints=False)
    _not_in_future(started_on, "started_on")
    course, created = _insert_once(course)
    if created:
        audit_log(user=acting_user, unit=unit, action="course.start", obj=course)
    return course


@transaction.atomic
def course_end(*, course: Course, acting_user, ended_on: datetime.date) -> Course:
    if ended_on < course.started_on:
        raise ValidationError({"ended_on": _("A course cannot end before it started (%(date)s).")
                               % {"date": course.started_on.isoformat()}})
    _not_in_future(ended_on, "ended_on")
    course.ended_on = ended_on
    course.full_clean(validate_constraints=False)
    course.save(update_fields=["ended_on"])
    audit_log(user=acting_user, unit=course.unit, action="course.end", obj=course)
    return course


# --- group rounds (Östermalm) ----------------------------------------------------------------

GROUP_ROUND_FIELDS = ("activity", "started_on", "ended_on", "participants", "completed")


@transaction.atomic
def group_round_save(*, unit: Unit, acting_user, group_round: GroupRound | None = None, **values) -> GroupRound:
    """A group round started, or its end and how many completed it — counted per round, not per
    session (003_eba17951e60b4a73.txt: "antal föräldrar som genomgått Kometgrupp")."""
    group_round = group_round or GroupRound(unit=unit)
    for field in GROUP_ROUND_FIELDS:
        if field in values:
            setattr(group_round, field, values[field])
    group_round.full_clean(exclude=["unit"], validate_constraints=False)
    errors = {}
    if group_round.ended_on and group_round.ended_on < group_round.started_on:
        errors["ended_on"] = _("A group round cannot end before it started (%(date)s).") % {
            "date": group_round.started_on.isoformat()}
    if group_round.completed is not None and group_round.ended_on is None:
        errors["completed"] = _("Who completed the round is counted when it has ended: give the end date too.")
    if group_round.completed is not None and group_round.completed > group_round.participants:
        errors["completed"] = _("More cannot complete the round than started it (%(started)s).") % {
            "started": group_round.participants}
    if errors:
        raise ValidationError(errors)
    _not_in_future(group_round.started_on, "started_on")
    if group_round.ended_on:
        _not_in_future(group_round.ended_on, "ended_on")
    created = group_round.pk is None
    group_round.save()
    audit_log(user=acting_user, unit=unit, action="group_round.start" if created else "group_round.update",
              obj=group_round)
    return group_round


# --- cases ----------------------------------------------------------------------------------

def _check_case_dates(case: Case) -> None:
    errors = {}
    if case.urgent and case.regular_from and case.assigned_on and case.regular_from < case.assigned_on:
        errors["regular_from"] = _("An urgent assignment becomes regular on or after its assignment date.")
    if case.planning_meeting_on and case.assigned_on and case.planning_meeting_on < case.assigned_on:
        errors["planning_meeting_on"] = _("The planning meeting comes on or after the assignment date.")
    if case.closed_on and case.closed_on < case.opened_on:
        errors["closed_on"] = _("A case cannot close before it was opened (%(date)s).") % {
            "date": case.opened_on.isoformat()}
    if case.closed_on and case.pk:
        last = Session.objects.filter(unit=case.unit, case=case, corrects__isnull=True).aggregate(
            last=models.Max("date"))["last"]
        if last and case.closed_on < last:
            errors["closed_on"] = _("The case has a session on %(date)s, after this closing date.") % {
                "date": last.isoformat()}
    if case.closing_focus and case.closed_on is None:
        errors["closing_focus"] = _("The focus is chosen when the case is closed: give the closing date too.")
    if case.rereferred_on and (case.closed_on is None or case.rereferred_on <= case.closed_on):
        errors["rereferred_on"] = _("A family becomes current again only after the case was closed.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_open(*, unit: Unit, acting_user, code: str, opened_on: datetime.date, mark_earlier: bool = False,
              **values) -> Case:
    """A case-mode unit's assignment (uppdrag) under a pseudonymous code. With `mark_earlier`,
    the family's earlier closed case (the same family code, selectors.earlier_case_to_mark)
    becomes current again on the day this one opens — the not-current-again indicator's
    re-referral, recorded where it happens rather than typed into an old case."""
    case = Case(unit=unit, code=code.strip(), opened_on=opened_on,
                **{field: value for field, value in values.items() if field in CASE_FIELDS})
    case.family_code = case.family_code.strip()
    case.full_clean(exclude=["unit"], validate_constraints=False)
    if Case.objects.filter(unit=unit, code=case.code).exists():
        raise ValidationError({"code": _("This case code is already used in the unit.")})
    _check_case_dates(case)
    case.save()
    audit_log(user=acting_user, unit=unit, action="case.open", obj=case)
    earlier = earlier_case_to_mark(unit, family_code=case.family_code, opened_on=opened_on, exclude=case.pk) \
        if mark_earlier else None
    if earlier is not None:
        earlier.rereferred_on = opened_on
        _check_case_dates(earlier)
        earlier.save(update_fields=["rereferred_on"])
        audit_log(user=acting_user, unit=unit, action="case.current_again", obj=earlier)
    return case


@transaction.atomic
def case_update(*, case: Case, acting_user, **values) -> Case:
    """Assignment details, the closing meeting, the closing date and a re-referral."""
    for field, value in values.items():
        if field in CASE_FIELDS:
            setattr(case, field, value)
    case.regular_from = rules.regular_from(planning_meeting_on=case.planning_meeting_on,
                                           regular_from=case.regular_from)
    case.full_clean(exclude=["unit"], validate_constraints=False)
    _check_case_dates(case)
    case.save()
    audit_log(user=acting_user, unit=case.unit, action="case.update", obj=case)
    return case


def _require_case_mode(case: Case) -> None:
    if case.unit.is_anonymous:
        # DESIGN.md §2: an anonymous unit keeps "Varken journal eller register".
        raise ValidationError(_("Phases, goals, meetings and scores are kept only in case-mode units."))


def _check_phase(phase: Phase) -> None:
    if phase.ended_on and phase.ended_on < phase.started_on:
        raise ValidationError({"ended_on": _("A phase cannot end before it started.")})
    others = (Phase.objects.filter(unit=phase.unit, case=phase.case).exclude(pk=phase.pk)
              .values_list("kind", "started_on", "ended_on"))
    conflict = rules.phase_conflict(phase.kind, phase.started_on, phase.ended_on, list(others))
    if conflict:
        kind, started_on, ended_on = conflict
        raise ValidationError({"started_on": _(
            "This phase overlaps %(phase)s (%(start)s–%(end)s). Only treatment and generalisation may run "
            "at the same time.") % {"phase": Phase.Kind(kind).label, "start": started_on.isoformat(),
                                    "end": ended_on.isoformat() if ended_on else "…"}})


@transaction.atomic
def phase_add(*, case: Case, acting_user, kind: str, started_on: datetime.date,
              ended_on: datetime.date | None = None) -> Phase:
    _require_case_mode(case)
    phase = Phase(unit=case.unit, case=case, kind=kind, started_on=started_on, ended_on=ended_on)
    phase.full_clean(exclude=["unit", "case"])
    _check_phase(phase)
    phase.save()
    audit_log(user=acting_user, unit=case.unit, action="phase.add", obj=phase)
    return phase


@transaction.atomic
def phase_end(*, phase: Phase, acting_user, ended_on: datetime.date) -> Phase:
    phase.ended_on = ended_on
    phase.full_clean(exclude=["unit", "case"])
    _check_phase(phase)
    phase.save(update_fields=["ended_on"])
    audit_log(user=acting_user, unit=phase.unit, action="phase.end", obj=phase)
    return phase


@transaction.atomic
def goal_add(*, case: Case, acting_user, text: str) -> Goal:
    """A goal of the genomförandeplan; text without personal data."""
    _require_case_mode(case)
    goal = Goal(unit=case.unit, case=case, text=text.strip())
    goal.full_clean(exclude=["unit", "case"])
    goal.save()
    audit_log(user=acting_user, unit=case.unit, action="goal.add", obj=goal)
    return goal


@transaction.atomic
def goal_review(*, goal: Goal, acting_user, status: str, reviewed_on: datetime.date) -> Goal:
    goal.status = status
    goal.reviewed_on = reviewed_on
    goal.full_clean(exclude=["unit", "case"])
    _not_in_future(reviewed_on, "reviewed_on")
    goal.save(update_fields=["status", "reviewed_on"])
    audit_log(user=acting_user, unit=goal.unit, action="goal.review", obj=goal)
    return goal


@transaction.atomic
def follow_up_add(*, case: Case, acting_user, date: datetime.date) -> FollowUpMeeting:
    """A follow-up meeting with the family and the case officer."""
    _require_case_mode(case)
    meeting = FollowUpMeeting(unit=case.unit, case=case, date=date)
    meeting.full_clean(exclude=["unit", "case"])
    meeting.save()
    audit_log(user=acting_user, unit=case.unit, action="follow_up.add", obj=meeting)
    return meeting


@transaction.atomic
def outcome_score_add(*, case: Case, acting_user, kind: str, person: str, date: datetime.date,
                      item1: int, item2: int, item3: int, item4: int,
                      session: Session | None = None) -> OutcomeScore:
    """ORS (before a session) or SRS (after): four items 0–10; the total is their sum. Whether
    the person is a child follows from the role."""
    _require_case_mode(case)
    if session is not None and session.case_id != case.pk:
        raise ValidationError({"session": _("Choose a session of this case.")})
    items = [item1, item2, item3, item4]
    score = OutcomeScore(unit=case.unit, case=case, session=session, kind=kind, person=person.strip(),
                         is_child=person in CHILD_ROLES, date=date, item1=item1, item2=item2, item3=item3, item4=item4,
                         total=sum(item for item in items if item is not None))
    score.full_clean(exclude=["unit", "case", "total"], validate_constraints=False)
    _not_in_future(date, "date")
    score.save()
    audit_log(user=acting_user, unit=case.unit, action="outcome_score.add", obj=score)
    return score


@transaction.atomic
def climate_score_add(*, case: Case, acting_user, person: str, date: datetime.date, closeness: int,
                      distance: int, spontaneity: int, chaos: int) -> ClimateScore:
    """Familjeklimat factor scores of one family member on one occasion."""
    _require_case_mode(case)
    score = ClimateScore(unit=case.unit, case=case, person=person.strip(), date=date, closeness=closeness,
                         distance=distance, spontaneity=spontaneity, chaos=chaos)
    score.full_clean(exclude=["unit", "case"], validate_constraints=False)
    _not_in_future(date, "date")
    score.save()
    audit_log(user=acting_user, unit=case.unit, action="climate_score.add", obj=score)
    return score
