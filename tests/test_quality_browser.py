"""A client answers the survey on the public link, without logging in; the chief sees the
count rise. The public form passes the WCAG 2.1 AA check."""

import datetime

import pytest
from django_scopes import scope

from quality import services
from tests.a11y import assert_accessible
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_round(unit_a, anna):
    with scope(unit=unit_a):
        services.survey_question_add(unit=unit_a, acting_user=anna, text="Jag blev väl bemött.", kind="scale")
        services.survey_question_add(unit=unit_a, acting_user=anna, text="Samtalen hjälpte mig.", kind="scale")
        services.survey_question_add(unit=unit_a, acting_user=anna, text="Vill du säga något mer?", kind="text")
        return services.survey_round_create(unit=unit_a, acting_user=anna, title="Våren 2025",
                                            today=datetime.date(2025, 3, 1))


def test_client_answers_from_the_public_link_and_the_chief_sees_the_count_rise(browser, page, live_server, unit_a,
                                                                               open_round):
    browser_login(page, live_server, "anna")
    round_url = f"{live_server.url}/{unit_a.slug}/quality/survey/rounds/{open_round.pk}/"
    page.goto(round_url)
    assert page.locator("#response-count").inner_text() == "0 svar har kommit in."
    public_link = page.locator("#public-link").inner_text()
    assert public_link == f"{live_server.url}/s/{open_round.token}/"
    assert page.locator("img[src$='qr.svg']").evaluate("img => img.naturalWidth") > 0
    assert_accessible(page)

    # The client's own phone: a fresh browser with no log-in.
    phone = browser.new_context(locale="sv-SE")
    client_page = phone.new_page()
    client_page.goto(public_link)
    assert client_page.locator("h1").inner_text() == "Tyck till om oss"
    assert_accessible(client_page)
    client_page.get_by_label("5 – Instämmer helt").first.check()
    client_page.get_by_role("group", name="Samtalen hjälpte mig.").get_by_label("4 – Instämmer", exact=True).check()
    client_page.get_by_label("Vill du säga något mer?").fill("Tack för hjälpen")
    client_page.get_by_role("button", name="Skicka mina svar").click()
    client_page.wait_for_url(f"{live_server.url}/s/{open_round.token}/thanks/")
    assert client_page.locator("h1").inner_text() == "Tack för dina svar"
    assert_accessible(client_page)
    phone.close()

    page.reload()
    assert page.locator("#response-count").inner_text() == "1 svar har kommit in."


def test_the_public_form_shows_errors_accessibly(page, live_server, open_round):
    page.goto(f"{live_server.url}/s/{open_round.token}/")
    page.get_by_label("Vill du säga något mer?").fill("Mitt nummer är 811218-9876")
    page.get_by_role("button", name="Skicka mina svar").click()
    assert "personnummer" in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_closed_page_is_accessible(page, live_server, unit_a, anna, open_round):
    with scope(unit=unit_a):
        services.survey_round_set_open(survey_round=open_round, acting_user=anna, is_open=False)
    page.goto(f"{live_server.url}/s/{open_round.token}/")
    assert page.locator("h1").inner_text() == "Enkäten är stängd"
    assert_accessible(page)
