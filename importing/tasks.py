"""Background imports: the task takes the job's id, finds its unit and runs it in the unit's scope."""

import logging

from celery import shared_task
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from units.models import Unit

from .models import ImportJob
from .services import job_fail, job_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> None:
    # Task loader: the id alone says nothing of the unit, so read which unit owns it.
    with scopes_disabled():
        unit_id = ImportJob.objects.filter(pk=job_id).values_list("unit_id", flat=True).first()
    if unit_id is None:
        return
    unit = Unit.objects.get(pk=unit_id)
    with scope(unit=unit):
        try:
            job_run(unit=unit, job_id=job_id)
        except Exception as error:  # a deterministic failure must not loop: show it and offer a new upload
            logger.exception("import %s failed", job_id)
            job_fail(job_id=job_id, error=_("The import failed: %s") % error.__class__.__name__)
