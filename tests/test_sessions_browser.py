import datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from sessions.models import Session
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.sessions_helpers import case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counsellor_logs_a_session_from_the_landing_page_and_sees_it_in_the_list(page, live_server, unit_a, alice):
    with scope(unit=unit_a):
        opened = case(unit_a, "P-2025-0042")
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/")
    assert_accessible(page)

    form = page.locator("form.session-form")
    form.get_by_label("Längd (minuter)").fill("75")
    form.locator("label", has_text="Par").first.click()
    form.get_by_label("Ärende").select_option(label="P-2025-0042")
    form.get_by_role("button", name="Spara samtal").click()

    page.wait_for_url(f"{live_server.url}/{unit_a.slug}/sessions/*")
    with scope(unit=unit_a):
        logged = Session.objects.get(unit=unit_a)
        opened.refresh_from_db()
    assert (logged.minutes, logged.format, logged.participants, logged.case_id) == (75, "couple", 2, opened.pk)
    assert logged.date == timezone.localdate() and list(logged.counsellors.all()) == [alice]
    assert opened.started_on == timezone.localdate()
    row = page.locator(f"#session-{logged.pk}")
    assert "P-2025-0042" in row.inner_text() and "75" in row.inner_text()
    assert "Samtalet är sparat." in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_session_form_works_from_the_keyboard_and_shows_errors_at_the_field(page, live_server, unit_a, alice):
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/sessions/new/")
    assert_accessible(page)
    page.get_by_label("Längd (minuter)").fill("90")
    # The format buttons are native radio inputs: reachable and chosen with the keyboard.
    page.locator("#id_format_3").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Spara samtal").click()
    page.wait_for_load_state()
    assert "Ange antalet deltagare" in page.locator("#div_id_participants").inner_text()
    # The cursor waits in the field to correct, not in the first field of the form.
    assert page.evaluate("document.activeElement.id") == "id_participants"
    assert_accessible(page)
    with scope(unit=unit_a):
        assert not Session.objects.filter(unit=unit_a).exists()


def test_the_tally_and_a_case_page_are_accessible(page, live_server, unit_b, bob):
    with scope(unit=unit_b):
        family = case(unit_b, "U-2025-0001", urgent=True, assigned_on=datetime.date(2025, 1, 10))
    browser_login(page, live_server, "bob")
    page.goto(f"{live_server.url}/{unit_b.slug}/visits/")
    page.get_by_role("button", name="Telefon").click()
    page.wait_for_load_state()
    assert "Kontakten är räknad." in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/{unit_b.slug}/cases/{family.pk}/")
    page.get_by_label("Person").first.select_option(label="Förälder 1")
    for item, value in zip(["Fråga 1", "Fråga 2", "Fråga 3", "Fråga 4"], ["4", "5", "5", "4"], strict=True):
        page.get_by_label(item).fill(value)
    page.get_by_role("button", name="Spara skattning").click()
    page.wait_for_load_state()
    assert page.locator("#scores svg").count() == 1
    assert_accessible(page)


def test_a_couple_session_without_a_case_is_asked_about_once(page, live_server, unit_a, alice):
    # Issue 18: "a couple or family session without a case asks once ("no case?")".
    with scope(unit=unit_a):
        case(unit_a, "P-2025-0042")
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/sessions/new/")
    form = page.locator("main form.session-form")
    form.get_by_label("Längd (minuter)").fill("60")
    form.locator("label", has_text="Par").first.click()
    form.get_by_role("button", name="Spara samtal").click()

    question = form.get_by_role("alert")
    assert "Inget ärende är valt" in question.inner_text()
    assert_accessible(page)
    with scope(unit=unit_a):
        assert not Session.objects.filter(unit=unit_a).exists()  # nothing sent yet
    question.get_by_role("button", name="Välj ett ärende").click()
    assert page.evaluate("document.activeElement.name") == "case"
    form.get_by_role("button", name="Spara samtal").click()  # asked once: the second press saves
    page.wait_for_url(f"{live_server.url}/{unit_a.slug}/sessions/*")
    with scope(unit=unit_a):
        logged = Session.objects.get(unit=unit_a)
    assert (logged.format, logged.case_id) == ("couple", None)
