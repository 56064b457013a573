"""Background work: tasks take ids, find the unit, and run the job inside its scope."""

import logging

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from units.access import owning_unit

from .exports import export_build, export_fail, purge_old, requeue_stale
from .models import SessionExport

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_session_export(job_id: int) -> None:
    unit = owning_unit(SessionExport, job_id)
    if unit is None:
        return
    with scope(unit=unit), translation.override(unit.language):
        try:
            export_build(unit=unit, job_id=job_id)
        except Exception as error:  # a deterministic failure must not loop: show it; the list offers a new export
            logger.exception("session export %s failed", job_id)
            export_fail(unit=unit, job_id=job_id, error=_("The export failed: %s") % error.__class__.__name__)


@shared_task
def requeue_stale_exports() -> list[int]:
    """Every minute (Celery beat): exports whose build went silent go to the workers again."""
    return requeue_stale()


@shared_task
def purge_old_exports() -> int:
    """Every hour (Celery beat): exports older than a day are deleted, file and row."""
    return purge_old()
