"""The statistics pages: who may open them, what each one sees, exports, and a fixed number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope
from openpyxl import load_workbook

from sessions.models import Session
from tests import factories
from tests.conftest import logged_in
from tests.stats_builders import case, core_fixture, session
from units.models import AuditEvent, Unit
from units.periods import Period

URL = "/alpha/stats/2025-Q1/"


@pytest.fixture
def data_a(unit_a):
    with scope(unit=unit_a):
        core_fixture(unit_a)
    return unit_a


def _table(response, key):
    table = next(table for section in response.context["sections"] for table in section["tables"]
                 if table["key"] == key)
    return {**table, "language": response["Content-Language"]}


def _cells(table):
    with translation.override(table["language"]):  # labels are lazy: read them as the page did
        return {str(row["label"]): (row["current"], row["earlier"]) for row in table["rows"]}


@pytest.mark.parametrize("person", ["alice_client", "anna_client"])
def test_unit_staff_see_exact_counts(person, data_a, request):
    response = request.getfixturevalue(person).get(URL)
    assert response.status_code == 200
    assert _cells(_table(response, "sessions_by_format"))["Familj"] == (1, 0)
    assert _cells(_table(response, "new_applications_by_municipality")) == {
        "Finspång": (2, 0), "Linköping": (4, 0), "Annan kommun (undantag)": (2, 0), "Summa": (8, 0)}
    text = response.content.decode()
    assert "Statistik kvartal 1 2025" in text and "Kvartal 1 2024" in text and "&lt;5" not in text
    assert 'fill="#333">kvartal 1 2025</text>' in text  # the chart legend names the period as the table does


def test_an_administrator_of_the_organisation_sees_suppressed_counts(olga_client, data_a):
    response = olga_client.get(URL)
    assert response.status_code == 200
    # individual 2, couple 1, family 1, group 2 of 6: all small, all hidden.
    assert _cells(_table(response, "sessions_by_format"))["Familj"] == ("<5", 0)
    # Finspång 2 and other 2 are small; Linköping 4 too — the total 8 stays.
    assert _cells(_table(response, "new_applications_by_municipality")) == {
        "Finspång": ("<5", 0), "Linköping": ("<5", 0), "Annan kommun (undantag)": ("<5", 0), "Summa": (8, 0)}
    assert _cells(_table(response, "sessions"))["Genomförda samtal"] == (6, 0)  # totals are not hidden
    assert "&lt;5" in response.content.decode()


def test_a_case_mode_unit_is_not_suppressed_for_its_administrator(oscar_client, unit_b):
    with scope(unit=unit_b):
        session(unit_b, case(unit_b), "2025-02-03")
    response = oscar_client.get(f"/{unit_b.slug}/stats/2025-T1/")
    assert response.status_code == 200
    assert _cells(_table(response, "sessions_by_format"))["Individuellt"] == (1, 0)


def test_outsiders_get_404_and_strangers_log_in(bob_client, oscar_client, client, data_a):
    assert bob_client.get(URL).status_code == 404
    assert oscar_client.get(URL).status_code == 404
    assert bob_client.get(URL + "?export=csv").status_code == 404
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.filter(action__startswith="export").exists()


@pytest.mark.parametrize("label", ["2025-Q5", "2025-T4", "2025-H3", "2025-q1", "0000", "2025-Q1-"])
def test_a_period_that_does_not_exist_is_404(label, alice_client, unit_a):
    assert alice_client.get(f"/alpha/stats/{label}/").status_code == 404


def test_the_page_opens_on_the_units_own_last_complete_period(alice_client, oscar_client, unit_a, unit_b):
    # Issue 18: "Open on the last complete period", not the running one.
    response = alice_client.get("/alpha/stats/")
    today = timezone.localdate()
    assert response.status_code == 302
    assert response["Location"] == f"/alpha/stats/{Period.containing(today, 'quarter').previous()}/"
    response = oscar_client.get(f"/{unit_b.slug}/stats/")
    assert response["Location"] == f"/{unit_b.slug}/stats/{Period.containing(today, 'tertial').previous()}/"


def test_the_page_steps_back_and_forth(alice_client, unit_a):
    text = alice_client.get(URL).content.decode()
    assert 'href="/alpha/stats/2024-Q4/"' in text and 'href="/alpha/stats/2025-Q2/"' in text
    assert 'href="/alpha/stats/2025/"' in text
    year = alice_client.get("/alpha/stats/2025/").content.decode()
    assert 'href="/alpha/stats/2024/"' in year and 'href="/alpha/stats/2025-Q1/"' in year


def test_the_page_shows_charts_with_their_tables(alice_client, data_a):
    response = alice_client.get(URL)
    text = response.content.decode()
    assert text.count("<svg") == 3  # sessions per month, waiting-time distribution, queue per month
    assert 'id="table-sessions_by_month"' in text and 'id="table-queue_by_month"' in text


def test_csv_export_by_unit_staff_is_exact_and_logged(anna_client, anna, data_a):
    response = anna_client.get(URL + "?export=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alpha-2025-Q1.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Avsnitt;Tabell;Uppgift;2025-Q1;2024-Q1"
    assert "Aktivitet;Samtal och återbud;Klienttimmar;6,33;0,00" in lines
    assert "Genomströmning;Nya ansökningar per kommun;Finspång;2;0" in lines
    event = AuditEvent.objects.get(action="export.csv")
    assert (event.user, event.unit) == (anna, data_a)


def test_xlsx_export_by_an_administrator_is_suppressed(olga_client, olga, data_a):
    response = olga_client.get(URL + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {(row[1], row[2]): row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("Nya ansökningar per kommun", "Finspång")] == "<5"
    assert rows[("Nya ansökningar per kommun", "Summa")] == 8
    assert rows[("Samtal och återbud", "Genomförda samtal")] == 6
    assert AuditEvent.objects.filter(action="export.xlsx", user=olga, unit=data_a).count() == 1


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_does_a_fixed_number_of_queries_whatever_the_data(alice_client, unit_a):
    with scope(unit=unit_a):
        for index in range(3):
            session(unit_a, case(unit_a), f"2025-01-{index + 1:02d}")
    few = _page_queries(alice_client, URL)
    with scope(unit=unit_a):
        cases = [case(unit_a) for _ in range(30)]
        Session.objects.bulk_create([
            Session(unit=unit_a, case=cases[index % 30], date=Period.parse("2025-Q1").start.replace(
                month=1 + index % 3, day=1 + index % 28), minutes=45 + index % 60, format="couple")
            for index in range(300)])
        core_fixture(unit_a)
    many = _page_queries(alice_client, URL)
    assert few == many
    # 25, then (issue 16) the concern reports, the closed cases' effort and the hand-overs per
    # provider of each period: one statement per figure and period.
    assert many <= 31


@pytest.mark.parametrize("kind", list(Unit.Kind))
def test_every_profile_renders(kind, db):
    unit = factories.unit(f"k-{kind.value[:8]}", kind=kind, record_mode="case", period_kind="tertial")
    chief = factories.user(f"chief-{kind.value[:8]}", unit=unit, role="chief")
    with scope(unit=unit):
        session(unit, case(unit, closed_on="2025-02-01"), "2025-01-10")
    response = logged_in(chief).get(f"/{unit.slug}/stats/2025-T1/")
    assert response.status_code == 200
    assert [section["key"] for section in response.context["sections"]]


def test_menu_links_to_the_statistics(alice_client, unit_a):
    assert 'href="/alpha/stats/"' in alice_client.get("/alpha/").content.decode()


def test_an_outsiders_page_does_a_fixed_number_of_queries_whatever_the_data(olga_client, unit_a):
    # Two years of the unit's own periods and the year, computed once each, whatever is in them.
    few = _page_queries(olga_client, URL)
    with scope(unit=unit_a):
        core_fixture(unit_a)
        cases = [case(unit_a) for _ in range(20)]
        Session.objects.bulk_create([Session(unit=unit_a, case=cases[index % 20], date=Period.parse("2025-Q1").start
                                             .replace(month=1 + index % 12, day=1 + index % 28), minutes=60,
                                             format="couple") for index in range(200)])
    many = _page_queries(olga_client, URL)
    assert few == many
    assert many <= 10 * 25
