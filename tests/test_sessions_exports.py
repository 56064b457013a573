"""Big session exports (issue 17): CSV is streamed above a row threshold, XLSX is built by a
worker with a progress bar; the columns and the format are the same as the small download."""

import csv
import datetime
import io
import re

import pytest
from django.db.models import F
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_scopes import scope
from openpyxl import load_workbook

from sessions import exports, tasks
from sessions.models import Session, SessionExport
from tests import factories
from tests.conftest import logged_in
from tests.sessions_helpers import case, session
from units.models import AuditEvent

DAY = datetime.date(2025, 3, 3)


def _log(unit, user, count):
    with scope(unit=unit):
        opened = case(unit, "P-2025-0042")
        for number in range(count):
            session(unit, case=opened if number % 2 else None, date=DAY - datetime.timedelta(days=number // 3),
                    start_time=None if number % 4 == 0 else datetime.time(9 + number % 3, 0),
                    status="held" if number % 5 else "no_show", counsellors=[user], logged_by=user)


def _export_built(client, unit, capture, params=None):
    """Ask for the XLSX of the session list (over BACKGROUND_ROWS: built by the worker, eagerly
    here, once the request's transaction commits): the response and the export."""
    with capture(execute=True):
        response = client.get(f"/{unit.slug}/sessions/", {"export": "xlsx", **(params or {})})
    with scope(unit=unit):
        return response, SessionExport.objects.get(unit=unit)


def _small_and_big(monkeypatch, client, url, params):
    """The same download under the threshold (one response) and over it (streamed or built)."""
    small = client.get(url, params)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)  # several keyset chunks for a few rows
    return small, client.get(url, params)


def test_a_big_csv_export_is_streamed_with_the_same_bytes(monkeypatch, alice_client, alice, unit_a):
    _log(unit_a, alice, 11)
    url = f"/{unit_a.slug}/sessions/"
    small, big = _small_and_big(monkeypatch, alice_client, url, {"export": "csv", "status": "held"})
    assert not small.streaming and isinstance(big, StreamingHttpResponse)
    assert big["Content-Disposition"] == f'attachment; filename="sessions-{unit_a.slug}.csv"'
    streamed = b"".join(big.streaming_content)
    assert streamed == small.content
    rows = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 8 and rows[0][:3] == ["Datum", "Start", "Minuter"]
    assert AuditEvent.objects.filter(action="export.csv", user=alice).count() == 2


def test_a_big_xlsx_export_is_built_in_the_background_and_downloaded_when_done(
        monkeypatch, alice_client, alice, unit_a, django_capture_on_commit_callbacks):
    _log(unit_a, alice, 11)
    url = f"/{unit_a.slug}/sessions/"
    small = alice_client.get(url, {"export": "xlsx", "format": "couple"})
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)
    response, job = _export_built(alice_client, unit_a, django_capture_on_commit_callbacks, {"format": "couple"})
    assert response.status_code == 302 and response["Location"] == f"/{unit_a.slug}/sessions/exports/{job.pk}/"
    assert (job.status, job.progress, job.rows, job.query) == ("done", 100, 11, "format=couple")
    status = alice_client.get(f"/{unit_a.slug}/sessions/exports/{job.pk}/status/").json()
    assert status["download_url"] == f"/{unit_a.slug}/sessions/exports/{job.pk}/download/"
    page = alice_client.get(response["Location"]).content.decode()
    assert status["download_url"] in page
    download = alice_client.get(status["download_url"])
    assert download["Content-Disposition"] == f'attachment; filename="sessions-{unit_a.slug}.xlsx"'
    built = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    before = load_workbook(io.BytesIO(small.content)).active
    # The same sheet: the same cells, header in bold, frozen under it, the same column widths.
    assert [[cell.value for cell in row] for row in built.iter_rows()] == \
        [[cell.value for cell in row] for row in before.iter_rows()]
    assert built.max_row == 12 and built["A1"].font.bold and built.freeze_panes == "A2"
    assert {key: dim.width for key, dim in built.column_dimensions.items()} == \
        {key: dim.width for key, dim in before.column_dimensions.items()}
    assert built.title == before.title == f"sessions-{unit_a.slug}"
    assert AuditEvent.objects.filter(action="export.xlsx", user=alice).count() == 2


