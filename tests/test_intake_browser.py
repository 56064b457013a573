import pytest
from django.utils import timezone, translation
from django_scopes import scope

from intake.models import IntakeSettings, NoteCode
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.intake_helpers import days_ago, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counsellor_registers_an_application_on_the_phone_and_finds_it_in_the_queue(page, live_server, unit_a,
                                                                                     alice):
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/applications/new/")
    assert_accessible(page)
    # The reason is for "other — by exception" only, and a closed choice in an anonymous unit.
    assert page.locator("#id_exception_code").is_hidden() and page.locator("#id_exception_reason").count() == 0
    page.get_by_label("Kanal").select_option(label="E-post")
    page.get_by_label("Hemkommun").select_option(label="Annan kommun – undantag")
    assert page.locator("#id_exception_code").is_visible()
    page.get_by_label("Hemkommun").select_option(label="Linköping")
    page.get_by_label("Akut kris").check()
    page.get_by_label("Antal barn").fill("2")
    page.get_by_label("Önskad kompetens").select_option(label="Våld")
    with translation.override("sv"):
        evening = str(NoteCode.EVENING.label)
    page.get_by_label(evening).check()
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_url(f"{live_server.url}/{unit_a.slug}/queue/")

    code = f"P-{timezone.localdate().year}-0001"
    assert f"Ansökan {code} registrerad." in page.locator("main").inner_text()
    row = page.locator("#queue tbody tr").first
    assert code in row.inner_text()
    for shown in ("Akut kris", "Våld", evening):
        assert shown in row.inner_text()
    assert_accessible(page)

    row.get_by_role("link", name=code).click()
    page.wait_for_url(f"{live_server.url}/{unit_a.slug}/applications/*/")
    assert_accessible(page)


def test_an_identity_number_in_the_note_is_refused_in_the_browser(page, live_server, unit_b, bob):
    # Only a case-mode unit has the free-text note.
    browser_login(page, live_server, "bob")
    page.goto(f"{live_server.url}/{unit_b.slug}/applications/new/")
    page.get_by_label("Hemkommun").select_option(label="Stockholm")
    page.locator("#id_note").fill("19811218-9876")
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state()
    assert "personnummer" in page.locator("#id_note").evaluate(
        "field => field.closest('div').parentElement.innerText")
    assert_accessible(page)


def test_the_chiefs_intake_pages_are_accessible(page, live_server, unit_a, anna, alice):
    with scope(unit=unit_a):
        IntakeSettings.objects.create(unit=unit_a, administration_name="Social- och omsorgsförvaltningen",
                                      notice_after_days=3)
        register(unit_a, received_on=days_ago(20), wanted_competence="violence")
        register(unit_a, received_on=days_ago(12), acute=True)
    browser_login(page, live_server, "anna")
    for path in ("", "queue/", "queue/months/", "queue/competences/", "queue/long-wait-notice/"):
        page.goto(f"{live_server.url}/{unit_a.slug}/{path}")
        assert_accessible(page)
    page.goto(f"{live_server.url}/{unit_a.slug}/")
    page.get_by_role("link", name="Förbered meddelande om väntetider").click()
    assert "Längsta väntetid nu (dagar): 20" in page.locator("#notice-body").input_value()
