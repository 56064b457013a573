"""Issue 18, the yearly report's texts: building never loses what the chief typed, an unwritten
section is left out instead of printing a placeholder, and the page says what really happened."""

import io

import pytest
from django_scopes import scope
from pypdf import PdfReader

from reporting import services
from reporting.models import ReportDocument, ReportNarrative


def _pdf_text(document):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document.file.open("rb").read())).pages)


def _only_document(unit):
    with scope(unit=unit):
        document = ReportDocument.objects.get(unit=unit, period="2025")
        document.file.open("rb")
        return document


def test_text_typed_then_build_pressed_is_saved_and_printed(anna_client, unit_a, django_capture_on_commit_callbacks):
    # "the chief typed the summary and pressed 'Bygg rapport' … the text was gone"
    with django_capture_on_commit_callbacks(execute=True):
        response = anna_client.post(f"/{unit_a.slug}/reports/2025/build/", {
            "summary": "Fler par sökte stöd tidigt i år.", "quality_work": "", "goals": "", "development": ""})
    assert response.status_code == 302
    with scope(unit=unit_a):
        assert ReportNarrative.objects.get(unit=unit_a, year=2025).summary == "Fler par sökte stöd tidigt i år."
    assert "Fler par sökte stöd tidigt i år." in _pdf_text(_only_document(unit_a))


def test_an_unwritten_section_is_left_out_of_the_built_version(anna_client, unit_a, django_capture_on_commit_callbacks):
    # "Placeholders are printed ('Ingen text skriven.', 'Ingen sammanfattning skriven.')"
    with django_capture_on_commit_callbacks(execute=True):
        anna_client.post(f"/{unit_a.slug}/reports/2025/build/", {
            "summary": "", "quality_work": "", "goals": "Alla mål nåddes.", "development": ""})
    text = _pdf_text(_only_document(unit_a))
    assert "Alla mål nåddes." in text
    for placeholder in ("Ingen sammanfattning skriven", "Ingen text skriven", "No summary written",
                        "No text written"):
        assert placeholder not in text
    assert "Utveckling framåt" not in text  # the heading of the unwritten "Development ahead" is gone too


def test_the_build_page_names_the_empty_sections(anna_client, unit_a, anna):
    page = anna_client.get(f"/{unit_a.slug}/reports/2025/").content.decode()
    assert 'id="empty-sections"' in page and "Sammanfattning" in page
    with scope(unit=unit_a):
        services.narrative_save(unit=unit_a, year=2025, acting_user=anna, summary="S", quality_work="Q",
                                goals="G", development="D")
    assert 'id="empty-sections"' not in anna_client.get(f"/{unit_a.slug}/reports/2025/").content.decode()


def test_an_invalid_text_sent_with_build_builds_nothing(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/reports/2025/build/", {
        "summary": "Par 811218-9876 kom tillbaka", "quality_work": "", "goals": "", "development": ""})
    assert response.status_code == 200 and response.context["narrative_form"].errors["summary"]
    with scope(unit=unit_a):
        assert not ReportDocument.objects.filter(unit=unit_a).exists()
        assert not ReportNarrative.objects.filter(unit=unit_a).exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_message_says_the_version_is_built(anna_client, unit_a):
    # "The flash said 'Version 1 byggs' while the table already said 'Klar'"
    response = anna_client.post(f"/{unit_a.slug}/reports/2025-Q1/build/", follow=True)
    page = response.content.decode()
    assert "Version 1 är klar." in page and "byggs" not in page


def test_the_build_steps_are_recorded_in_the_units_language(unit_a, anna, monkeypatch):
    # "The build steps of a Swedish unit read 'Collecting figures / Rendering the PDF / Storing'"
    steps = []
    recorded = services._progress
    monkeypatch.setattr(services, "_progress", lambda pk, percent, step: (steps.append(str(step)),
                                                                          recorded(pk, percent, step)))
    with scope(unit=unit_a):
        document = services.report_request(unit=unit_a, period="2025-Q1", acting_user=anna, enqueue=False)
        services.report_build(unit=unit_a, document_id=document.pk)
    assert steps == ["Hämtar siffror", "Skapar PDF", "Sparar"], steps


def test_an_administrator_reads_no_submitted_version_yet(olga_client, unit_a, anna):
    with scope(unit=unit_a):
        services.report_request(unit=unit_a, period="2025", acting_user=anna, enqueue=False)
    page = olga_client.get(f"/{unit_a.slug}/reports/2025/").content.decode()
    assert "Ingen inlämnad version ännu." in page
