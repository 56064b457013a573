import hashlib
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django_scopes import scope
from pypdf import PdfReader

from reporting import services
from reporting.models import ReportDocument
from reporting.services import narrative_save, report_request, report_retry, report_submit
from units.models import AuditEvent


@pytest.fixture
def build(unit_a, anna, django_capture_on_commit_callbacks):
    """Request a build and run it the way a worker would (eagerly, after commit)."""

    def run(period="2025"):
        with scope(unit=unit_a), django_capture_on_commit_callbacks(execute=True):
            document = report_request(unit=unit_a, period=period, acting_user=anna)
        with scope(unit=unit_a):
            document.refresh_from_db()
        return document

    return run


def pdf_text(document):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document.file.open("rb").read())).pages)


def test_a_build_stores_a_pdf_with_its_sha256_and_who_asked(build, unit_a, anna):
    document = build()
    assert document.status == "done" and document.progress == 100
    content = (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert document.requested_by == anna and document.data_as_of is not None
    text = pdf_text(document)
    assert unit_a.name in text and "2025" in text
    assert AuditEvent.objects.filter(unit=unit_a, action="report.built", object_id=str(document.pk)).exists()


def test_every_build_is_a_new_version_never_an_overwrite(build):
    first, second = build(), build()
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    assert Path(settings.MEDIA_ROOT, first.file.name).exists()


def test_building_a_finished_version_again_changes_nothing(build, unit_a):
    document = build()
    before = (Path(settings.MEDIA_ROOT) / document.file.name).stat().st_mtime_ns
    with scope(unit=unit_a):
        again = services.report_build(unit=unit_a, document_id=document.pk)
    assert again.sha256 == document.sha256
    assert (Path(settings.MEDIA_ROOT) / document.file.name).stat().st_mtime_ns == before


def test_a_failed_build_says_so_and_can_be_retried(build, unit_a, anna, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "render_pdf", broken)
    document = build()
    assert document.status == "failed" and "OSError" in document.error
    monkeypatch.undo()
    with scope(unit=unit_a), django_capture_on_commit_callbacks(execute=True):
        report_retry(unit=unit_a, document=document, acting_user=anna)
    with scope(unit=unit_a):
        document.refresh_from_db()
    assert (document.status, document.version) == ("done", 1)


def test_a_submitted_version_is_immutable(build, unit_a, anna):
    document = build()
    with scope(unit=unit_a):
        report_submit(unit=unit_a, document=document, acting_user=anna)
        with pytest.raises(ValidationError):
            report_submit(unit=unit_a, document=document, acting_user=anna)
        with pytest.raises(ValidationError):
            report_retry(unit=unit_a, document=document, acting_user=anna)
        rebuilt = services.report_build(unit=unit_a, document_id=document.pk)
    assert rebuilt.sha256 == document.sha256 and rebuilt.submitted_at is not None


def test_narrative_rejects_identity_numbers_and_appears_in_the_pdf(build, unit_a, anna):
    with scope(unit=unit_a):
        with pytest.raises(ValidationError):
            narrative_save(unit=unit_a, year=2025, acting_user=anna, summary="Par 811218-9876 kom tillbaka")
        narrative_save(unit=unit_a, year=2025, acting_user=anna, summary="Ett år med fler par än någonsin.")
    assert "Ett år med fler par än någonsin." in pdf_text(build())


def test_chief_builds_from_the_page_and_downloads_the_pdf(anna_client, unit_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = anna_client.post(f"/{unit_a.slug}/reports/2025/build/")
    assert response.status_code == 302
    with scope(unit=unit_a):
        document = ReportDocument.objects.get(unit=unit_a, period="2025")
    status = anna_client.get(f"/{unit_a.slug}/reports/2025/{document.pk}/status/").json()
    assert status["status"] == "done" and status["download_url"].endswith("/pdf/")
    download = anna_client.get(status["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="report.download", object_id=str(document.pk)).exists()


def test_counsellor_cannot_build_or_submit(alice_client, unit_a, build):
    document = build()
    assert alice_client.post(f"/{unit_a.slug}/reports/2025/build/").status_code == 403
    assert alice_client.post(f"/{unit_a.slug}/reports/2025/{document.pk}/submit/").status_code == 403


def test_administration_sees_only_the_submitted_version(olga_client, unit_a, anna, build):
    draft, final = build(), build()
    assert olga_client.get(f"/{unit_a.slug}/reports/2025/{final.pk}/pdf/").status_code == 404
    with scope(unit=unit_a):
        report_submit(unit=unit_a, document=final, acting_user=anna)
    page = olga_client.get(f"/{unit_a.slug}/reports/2025/").content.decode()
    assert f"/reports/2025/{final.pk}/pdf/" in page and f"/reports/2025/{draft.pk}/pdf/" not in page
    assert olga_client.get(f"/{unit_a.slug}/reports/2025/{final.pk}/pdf/").status_code == 200
    assert olga_client.get(f"/{unit_a.slug}/reports/2025/{draft.pk}/pdf/").status_code == 404


def test_another_units_document_is_404(bob_client, unit_b, build):
    document = build()
    assert bob_client.get(f"/{unit_b.slug}/reports/2025/{document.pk}/pdf/").status_code == 404
    assert bob_client.get(f"/{unit_b.slug}/reports/2025/{document.pk}/status/").status_code == 404


def test_a_malformed_period_is_404(anna_client, unit_a):
    assert anna_client.get(f"/{unit_a.slug}/reports/2025-Q5/").status_code == 404


def test_organisation_lists_the_submitted_reports_of_its_units(olga_client, oscar_client, unit_a, anna, build):
    document = build()
    org = unit_a.organisation.slug
    assert "Inte inlämnad ännu" in olga_client.get(f"/org/{org}/reports/2025/").content.decode()
    with scope(unit=unit_a):
        report_submit(unit=unit_a, document=document, acting_user=anna)
    page = olga_client.get(f"/org/{org}/reports/2025/").content.decode()
    assert f"/{unit_a.slug}/reports/2025/{document.pk}/pdf/" in page
    assert oscar_client.get(f"/org/{org}/reports/2025/").status_code == 404


def test_chief_is_reminded_from_first_of_march_until_submitted(anna_client, alice_client, unit_a, anna, build,
                                                               monkeypatch):
    import datetime

    from reporting import panels

    def landing(client, today):
        monkeypatch.setattr(panels.timezone, "localdate", lambda *args, **kwargs: today)
        return client.get(f"/{unit_a.slug}/").content.decode()

    assert "31 mars" not in landing(anna_client, datetime.date(2026, 2, 28))
    assert "31 mars" in landing(anna_client, datetime.date(2026, 3, 1))
    assert "31 mars" not in landing(alice_client, datetime.date(2026, 3, 1))  # chiefs only
    document = build("2025")
    with scope(unit=unit_a):
        report_submit(unit=unit_a, document=document, acting_user=anna)
    assert "31 mars" not in landing(anna_client, datetime.date(2026, 3, 2))


def test_the_yearly_pdf_shows_the_same_sessions_held_as_period_stats(build, unit_a):
    import datetime
    import json
    import re

    from django.core.management import call_command

    from tests.sessions_helpers import case, session

    with scope(unit=unit_a):
        opened = case(unit_a)
        for day in range(1, 24):  # 23 held sessions and 2 återbud in 2025, one held in 2024
            session(unit_a, case=opened, date=datetime.date(2025, 1 + day % 12, day))
        session(unit_a, case=opened, date=datetime.date(2025, 6, 2), status="client_cancelled")
        session(unit_a, case=opened, date=datetime.date(2025, 6, 3), status="client_cancelled")
        session(unit_a, case=opened, date=datetime.date(2024, 6, 3))
    out = io.StringIO()
    call_command("period_stats", "--unit", unit_a.slug, "--period", "2025", "--format", "json", stdout=out)
    held = json.loads(out.getvalue())["sessions_held"]
    assert held == 23
    text = pdf_text(build("2025"))
    assert unit_a.name in text and "Verksamhetsberättelse 2025" in text
    # The activity table: the label, this year, then 2024 beside it.
    assert re.search(r"Genomförda samtal\s+23\s+1\b", text), text[:3000]


def test_organisation_status_report_puts_its_units_side_by_side(olga_client, oscar_client, unit_a, db):
    import datetime

    from tests import factories
    from tests.sessions_helpers import session

    sibling = factories.unit("alpha2", org=unit_a.organisation, name="Familjerådgivningen Beta")
    for unit, count in [(unit_a, 7), (sibling, 3)]:
        with scope(unit=unit):
            for day in range(1, count + 1):
                session(unit, date=datetime.date(2025, 5, day))
    response = olga_client.get(f"/org/{unit_a.organisation.slug}/reports/2025/status.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert unit_a.name in text and sibling.name in text
    # Key figures are totals, shown as they are; breakdowns of anonymous units are suppressed.
    assert re.search(r"Genomförda samtal\s+7\s+3\s+10\b", text), text
    assert AuditEvent.objects.filter(action="report.org_status", object_id=unit_a.organisation.slug).exists()
    assert oscar_client.get(f"/org/{unit_a.organisation.slug}/reports/2025/status.pdf").status_code == 404
