"""København (004_4991f6e8c25cfe0a.txt): "Familierådgivningerne registrerer henvendelser og forløb" and
"Årlig status på Familierådgivningerne på tværs af byen … (udarbejdet af BFCK Stab)". The city-wide
status shows the units' own work — inquiries (henvendelser) and courses (forløb) — not the sessions
they do not log; every figure below is counted by hand from the rows the fixture makes."""

import datetime
import io
import re

import pytest
from django.utils import translation
from django_scopes import scope
from pypdf import PdfReader

from reporting import profiles
from reporting.selectors import organisation_columns
from sessions.models import Course, Visit
from tests import factories
from tests.conftest import logged_in
from units.models import Unit
from units.periods import Period


def visits(unit, date, count, **fields):
    Visit.objects.bulk_create([Visit(unit=unit, date=datetime.date.fromisoformat(date), **fields)
                               for _ in range(count)])


def course(unit, started, ended=None):
    Course.objects.create(unit=unit, started_on=datetime.date.fromisoformat(started),
                          ended_on=datetime.date.fromisoformat(ended) if ended else None)


@pytest.fixture
def city(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    amager, norrebro = [
        factories.unit(slug, org=org, name=name, kind=Unit.Kind.OPEN_COUNSELLING, language="da", country="DK",
                       funders=("København",))
        for slug, name in [("kbh-a", "Familierådgivningen Amager"), ("kbh-n", "Familierådgivningen Nørrebro")]]
    with scope(unit=amager):
        visits(amager, "2025-01-14", 10, channel="walk_in", topic="separation", gender="female", background="danish")
        visits(amager, "2025-03-31", 6, channel="phone", topic="upbringing", gender="male", background="non_western")
        visits(amager, "2024-02-01", 5, channel="walk_in", topic="other", gender="female", background="danish")
        course(amager, "2024-12-01", "2025-01-15")  # started before the quarter, ended in it
        course(amager, "2025-01-10", "2025-02-01")
        course(amager, "2025-03-01")  # still open
    with scope(unit=norrebro):
        visits(norrebro, "2025-02-03", 8, channel="walk_in", topic="separation", gender="female", background="danish")
        visits(norrebro, "2025-02-04", 3, channel="phone", topic="couple", gender="male", background="western")
        course(norrebro, "2025-02-02", "2025-04-10")
    return amager, norrebro


@pytest.fixture
def bfck(city):
    return logged_in(factories.user("bfck-stab", org=city[0].organisation))


def _tables(response):
    with translation.override(response["Content-Language"]):
        return {table["key"]: {str(row["label"]): row["cells"] for row in table["rows"]}
                for table in response.context["tables"]}


def test_the_city_wide_status_shows_inquiries_and_courses_registrerer_henvendelser_og_forlob(bfck, city):
    response = bfck.get("/org/kobenhavn/stats/2025-Q1/")
    assert response.status_code == 200
    tables = _tables(response)
    # Inquiries 16 + 11; courses started Amager 10 Jan and 1 Mar, Nørrebro 2 Feb; ended Amager 15 Jan
    # and 1 Feb; open at 31 Mar: Amager's of 1 Mar and Nørrebro's (ends 10 Apr). Totals are never hidden.
    assert tables["profile_figures"] == {
        "Henvendelser": [16, 11, 27], "Påbegyndte forløb": [2, 1, 3], "Afsluttede forløb": [2, 0, 2],
        "Forløb i gang ved periodens slutning": [1, 1, 2]}
    assert list(tables)[0] == "profile_figures"  # the units' own work first
    channel = tables["visits_by_channel"]
    assert channel["Åben rådgivning"][0] == 10 and channel["Telefon"][0] == 6  # Amager: nothing small
    # Nørrebro's 3 phone inquiries are a small count; the city cell with a hidden part is hidden too.
    assert channel["Telefon"][1:] == ["<5", ".."]
    assert channel["I alt"] == [16, 11, 27]
    assert tables["visits_by_gender"]["Kvinde"][0] == 10 and tables["visits_by_gender"]["Mand"][1] == "<5"
    assert tables["visits_by_background"]["Dansk oprindelse"][0] == 10
    assert "visits_by_topic" in tables and "visits_by_child_age_band" in tables
    # No sessions are logged: the session figures are left out of the page, not shown as zeros.
    assert "key_figures" not in tables and "sessions_by_format" not in tables


def test_an_empty_period_shows_no_table_of_zeros_but_the_export_keeps_every_row(bfck, city):
    response = bfck.get("/org/kobenhavn/stats/2023-Q1/")
    assert response.status_code == 200 and response.context["tables"] == []
    lines = bfck.get("/org/kobenhavn/stats/2023-Q1/?export=csv").content.decode("utf-8-sig").splitlines()
    assert "Henvendelser og forløb;Henvendelser;0;0;0" in lines
    assert "Henvendelser efter kanal;Telefon;0;0;0" in lines
    assert "Nøgletal;Gennemførte samtaler;0;0;0" in lines  # the columns are the same every period


def test_the_export_carries_the_inquiry_breakdowns_suppressed(bfck, city):
    lines = bfck.get("/org/kobenhavn/stats/2025-Q1/?export=csv").content.decode("utf-8-sig").splitlines()
    assert "Henvendelser og forløb;Henvendelser;16;11;27" in lines
    assert "Henvendelser efter kanal;Telefon;6;<5;.." in lines


def test_the_status_pdf_opens_with_the_citys_inquiries_and_courses_against_the_year_before(bfck, city):
    response = bfck.get("/org/kobenhavn/reports/2025/status.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    # 2025: inquiries 16 + 11 = 27 against 5 in 2024: +440,0 %; courses started 2 + 1 = 3 against 1:
    # +200,0 %; ended 2 + 1 (Nørrebro's on 10 Apr) = 3 against none: no percentage.
    assert re.search(r"Henvendelser\s+16\s+11\s+27\s+5\s+\+440,0\s*%", text), text[:2000]
    assert re.search(r"Påbegyndte\s+forløb\s+2\s+1\s+3\s+1\s+\+200,0\s*%", text), text[:2000]
    assert re.search(r"Afsluttede\s+forløb\s+2\s+1\s+3\s+0\s+–", text), text[:2000]
    assert "Gennemførte samtaler" not in text  # no sessions logged: no table of zeros


def test_the_headline_function_of_page_and_pdf_counts_by_hand(city):
    org = city[0].organisation
    units, current = organisation_columns(org, Period(2025, "year"))
    _units, earlier = organisation_columns(org, Period(2024, "year"), units=units)
    with translation.override("da"):
        headline = profiles.organisation_headline([unit.kind for unit in units], current, earlier)
        rows = {str(row["label"]): (row["cells"], row["current"], row["earlier"], row["change"])
                for row in headline["rows"]}
    assert rows["Henvendelser"] == ([16, 11], 27, 5, profiles.change_percent(27, 5))
    assert str(rows["Henvendelser"][3]) == "440.0"
    assert rows["Afsluttede forløb"][3] is None  # from nothing, a change is not a percentage
    assert "<svg" in str(headline["chart"])
    # An empty year: zeros, no change, and the chart says there is nothing to draw.
    _units, empty = organisation_columns(org, Period(2020, "year"), units=units)
    nothing = profiles.organisation_headline([unit.kind for unit in units], empty, empty)
    assert [row["current"] for row in nothing["rows"]] == [0, 0, 0]
    assert all(row["change"] is None for row in nothing["rows"])


def test_a_mixed_organisation_adds_only_the_units_that_have_the_figure(city):
    org = city[0].organisation
    factories.unit("kbh-x", org=org, name="Familjerådgivningen X", kind=Unit.Kind.FAMILY_COUNSELLING,
                   funders=("København",))
    units, columns = organisation_columns(org, Period(2025, "quarter", 1))
    tables = {table["key"]: table for table in profiles.organisation_tables(columns, [unit.kind for unit in units])}
    inquiries = next(row for row in tables["profile_figures"]["rows"] if row["key"] == "visits.total")
    # Units in name order: Amager, Nørrebro, X (no inquiries in its profile), then the city.
    assert inquiries["cells"] == [16, 11, None, 27]
    assert profiles.organisation_total([None, None]) is None
    assert profiles.organisation_total([7, "<5"]) == ".."


def test_unit_staff_and_other_administrators_get_404_on_the_status(city, oscar_client):
    staff = logged_in(factories.user("mette", unit=city[0], role="chief"))
    assert staff.get("/org/kobenhavn/stats/2025-Q1/").status_code == 404
    assert staff.get("/org/kobenhavn/reports/2025/status.pdf").status_code == 404
    assert oscar_client.get("/org/kobenhavn/reports/2025/status.pdf").status_code == 404
