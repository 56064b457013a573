"""Background work: tasks take ids, find the unit, and run the service inside its scope."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from units.access import owning_unit
from units.models import Membership, Role, Unit

from .models import ReportDocument
from .retention import purge_expired
from .schedule import annual_draft_due, period_report_due, reminder_mail_due
from .selectors import annual_report_submitted
from .services import report_build, report_fail, report_request, requeue_stale

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report_document(document_id: int) -> None:
    unit = owning_unit(ReportDocument, document_id)
    if unit is None:
        return
    with scope(unit=unit):
        try:
            report_build(unit=unit, document_id=document_id)
        except Exception as error:  # a deterministic failure must not loop: show it and offer a retry
            logger.exception("report %s failed", document_id)
            report_fail(document_id=document_id, error=_("The build failed: %s") % error.__class__.__name__)


@shared_task
def requeue_stale_reports() -> list[int]:
    """Every minute (Celery beat): versions stuck "queued" or "building" go to the workers again."""
    return requeue_stale()


@shared_task
def build_scheduled_reports() -> list[str]:
    """Daily (Celery beat): each unit's period report the day after the period ends, and a
    draft yearly report on 2 January. Idempotent: a period that has a version is skipped."""
    today = timezone.localdate()
    queued = []
    for unit in Unit.objects.all():
        due = period_report_due(today=today, period_kind=unit.period_kind)
        labels = [due.label] if due else []
        if (year := annual_draft_due(today=today)) is not None:
            labels.append(str(year))
        with scope(unit=unit):
            for label in labels:
                if not ReportDocument.objects.filter(unit=unit, period=label).exists():
                    report_request(unit=unit, period=label)
                    queued.append(f"{unit.slug}:{label}")
    return queued


@shared_task
def remind_annual_reports() -> int:
    """Daily (Celery beat): e-mail the chiefs of units whose yearly report is not submitted."""
    today = timezone.localdate()
    if not reminder_mail_due(today=today):
        return 0
    sent = 0
    year = today.year - 1
    for unit in Unit.objects.all():
        with scope(unit=unit):
            if annual_report_submitted(unit=unit, year=year):
                continue
        chiefs = [membership.user.email for membership in
                  Membership.objects.filter(unit=unit, role=Role.CHIEF).select_related("user") if membership.user.email]
        if not chiefs:
            continue
        with translation.override(unit.language):
            send_mail(
                subject=_("Annual report %(year)s: %(unit)s") % {"year": year, "unit": unit.name},
                message=_("The annual report for %(year)s is due on 31 March and is not submitted yet.")
                % {"year": year},
                from_email=None,
                recipient_list=chiefs,
            )
        sent += 1
    return sent


@shared_task
def purge_expired_nightly() -> list[str]:
    """Nightly (Celery beat): each unit's retention purge as of today (reporting.retention).
    Idempotent: a second run the same night finds nothing left to remove."""
    today = timezone.localdate()
    done = []
    for unit_id in Unit.objects.order_by("pk").values_list("pk", flat=True):
        unit = Unit.objects.get(pk=unit_id)
        with scope(unit=unit):
            result = purge_expired(unit=unit, as_of=today, today=today)
        done.append(f"{unit.slug}:{result.counts['cases']}")
    return done
