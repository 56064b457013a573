"""Background imports: the task takes the job's id, finds its unit and runs it in the unit's scope."""

import logging

from celery import shared_task
from django.utils.translation import gettext as _
from django_scopes import scope

from units.access import owning_unit
from units.models import Unit

from .models import ImportJob
from .services import forget_unconfirmed_files, job_fail, job_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> None:
    unit = owning_unit(ImportJob, job_id)
    if unit is None:
        return
    with scope(unit=unit):
        try:
            job_run(unit=unit, job_id=job_id)
        except Exception as error:  # a deterministic failure must not loop: show it and offer a new upload
            logger.exception("import %s failed", job_id)
            job_fail(job_id=job_id, error=_("The import failed: %s") % error.__class__.__name__)


@shared_task
def forget_unconfirmed_import_files() -> int:
    """Every hour (Celery beat): each unit's checked files never confirmed for a day are deleted —
    not only when the unit uploads its next file, which may never come."""
    forgotten = 0
    for unit in Unit.objects.all():
        with scope(unit=unit):
            forgotten += forget_unconfirmed_files(unit=unit)
    return forgotten