def test_an_export_is_its_requesters_own(monkeypatch, alice_client, anna, alice, unit_a,
                                        django_capture_on_commit_callbacks):
    _log(unit_a, alice, 3)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)
    _response, job = _export_built(alice_client, unit_a, django_capture_on_commit_callbacks)
    chief = logged_in(anna)
    for path in ("", "status/", "download/"):
        assert chief.get(f"/{unit_a.slug}/sessions/exports/{job.pk}/{path}").status_code == 404
        assert alice_client.get(f"/{unit_a.slug}/sessions/exports/{job.pk}/{path}").status_code == 200


def test_a_new_export_replaces_the_requesters_finished_one(monkeypatch, alice_client, alice, unit_a,
                                                           django_capture_on_commit_callbacks):
    _log(unit_a, alice, 3)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            alice_client.get(f"/{unit_a.slug}/sessions/", {"export": "xlsx"})
    with scope(unit=unit_a):
        assert SessionExport.objects.filter(unit=unit_a).count() == 1


def test_a_failed_build_says_so_and_keeps_no_file(monkeypatch, alice_client, alice, unit_a,
                                                  django_capture_on_commit_callbacks):
    _log(unit_a, alice, 3)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)

    def broken(_session):
        raise ValueError("broken row")

    monkeypatch.setattr(exports, "export_row", broken)
    response, job = _export_built(alice_client, unit_a, django_capture_on_commit_callbacks)
    assert (job.status, bool(job.file)) == ("failed", False)
    assert "ValueError" in alice_client.get(response["Location"]).content.decode()
    assert alice_client.get(f"/{unit_a.slug}/sessions/exports/{job.pk}/download/").status_code == 404


def test_the_rows_are_read_chunk_by_chunk_in_the_lists_order(monkeypatch, alice, unit_a):
    _log(unit_a, alice, 10)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)
    with scope(unit=unit_a):
        sessions = Session.objects.filter(unit=unit_a)
        from sessions import selectors

        expected = [exports.export_row(each) for each in selectors.session_rows(sessions)]
        assert list(exports.export_rows(sessions)) == expected and len(expected) == 10


def test_with_the_broker_down_an_export_fails_at_once_and_says_so(monkeypatch, alice_client, alice, unit_a,
                                                                  django_capture_on_commit_callbacks):
    """Issue 17: never an export "queued" for ever because the broker was down when it was asked for."""
    import kombu.exceptions

    from sessions import tasks

    _log(unit_a, alice, 3)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)

    def unreachable(*_args):
        raise kombu.exceptions.OperationalError("connection refused")

    monkeypatch.setattr(tasks.build_session_export, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.get(f"/{unit_a.slug}/sessions/", {"export": "xlsx"})
    assert response.status_code == 302
    with scope(unit=unit_a):
        job = SessionExport.objects.get(unit=unit_a)
    assert (job.status, bool(job.file)) == ("failed", False)
    assert "bakgrundstjänsten går inte att nå" in alice_client.get(response["Location"]).content.decode()


def test_an_export_whose_filter_no_longer_holds_fails_instead_of_writing_every_session(
        monkeypatch, alice_client, alice, unit_a, django_capture_on_commit_callbacks):
    from units.models import Membership

    _log(unit_a, alice, 3)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)
    with django_capture_on_commit_callbacks() as callbacks:
        alice_client.get(f"/{unit_a.slug}/sessions/", {"export": "xlsx", "counsellor": str(alice.pk)})
    Membership.objects.filter(user=alice, unit=unit_a).delete()  # the counsellor left before the worker ran
    for callback in callbacks:
        callback()
    with scope(unit=unit_a):
        job = SessionExport.objects.get(unit=unit_a)
    assert (job.status, bool(job.file), job.rows) == ("failed", False, 0)
    assert job.error == ("Exportens filter gäller inte längre (en rådgivare har slutat eller en grupp har tagits "
                         "bort). Välj filtret igen och be om en ny export.")


