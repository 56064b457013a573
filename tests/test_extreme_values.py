"""Every URL pattern with extreme values in its parameters — years 0, 1 and 9999, months at
the ends of the calendar, ids beyond any row and beyond a 64-bit integer, long tokens — as
the people who may open the page, by GET and by POST: a 404 or a clear page, never a 500."""

import itertools

import pytest
from django.test import Client

from tests.test_tenancy import ALL_ROUTES, PARAMETER

EXTREMES = {
    "period": ["0001", "0000", "9999", "9999-Q4", "0001-Q1", "9999-T3", "0001-H1", "2025-Q4"],
    "month": ["0001-01", "0000-01", "9999-12", "2025-12"],
    "year": ["0001", "0000", "9999", "99999", "0"],
    "int": ["0", "99999", "2147483648", "9223372036854775807", "9223372036854775808", "99999999999999999999"],
    "str": ["0", "x" * 300, "00000000-0000-0000-0000-000000000000", "%C3%A5"],
}
CONVERTER_FOR_NAME = {"yyyy_mm": "month", "yyyy": "year", "period": "period"}


def _values(converter, name):
    kind = CONVERTER_FOR_NAME.get(converter) or ("year" if name == "year" else None) or converter or "str"
    return EXTREMES.get(kind, EXTREMES["str"])


def _urls(route, **fixed):
    """The route with every combination of extreme values (the fixed slugs kept)."""
    parameters = [match for match in PARAMETER.finditer(route) if match.group("name") not in fixed]
    choices = [_values(match.group("converter"), match.group("name")) for match in parameters]
    for combination in itertools.product(*choices):
        values = dict(zip((match.group("name") for match in parameters), combination, strict=True))
        values.update(fixed)
        yield "/" + PARAMETER.sub(lambda match, values=values: values[match.group("name")], route)


def _assert_no_server_error(client, urls):
    failures = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url} → {response.status_code}")
    assert not failures, "\n".join(failures)


def _client(person=None):
    client = Client(raise_request_exception=False)
    if person is not None:
        client.force_login(person)
    return client


UNIT_ROUTES = [route for route in ALL_ROUTES if route.startswith("<slug:unit_slug>/")]
ORG_ROUTES = [route for route in ALL_ROUTES if route.startswith("org/<slug:org_slug>/")]
OTHER_ROUTES = [route for route in ALL_ROUTES
                if route not in UNIT_ROUTES and route not in ORG_ROUTES and not route.startswith("admin/")]


@pytest.mark.parametrize("route", UNIT_ROUTES)
def test_unit_pages_take_extreme_values_without_a_server_error(route, anna, alice, unit_a):
    urls = list(_urls(route, unit_slug=unit_a.slug))
    _assert_no_server_error(_client(anna), urls)
    _assert_no_server_error(_client(alice), urls)


@pytest.mark.parametrize("route", ORG_ROUTES)
def test_organisation_pages_take_extreme_values_without_a_server_error(route, olga, unit_a):
    _assert_no_server_error(_client(olga), _urls(route, org_slug=unit_a.organisation.slug))


@pytest.mark.parametrize("route", OTHER_ROUTES)
def test_public_pages_take_extreme_values_without_a_server_error(route, anna, unit_a):
    urls = list(_urls(route))
    _assert_no_server_error(_client(), urls)
    _assert_no_server_error(_client(anna), urls)


@pytest.mark.parametrize("url", ["/stats/0001/", "/stats/9999-Q4/", "/billing/0001-01/", "/billing/9999-12/",
                                 "/reports/0001/"])
def test_the_years_out_of_range_are_not_found_in_a_unit(url, anna_client, unit_a):
    assert anna_client.get(f"/{unit_a.slug}{url}").status_code == 404


@pytest.mark.parametrize("year", ["0", "99999"])
def test_the_organisations_status_report_for_a_year_out_of_range_is_not_found(year, olga_client, unit_a):
    assert olga_client.get(f"/org/{unit_a.organisation.slug}/reports/{year}/status.pdf").status_code == 404
