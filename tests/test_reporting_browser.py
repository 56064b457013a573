import re

import pytest
from django_scopes import scope

from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.stats_builders import core_fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_page_is_accessible_and_steps_by_keyboard(page, live_server, unit_a, anna):
    with scope(unit=unit_a):
        core_fixture(unit_a)
    browser_login(page, live_server, "anna")
    page.goto(f"{live_server.url}/alpha/stats/")
    assert re.search(r"/alpha/stats/\d{4}-Q[1-4]/$", page.url)  # the unit's own period: a quarter
    page.goto(f"{live_server.url}/alpha/stats/2025-Q1/")
    assert page.locator("h1").inner_text() == "Statistik kvartal 1 2025"
    assert page.locator("#table-sessions td").first.inner_text() == "6"
    assert_accessible(page)
    page.locator("a[rel=prev]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/alpha/stats/2024-Q4/")


def test_organisation_statistics_page_is_accessible(page, live_server, unit_a, olga):
    with scope(unit=unit_a):
        core_fixture(unit_a)
    browser_login(page, live_server, "olga")
    page.goto(f"{live_server.url}/org/linkoping/stats/2025-Q1/")
    assert page.locator("#table-new_applications_by_municipality").inner_text().count("<5") == 3
    assert_accessible(page)
