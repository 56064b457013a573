from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units.access import CHIEF_ONLY, MEMBER_ROLES, REPORT_READERS, access_object, request_may_read_period, unit_roles
from units.models import Role
from units.pii import text_guard
from units.services import audit_log

from .models import ReportDocument, ReportNarrative
from .services import narrative_save, report_request, report_retry, report_submit


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = ReportNarrative
        fields = ["summary", "quality_work", "goals", "development"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(text_guard(unit))


def _period_readable(request, period) -> None:
    """A funder reads a unit's reports only for periods its agreement overlaps; 404 otherwise."""
    if not request_may_read_period(request, period):
        raise Http404


def _visible_documents(request, period):
    documents = ReportDocument.objects.filter(unit=request.unit, period=period).select_related("requested_by")
    if request.unit_role == Role.ADMINISTRATION:
        documents = documents.filter(submitted_at__isnull=False)
    return documents


@unit_roles(*REPORT_READERS)
def reports_current(request, unit_slug):
    return redirect("reporting:reports", unit_slug=unit_slug, period=str(timezone.localdate().year - 1))


def _narrative_form(request, year: int, data=None):
    narrative = ReportNarrative.objects.filter(unit=request.unit, year=year).first()
    return NarrativeForm(data, instance=narrative, unit=request.unit)


def _reports_page(request, period: str, narrative_form):
    empty = []
    if narrative_form is not None:
        texts = narrative_form.cleaned_data if narrative_form.is_bound and narrative_form.is_valid() else None
        for name, field in narrative_form.fields.items():
            value = texts[name] if texts is not None else narrative_form[name].value()
            if not (value or "").strip():
                empty.append(field.label)
    return render(request, "reporting/reports.html", {
        "period": period, "is_annual": "-" not in period, "documents": _visible_documents(request, period),
        "narrative_form": narrative_form, "empty_sections": empty,
    })


@unit_roles(*REPORT_READERS)
def reports(request, unit_slug, period):
    _period_readable(request, period)
    period = period.label
    narrative_form = None
    if "-" not in period and request.unit_role == Role.CHIEF:
        narrative_form = _narrative_form(request, int(period), request.POST or None)
        if request.method == "POST":
            if not narrative_form.is_valid():
                return _reports_page(request, period, narrative_form)
            narrative_save(unit=request.unit, year=int(period), acting_user=request.user,
                           **narrative_form.cleaned_data)
            messages.success(request, _("The report text is saved."))
            return redirect(request.path)
    elif request.method == "POST":
        raise Http404
    return _reports_page(request, period, narrative_form)


@require_POST
@unit_roles(*CHIEF_ONLY)
def report_build_view(request, unit_slug, period):
    """Build a new version. For the yearly report the texts posted with the button are saved
    first, so a summary typed and not yet saved is never lost and is in the version built."""
    label = period.label
    if "-" not in label and any(name in request.POST for name in NarrativeForm.Meta.fields):
        narrative_form = _narrative_form(request, int(label), request.POST)
        if not narrative_form.is_valid():
            return _reports_page(request, label, narrative_form)
        if narrative_form.has_changed():
            narrative_save(unit=request.unit, year=int(label), acting_user=request.user,
                           **narrative_form.cleaned_data)
            messages.success(request, _("The report text is saved."))
    document = report_request(unit=request.unit, period=label, acting_user=request.user)
    document.refresh_from_db(fields=["status"])
    # Say what happened: without a worker (make run) the version is already built.
    if document.status == ReportDocument.Status.DONE:
        messages.success(request, _("Version %d is built.") % document.version)
    elif document.status == ReportDocument.Status.FAILED:
        messages.error(request, _("Version %d could not be built.") % document.version)
    else:
        messages.info(request, _("Version %d is being built.") % document.version)
    return redirect("reporting:reports", unit_slug=unit_slug, period=period)


@unit_roles(*MEMBER_ROLES)
def report_status(request, unit_slug, period, pk):
    document = access_object(request.unit, ReportDocument, pk, period=period.label)
    return JsonResponse({
        "status": document.status,
        "progress": document.progress,
        "step": document.step,
        "error": document.error,
        "download_url": reverse("reporting:report_pdf", kwargs={"unit_slug": unit_slug, "period": period,
                                                                "pk": pk}) if document.status == "done" else None,
    })


@unit_roles(*REPORT_READERS)
def report_pdf(request, unit_slug, period, pk):
    _period_readable(request, period)
    document = access_object(request.unit, ReportDocument, pk, period=period.label,
                             status=ReportDocument.Status.DONE)
    if request.unit_role == Role.ADMINISTRATION and document.submitted_at is None:
        raise Http404
    audit_log(user=request.user, unit=request.unit, action="report.download", obj=document)
    filename = f"{request.unit.slug}-{period}-v{document.version}.pdf"
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename,
                        content_type="application/pdf")


@require_POST
@unit_roles(*CHIEF_ONLY)
def report_submit_view(request, unit_slug, period, pk):
    document = access_object(request.unit, ReportDocument, pk, period=period.label)
    try:
        report_submit(unit=request.unit, document=document, acting_user=request.user)
        messages.success(request, _("Version %d is submitted to the administration.") % document.version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:reports", unit_slug=unit_slug, period=period)


@require_POST
@unit_roles(*CHIEF_ONLY)
def report_retry_view(request, unit_slug, period, pk):
    document = access_object(request.unit, ReportDocument, pk, period=period.label)
    try:
        report_retry(unit=request.unit, document=document, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:reports", unit_slug=unit_slug, period=period)
