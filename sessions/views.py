"""Thin views: fetch through the access helper, validate a form, call a service, redirect."""

import datetime
import importlib
import importlib.util

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units import fees
from units.access import CHIEF_ONLY, MEMBER_ROLES, access_object, unit_roles
from units.charts import line_chart
from units.exports import XLSX_TYPE, streamed_csv_response, table_response
from units.models import Unit
from units.pages import PAGE_PARAMETERS, Key
from units.pages import page as list_page
from units.services import audit_log

from . import exports, rules, selectors, services
from .forms import (
    CaseForm,
    CaseOpenForm,
    ClimateScoreForm,
    CourseEndForm,
    CourseStartForm,
    FollowUpForm,
    GoalForm,
    GoalReviewForm,
    GroupRoundForm,
    OutcomeScoreForm,
    PhaseEndForm,
    PhaseForm,
    SessionFilterForm,
    SessionForm,
    VisitForm,
    add_service_errors,
    session_initial,
)
from .models import (
    Activity,
    Case,
    Course,
    Goal,
    GroupRound,
    OutcomeScore,
    Phase,
    Session,
    SessionExport,
    SessionStatus,
    Visit,
)

EXPORT_FORMATS = ("csv", "xlsx")


def _url(name, unit, **kwargs):
    return reverse(f"counselling:{name}", kwargs={"unit_slug": unit.slug, **kwargs})


def _saved(request, form, save, *, success: str):
    """Validate the form and call the service: its result, or None when the form or the
    service refused (the messages then stand at the form's fields)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return result


# --- sessions ------------------------------------------------------------------------------

@unit_roles(*MEMBER_ROLES)
def session_new(request, unit_slug):
    unit = request.unit
    initial = {"case": request.GET["case"]} if request.GET.get("case", "").isdigit() else {}
    form = SessionForm(request.POST or None, unit=unit, user=request.user, initial=initial,
                       case_query=request.GET.get("case_q", ""))
    session = _saved(request, form, lambda data: services.session_log(
        unit=unit, acting_user=request.user, idempotency_key=data["idempotency_key"], **form.service_values()),
        success=_("The session is saved."))
    back = _back_within_unit(request)
    if session is not None:
        _warn_if_assessment_due(request, session)
        # Back where the counsellor came from (the case, the landing page), the new row marked.
        return redirect(f"{back or _url('session_list', unit)}#session-{session.pk}")
    return render(request, "counselling/session_form.html", {"form": form, "title": _("Log a session"),
                                                             "back": back})


def _warn_if_assessment_due(request, session) -> None:
    """The fourth råd- och stödsamtal of a case: saved, with a warning (003_eba17951e60b4a73.txt)."""
    if session.activity != Activity.SUPPORT_TALK or session.status != SessionStatus.HELD:
        return
    held = selectors.support_talks_held(session.case)
    if rules.support_talks_need_assessment(held):
        messages.warning(request, _assessment_warning(session.case, held))


def _assessment_warning(case, held: int) -> str:
    return _("Case %(code)s has had %(held)s advice and support talks. Up to %(limit)s are offered without an "
             "assessment (biståndsprövning): the next step is an application or an assessment.") % {
        "code": case.code, "held": held, "limit": rules.SUPPORT_TALKS_WITHOUT_ASSESSMENT}


@unit_roles(*MEMBER_ROLES)
def session_case_search(request, unit_slug):
    """The session form's case search: the unit's open cases whose code holds `q` — codes only."""
    return JsonResponse({"cases": [{"id": pk, "code": code}
                                   for pk, code in selectors.case_matches(request.unit, request.GET.get("q", ""))]})


def _back_within_unit(request) -> str | None:
    """`next` (posted or in the address) when it is a page of this unit on this site; else None."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(f"/{request.unit.slug}/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target.split("#", 1)[0]
    return None


@unit_roles(*MEMBER_ROLES)
def session_edit(request, unit_slug, pk):
    unit = request.unit
    session = access_object(unit, Session, pk)
    form = SessionForm(request.POST or None, unit=unit, user=request.user, session=session,
                       initial=session_initial(session), case_query=request.GET.get("case_q", ""))

    def save(data):
        return services.session_update(session=session, acting_user=request.user, **form.service_values())

    if _saved(request, form, save, success=_("The session is changed.")):
        return redirect(f"{_url('session_list', unit)}#session-{session.pk}")
    return render(request, "counselling/session_form.html", {
        "form": form, "session": session, "locked": selectors.session_locked(session),
        "title": _("Change a session"),
    })


