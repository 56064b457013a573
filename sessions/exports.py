"""The session list's export (CSV and XLSX): one set of columns for the download in the request
and for the big export built in the background (issue 17)."""

import datetime
import logging
import tempfile
import uuid
from collections.abc import Iterator

import kombu.exceptions
import redis.exceptions
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from units.exports import xlsx_write
from units.models import Unit, job_stale_before
from units.pages import walk
from units.services import audit_log

from . import selectors
from .forms import SessionFilterForm
from .models import Session, SessionExport

logger = logging.getLogger(__name__)

# Above this many rows an XLSX export is built by a worker with a progress bar; CSV always streams.
BACKGROUND_ROWS = 5_000
CHUNK_ROWS = 2_000
KEEP_HOURS = 24  # a finished export's file is downloadable for a day (purge_old)
MAX_ATTEMPTS = 3  # builds of one export that may die before it fails


def export_headers() -> list[str]:
    return [_("Date"), _("Start"), _("Minutes"), _("Format"), _("Participants"), _("Status"), _("Case"),
            _("Counsellors"), _("Location"), _("Visit fee"), _("Constellation"), _("Activity"), _("Correction of")]


def export_row(session: Session) -> list:
    """One row of the export: a session as `selectors.session_rows` reads it."""
    return [
        session.date, session.start_time.strftime("%H:%M") if session.start_time else "", session.minutes,
        session.get_format_display(), session.participants, session.get_status_display(),
        session.case.code if session.case else "",
        session.counsellor_names or "",
        session.get_location_display(), session.get_fee_display(), session.get_constellation_display(),
        session.get_activity_display(),
        f"{session.corrects.date.isoformat()} #{session.corrects_id}" if session.corrects_id else "",
    ]


def export_rows(sessions: QuerySet) -> Iterator[list]:
    """The rows in the list's order, CHUNK_ROWS at a time by keyset: memory stays flat whatever
    the number of sessions, and no server-side cursor is held (PgBouncer, README "Scaling")."""
    for session in walk(selectors.session_rows(sessions), selectors.SESSION_ORDER, size=CHUNK_ROWS):
        yield export_row(session)


# --- the big export, built by a worker ------------------------------------------------------------

def export_request(*, unit, acting_user, query: str, fmt: str = "xlsx") -> "SessionExport":
    """A new background export of the session list filtered by `query` (the list's own query
    string); queued when the transaction commits. The requester's earlier finished files of the
    unit are removed first: an export is a download, not an archive."""
    for old in SessionExport.objects.filter(unit=unit, requested_by=acting_user).exclude(
            status__in=(SessionExport.Status.QUEUED, SessionExport.Status.RUNNING)):
        old.file.delete(save=False)
        old.delete()
    job = SessionExport.objects.create(unit=unit, requested_by=acting_user, query=query, fmt=fmt,
                                       step=_("Queued"))
    audit_log(user=acting_user, unit=unit, action=f"export.{fmt}.request", obj=job)
    transaction.on_commit(lambda: _enqueue(unit, job.pk))
    return job


def _enqueue(unit, job_id: int) -> None:
    """Hand the export to the workers. With the broker down it fails at once, saying so (it is a
    download, asked for again in a moment) — never an export "queued" for ever."""
    from .tasks import build_session_export  # the task module imports this one

    try:
        build_session_export.delay(job_id)
    except (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError):
        logger.warning("session export %s not started: the broker is unreachable", job_id, exc_info=True)
        with scope(unit=unit), translation.override(unit.language):
            export_fail(unit=unit, job_id=job_id, error=_(
                "The export could not be started: the background service is unreachable. Ask for it again in a "
                "moment."))


def _progress(job, *, progress: int, step: str) -> None:
    """A sign of life of this build (its attempt); a build that has been taken over writes nothing."""
    _this_build(job).update(progress=progress, step=step, touched_at=timezone.now())


def _this_build(job):
    return SessionExport.objects.filter(unit=job.unit, pk=job.pk, status=SessionExport.Status.RUNNING,
                                        attempt=job.attempt)


def _claim(unit, job_id: int) -> SessionExport | None:
    """The export for this worker to build (its attempt counted), or None: written already,
    failed, or being written by a live build — the broker hands a message out again when a build
    outlasts its visibility timeout (30 s; a big export takes minutes). An export whose builds
    died MAX_ATTEMPTS times (a file too big for the worker's memory, say) fails, saying so."""
    now = timezone.now()
    with transaction.atomic():
        job = SessionExport.objects.select_for_update().get(unit=unit, pk=job_id)
        if job.status in (SessionExport.Status.DONE, SessionExport.Status.FAILED):
            return None
        if job.status == SessionExport.Status.RUNNING and job.touched_at and job.touched_at > job_stale_before(now):
            return None
        if job.attempt >= MAX_ATTEMPTS:
            job.status, job.error = SessionExport.Status.FAILED, _(
                "The export stopped %(count)s times before it was written. Ask for a smaller one (a shorter "
                "period) or tell the platform's administrator.") % {"count": job.attempt}
            job.save(update_fields=["status", "error"])
            return None
        job.status, job.progress, job.touched_at = SessionExport.Status.RUNNING, 0, now
        job.attempt += 1
        job.save(update_fields=["status", "progress", "touched_at", "attempt"])
    return job