# --- a build that outlasts the broker's visibility timeout, a dead worker, old files ------------

def _queued(unit, user, **fields):
    with scope(unit=unit):
        return SessionExport.objects.create(unit=unit, requested_by=user, query="", **fields)


def test_a_message_delivered_again_while_the_first_build_is_alive_writes_no_second_file(alice, unit_a):
    """Redis hands an unacknowledged message to another worker after 30 s; a big export takes
    minutes: the second delivery finds the build alive (its last chunk recent) and leaves it."""
    _log(unit_a, alice, 3)
    job = _queued(unit_a, alice, status="running", progress=40, touched_at=timezone.now())
    tasks.build_session_export(job.pk)
    with scope(unit=unit_a):
        job.refresh_from_db()
    assert (job.status, job.progress, job.file.name) == ("running", 40, "")


def test_a_build_silent_for_the_stale_time_is_queued_again_and_ends_in_one_file(settings, alice, unit_a):
    """Its worker died after the second delivery had been dropped: the minute sweep queues it."""
    _log(unit_a, alice, 3)
    silent = timezone.now() - datetime.timedelta(seconds=settings.REPORT_BUILD_STALE_SECONDS + 1)
    dead = _queued(unit_a, alice, status="running", progress=40, touched_at=silent)
    alive = _queued(unit_a, alice, status="running", progress=40, touched_at=timezone.now())
    finished = _queued(unit_a, alice, status="failed", touched_at=silent)
    assert tasks.requeue_stale_exports() == [dead.pk]
    with scope(unit=unit_a):
        dead.refresh_from_db()
        alive.refresh_from_db()
        finished.refresh_from_db()
    assert (dead.status, dead.rows) == ("done", 3) and dead.file.name
    assert (alive.status, finished.status) == ("running", "failed")
    assert tasks.requeue_stale_exports() == []


@pytest.fixture
def own_media(settings, tmp_path):
    """A media folder of the test's own: the purge also deletes old unnamed files under exports/."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*.xlsx"))


def test_exports_older_than_a_day_are_deleted_with_their_files(monkeypatch, own_media, alice_client, alice, unit_a,
                                                               django_capture_on_commit_callbacks):
    """A file is a download, not an archive: it must not keep sessions that retention removed."""
    _log(unit_a, alice, 3)
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 2)
    _response, old = _export_built(alice_client, unit_a, django_capture_on_commit_callbacks)
    stuck = _queued(unit_a, alice)
    assert old.status == "done" and _files(own_media) == [old.file.name]
    assert exports.purge_old(now=timezone.now() + datetime.timedelta(hours=23)) == 0
    assert tasks.purge_old_exports.apply(kwargs={}).get() == 0
    a_day_on = timezone.now() + datetime.timedelta(hours=exports.KEEP_HOURS, minutes=1)
    assert exports.purge_old(now=a_day_on) == 1  # the finished one; the one still queued fails first
    assert _files(own_media) == []
    with scope(unit=unit_a):
        assert not SessionExport.objects.filter(pk=old.pk).exists()
        stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "Exporten blev inte skriven inom ett dygn.")  # the unit's language
    assert exports.purge_old(now=a_day_on) == 1
    assert alice_client.get(f"/{unit_a.slug}/sessions/exports/{old.pk}/").status_code == 404


def _build_interrupted(monkeypatch, unit, job, interruption):
    """Build `job`, with `interruption` happening after the workbook is written and before the row is."""
    written = exports.xlsx_write

    def write_then_interrupt(*args, **kwargs):
        rows = written(*args, **kwargs)
        interruption()
        return rows

    monkeypatch.setattr(exports, "xlsx_write", write_then_interrupt)
    with scope(unit=unit):
        exports.export_build(unit=unit, job_id=job.pk)
        job.refresh_from_db()
    return job


def test_a_silent_build_taken_over_by_a_new_attempt_leaves_no_file_of_its_own(monkeypatch, own_media, alice,
                                                                               unit_a):
    """The sweep queued it again and another worker claimed it: the old build's file must not stay."""
    _log(unit_a, alice, 3)
    job = _queued(unit_a, alice)

    def taken_over():
        SessionExport.objects.filter(pk=job.pk).update(attempt=F("attempt") + 1)

    job = _build_interrupted(monkeypatch, unit_a, job, taken_over)
    assert (job.status, job.file.name, _files(own_media)) == ("running", "", [])


