"""Tenancy guards that cover every page, present and future: the URL resolver is walked,
so a new view is checked the moment its pattern is added."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import ScopeError, scope

from sessions.models import Case

SAMPLE_VALUES = {"period": "2025-Q1", "month": "2025-03", "year": "2025"}
CONVERTER_SAMPLES = {"int": "1", "slug": "x", "str": "x", "uuid": "00000000-0000-0000-0000-000000000001",
                     "path": "x"}
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route, **fixed):
    def value(match):
        name, converter = match.group("name"), match.group("converter") or "str"
        return fixed.get(name) or SAMPLE_VALUES.get(name) or CONVERTER_SAMPLES[converter]

    return "/" + PARAMETER.sub(value, route)


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
UNIT_ROUTES = [route for route in ALL_ROUTES if route.startswith("<slug:unit_slug>/")]
ORG_ROUTES = [route for route in ALL_ROUTES if route.startswith("org/<slug:org_slug>/")]


def test_the_walk_finds_the_unit_and_organisation_pages():
    assert "<slug:unit_slug>/" in UNIT_ROUTES
    assert "org/<slug:org_slug>/" in ORG_ROUTES


@pytest.mark.parametrize("route", UNIT_ROUTES)
def test_unit_page_is_404_for_a_user_of_another_unit(route, bob_client, unit_a):
    url = _fill(route, unit_slug=unit_a.slug)
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {}).status_code == 404


@pytest.mark.parametrize("route", UNIT_ROUTES)
def test_unit_page_is_404_for_an_administrator_of_another_organisation(route, oscar_client, unit_a):
    assert oscar_client.get(_fill(route, unit_slug=unit_a.slug)).status_code == 404


@pytest.mark.parametrize("route", UNIT_ROUTES)
def test_unit_page_sends_an_anonymous_visitor_to_log_in(route, client, unit_a):
    url = _fill(route, unit_slug=unit_a.slug)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("route", UNIT_ROUTES)
def test_unknown_unit_is_404(route, alice_client):
    assert alice_client.get(_fill(route, unit_slug="no-such-unit")).status_code == 404


@pytest.mark.parametrize("route", ORG_ROUTES)
def test_organisation_page_is_404_for_another_organisations_administrator(route, oscar_client, unit_a):
    assert oscar_client.get(_fill(route, org_slug=unit_a.organisation.slug)).status_code == 404


@pytest.mark.parametrize("route", ORG_ROUTES)
def test_organisation_page_is_404_for_unit_staff(route, alice_client, unit_a):
    assert alice_client.get(_fill(route, org_slug=unit_a.organisation.slug)).status_code == 404


@pytest.mark.parametrize("route", ORG_ROUTES)
def test_organisation_page_sends_an_anonymous_visitor_to_log_in(route, client, unit_a):
    response = client.get(_fill(route, org_slug=unit_a.organisation.slug))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_opens_own_unit_and_sees_who_and_where(alice_client, unit_a):
    response = alice_client.get(f"/{unit_a.slug}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "alice" in text and unit_a.name in text and "Rådgivare" in text


def test_unit_page_speaks_the_units_language(bob_client, unit_b, db):
    from tests import factories

    dk = factories.unit("delta", org=factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK"),
                        language="da", country="DK", funders=("København",))
    mette = factories.user("mette", unit=dk, role="chief")
    from tests.conftest import logged_in

    response = logged_in(mette).get(f"/{dk.slug}/")
    assert response["Content-Language"] == "da"
    assert "Log ud" in response.content.decode()


def test_home_lists_only_the_units_one_may_open(alice_client, bob_client, unit_a, unit_b):
    alice_home = alice_client.get("/").content.decode()
    assert unit_a.name in alice_home and unit_b.name not in alice_home


def test_administrator_sees_the_units_the_organisation_runs_or_funds(olga_client, unit_a, unit_b):
    from tests import factories

    # A unit of another organisation that Linköping funds by agreement.
    funded = factories.unit("funded", org=unit_b.organisation, funders=("Linköping",))
    home = olga_client.get("/").content.decode()
    assert unit_a.name in home and funded.name in home and unit_b.name not in home
    assert olga_client.get(f"/{funded.slug}/").status_code == 200
    assert olga_client.get(f"/{unit_b.slug}/").status_code == 404


def test_querying_a_tenant_model_outside_a_scope_fails_loudly(unit_a):
    with pytest.raises(ScopeError):
        list(Case.objects.all())
    with scope(unit=unit_a):
        assert list(Case.objects.all()) == []


def test_organisation_pages_speak_the_countrys_language(olga_client, unit_a):
    response = olga_client.get(f"/org/{unit_a.organisation.slug}/")
    assert response["Content-Language"] == "sv"
    assert "Logga ut" in response.content.decode()