def export_build(*, unit, job_id: int) -> None:
    """Write the file: a first pass measures the columns (the sheet's widths are set before its
    rows in openpyxl's write-only mode), a second writes the rows; progress after every chunk.
    Only the build that holds the export's current attempt marks it done; a build taken over
    meanwhile deletes the file it wrote."""
    job = _claim(unit, job_id)
    if job is None:
        return
    filter_form = SessionFilterForm(QueryDict(job.query), unit=unit)
    if not filter_form.is_valid():
        # filters() of an invalid form is {} — every session of the unit: fail instead.
        export_fail(unit=unit, job_id=job.pk, error=_(
            "The export's filter no longer holds (a counsellor has left or a group has been deleted). "
            "Choose the filter again and ask for a new export."))
        return
    sessions = selectors.sessions_filtered(unit, **filter_form.filters())
    total = max(1, sessions.count())
    passes = {"measure": (0, 40, _("Measuring the columns")), "write": (40, 99, _("Writing the rows"))}

    def rows(kind):
        start, end, step = passes[kind]
        for index, row in enumerate(export_rows(sessions), start=1):
            if index % CHUNK_ROWS == 0:
                _progress(job, progress=start + (end - start) * index // total, step=step)
            yield row

    handle = tempfile.TemporaryFile()
    written = xlsx_write(handle, headers=export_headers(), rows=rows, sheet=f"sessions-{unit.slug}")
    _progress(job, progress=99, step=_("Writing the rows"))  # the workbook is saved; the file follows
    handle.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.{job.fmt}", File(handle), save=False)
    handle.close()
    if not _this_build(job).update(status=SessionExport.Status.DONE, progress=100, step="", rows=written,
                                   file=job.file.name, finished_at=timezone.now()):
        job.file.delete(save=False)  # taken over, failed or purged meanwhile: no file without its row


def export_fail(*, unit, job_id: int, error: str) -> None:
    SessionExport.objects.filter(unit=unit, pk=job_id).update(status=SessionExport.Status.FAILED, error=error[:300])


# --- the sweeps (Celery beat) ---------------------------------------------------------------------

def requeue_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Exports queued or building with no sign of life for REPORT_BUILD_STALE_SECONDS — their
    worker died, or the broker lost the message — are queued again (at most once a stale period
    each; their next build takes a new attempt, so a silent build that wakes up writes nothing):
    every export ends written or failed, never "building" for ever."""
    now = now or timezone.now()
    with scopes_disabled(), transaction.atomic():  # every unit's exports: the sweep has no unit
        stale = list(SessionExport.objects.select_for_update(skip_locked=True)
                     .filter(status__in=[SessionExport.Status.QUEUED, SessionExport.Status.RUNNING])
                     .filter(Q(touched_at__lt=job_stale_before(now)) |
                             Q(touched_at__isnull=True, created_at__lt=job_stale_before(now)))
                     .values_list("pk", "unit_id"))
        SessionExport.objects.filter(pk__in=[pk for pk, _unit in stale]).update(
            status=SessionExport.Status.QUEUED, progress=0, touched_at=now)
        units = Unit.objects.in_bulk({unit_id for _pk, unit_id in stale})
    for pk, unit_id in stale:
        _enqueue(units[unit_id], pk)
    return [pk for pk, _unit in stale]


def purge_old(*, now: datetime.datetime | None = None) -> int:
    """Exports asked for more than KEEP_HOURS ago go, file and row: a file is a download, not an
    archive, and must not keep sessions that retention (gallring) has removed. One still queued or
    building fails first (its build then deletes what it writes) and goes at the next purge; and a
    file under exports/ that no export names — its build died between the file and the row — goes
    once it is as old. Returns how many exports were deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=KEEP_HOURS)
    finished = (SessionExport.Status.DONE, SessionExport.Status.FAILED)
    with scopes_disabled(), transaction.atomic():  # every unit's exports, as the sweep above
        old = SessionExport.objects.select_for_update().filter(created_at__lt=cutoff)
        gone = list(old.filter(status__in=finished))
        unfinished = list(old.exclude(status__in=finished).values_list("pk", "unit_id"))
        languages = dict(Unit.objects.filter(pk__in={unit_id for _pk, unit_id in unfinished})
                         .values_list("pk", "language"))
        for pk, unit_id in unfinished:  # the message in the unit's language, as its page shows it
            with translation.override(languages[unit_id]):
                SessionExport.objects.filter(pk=pk).update(status=SessionExport.Status.FAILED, error=_(
                    "The export was not written within a day."))
        for job in gone:
            job.file.delete(save=False)
        SessionExport.objects.filter(pk__in=[job.pk for job in gone]).delete()
        named = set(SessionExport.objects.exclude(file="").values_list("file", flat=True))
    _delete_unnamed_files(named, cutoff)
    return len(gone)


def _delete_unnamed_files(named: set[str], cutoff: datetime.datetime) -> None:
    storage = SessionExport._meta.get_field("file").storage
    if not storage.exists("exports"):
        return
    for folder in storage.listdir("exports")[0]:
        for name in storage.listdir(f"exports/{folder}")[1]:
            path = f"exports/{folder}/{name}"
            if path not in named and storage.get_modified_time(path) < cutoff:
                storage.delete(path)
