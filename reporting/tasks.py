"""Background work: tasks take ids, find the unit, and run the service inside its scope."""

import logging

from celery import shared_task
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from units.models import Unit

from .models import ReportDocument
from .services import report_build, report_fail

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report_document(document_id: int) -> None:
    # Task loader: the id alone says nothing of the unit, so read which unit owns it.
    with scopes_disabled():
        unit_id = ReportDocument.objects.filter(pk=document_id).values_list("unit_id", flat=True).first()
    if unit_id is None:
        return
    unit = Unit.objects.get(pk=unit_id)
    with scope(unit=unit):
        try:
            report_build(unit=unit, document_id=document_id)
        except Exception as error:  # a deterministic failure must not loop: show it and offer a retry
            logger.exception("report %s failed", document_id)
            report_fail(document_id=document_id, error=_("The build failed: %s") % error.__class__.__name__)
