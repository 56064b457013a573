"""The import page (`/<unit>/import/`, the unit chief): upload, preview, confirm, result."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.selectors import agreement_municipalities
from sessions.imports import KIND_COLUMNS
from units.access import CHIEF_ONLY, access_object, unit_roles
from units.exports import table_response
from units.imports import importer_class, max_bytes, size_text
from units.pages import Key
from units.pages import page as list_page
from units.selectors import unit_staff

from . import services
from .forms import ImportForm
from .models import ImportJob

PAGE_SIZE = 20
JOB_ORDER = (Key("created_at", descending=True), Key("pk", descending=True))


def _columns(kind: str) -> list[dict]:
    """The columns of a kind as the page and the template show them."""
    return [{"key": column.key, "label": capfirst(_(column.labels[0])) if column.labels else column.key,
             "required": column.required} for column in importer_class(kind).columns]


@unit_roles(*CHIEF_ONLY)
def import_page(request, unit_slug):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.job_upload(unit=request.unit, kind=form.cleaned_data["kind"],
                                  upload=form.cleaned_data["file"], acting_user=request.user)
        return redirect("importing:job", unit_slug=unit_slug, pk=job.pk)
    jobs = list_page(request, ImportJob.objects.filter(unit=request.unit).select_related("requested_by")
                     .defer("result"), keys=JOB_ORDER, size=PAGE_SIZE)
    return render(request, "importing/import.html", {
        "form": form, "jobs": jobs, "max_mb": size_text(max_bytes()),
        "kinds": [(kind, label, _columns(kind)) for kind, label in ImportJob.Kind.choices],
    })


def _labels(kind: str) -> dict[str, str]:
    return {column["key"]: column["label"] for column in _columns(kind)}


@unit_roles(*CHIEF_ONLY)
def job_page(request, unit_slug, pk):
    job = access_object(request.unit, ImportJob, pk)
    labels = _labels(job.kind)
    result = job.result or {}
    mapping = [(header, key, labels.get(key, "")) for header, key in result.get("mapping", [])]
    return render(request, "importing/job.html", {
        "job": job, "result": result, "mapping": mapping,
        "headers": [header for header, _key in result.get("mapping", [])],
        "listed": len(result.get("errors", [])),
    })


@unit_roles(*CHIEF_ONLY)
def job_status(request, unit_slug, pk):
    job = access_object(request.unit, ImportJob, pk)
    return JsonResponse({
        "status": job.status, "phase": job.phase, "progress": job.progress, "step": job.step, "error": job.error,
        "download_url": reverse("importing:job", kwargs={"unit_slug": unit_slug, "pk": pk}),
    })


@require_POST
@unit_roles(*CHIEF_ONLY)
def job_confirm_view(request, unit_slug, pk):
    job = access_object(request.unit, ImportJob, pk)
    try:
        services.job_confirm(unit=request.unit, job=job, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("importing:job", unit_slug=unit_slug, pk=pk)


def _examples(request, kind: str) -> list[list]:
    today = timezone.localdate()
    if kind == ImportJob.Kind.SESSIONS:
        staff = list(unit_staff(request.unit).values_list("username", flat=True)[:2]) or [request.user.get_username()]
        return [
            [today, datetime.time(9, 0), 60, "group", 6, "held", "", staff[0], "office", "none"],
            [today, datetime.time(13, 30), 45, "individual", None, "client_cancelled", "", staff[-1], "phone", "none"],
        ]
    names = [municipality.name for municipality in agreement_municipalities(unit=request.unit, day=today)]
    municipality = names[0] if names else ""
    return [
        [f"X-{today.year}-9001", today - datetime.timedelta(days=30), municipality, "normal",
         today - datetime.timedelta(days=10), None, "self", "35-44", "married", 2],
        [f"X-{today.year}-9002", today - datetime.timedelta(days=20), municipality, "acute", None, None,
         "family_centre", "25-34", "cohabiting", 1],
    ]


@unit_roles(*CHIEF_ONLY)
def template_xlsx(request, unit_slug, kind):
    if kind not in ImportJob.Kind.values:
        raise Http404
    # The columns the unit records: a kind's own column only for its units; no correction column.
    columns = [column for column in _columns(kind) if column["required"]
               or KIND_COLUMNS.get(column["key"]) == request.unit.kind]
    examples = _examples(request, kind)
    rows = [row + [None] * (len(columns) - len(row)) for row in examples]
    return table_response(request, filename=f"import-{kind}-{request.unit.slug}", fmt="xlsx",
                          headers=[column["label"] for column in columns], rows=rows, action="import.template")
