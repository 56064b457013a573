"""Writes for report documents. The build itself runs in a Celery task (reporting.tasks)."""

import datetime
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from units.models import Unit, job_stale_before
from units.pdf import render_pdf
from units.services import audit_log

from .models import ReportDocument, ReportNarrative

logger = logging.getLogger(__name__)


def enqueue_build(document_id: int) -> bool:
    """Hand a version to the workers. With the broker down the version stays queued (nothing
    fails after the commit) and `requeue_stale_reports` hands it over once the broker is back."""
    from .tasks import build_report_document

    try:
        build_report_document.delay(document_id)
        return True
    except (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError):
        logger.warning("report %s stays queued: the broker is unreachable; the sweep queues it again",
                       document_id, exc_info=True)
        return False


@transaction.atomic
def report_request(*, unit: Unit, period: str, acting_user=None, enqueue: bool = True) -> ReportDocument:
    """Create a new version of the unit's report for `period`; unless told otherwise, the
    build is queued once the transaction commits."""
    Unit.objects.select_for_update().get(pk=unit.pk)  # one version number at a time per unit
    last = ReportDocument.objects.filter(unit=unit, period=period).order_by("-version").first()
    document = ReportDocument(unit=unit, period=period, version=(last.version + 1) if last else 1,
                              requested_by=acting_user, touched_at=timezone.now())
    document.full_clean()
    document.save()
    audit_log(user=acting_user, unit=unit, action="report.request", obj=document)
    if enqueue:
        transaction.on_commit(lambda: enqueue_build(document.pk))
    return document


@transaction.atomic
def report_retry(*, unit: Unit, document: ReportDocument, acting_user=None) -> ReportDocument:
    """Build a failed or stuck version again (the same version number: it never finished).
    Stuck: queued or building with no sign of life for REPORT_BUILD_STALE_SECONDS."""
    document = ReportDocument.objects.select_for_update().get(pk=document.pk, unit=unit)
    if not (document.status == ReportDocument.Status.FAILED or document.is_stale):
        raise ValidationError(_("Only a failed or stuck build can be retried."))
    document.status, document.progress, document.step, document.error = ReportDocument.Status.QUEUED, 0, "", ""
    document.touched_at = timezone.now()
    document.save(update_fields=["status", "progress", "step", "error", "touched_at"])
    audit_log(user=acting_user, unit=unit, action="report.retry", obj=document)
    transaction.on_commit(lambda: enqueue_build(document.pk))
    return document


def requeue_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Versions queued or building with no sign of life for REPORT_BUILD_STALE_SECONDS — the
    broker was down when they were requested, or the worker died — are handed to the workers
    again. A build is idempotent (report_build), so a version that was only slow still ends
    as one finished version."""
    now = now or timezone.now()
    with scopes_disabled(), transaction.atomic():  # every unit's versions: the sweep has no unit
        stale = list(ReportDocument.objects.select_for_update(skip_locked=True)
                     .filter(status__in=[ReportDocument.Status.QUEUED, ReportDocument.Status.RUNNING],
                             touched_at__lt=job_stale_before(now))
                     .values_list("pk", flat=True))
        ReportDocument.objects.filter(pk__in=stale).update(touched_at=now)
    for document_id in stale:
        enqueue_build(document_id)
    return stale


@transaction.atomic
def report_submit(*, unit: Unit, document: ReportDocument, acting_user) -> ReportDocument:
    """Mark a finished version as submitted to the administration. From then on it never changes."""
    document = ReportDocument.objects.select_for_update().get(pk=document.pk, unit=unit)
    if document.status != ReportDocument.Status.DONE:
        raise ValidationError(_("Only a finished report can be submitted."))
    if document.submitted_at is not None:
        raise ValidationError(_("This version is already submitted."))
    document.submitted_at, document.submitted_by = timezone.now(), acting_user
    document.save(update_fields=["submitted_at", "submitted_by"])
    audit_log(user=acting_user, unit=unit, action="report.submit", obj=document)
    return document


@transaction.atomic
def narrative_save(*, unit: Unit, year: int, acting_user, **texts) -> ReportNarrative:
    narrative, _created = ReportNarrative.objects.get_or_create(unit=unit, year=year)
    for field, value in texts.items():
        setattr(narrative, field, value)
    narrative.updated_by = acting_user
    narrative.full_clean()
    narrative.save()
    audit_log(user=acting_user, unit=unit, action="report.narrative", obj=narrative)
    return narrative


def _progress(document_id: int, percent: int, step: str) -> None:
    # Outside any transaction, so the page polling the status sees each step at once.
    ReportDocument.objects.filter(pk=document_id).update(progress=percent, step=step, touched_at=timezone.now())
    pause = settings.REPORT_BUILD_STEP_PAUSE_SECONDS
    if pause:
        time.sleep(pause)


def report_build(*, unit: Unit, document_id: int) -> ReportDocument:
    """Build one version. Idempotent: a finished version is left as it is, and a retry after a
    crash writes the same file name, so there is never a second copy of a version."""
    from .documents import report_context

    document = ReportDocument.objects.get(pk=document_id, unit=unit)
    if document.status == ReportDocument.Status.DONE:
        return document
    ReportDocument.objects.filter(pk=document_id).update(status=ReportDocument.Status.RUNNING, error="",
                                                         touched_at=timezone.now())
    # The steps, labels and chart texts are in the unit's language, whoever asked for the build.
    with translation.override(unit.language):
        _progress(document_id, 10, _("Collecting figures"))
        data_as_of = timezone.now()
        context = report_context(unit=unit, document=document)
        _progress(document_id, 40, _("Rendering the PDF"))
    pdf = render_pdf(template=context["template"], context=context, language=unit.language)
    with translation.override(unit.language):
        _progress(document_id, 85, _("Storing"))
    name = f"reports/{unit.slug}/{document.period}-v{document.version}.pdf"
    _write_atomically(Path(settings.MEDIA_ROOT) / name, pdf)
    with transaction.atomic():
        document = ReportDocument.objects.select_for_update().get(pk=document_id)
        if document.status != ReportDocument.Status.DONE:
            document.file.name = name
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.data_as_of = data_as_of
            document.figures = context.get("figures_json", {})
            document.status, document.progress, document.step = ReportDocument.Status.DONE, 100, ""
            document.finished_at = timezone.now()
            document.save()
            audit_log(user=None, unit=unit, action="report.built", obj=document)
    return document


def report_fail(*, document_id: int, error: str) -> None:
    ReportDocument.objects.filter(pk=document_id).exclude(status=ReportDocument.Status.DONE).update(
        status=ReportDocument.Status.FAILED, error=error[:300], step=""
    )


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