def test_a_build_still_running_when_its_export_is_purged_leaves_no_file(monkeypatch, own_media, alice, unit_a):
    _log(unit_a, alice, 3)
    job = _queued(unit_a, alice)
    a_day_on = timezone.now() + datetime.timedelta(hours=exports.KEEP_HOURS, minutes=1)
    job = _build_interrupted(monkeypatch, unit_a, job, lambda: exports.purge_old(now=a_day_on))
    assert (job.status, _files(own_media)) == ("failed", [])
    assert exports.purge_old(now=a_day_on) == 1


def test_an_export_whose_builds_died_three_times_fails_saying_so(settings, alice, unit_a):
    silent = timezone.now() - datetime.timedelta(seconds=settings.REPORT_BUILD_STALE_SECONDS + 1)
    job = _queued(unit_a, alice, status="running", touched_at=silent, attempt=exports.MAX_ATTEMPTS)
    tasks.build_session_export(job.pk)
    with scope(unit=unit_a):
        job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Exporten avbröts 3 gånger innan den blev skriven. Be om en mindre "
                                              "(en kortare period) eller kontakta plattformens administratör.")


def test_a_file_no_export_names_goes_once_a_day_old(own_media, unit_a):
    folder = own_media / "exports" / str(unit_a.pk)
    folder.mkdir(parents=True)
    (folder / "left-behind.xlsx").write_bytes(b"PK")
    exports.purge_old(now=timezone.now() + datetime.timedelta(hours=1))
    assert _files(own_media) == [f"exports/{unit_a.pk}/left-behind.xlsx"]
    exports.purge_old(now=timezone.now() + datetime.timedelta(hours=exports.KEEP_HOURS, minutes=1))
    assert _files(own_media) == []


def test_the_row_links_follow_the_script_prefix_and_any_slug():
    from django.urls import set_script_prefix

    from sessions.templatetags.counselling import _url

    try:
        set_script_prefix("/familjestod/")
        assert _url("session_edit", "enhet-2147483647", 7) == "/familjestod/enhet-2147483647/sessions/7/"
    finally:
        set_script_prefix("/")
    assert _url("session_edit", "enhet-2147483647", 7) == "/enhet-2147483647/sessions/7/"


def test_the_list_and_the_export_name_a_sessions_counsellors_in_username_order(alice_client, alice, anna, unit_a):
    """The names come with the rows' own query (no prefetch): the same in the list and the file,
    in the usernames' order however they were added; a session nobody is named on shows none."""
    with scope(unit=unit_a):
        ulla = factories.user("ulla", unit=unit_a, role="counsellor")
        shared = session(unit_a, date=DAY, start_time=datetime.time(10, 0), counsellors=[ulla, alice, anna])
        unnamed = session(unit_a, date=DAY, start_time=datetime.time(9, 0))
    listed = alice_client.get(f"/{unit_a.slug}/sessions/").content.decode()
    counsellor_cells = {int(pk): re.findall(r"<td[^>]*>(.*?)</td>", row)[7] for pk, row in  # the 8th column
                        re.findall(r'<tr id="session-(\d+)">(.*?)</tr>', listed)}
    assert counsellor_cells == {shared.pk: "alice, anna, ulla", unnamed.pk: "–"}
    rows = list(csv.reader(io.StringIO(alice_client.get(f"/{unit_a.slug}/sessions/", {"export": "csv"}).content
                                       .decode("utf-8-sig")), delimiter=";"))
    names = rows[0].index("Rådgivare")
    assert [row[names] for row in rows[1:]] == ["alice, anna, ulla", ""]
