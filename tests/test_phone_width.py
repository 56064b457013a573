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


def unit_a_sessions(unit):
    from sessions.models import Session

    return Session.objects.filter(unit=unit)


def test_on_a_phone_a_rows_change_link_is_in_view_without_a_sideways_swipe(page, live_server, unit_a, anna, alice):
    """The Danish walk-through: at 390 px the session list stopped at "Deltag…" and "Ret" was
    reached only by swiping inside the table. The actions column stays at the box's right edge."""
    with scope(unit=unit_a):
        for hour in (9, 11):
            sessions_helpers.session(unit_a, date=datetime.date.today(), start_time=datetime.time(hour),
                                     counsellors=[anna, alice], logged_by=alice)
    page.set_viewport_size({"width": PHONE, "height": 844})
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/sessions/")
    box_width, table_width = page.evaluate(
        "[document.querySelector('.table-responsive').clientWidth, document.querySelector('table.actions-end')"
        ".scrollWidth]")
    assert box_width < PHONE < table_width  # the table is wider than the phone and scrolls in its box
    change = page.get_by_role("link", name=f"Ändra {datetime.date.today().isoformat()} 11:00")
    box = change.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE  # in view as the page opens
    with scope(unit=unit_a):
        later = unit_a_sessions(unit_a).get(start_time=datetime.time(11))
    change.click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/{unit_a.slug}/sessions/{later.pk}/"
