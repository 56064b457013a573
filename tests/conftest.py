"""Personas (STYLE.md §9): in unit `alpha` Alice the counsellor and Anna the chief;
Bob works in unit `bravo` of another organisation and should have no access to alpha;
Olga administers alpha's organisation (Linköpings kommun); Oscar administers bravo's."""

import os

import pytest
from django.test import Client
from django.utils import translation
from django_scopes import scope

from tests import factories

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: code that switches to a unit's language (a
    request, a worker task) must not decide the language of the next test's messages."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def unit_a(db):
    return factories.unit("alpha", name="Familjerådgivningen Alfa", funders=("Linköping", "Finspång"))


@pytest.fixture
def unit_b(db):
    org = factories.organisation("stockholm", "Stockholms stad", "Stockholm")
    return factories.unit("bravo", org=org, name="Familjeenheten Brava", record_mode="case",
                          period_kind="tertial", funders=("Stockholm",))


@pytest.fixture
def alice(unit_a):
    return factories.user("alice", unit=unit_a, role="counsellor")


@pytest.fixture
def anna(unit_a):
    return factories.user("anna", unit=unit_a, role="chief")


@pytest.fixture
def bob(unit_b):
    return factories.user("bob", unit=unit_b, role="counsellor")


@pytest.fixture
def olga(unit_a):
    return factories.user("olga", org=unit_a.organisation)


@pytest.fixture
def oscar(unit_b):
    return factories.user("oscar", org=unit_b.organisation)


def logged_in(person):
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def alice_client(alice):
    return logged_in(alice)


@pytest.fixture
def anna_client(anna):
    return logged_in(anna)


@pytest.fixture
def bob_client(bob):
    return logged_in(bob)


@pytest.fixture
def olga_client(olga):
    return logged_in(olga)


@pytest.fixture
def oscar_client(oscar):
    return logged_in(oscar)


@pytest.fixture
def in_unit_a(unit_a):
    with scope(unit=unit_a):
        yield unit_a


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    tab = context.new_page()
    yield tab
    context.close()


def browser_login(page, live_server, username, password=factories.PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
