"""The import page `/<unit>/import/` (the unit chief): upload, preview before anything is
written, confirm all or nothing, result; large files through the Celery task; the template;
roles and languages."""

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_scopes import scope
from openpyxl import load_workbook

from importing.models import ImportJob
from intake.models import Application
from sessions.models import Session
from tests.sessions_helpers import case, close_month
from tests.test_import_files import HEADER, ROWS, csv_bytes, xlsx_bytes
from units.models import AuditEvent

BAD = ["2025-03-06", "", "sixty", "couple", "", "held", "", "", "office", "paid"]


def url(unit, name="import", **kwargs):
    return reverse(f"importing:{name}", kwargs={"unit_slug": unit.slug, **kwargs})


@pytest.fixture
def prepared(in_unit_a, alice, anna):
    return case(in_unit_a, "P-2025-0001")


def upload(client, unit, data, *, name="sessions.csv", kind="sessions"):
    return client.post(url(unit), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def only_job(unit):
    with scope(unit=unit):
        return ImportJob.objects.get(unit=unit)


def session_count(unit):
    with scope(unit=unit):
        return Session.objects.filter(unit=unit).count()


def test_the_chief_sees_a_preview_before_anything_is_written_then_confirms(prepared, unit_a, anna_client, anna):
    swedish = ["Datum", "Start", "Minuter", "Form", "Deltagare", "Status", "Ärende", "Rådgivare", "Plats", "Avgift"]
    response = upload(anna_client, unit_a, csv_bytes(ROWS, delimiter=";", encoding="cp1252", newline="\r\n",
                                                     header=[*swedish[:-1], "Besöksavgift"]))
    job = only_job(unit_a)
    assert response.status_code == 302 and response["Location"] == url(unit_a, "job", pk=job.pk)
    page = anna_client.get(response["Location"]).content.decode()
    # The first rows as read, the column mapping, no errors — and nothing written yet.
    assert 'id="preview"' in page and "P-2025-0001" in page and "13:30" in page
    assert 'id="mapping"' in page and "<td>Ärende</td><td><code>case_code</code>" in page
    assert "windows-1252" in page
    assert session_count(unit_a) == 0 and job.checked_ok and job.rows == 2
    response = anna_client.post(url(unit_a, "confirm", pk=job.pk))
    assert response.status_code == 302
    assert session_count(unit_a) == 2
    page = anna_client.get(url(unit_a, "job", pk=job.pk)).content.decode()
    assert "2 rader importerades." in page
    job.refresh_from_db()
    assert (job.phase, job.status, job.written, job.file.name) == ("import", "done", 2, "")
    actions = list(AuditEvent.objects.filter(unit=unit_a, user=anna).order_by("at", "pk").values_list("action",
                                                                                                      flat=True))
    assert actions == ["import.upload", "import.confirm", "session.import", "case.start", "import.done"]


def test_every_bad_row_is_listed_and_the_file_cannot_be_confirmed(prepared, unit_a, anna_client):
    upload(anna_client, unit_a, csv_bytes([ROWS[0], BAD, ROWS[1], BAD]))
    job = only_job(unit_a)
    page = anna_client.get(url(unit_a, "job", pk=job.pk)).content.decode()
    assert 'id="errors"' in page and "inte ett heltal: sixty" in page
    assert [error[:2] for error in job.result["errors"]] == [[3, "minutes"], [5, "minutes"]]
    assert "Importera" not in page
    anna_client.post(url(unit_a, "confirm", pk=job.pk))
    assert session_count(unit_a) == 0
    job.refresh_from_db()
    assert job.phase == "check"


def test_a_refused_file_says_why_and_writes_nothing(prepared, unit_a, anna_client):
    upload(anna_client, unit_a, b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)), name="photo.csv")
    job = only_job(unit_a)
    page = anna_client.get(url(unit_a, "job", pk=job.pk)).content.decode()
    assert "Filen kan inte importeras." in page and "binära data" in page
    assert session_count(unit_a) == 0 and not job.checked_ok