@unit_roles(*CHIEF_ONLY)
def session_correct(request, unit_slug, pk):
    unit = request.unit
    original = access_object(unit, Session, pk)
    form = SessionForm(request.POST or None, unit=unit, user=request.user, session=original, correction=True,
                       initial=session_initial(original))

    def save(data):
        return services.session_correct(original=original, acting_user=request.user,
                                        idempotency_key=data["idempotency_key"], **form.service_values())

    if _saved(request, form, save, success=_("The correction is saved in the open month.")):
        return redirect(_url("session_list", unit))
    return render(request, "counselling/session_form.html", {
        "form": form, "session": original, "correcting": True, "title": _("Correct a session in a closed month"),
    })


@unit_roles(*MEMBER_ROLES)
def session_list(request, unit_slug):
    unit = request.unit
    filter_form = SessionFilterForm(request.GET or None, unit=unit)
    sessions = selectors.sessions_filtered(unit, **filter_form.filters())
    export = request.GET.get("export")
    if export in EXPORT_FORMATS and sessions.count() > exports.BACKGROUND_ROWS:
        # Big: CSV is written while it is sent, XLSX by a worker (no request waits for the whole file).
        if export == "csv":
            return streamed_csv_response(request, unit=unit, filename=f"sessions-{unit.slug}",
                                         headers=exports.export_headers(), rows=exports.export_rows(sessions))
        if export == "xlsx":
            query = request.GET.copy()
            for name in PAGE_PARAMETERS:
                query.pop(name, None)
            job = exports.export_request(unit=unit, acting_user=request.user, query=query.urlencode()[:500])
            return redirect(_url("session_export", unit, pk=job.pk))
    if export in EXPORT_FORMATS:
        return table_response(request, filename=f"sessions-{unit.slug}", headers=exports.export_headers(),
                              rows=list(exports.export_rows(sessions)), fmt=export)
    page = list_page(request, selectors.session_rows(sessions), keys=selectors.SESSION_ORDER, count=sessions)
    return render(request, "counselling/session_list.html", {
        "filter_form": filter_form, "page": page, "totals": selectors.session_totals(sessions),
        "is_chief": request.unit_role == "chief",
        # A free service's sessions carry no visit fee (units.fees): no column of "not applicable".
        # The export keeps the column, so a file imports back the same in every unit.
        "shows_fee": not fees.is_free(unit),
    })


def _export_job(request, pk):
    return access_object(request.unit, SessionExport, pk, requested_by=request.user)


@unit_roles(*MEMBER_ROLES)
def session_export(request, unit_slug, pk):
    job = _export_job(request, pk)
    return render(request, "counselling/session_export.html", {
        "job": job, "total": job.rows or selectors.sessions_filtered(
            request.unit, **SessionFilterForm(QueryDict(job.query), unit=request.unit).filters()).count()})


@unit_roles(*MEMBER_ROLES)
def session_export_status(request, unit_slug, pk):
    job = _export_job(request, pk)
    return JsonResponse({
        "status": job.status, "progress": job.progress, "step": job.step, "error": job.error,
        "download_url": _url("session_export_download", request.unit, pk=job.pk) if job.status == "done" else None,
    })


@unit_roles(*MEMBER_ROLES)
def session_export_download(request, unit_slug, pk):
    job = _export_job(request, pk)
    if job.status != SessionExport.Status.DONE or not job.file:
        raise Http404
    audit_log(user=request.user, unit=request.unit, action=f"export.{job.fmt}", obj=job)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"sessions-{request.unit.slug}.{job.fmt}",
                        content_type=XLSX_TYPE)


# --- walk-in and contact tally ----------------------------------------------------------------

def _visits_page(request, *, visit_form=None, course_form=None, end_forms=None):
    unit = request.unit
    today = timezone.localdate()
    courses = list(selectors.running_courses(unit))
    end_forms = end_forms or {}
    last = request.session.get("last_visit")
    undoable = Visit.objects.filter(
        unit=unit, pk=last, counted_by=request.user,
        created_at__gte=timezone.now() - datetime.timedelta(seconds=services.UNDO_SECONDS)).first() if last else None
    return render(request, "counselling/visits.html", {
        "last_visit": undoable,
        "visit_form": visit_form or VisitForm(unit=unit),
        "channels": Visit.Channel.choices,
        "counts": selectors.visit_counts(unit, today=today),
        "course_counts": selectors.course_counts(unit, today=today),
        "course_form": course_form or CourseStartForm(),
        "courses": [(course, end_forms.get(course.pk) or CourseEndForm(prefix=f"course-{course.pk}",
                                                                       initial={"ended_on": today}))
                    for course in courses],
    })


