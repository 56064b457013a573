"""Writes of an import from the browser. Thin on purpose: reading and checking the file are
units.imports (the same layer as `import_csv`), the rules are the kinds' importers.

upload → check (the preview: first rows, column mapping, every bad row; nothing written) →
confirm → import (all rows or none) → result. A file up to IMPORT_INLINE_BYTES is checked and
imported within the request; a larger one by the Celery task importing.tasks.run_import_job,
which moves the job's progress bar as a report build does."""

import datetime
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.imports import import_file
from units.models import Unit
from units.services import audit_log

from .models import ImportJob


def inline_limit() -> int:
    return getattr(settings, "IMPORT_INLINE_BYTES", 256 * 1024)


UNCONFIRMED_DAYS = 1


def forget_unconfirmed_files(*, unit: Unit) -> int:
    """Delete the stored files of checks older than a day that were never confirmed: a file
    holds the unit's records and is kept only as long as it may still be imported."""
    cutoff = timezone.now() - datetime.timedelta(days=UNCONFIRMED_DAYS)
    jobs = list(ImportJob.objects.filter(unit=unit, phase=ImportJob.Phase.CHECK, created_at__lt=cutoff)
                .exclude(file="").only("pk", "file"))
    for job in jobs:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(file="")
    return len(jobs)


def job_upload(*, unit: Unit, kind: str, upload, acting_user) -> ImportJob:
    """Store the uploaded file and start its check."""
    forget_unconfirmed_files(unit=unit)
    name = (upload.name or "").lower()
    job = ImportJob(unit=unit, kind=kind, requested_by=acting_user, size=upload.size or 0,
                    file_format="xlsx" if name.endswith(".xlsx") else "csv")
    with transaction.atomic():
        job.file.save(name or "upload.csv", upload, save=False)
        job.save()
        audit_log(user=acting_user, unit=unit, action="import.upload", obj=job)
    _dispatch(job)
    return job


def job_confirm(*, unit: Unit, job: ImportJob, acting_user) -> ImportJob:
    """Import a checked file: all rows or none."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk, unit=unit)
        if not job.checked_ok:
            raise ValidationError(_("Only a file whose check found no errors can be imported."))
        if not job.file:
            raise ValidationError(_("The file was deleted after a day without confirmation; upload it again."))
        job.phase, job.status, job.progress, job.step, job.error = (ImportJob.Phase.IMPORT, ImportJob.Status.QUEUED,
                                                                    0, "", "")
        job.confirmed_at = timezone.now()
        job.save(update_fields=["phase", "status", "progress", "step", "error", "confirmed_at"])
        audit_log(user=acting_user, unit=unit, action="import.confirm", obj=job)
    _dispatch(job)
    return job


def _dispatch(job: ImportJob) -> None:
    """After the job's row is committed: a small file right here, a large one to the worker."""
    from .tasks import run_import_job

    if job.size <= inline_limit():
        run_import_job(job.pk)  # called, not queued: within the request
    else:
        run_import_job.delay(job.pk)


class _Progress:
    """Moves the job's progress bar from inside the import's transaction: through a connection
    of its own (autocommit), so that the page polling the status sees it at once. SQLite has
    one writer at a time: there the bar moves only between the steps."""

    def __init__(self, job_id: int, phase: str):
        self.job_id, self.phase = job_id, phase
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            self.side.settings_dict = dict(connection.settings_dict)  # the test database in tests
        self.last = -1

    def __call__(self, fraction: float) -> None:
        percent = 5 + int(fraction * 85)
        if percent == self.last:
            return
        self.last = percent
        step = _("Checking rows") if self.phase == ImportJob.Phase.CHECK else _("Importing rows")
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(progress=percent, step=step)
        elif self.side is not None:
            with self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET progress = %s, step = %s WHERE id = %s",  # noqa: S608
                               [percent, step, self.job_id])
        pause = getattr(settings, "IMPORT_STEP_PAUSE_SECONDS", 0)
        if pause:
            time.sleep(pause)

    def close(self):
        if self.side is not None:
            self.side.close()


def job_run(*, unit: Unit, job_id: int) -> ImportJob:
    """Run the job's phase: check (write nothing) or import. Idempotent: a finished phase is
    left as it is."""
    job = ImportJob.objects.get(pk=job_id, unit=unit)
    if job.status == ImportJob.Status.DONE:
        return job
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING, error="", progress=5,
                                               step=_("Reading the file"))
    progress = _Progress(job_id, job.phase)
    write = job.phase == ImportJob.Phase.IMPORT
    try:
        with job.file.open("rb") as source:
            result = import_file(kind=job.kind, unit=unit, source=source, size=job.size, acting_user=job.requested_by,
                                 write=write, progress=progress)
    finally:
        progress.close()
    job.refresh_from_db()
    job.result, job.rows, job.written = result.as_json(), result.rows, result.written
    job.status, job.progress, job.step = ImportJob.Status.DONE, 100, ""
    job.finished_at = timezone.now()
    if write and not result.ok:
        # The file changed meaning since its check (a month closed, a case code taken): nothing
        # was written; the result page lists why.
        job.status, job.error = ImportJob.Status.FAILED, _("Nothing was imported: the rows are no longer valid.")
    job.save()
    if write:
        audit_log(user=job.requested_by, unit=unit, action="import.done" if result.ok else "import.refused", obj=job)
        job.file.delete(save=False)  # the data now lives in the records (or nowhere)
        ImportJob.objects.filter(pk=job.pk).update(file="")
    return job


def job_fail(*, job_id: int, error: str) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED, error=error[:300], step="")