def test_a_file_over_the_limit_is_refused_by_the_form(unit_a, anna_client, settings):
    settings.IMPORT_MAX_BYTES = 100 * 1024
    response = upload(anna_client, unit_a, csv_bytes(ROWS * 1_000))
    assert response.status_code == 200
    assert "Filen är större än 0,1 MB; dela upp den" in response.content.decode()
    with scope(unit=unit_a):
        assert not ImportJob.objects.exists()


def test_an_empty_upload_is_refused_by_the_form(unit_a, anna_client):
    response = upload(anna_client, unit_a, b"")
    assert response.status_code == 200
    with scope(unit=unit_a):
        assert not ImportJob.objects.exists()


def test_confirming_imports_all_or_nothing_when_the_rows_changed_meaning(prepared, unit_a, anna_client):
    upload(anna_client, unit_a, csv_bytes(ROWS))
    job = only_job(unit_a)
    assert job.checked_ok
    with scope(unit=unit_a):
        close_month(unit_a, datetime.date(2025, 3, 1))  # closed between the check and the confirmation
    anna_client.post(url(unit_a, "confirm", pk=job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and job.written == 0
    assert session_count(unit_a) == 0
    page = anna_client.get(url(unit_a, "job", pk=job.pk)).content.decode()
    assert "Ingenting importerades" in page and "stängd" in page


def test_a_large_file_runs_as_the_task_and_moves_the_progress(prepared, unit_a, anna_client, settings):
    settings.IMPORT_INLINE_BYTES = 0  # every file through run_import_job (in-process without a broker)
    upload(anna_client, unit_a, xlsx_bytes([[datetime.date(2025, 3, 4), datetime.time(9, 0), 60, "couple", None,
                                             "held", "P-2025-0001", "alice", None, None]] * 1_200),
           name="Sessions 2025.XLSX")
    job = only_job(unit_a)
    assert job.file_format == "xlsx" and job.file.name.endswith(".xlsx") and "Sessions" not in job.file.name
    status = anna_client.get(url(unit_a, "status", pk=job.pk)).json()
    assert (status["status"], status["phase"], status["progress"]) == ("done", "check", 100)
    anna_client.post(url(unit_a, "confirm", pk=job.pk))
    assert session_count(unit_a) == 1_200
    assert anna_client.get(url(unit_a, "status", pk=job.pk)).json()["phase"] == "import"


def test_the_template_has_the_columns_and_two_example_rows_and_imports_as_it_is(unit_a, anna_client, alice, anna):
    response = anna_client.get(url(unit_a, "template", kind="sessions"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("Datum", "Start", "Minuter", "Form", "Deltagare", "Status", "Ärende", "Rådgivare", "Plats",
                       "Besöksavgift")
    assert len(rows) == 3 and isinstance(rows[1][0], datetime.datetime)
    upload(anna_client, unit_a, response.content, name="template.xlsx")
    job = only_job(unit_a)
    assert job.checked_ok, job.result
    anna_client.post(url(unit_a, "confirm", pk=job.pk))
    assert session_count(unit_a) == 2


def test_the_applications_template_imports_as_it_is(unit_a, anna_client):
    response = anna_client.get(url(unit_a, "template", kind="applications"))
    upload(anna_client, unit_a, response.content, name="template.xlsx", kind="applications")
    job = only_job(unit_a)
    assert job.checked_ok, job.result
    anna_client.post(url(unit_a, "confirm", pk=job.pk))
    with scope(unit=unit_a):
        assert Application.objects.filter(unit=unit_a).count() == 2


def test_an_unknown_template_kind_is_404(unit_a, anna_client):
    assert anna_client.get(url(unit_a, "template", kind="visits")).status_code == 404


def test_only_the_chief_opens_the_import_pages(prepared, unit_a, anna_client, alice_client, olga_client):
    upload(anna_client, unit_a, csv_bytes(ROWS))
    job = only_job(unit_a)
    pages = [url(unit_a), url(unit_a, "job", pk=job.pk), url(unit_a, "status", pk=job.pk),
             url(unit_a, "template", kind="sessions")]
    for page in pages:
        assert anna_client.get(page).status_code == 200
        assert alice_client.get(page).status_code == 403
        assert olga_client.get(page).status_code in (403, 404)
    assert alice_client.post(url(unit_a, "confirm", pk=job.pk)).status_code == 403
    assert alice_client.post(url(unit_a), {"kind": "sessions", "file": SimpleUploadedFile("a.csv", b"x")}
                             ).status_code == 403
    assert session_count(unit_a) == 0


def test_another_units_job_is_404(prepared, unit_a, unit_b, anna_client, bob):
    from tests import factories
    from tests.conftest import logged_in

    upload(anna_client, unit_a, csv_bytes(ROWS))
    job = only_job(unit_a)
    chief_b = logged_in(factories.user("beata", unit=unit_b, role="chief"))
    for name in ("job", "status"):
        assert chief_b.get(url(unit_b, name, pk=job.pk)).status_code == 404
    assert chief_b.post(url(unit_b, "confirm", pk=job.pk)).status_code == 404
    assert session_count(unit_a) == 0


def test_the_pages_make_a_fixed_number_of_queries(prepared, unit_a, anna_client, django_assert_max_num_queries):
    for _index in range(3):
        upload(anna_client, unit_a, csv_bytes([ROWS[0], BAD] * 30))
    with scope(unit=unit_a):
        job = ImportJob.objects.filter(unit=unit_a).first()
    with django_assert_max_num_queries(12):
        assert anna_client.get(url(unit_a)).status_code == 200
    with django_assert_max_num_queries(12):
        assert anna_client.get(url(unit_a, "job", pk=job.pk)).status_code == 200


def test_the_menu_shows_import_to_the_chief_only(unit_a, anna_client, alice_client):
    assert url(unit_a) in anna_client.get(f"/{unit_a.slug}/").content.decode()
    assert url(unit_a) not in alice_client.get(f"/{unit_a.slug}/").content.decode()


def test_a_danish_unit_reads_the_page_in_danish(db):
    from tests import factories
    from tests.conftest import logged_in

    unit = factories.unit("kbh", country="DK", language="da", funders=("København",))
    client = logged_in(factories.user("dorte", unit=unit, role="chief"))
    page = client.get(url(unit)).content.decode()
    assert "Importér fra en fil" in page and "Tjek filen" in page
    with translation.override("da"):
        response = client.get(url(unit, "template", kind="sessions"))
    header = next(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert header[:3] == ("Dato", "Start", "Minutter")


def test_header_names_in_the_preview_are_the_files(prepared, unit_a, anna_client):
    upload(anna_client, unit_a, csv_bytes(ROWS, header=[name.upper() for name in HEADER]))
    page = anna_client.get(url(unit_a, "job", pk=only_job(unit_a).pk)).content.decode()
    assert "<th scope=\"col\">CASE_CODE</th>" in page


def test_an_unconfirmed_file_is_deleted_after_a_day_and_cannot_be_confirmed(prepared, unit_a, anna_client):
    upload(anna_client, unit_a, csv_bytes(ROWS))
    job = only_job(unit_a)
    path = job.file.path
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(days=2))
    upload(anna_client, unit_a, csv_bytes(ROWS[:1]))  # the next upload clears the old file
    job.refresh_from_db()
    assert not job.file and not os.path.exists(path)
    response = anna_client.post(url(unit_a, "confirm", pk=job.pk), follow=True)
    assert "Filen raderades" in response.content.decode()
    assert session_count(unit_a) == 0


def test_the_hourly_sweep_deletes_an_unconfirmed_file_when_no_next_upload_comes(prepared, unit_a, unit_b,
                                                                                  anna_client):
    """The same rule without a next upload: a unit that never uploads again keeps no file."""
    from importing.tasks import forget_unconfirmed_import_files

    upload(anna_client, unit_a, csv_bytes(ROWS))
    job = only_job(unit_a)
    path = job.file.path
    assert forget_unconfirmed_import_files() == 0 and os.path.exists(path)  # younger than a day
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(days=2))
    assert forget_unconfirmed_import_files() == 1
    job.refresh_from_db()
    assert not job.file and not os.path.exists(path)
