"""Unit pages of the quality records (under /<unit>/quality/) and the public survey form (/s/<token>/)."""

import io

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope

from units.access import CHIEF_ONLY, MEMBER_ROLES, access_object, unit_roles
from units.charts import bar_chart
from units.exports import table_response
from units.models import Membership, Role, Unit
from units.pages import page as list_page

from . import selectors, services
from .forms import (
    ConcernReportForm,
    DropInWeekForm,
    LinkedStaffTimeForm,
    OutreachForm,
    PeriodForm,
    QualificationsForm,
    QualityEventForm,
    SurveyAnswerForm,
    SurveyQuestionForm,
    SurveyRoundForm,
    TrainingForm,
    YearForm,
)
from .models import (
    DESCRIBED_EVENT_KINDS,
    LinkedStaffTime,
    OutreachActivity,
    Qualification,
    QualityEvent,
    SurveyQuestion,
    SurveyRound,
    TrainingRecord,
)
from .rules import SCALE

EXPORT_FORMATS = ("csv", "xlsx")


def _sections(request) -> list[dict]:
    """The quality section's own menu."""
    entries = [("home", _("Overview")), ("survey", _("User survey")), ("outreach_list", _("Outreach")),
               ("staff", _("Staff competence")), ("training_list", _("Training and supervision")),
               ("events", _("Lex Sarah, complaints, incidents"))]
    if request.unit.kind == Unit.Kind.OPEN_COUNSELLING:
        entries.append(("concept", _("Concept duties")))
    sections = []
    for name, label in entries:
        url = _url(request, name)
        sections.append({"url": url, "label": label, "active": request.path == url})
    return sections


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"sections": _sections(request), **context}, status=status)


def _is_chief(request) -> bool:
    return request.unit_role == Role.CHIEF


