import pytest

from tests.a11y import assert_accessible
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counsellor_logs_in_by_keyboard_and_lands_in_the_unit(page, live_server, unit_a, alice):
    page.goto(f"{live_server.url}/{unit_a.slug}/")
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    # The user name field has focus on arrival; the whole form works from the keyboard.
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/{unit_a.slug}/")
    assert page.locator("h1").inner_text() == unit_a.name
    assert "Rådgivare" in page.locator("main").inner_text()
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, live_server, unit_a, alice):
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Hoppa till huvudinnehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_home_page_is_accessible(page, live_server, unit_a, alice):
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/")
    assert unit_a.name in page.locator("main").inner_text()
    assert_accessible(page)


def test_a_form_page_starts_in_its_first_field_and_a_landing_page_does_not(page, live_server, unit_a, alice):
    # Issue 18: "Autofocus on the first field of every form; fewer tab stops before the form".
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/{unit_a.slug}/applications/new/")
    assert page.evaluate("document.activeElement.closest('main form') !== null")
    assert page.evaluate("['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement.tagName)")
    page.goto(f"{live_server.url}/{unit_a.slug}/")
    assert page.evaluate("document.activeElement === document.body")


def test_the_chiefs_menu_is_one_line_at_1280_px_and_more_opens_from_the_keyboard(page, live_server, unit_a, anna):
    # Issue 18: "the navigation wraps to three lines at 1280 px and 'Logga ut' is cut off".
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, live_server, "anna")
    page.goto(f"{live_server.url}/{unit_a.slug}/")
    bar = page.locator("nav.navbar").bounding_box()
    logout = page.get_by_role("button", name="Logga ut").bounding_box()
    assert bar["height"] < 80, bar
    assert logout["x"] + logout["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    more = page.get_by_role("button", name="Mer")
    more.focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Ny ansökan").wait_for(state="visible")
    assert_accessible(page)