@unit_roles(*MEMBER_ROLES)
def visits(request, unit_slug):
    unit = request.unit
    export = request.GET.get("export")
    if export in EXPORT_FORMATS:
        rows = [[row["label"], row["today"], row["week"], row["month"]]
                for row in selectors.visit_counts(unit, today=timezone.localdate())]
        return table_response(request, filename=f"inquiries-{unit.slug}", rows=rows, fmt=export,
                              headers=[_("Channel"), _("Today"), _("This week"), _("This month")])
    form = VisitForm(request.POST or None, unit=unit)
    visit = _saved(request, form, lambda data: services.visit_count(unit=unit, acting_user=request.user, **data),
                   success=_("The inquiry is counted."))
    if visit:
        # The tally says what it counted, and the counsellor may take a mistap back for a minute.
        request.session["last_visit"] = visit.pk
        return redirect(_url("visits", unit))
    return _visits_page(request, visit_form=form)


@require_POST
@unit_roles(*MEMBER_ROLES)
def visit_undo(request, unit_slug, pk):
    unit = request.unit
    visit = access_object(unit, Visit, pk)
    try:
        services.visit_undo(unit=unit, visit=visit, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The last count is undone."))
    request.session.pop("last_visit", None)
    return redirect(_url("visits", unit))


@require_POST
@unit_roles(*MEMBER_ROLES)
def course_start(request, unit_slug):
    unit = request.unit
    form = CourseStartForm(request.POST)

    if _saved(request, form, lambda data: services.course_start(unit=unit, acting_user=request.user, **data),
              success=_("The course is counted as started.")):
        return redirect(_url("visits", unit))
    return _visits_page(request, course_form=form)


@require_POST
@unit_roles(*MEMBER_ROLES)
def course_end(request, unit_slug, pk):
    unit = request.unit
    course = access_object(unit, Course, pk, ended_on__isnull=True)
    form = CourseEndForm(request.POST, prefix=f"course-{course.pk}")

    def save(data):
        return services.course_end(course=course, acting_user=request.user, ended_on=data["ended_on"])

    if _saved(request, form, save, success=_("The course is counted as ended.")):
        return redirect(_url("visits", unit))
    return _visits_page(request, end_forms={course.pk: form})


# --- group rounds (Östermalm) ---------------------------------------------------------------------

GROUP_ROUND_ORDER = (Key("started_on", descending=True), Key("pk", descending=True))


def _group_unit(request):
    """Komet and Skilda världar rounds are the family unit's (003_eba17951e60b4a73.txt)."""
    if request.unit.kind != Unit.Kind.FAMILY_UNIT or request.unit.is_anonymous:
        raise Http404
    return request.unit


@unit_roles(*MEMBER_ROLES)
def groups(request, unit_slug):
    unit = _group_unit(request)
    form = GroupRoundForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if _saved(request, form, lambda data: services.group_round_save(unit=unit, acting_user=request.user, **data),
              success=_("The group round is saved.")):
        return redirect(_url("groups", unit))
    page = list_page(request, GroupRound.objects.filter(unit=unit), keys=GROUP_ROUND_ORDER)
    return render(request, "counselling/groups.html", {"form": form, "page": page})


@unit_roles(*MEMBER_ROLES)
def group_edit(request, unit_slug, pk):
    unit = _group_unit(request)
    group_round = access_object(unit, GroupRound, pk)
    form = GroupRoundForm(request.POST or None, initial={
        field: getattr(group_round, field) for field in services.GROUP_ROUND_FIELDS})

    def save(data):
        return services.group_round_save(unit=unit, acting_user=request.user, group_round=group_round, **data)

    if _saved(request, form, save, success=_("The group round is saved.")):
        return redirect(_url("groups", unit))
    group_round.refresh_from_db()
    return render(request, "counselling/group_edit.html", {"form": form, "group_round": group_round})


# --- cases ---------------------------------------------------------------------------------------

@unit_roles(*MEMBER_ROLES)
def case_list(request, unit_slug):
    unit = request.unit
    state = request.GET.get("state") if request.GET.get("state") in ("open", "closed", "all") else "open"
    cases = selectors.cases_in_state(unit, state=state)
    page = list_page(request, selectors.cases_listed(cases), keys=selectors.CASE_ORDER, count=cases)
    today = timezone.localdate()
    overdue = {case.pk for case in selectors.overdue_urgent_cases(unit, today=today)}
    overlong = selectors.overlong_phases(unit, page, today=today)
    for case in page:
        case.overlong_phases = overlong.get(case.pk, [])
    return render(request, "counselling/case_list.html", {"page": page, "state": state, "overdue": overdue})


@unit_roles(*MEMBER_ROLES)
def case_new(request, unit_slug):
    unit = request.unit
    if unit.is_anonymous:
        # Anonymous units open cases through an application (intake), never here.
        raise Http404
    today = timezone.localdate()
    form = CaseOpenForm(request.POST or None, unit=unit, initial={
        "code": selectors.suggested_case_code(unit, today=today), "assigned_on": today})
    earlier = None
    if request.method == "POST" and form.is_valid():
        earlier = selectors.earlier_case_to_mark(unit, family_code=form.cleaned_data.get("family_code", ""),
                                                 opened_on=form.cleaned_data["assigned_on"])
    if earlier is not None and not form.cleaned_data.get("earlier"):
        # The family has an earlier closed case: offer to mark it current again before opening.
        return render(request, "counselling/case_new.html", {"form": form, "earlier": earlier})
    case = _saved(request, form, lambda data: services.case_open(
        unit=unit, acting_user=request.user, opened_on=data["assigned_on"], mark_earlier=data.get("earlier") == "mark",
        **data), success=_("The case is opened."))
    if case is not None:
        return redirect(_url("case_detail", unit, pk=case.pk))
    return render(request, "counselling/case_new.html", {"form": form, "earlier": earlier})


def _case_page(request, case, **bound):
    unit = request.unit
    today = timezone.localdate()
    sessions = list(selectors.case_sessions(case))
    corrected = {row.corrects_id for row in sessions if row.corrects_id}
    support_talks = sum(1 for row in sessions if row.pk not in corrected and row.status == SessionStatus.HELD
                        and row.activity == Activity.SUPPORT_TALK)
    context = {
        "case": case,
        "overdue": selectors.case_is_overdue(case, unit=unit, today=today),
        "assessment_warning": _assessment_warning(case, support_talks)
        if rules.support_talks_need_assessment(support_talks) else None,
        "case_form": bound.get("case_form") or CaseForm(unit=unit, initial=_case_initial(case)),
        "sessions": sessions,
    }
    if not unit.is_anonymous:
        goals = list(Goal.objects.filter(unit=unit, case=case).order_by("pk"))
        review_forms = bound.get("review_forms", {})
        trends = selectors.ors_trends(case)
        for trend in trends:
            trend["chart"] = line_chart(
                title=_("ORS of %(person)s") % {"person": trend["person"]},
                labels=[point["date"].isoformat() for point in trend["points"]],
                series=[("ORS", [point["total"] for point in trend["points"]])],
                reference=(trend["cutoff"], _("Clinical cut-off %(value)s") % {"value": trend["cutoff"]}),
                maximum=40,
            )
        end_forms = bound.get("phase_end_forms", {})
        context.update({
            "phases": [(phase, end_forms.get(phase.pk) or PhaseEndForm(prefix=f"phase-{phase.pk}",
                                                                       initial={"ended_on": today}))
                       for phase in selectors.case_phases(case)],
            "phase_form": bound.get("phase_form") or PhaseForm(initial={"started_on": today}),
            "goals": [(goal, review_forms.get(goal.pk) or GoalReviewForm(
                prefix=f"goal-{goal.pk}", initial={"status": goal.status, "reviewed_on": today})) for goal in goals],
            "goal_form": bound.get("goal_form") or GoalForm(),
            "follow_ups": case.follow_ups.filter(unit=unit),
            "follow_up_form": bound.get("follow_up_form") or FollowUpForm(initial={"date": today}),
            "trends": trends,
            "srs": selectors.srs_scores(case),
            "score_form": bound.get("score_form") or OutcomeScoreForm(
                sessions=selectors.case_sessions(case).filter(corrects__isnull=True),
                initial={"kind": request.GET["scale"]} if request.GET.get("scale") in OutcomeScore.Kind.values
                else None),
            "climate": selectors.climate_scores(case),
            "climate_form": bound.get("climate_form") or ClimateScoreForm(initial={"date": today}),
        })
    context["case_panels"] = _case_panels(request, case)
    return render(request, "counselling/case_detail.html", context)


# Apps above this one add to a case's page (the user survey at closing), as the landing page's panels.
CASE_PANEL_MODULES = ("quality.panels",)


def _case_panels(request, case) -> list[dict]:
    panels = []
    for module_name in CASE_PANEL_MODULES:
        if importlib.util.find_spec(module_name) is not None:
            panels.extend(getattr(importlib.import_module(module_name), "case_panels", lambda *_: [])(request, case))
    return panels


def _case_initial(case):
    return {field: getattr(case, field) for field in services.CASE_FIELDS}


@unit_roles(*MEMBER_ROLES)
def case_detail(request, unit_slug, pk):
    unit = request.unit
    case = access_object(unit, Case, pk)
    form = CaseForm(request.POST or None, unit=unit, initial=_case_initial(case))

    def save(data):
        return services.case_update(case=case, acting_user=request.user, **data)

    if _saved(request, form, save, success=_("The case is saved.")):
        return redirect(_url("case_detail", unit, pk=case.pk))
    if request.method == "POST":
        case.refresh_from_db()
    return _case_page(request, case, case_form=form)


def _case_action(request, pk, form_class, save, *, bound_name, success, anchor, form_kwargs=None, query=""):
    """One of the small forms on the case page: save and return to its section."""
    unit = request.unit
    case = access_object(unit, Case, pk)
    form = form_class(request.POST, **(form_kwargs(case) if form_kwargs else {}))
    if _saved(request, form, lambda data: save(case, data), success=success) is not None:
        return redirect(f"{_url('case_detail', unit, pk=case.pk)}{query}#{anchor}")
    return _case_page(request, case, **{bound_name: form})


@require_POST
@unit_roles(*MEMBER_ROLES)
def phase_add(request, unit_slug, pk):
    return _case_action(request, pk, PhaseForm, lambda case, data: services.phase_add(
        case=case, acting_user=request.user, **data), bound_name="phase_form", success=_("The phase is added."),
        anchor="phases")


@require_POST
@unit_roles(*MEMBER_ROLES)
def phase_end(request, unit_slug, pk, phase_pk):
    unit = request.unit
    case = access_object(unit, Case, pk)
    phase = access_object(unit, Phase, phase_pk, case=case)
    form = PhaseEndForm(request.POST, prefix=f"phase-{phase.pk}")
    if _saved(request, form, lambda data: services.phase_end(phase=phase, acting_user=request.user, **data),
                  success=_("The phase end is saved.")):
        return redirect(f"{_url('case_detail', unit, pk=case.pk)}#phases")
    return _case_page(request, case, phase_end_forms={phase.pk: form})


@require_POST
@unit_roles(*MEMBER_ROLES)
def goal_add(request, unit_slug, pk):
    return _case_action(request, pk, GoalForm, lambda case, data: services.goal_add(
        case=case, acting_user=request.user, **data), bound_name="goal_form", success=_("The goal is added."),
        anchor="goals")


@require_POST
@unit_roles(*MEMBER_ROLES)
def goal_review(request, unit_slug, pk, goal_pk):
    unit = request.unit
    case = access_object(unit, Case, pk)
    goal = access_object(unit, Goal, goal_pk, case=case)
    form = GoalReviewForm(request.POST, prefix=f"goal-{goal.pk}")
    if _saved(request, form, lambda data: services.goal_review(goal=goal, acting_user=request.user, **data),
                  success=_("The goal review is saved.")):
        return redirect(f"{_url('case_detail', unit, pk=case.pk)}#goals")
    return _case_page(request, case, review_forms={goal.pk: form})


@require_POST
@unit_roles(*MEMBER_ROLES)
def follow_up_add(request, unit_slug, pk):
    return _case_action(request, pk, FollowUpForm, lambda case, data: services.follow_up_add(
        case=case, acting_user=request.user, **data), bound_name="follow_up_form",
        success=_("The follow-up meeting is added."), anchor="follow-ups")


@require_POST
@unit_roles(*MEMBER_ROLES)
def score_add(request, unit_slug, pk):
    return _case_action(request, pk, OutcomeScoreForm, lambda case, data: services.outcome_score_add(
        case=case, acting_user=request.user, **data), bound_name="score_form", success=_("The score is saved."),
        anchor="scores", form_kwargs=lambda case: {
            "sessions": selectors.case_sessions(case).filter(corrects__isnull=True)},
        # The next score is usually on the same scale: keep the one just used.
        query=f"?scale={request.POST['kind']}" if request.POST.get("kind") in OutcomeScore.Kind.values else "")


@require_POST
@unit_roles(*MEMBER_ROLES)
def climate_add(request, unit_slug, pk):
    return _case_action(request, pk, ClimateScoreForm, lambda case, data: services.climate_score_add(
        case=case, acting_user=request.user, **data), bound_name="climate_form",
        success=_("The Familjeklimat scores are saved."), anchor="climate")