def _export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def _form_page(request, *, form, title: str, save, success_url, extra: dict | None = None):
    """GET shows the form; a valid POST calls `save(cleaned_data)` and redirects to
    `success_url` (or to `success_url(saved object)`). A rule the service rejects comes back
    as an error at its field; nothing is half-saved."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url(saved) if callable(success_url) else success_url)
    return _render(request, "quality/form.html", {"form": form, "title": title, **(extra or {})})


def _url(request, name: str, **kwargs) -> str:
    return reverse(f"quality:{name}", kwargs={"unit_slug": request.unit.slug, **kwargs})


def _staff_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- Overview -------------------------------------------------------------------------


@unit_roles(*MEMBER_ROLES)
def home(request, unit_slug):
    unit = request.unit
    year = timezone.localdate().year
    start, end = selectors.year_bounds(year)
    counts = selectors.incident_counts(unit=unit, start=start, end=end)
    return _render(request, "quality/home.html", {
        "year": year,
        "survey": selectors.survey_results(unit=unit, start=start, end=end),
        "open_rounds": [r for r in selectors.survey_rounds(unit=unit) if r.is_open],
        "outreach": selectors.outreach_summary(unit=unit, start=start, end=end),
        "training": selectors.training_summary(unit=unit, start=start, end=end),
        "competence": selectors.competence_check(unit=unit),
        "events": [(QualityEvent.Kind(kind).label, n) for kind, n in counts.items()],
        "duties": (selectors.concept_duties(unit=unit, year=year)
                   if unit.kind == Unit.Kind.OPEN_COUNSELLING else None),
    })


# --- Survey ---------------------------------------------------------------------------


@unit_roles(*MEMBER_ROLES)
def survey(request, unit_slug):
    return _render(request, "quality/survey.html", {
        "rounds": selectors.survey_rounds(unit=request.unit),
        "questions": selectors.survey_questions(unit=request.unit),
    })


@unit_roles(*CHIEF_ONLY)
def questions(request, unit_slug):
    form = SurveyQuestionForm(request.POST or None, unit=request.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_question_add(unit=request.unit, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect(_url(request, "questions"))
    return _render(request, "quality/questions.html", {
        "form": form,
        "questions": SurveyQuestion.objects.filter(unit=request.unit),
    })


@require_POST
@unit_roles(*CHIEF_ONLY)
def question_retire(request, unit_slug, pk):
    question = access_object(request.unit, SurveyQuestion, pk, retired=False)
    services.survey_question_retire(question=question, acting_user=request.user)
    messages.success(request, _("The question is no longer asked; its answers stay in the results."))
    return redirect(_url(request, "questions"))


@unit_roles(*CHIEF_ONLY)
def round_new(request, unit_slug):
    return _form_page(
        request, form=SurveyRoundForm(request.POST or None, unit=request.unit), title=_("New survey round"),
        save=lambda data: services.survey_round_create(unit=request.unit, acting_user=request.user,
                                                       today=timezone.localdate(), **data),
        success_url=lambda survey_round: _url(request, "round_detail", pk=survey_round.pk),
    )


def _public_link(request, survey_round) -> str:
    return request.build_absolute_uri(reverse("survey:answer", kwargs={"token": survey_round.token}))


@unit_roles(*MEMBER_ROLES)
def round_detail(request, unit_slug, pk):
    survey_round = access_object(request.unit, SurveyRound, pk)
    return _render(request, "quality/round_detail.html", {
        "round": survey_round,
        "link": _public_link(request, survey_round),
        "response_count": survey_round.responses.count(),
    })


@require_POST
@unit_roles(*CHIEF_ONLY)
def round_state(request, unit_slug, pk):
    survey_round = access_object(request.unit, SurveyRound, pk)
    is_open = request.POST.get("is_open") == "1"
    services.survey_round_set_open(survey_round=survey_round, acting_user=request.user, is_open=is_open)
    messages.success(request, _("The round is open for answers.") if is_open else _("The round is closed."))
    return redirect(_url(request, "round_detail", pk=pk))


@require_GET
@unit_roles(*MEMBER_ROLES)
def round_qr(request, unit_slug, pk):
    # Not audited: the image holds only the public link, which the page already shows.
    survey_round = access_object(request.unit, SurveyRound, pk)
    buffer = io.BytesIO()
    segno.make(_public_link(request, survey_round), error="m").save(
        buffer, kind="svg", scale=8, border=4, title=_("Survey link: %(title)s") % {"title": survey_round.title}
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="survey-{survey_round.pk}.svg"'
    return response


@unit_roles(*MEMBER_ROLES)
def survey_results(request, unit_slug):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _render(request, "quality/survey_results.html", {"form": form})
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    results = selectors.survey_results(unit=request.unit, start=start, end=end)
    if fmt := _export_format(request):
        # The free-text answers are never exported.
        headers = [_("Question"), _("Answers"), _("Mean"), *[str(score) for score in SCALE], _("Satisfied (%)")]
        rows = [[item.question.text, item.result.count_label, item.result.mean,
                 *(item.result.distribution or [None] * len(SCALE)), item.result.satisfied_percent]
                for item in results.questions]
        return table_response(request, filename=f"survey-{start}-{end}", headers=headers, rows=rows, fmt=fmt)
    shown = [(index, item) for index, item in enumerate(results.questions, start=1) if not item.result.suppressed]
    chart = bar_chart(
        title=_("Share satisfied (answers 4–5) per question, %"),
        labels=[_("Q%(number)s") % {"number": index} for index, _item in shown],
        series=[(_("Satisfied (%)"), [item.result.satisfied_percent for _index, item in shown])],
    ) if shown else None
    return _render(request, "quality/survey_results.html", {
        "form": form, "results": results, "chart": chart, "scale": list(SCALE),
        "free_texts": (selectors.survey_free_texts(unit=request.unit, start=start, end=end)
                       if _is_chief(request) else None),
    })


# --- Outreach -------------------------------------------------------------------------


@unit_roles(*MEMBER_ROLES)
def outreach_list(request, unit_slug):
    year = YearForm(request.GET).selected_year
    start, end = selectors.year_bounds(year)
    activities = selectors.outreach_activities(unit=request.unit, start=start, end=end)
    if fmt := _export_format(request):
        headers = [_("Date"), _("Kind"), _("Audience"), _("Hours"), _("Topic or place"), _("Staff")]
        rows = [[a.date, a.get_kind_display(), a.audience, a.hours, a.note,
                 ", ".join(_staff_name(user) for user in a.counsellors.all())] for a in activities]
        return table_response(request, filename=f"outreach-{year}", headers=headers, rows=rows, fmt=fmt)
    return _render(request, "quality/outreach_list.html", {
        "year": year, "activities": list_page(request, activities, keys=selectors.BY_DATE),
        "summary": selectors.outreach_summary(unit=request.unit, start=start, end=end),
    })


@unit_roles(*MEMBER_ROLES)
def outreach_edit(request, unit_slug, pk=None):
    activity = access_object(request.unit, OutreachActivity, pk) if pk else None
    form = OutreachForm(request.POST or None, instance=activity, unit=request.unit,
                        initial={} if activity else {"date": timezone.localdate(), "counsellors": [request.user]})
    return _form_page(
        request, form=form, title=_("Outreach activity") if activity else _("Record outreach activity"),
        save=lambda data: services.outreach_save(unit=request.unit, acting_user=request.user, activity=activity,
                                                 **data),
        success_url=_url(request, "outreach_list"),
        extra={"delete_url": _url(request, "outreach_delete", pk=pk) if activity and _is_chief(request) else None},
    )


@require_POST
@unit_roles(*CHIEF_ONLY)
def outreach_delete(request, unit_slug, pk):
    services.outreach_delete(activity=access_object(request.unit, OutreachActivity, pk), acting_user=request.user)
    messages.success(request, _("Deleted."))
    return redirect(_url(request, "outreach_list"))


# --- Staff competence and training ----------------------------------------------------


@unit_roles(*MEMBER_ROLES)
def staff(request, unit_slug):
    year = YearForm(request.GET).selected_year
    start, end = selectors.year_bounds(year)
    summary = selectors.training_summary(unit=request.unit, start=start, end=end)
    labels = dict(Qualification.choices)
    for row in summary["rows"]:
        row.qualification_labels = [labels[value] for value in row.qualifications]
    return _render(request, "quality/staff.html", {
        "year": year, "summary": summary,
        "competence": selectors.competence_check(unit=request.unit),
    })


@unit_roles(*CHIEF_ONLY)
def qualifications_edit(request, unit_slug, user_id):
    member = get_object_or_404(Membership.objects.select_related("user"), unit=request.unit, user_id=user_id).user
    held = selectors.staff_qualifications(unit=request.unit, user=member)
    return _form_page(
        request, form=QualificationsForm(request.POST or None, initial={"qualifications": held}),
        title=_("Qualifications of %(name)s") % {"name": _staff_name(member)},
        save=lambda data: services.qualifications_set(unit=request.unit, acting_user=request.user, user=member,
                                                      **data),
        success_url=_url(request, "staff"),
    )


@unit_roles(*MEMBER_ROLES)
def training_list(request, unit_slug):
    year = YearForm(request.GET).selected_year
    start, end = selectors.year_bounds(year)
    records = selectors.training_records(unit=request.unit, start=start, end=end)
    if fmt := _export_format(request):
        headers = [_("Date"), _("Staff member"), _("Kind"), _("Course or subject"), _("Hours")]
        rows = [[r.date, _staff_name(r.user), r.get_kind_display(), r.title, r.hours] for r in records]
        return table_response(request, filename=f"training-{year}", headers=headers, rows=rows, fmt=fmt)
    return _render(request, "quality/training_list.html", {
        "year": year, "records": list_page(request, records, keys=selectors.BY_DATE), "is_chief": _is_chief(request),
    })


@unit_roles(*MEMBER_ROLES)
def training_edit(request, unit_slug, pk=None):
    chief = _is_chief(request)
    # A counsellor opens only their own records; anyone else's is a 404.
    own = {} if chief else {"user": request.user}
    record = access_object(request.unit, TrainingRecord, pk, **own) if pk else None
    form = TrainingForm(request.POST or None, instance=record, unit=request.unit, acting_user=request.user,
                        may_choose_staff=chief, initial={} if record else {"date": timezone.localdate()})
    return _form_page(
        request, form=form, title=_("Training record") if record else _("Record training or supervision"),
        save=lambda data: services.training_save(unit=request.unit, acting_user=request.user, record=record, **data),
        success_url=_url(request, "training_list"),
        extra={"delete_url": _url(request, "training_delete", pk=pk) if record and chief else None},
    )


@require_POST
@unit_roles(*CHIEF_ONLY)
def training_delete(request, unit_slug, pk):
    services.training_delete(record=access_object(request.unit, TrainingRecord, pk), acting_user=request.user)
    messages.success(request, _("Deleted."))
    return redirect(_url(request, "training_list"))


# --- Lex Sarah, complaints, incidents, concern reports --------------------------------


@unit_roles(*MEMBER_ROLES)
def events(request, unit_slug):
    year = YearForm(request.GET).selected_year
    start, end = selectors.year_bounds(year)
    chief = _is_chief(request)
    rows = selectors.quality_events(unit=request.unit, start=start, end=end, with_lex_sarah=chief)
    if fmt := _export_format(request):
        headers = [_("Date"), _("Kind"), _("Short description"), _("Measures taken"), _("Status"),
                   _("Reported to IVO"), _("Reported to the administration")]
        table = [[e.date, e.get_kind_display(), e.description, e.measures, e.get_status_display(),
                  e.reported_to_ivo_on, e.reported_to_administration_on] for e in rows]
        return table_response(request, filename=f"quality-events-{year}", headers=headers, rows=table, fmt=fmt)
    counts = selectors.incident_counts(unit=request.unit, start=start, end=end)
    return _render(request, "quality/events.html", {
        "year": year, "events": list_page(request, rows, keys=selectors.BY_DATE), "is_chief": chief,
        "counts": [(QualityEvent.Kind(kind).label, n) for kind, n in counts.items()],
        "concern_form": ConcernReportForm(initial={"date": timezone.localdate()}),
    })


@unit_roles(*MEMBER_ROLES)
def event_new(request, unit_slug):
    return _form_page(
        request, form=QualityEventForm(request.POST or None, unit=request.unit, initial={"date": timezone.localdate()}),
        title=_("Record lex Sarah report, complaint, suggestion or incident"),
        save=lambda data: services.quality_event_save(unit=request.unit, acting_user=request.user, **data),
        success_url=_url(request, "events"),
    )


@unit_roles(*CHIEF_ONLY)
def event_edit(request, unit_slug, pk):
    event = access_object(request.unit, QualityEvent, pk, kind__in=DESCRIBED_EVENT_KINDS)
    return _form_page(
        request, form=QualityEventForm(request.POST or None, instance=event, unit=request.unit),
        title=event.get_kind_display(),
        save=lambda data: services.quality_event_save(unit=request.unit, acting_user=request.user, event=event,
                                                      **data),
        success_url=_url(request, "events"),
    )


@require_POST
@unit_roles(*MEMBER_ROLES)
def concern_report_new(request, unit_slug):
    form = ConcernReportForm(request.POST)
    if form.is_valid():
        services.concern_report_count(unit=request.unit, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("The concern report was counted."))
    else:
        messages.error(request, _("Give the date of the concern report."))
    return redirect(_url(request, "events"))


# --- København concept duties -------------------------------------------------------------


def _concept_unit(request) -> Unit:
    if request.unit.kind != Unit.Kind.OPEN_COUNSELLING:
        raise Http404
    return request.unit


@unit_roles(*MEMBER_ROLES)
def concept(request, unit_slug):
    unit = _concept_unit(request)
    year = YearForm(request.GET).selected_year
    return _render(request, "quality/concept.html", {
        "year": year, "duties": selectors.concept_duties(unit=unit, year=year),
        "allocations": LinkedStaffTime.objects.filter(unit=unit), "is_chief": _is_chief(request),
        "drop_in_weeks": selectors.drop_in_weeks(unit=unit, year=year),
    })


@unit_roles(*MEMBER_ROLES)
def drop_in_week_record(request, unit_slug):
    """The drop-in hours held in a week (004_4991f6e8c25cfe0a.txt: "6 timers åbningstid om ugen"),
    where they differ from the unit's drop-in hours; staff record them as they record outreach."""
    unit = _concept_unit(request)
    return _form_page(
        request, form=DropInWeekForm(request.POST or None),
        title=_("Drop-in hours held in a week"),
        save=lambda data: services.drop_in_week_save(unit=unit, acting_user=request.user, **data),
        success_url=_url(request, "concept"),
    )


