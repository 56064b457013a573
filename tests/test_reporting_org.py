"""`/org/<org>/stats/<period>/`: an organisation's units side by side, suppressed as they leave the units."""

import pytest
from django.utils import translation
from django_scopes import scope

from tests import factories
from tests.conftest import logged_in
from tests.stats_builders import case, session
from units.models import AuditEvent, Unit


@pytest.fixture
def copenhagen(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    units = [factories.unit(slug, org=org, name=name, kind=Unit.Kind.OPEN_COUNSELLING, language="da", country="DK",
                            funders=("København",))
             for slug, name in [("kbh-a", "Familierådgivningen Amager"), ("kbh-n", "Familierådgivningen Nørrebro")]]
    formats = [{"individual": 3, "couple": 10, "family": 0, "group": 7},
               {"individual": 6, "couple": 2, "family": 0, "group": 12}]
    for unit, counts in zip(units, formats, strict=True):
        with scope(unit=unit):
            for format, count in counts.items():
                for _ in range(count):
                    session(unit, case(unit), "2025-02-01", format=format, minutes=30)
    return units


@pytest.fixture
def city_admin(copenhagen):
    return logged_in(factories.user("karen", org=copenhagen[0].organisation))


def _rows(response, key):
    table = next(table for table in response.context["tables"] if table["key"] == key)
    with translation.override(response["Content-Language"]):  # labels are lazy: read them as the page did
        return {str(row["label"]): row["cells"] for row in table["rows"]}


def test_both_bydele_and_the_city_total(city_admin, copenhagen):
    response = city_admin.get("/org/kobenhavn/stats/2025-Q1/")
    assert response.status_code == 200
    assert response.context["headers"][1:] == ["Familierådgivningen Amager", "Familierådgivningen Nørrebro", "I alt"]
    key = _rows(response, "key_figures")
    assert key["Gennemførte samtaler"] == [20, 20, 40]
    assert key["Klienttimer"] == ["10.00", "10.00", "20.00"]
    # Amager: individual 3 hidden, its smallest partner group 7 too. Nørrebro: couple 2 hidden,
    # then individual 6. A city cell with a hidden part is hidden; the family zeros stay.
    assert _rows(response, "sessions_by_format") == {
        "Individuel": ["<5", "..", ".."], "Par": [10, "<5", ".."], "Familie": [0, 0, 0], "Gruppe": ["..", 12, ".."]}


def test_the_organisation_export_is_suppressed_and_logged(city_admin, copenhagen):
    response = city_admin.get("/org/kobenhavn/stats/2025-Q1/?export=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert "Gennemførte samtaler efter form;Individuel;<5;..;.." in lines
    assert AuditEvent.objects.filter(action="export.csv", unit=None).count() == 1


def test_the_organisation_page_opens_on_the_units_shared_period_kind(city_admin, copenhagen):
    response = city_admin.get("/org/kobenhavn/stats/")
    assert response.status_code == 302 and "-Q" in response["Location"]


def test_unit_staff_and_other_administrators_get_404(copenhagen, alice_client, oscar_client):
    staff = logged_in(factories.user("mads", unit=copenhagen[0], role="chief"))
    assert staff.get("/org/kobenhavn/stats/2025-Q1/").status_code == 404
    assert oscar_client.get("/org/kobenhavn/stats/2025-Q1/").status_code == 404


def test_a_single_unit_has_no_total_column(olga_client, unit_a):
    response = olga_client.get("/org/linkoping/stats/2025-Q1/")
    assert response.status_code == 200
    assert response.context["headers"] == ["Uppgift", unit_a.name]


def test_the_organisation_home_links_to_its_statistics(olga_client, unit_a):
    assert 'href="/org/linkoping/stats/"' in olga_client.get("/org/linkoping/").content.decode()


def test_the_organisation_page_does_a_fixed_number_of_queries_whatever_the_data(city_admin, copenhagen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert city_admin.get("/org/kobenhavn/stats/2025-Q1/").status_code == 200
        return len(captured)

    before = queries()
    for unit in copenhagen:
        with scope(unit=unit):
            for day in range(1, 28):
                session(unit, case(unit), f"2025-03-{day:02d}", format="family")
    assert queries() == before
