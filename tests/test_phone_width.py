"""Issue 18: "Layout: … the date field is truncated; date and code columns wrap; the billing year
table is clipped". Every page of a unit a chief opens, with rows in its lists, fits a phone
(390 px): wide tables scroll inside their own box, nothing widens the page."""

import datetime
import re

import pytest
from django_scopes import scope

from tests import intake_helpers, sessions_helpers
from tests.conftest import browser_login, logged_in
from tests.test_tenancy import UNIT_ROUTES, _fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages named by the unit, a period, a month or a year only: lists, statistics, settings, reports.
PAGE_PARAMETERS = {"unit_slug", "period", "month", "year"}
PHONE = 390


def _pages(unit):
    pages = []
    for route in UNIT_ROUTES:
        names = set(re.findall(r"<(?:[^>:]+:)?([^>]+)>", route))
        if names <= PAGE_PARAMETERS and "export" not in route and "feed" not in route:
            pages.append(_fill(route, unit_slug=unit.slug))
    return pages


def test_no_page_of_a_unit_is_wider_than_a_phone(page, live_server, unit_a, anna, alice):
    with scope(unit=unit_a):
        case = sessions_helpers.case(unit_a)
        today = datetime.date.today()
        for day in (sessions_helpers.DAY, today):
            sessions_helpers.session(unit_a, case=case, date=day, start_time=datetime.time(9),
                                     counsellors=[anna, alice])
        intake_helpers.register(unit_a, received_on=today - datetime.timedelta(days=3))
    client = logged_in(anna)
    pages = [url for url in _pages(unit_a)
             if (response := client.get(url)).status_code == 200 and response["Content-Type"].startswith("text/html")]
    assert len(pages) > 15, pages  # the walk reaches the lists, statistics, billing and settings
    pages.append(f"/{unit_a.slug}/cases/{case.pk}/")  # the case page: sessions, phases, goals, scores

    page.set_viewport_size({"width": PHONE, "height": 844})
    browser_login(page, live_server, "anna")
    too_wide = {}
    for url in pages:
        page.goto(f"{live_server.url}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            too_wide[url] = width
    assert too_wide == {}