@unit_roles(*CHIEF_ONLY)
def linked_staff_edit(request, unit_slug, pk=None):
    unit = _concept_unit(request)
    allocation = access_object(unit, LinkedStaffTime, pk) if pk else None
    return _form_page(
        request, form=LinkedStaffTimeForm(request.POST or None, instance=allocation),
        title=_("Staff time from the børnefamilieenhed"),
        save=lambda data: services.linked_staff_time_save(unit=unit, acting_user=request.user,
                                                          allocation=allocation, **data),
        success_url=_url(request, "concept"),
    )


# --- The public survey form ---------------------------------------------------------------


def _public_unit(request, token: str) -> Unit:
    """The unit of a public survey link, with its language activated; 404 for an unknown link."""
    unit = selectors.public_survey_unit(token)
    if unit is None:
        raise Http404
    translation.activate(unit.language)
    request.LANGUAGE_CODE = unit.language
    return unit


@require_http_methods(["GET", "POST"])
def survey_answer(request, token):
    unit = _public_unit(request, token)
    with scope(unit=unit):
        survey_round = get_object_or_404(SurveyRound.objects.filter(unit=unit), token=token)
        context = {"survey_unit": unit}
        if not survey_round.is_open:
            return render(request, "quality/public/closed.html", context, status=410)
        form = SurveyAnswerForm(request.POST or None, unit=unit,
                                questions=selectors.survey_questions(unit=unit))
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_response_submit(
                    survey_round=survey_round, token=form.cleaned_data["token"], scores=form.scores(),
                    texts=form.texts(), today=timezone.localdate(),
                )
            except services.SurveyClosed:
                return render(request, "quality/public/closed.html", context, status=410)
            except services.SurveyFormElsewhere:
                # A form from another survey's page: a fresh form for this one, nothing stored.
                form = SurveyAnswerForm(unit=unit, questions=selectors.survey_questions(unit=unit))
                context["notice"] = _("This form was sent from another survey's page, so nothing was saved. "
                                      "Please answer this survey's questions and send them again.")
                status = 409
            except services.SurveyFlooded:
                form.add_error(None, _("Very many answers are arriving just now. Please wait a few minutes and "
                                       "send again."))
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("survey:thanks", token=token)
        return render(request, "quality/public/answer.html", {**context, "form": form}, status=status)


@require_GET
def survey_thanks(request, token):
    unit = _public_unit(request, token)
    return render(request, "quality/public/thanks.html", {"survey_unit": unit})
