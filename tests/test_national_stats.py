"""National yearly statistics (issue 15, part 2): hand-computed figures on a small fixture, equality
with period_stats, small-count protection of what leaves the unit, the command, the pages, roles
and tenancy."""

import io
import json

import pytest
from django.core.management import call_command
from django_scopes import scope
from openpyxl import load_workbook

from reporting import national
from reporting.indicators import period_figures
from tests import factories
from tests.stats_builders import application, case, day, session
from units.periods import Period


def national_fixture(unit):
    """Year 2025 (README "National yearly statistics"); the expected figures are worked out by
    hand in `EXACT` below."""
    a = application(unit, "2024-12-01", municipality="Linköping", age_band="25-34", partner_age_band="35-44",
                    relationship_type="married", relationship_length="6-10", adults=2, children_affected=1,
                    initiated_by="clients").case
    session(unit, a, "2024-12-10")
    session(unit, a, "2025-01-15")
    a.closed_on, a.closing_focus = day("2025-03-01"), "repair"
    a.save()
    b = application(unit, "2025-02-01", municipality="Linköping", age_band="-24", partner_age_band="-24",
                    relationship_type="cohabiting", relationship_length="0-1", adults=2, children_affected=0,
                    initiated_by="referral").case
    session(unit, b, "2025-02-10", format="couple")
    session(unit, b, "2025-03-10", format="couple")
    session(unit, b, "2025-04-01", status="no_show")
    c = application(unit, "2025-03-01", municipality="Finspång", age_band="45-54", relationship_type="separated",
                    relationship_length="11-20", adults=1, children_affected=2, initiated_by="clients").case
    # The held session of 5 May was in fact a no-show: its correction replaces it.
    session(unit, c, "2025-05-05", status="no_show", corrects=session(unit, c, "2025-05-05"))
    session(unit, c, "2025-06-01")
    c.closed_on, c.closing_focus = day("2025-12-01"), "separation"
    c.save()
    d = application(unit, "2025-04-01").case  # "other municipality — by exception", nothing stated
    session(unit, d, "2025-07-01")
    application(unit, "2025-05-01", municipality="Linköping", closed="2025-05-20", outcome="withdrawn")
    f = case(unit, opened="2025-08-01")  # no application
    session(unit, f, "2025-08-01")
    session(unit, None, "2025-09-01", format="group", participants=6)
    g = application(unit, "2023-01-01", municipality="Linköping").case
    session(unit, g, "2023-02-01")
    g.closed_on = day("2024-06-01")
    g.save()


def breakdown(key, **counts):
    choices, not_stated, _partition = national.BREAKDOWNS[key]
    values = {value: 0 for value in [*choices, *(["not_stated"] if not_stated else [])]}
    for name, count in counts.items():
        values[{"under_25": "-24", "b25_34": "25-34", "b35_44": "35-44", "b45_54": "45-54", "y0_1": "0-1",
                "y6_10": "6-10", "y11_20": "11-20"}.get(name, name)] = count
    return values


def figures(ongoing, started, closed, sessions, adults, children, *, bands=None, types=None, lengths=None,
            initiated=None, focus=None):
    return {
        "cases_ongoing": ongoing, "cases_started": started, "cases_closed": closed, "sessions": sessions,
        "adults": adults, "adults_by_age_band": breakdown("adults_by_age_band", **(bands or {})),
        "children_affected": children,
        "relationship_type": breakdown("relationship_type", **(types or {})),
        "relationship_length": breakdown("relationship_length", **(lengths or {})),
        "contact_initiated_by": breakdown("contact_initiated_by", **(initiated or {})),
        "closed_case_focus": breakdown("closed_case_focus", **(focus or {})),
    }


EXACT = {
    # B started (A started in 2024); A and B ongoing; A closed (repair); sessions A 15 Jan, B 10 Feb, 10 Mar.
    "Linköping": figures(2, 1, 1, 3, 2, 0, bands={"under_25": 2}, types={"cohabiting": 1}, lengths={"y0_1": 1},
                         initiated={"referral": 1}, focus={"repair": 1}),
    # C: the corrected 5 May session is not held, so it started on 1 June; closed with separation work.
    "Finspång": figures(1, 1, 1, 1, 1, 2, bands={"b45_54": 1}, types={"separated": 1}, lengths={"y11_20": 1},
                        initiated={"clients": 1}, focus={"separation": 1}),
    # D (no listed municipality) and F (no application) started; their sessions and the group session.
    "other": figures(2, 2, 0, 3, 0, 0, types={"not_stated": 2}, lengths={"not_stated": 2},
                     initiated={"not_stated": 2}),
}
TOTAL = figures(5, 4, 2, 7, 3, 2, bands={"under_25": 2, "b45_54": 1},
                types={"cohabiting": 1, "separated": 1, "not_stated": 2}, lengths={"y0_1": 1, "y11_20": 1,
                                                                                   "not_stated": 2},
                initiated={"referral": 1, "clients": 1, "not_stated": 2}, focus={"repair": 1, "separation": 1})


@pytest.fixture
def national_unit(unit_a):
    with scope(unit=unit_a):
        national_fixture(unit_a)
    return unit_a


def test_it_counts_the_survey_figures_by_hand(national_unit):
    with scope(unit=national_unit):
        exact = national.unit_figures(national_unit, 2025)
    assert exact["year"] == 2025 and exact["unit"] == "alpha"
    assert list(exact["municipalities"]) == ["Finspång", "Linköping", "other"]
    assert exact["municipalities"] == EXACT
    assert exact["total"] == TOTAL


def test_sessions_and_cases_started_equal_period_stats(national_unit):
    with scope(unit=national_unit):
        year = period_figures(unit=national_unit, period=Period(2025, "year"))
        exact = national.unit_figures(national_unit, 2025)
    assert exact["total"]["sessions"] == year["sessions_held"] == 7
    assert exact["total"]["cases_started"] == year["cases_started"] == 4


def test_an_anonymous_unit_hides_small_counts_and_never_a_total(national_unit):
    with scope(unit=national_unit):
        shown = national.unit_outside(national_unit, 2025)
    assert shown["total"]["cases_started"] == 4 and shown["total"]["sessions"] == 7
    assert shown["municipalities"]["Finspång"]["cases_started"] == "<5"
    assert shown["municipalities"]["Linköping"]["sessions"] == "<5"
    published = national.as_json(shown)
    assert published["municipalities"]["Finspång"]["cases_started"] is None
    assert "municipalities.Finspång.cases_started" in published["suppressed"]
    assert "municipalities.Finspång.cases_started" in published["suppressed_below_threshold"]
    # Zeros single out no one: shown as they are.
    assert shown["municipalities"]["other"]["cases_closed"] == 0


def test_hidden_cells_cannot_be_worked_out_from_the_published_ones():
    """One municipality with a small count beside a large one: the large one is hidden too,
    or the total minus it gives the small one away."""
    exact = {"municipalities": {"A": national._empty(), "B": national._empty()}, "total": national._empty()}
    exact["municipalities"]["A"]["sessions"] = 2
    exact["municipalities"]["B"]["sessions"] = 40
    exact["total"]["sessions"] = 42
    marks = national.hidden_cells(exact, threshold=5)
    assert marks[("municipalities", "A", "sessions")] == "<5"
    assert ("municipalities", "B", "sessions") in marks
    assert ("total", "sessions") not in marks


def test_a_case_mode_unit_leaves_its_figures_as_they_are(unit_b):
    with scope(unit=unit_b):
        the_case = application(unit_b, "2025-01-10", municipality="Stockholm", adults=1, children_affected=3).case
        session(unit_b, the_case, "2025-01-20")
        shown = national.unit_outside(unit_b, 2025)
    assert shown["municipalities"]["Stockholm"]["cases_started"] == 1
    assert shown["total"]["children_affected"] == 3


def test_the_command_prints_the_contract_keys(national_unit):
    out = io.StringIO()
    call_command("national_stats", "--year", "2025", "--unit", "alpha", stdout=out)
    printed = json.loads(out.getvalue())
    assert set(printed) >= {"year", "unit", "municipalities", "total"}
    assert printed["year"] == 2025 and printed["unit"] == "alpha"
    assert list(printed["total"]) == ["cases_ongoing", "cases_started", "cases_closed", "sessions", "adults",
                                      "adults_by_age_band", "children_affected", "relationship_type",
                                      "relationship_length", "contact_initiated_by", "closed_case_focus"]
    assert printed["total"]["sessions"] == 7


def test_the_command_writes_csv_and_xlsx(national_unit, tmp_path):
    out = io.StringIO()
    call_command("national_stats", "--year", "2025", "--unit", "alpha", "--format", "csv", stdout=out)
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    separator = ";" if ";" in lines[0] else ","
    assert lines[0].split(separator)[-1] == "Summa"
    assert any(line.startswith("Genomförda samtal") and line.endswith(f"{separator}7") for line in lines)
    target = tmp_path / "national.xlsx"
    call_command("national_stats", "--year", "2025", "--unit", "alpha", "--format", "xlsx", "--out", str(target))
    sheet = load_workbook(target).active
    assert sheet.cell(row=1, column=1).value == "Uppgift"


def test_the_command_for_an_organisation_adds_its_units(national_unit):
    other = factories.unit("alpha-two", org=national_unit.organisation)
    with scope(unit=other):
        the_case = application(other, "2025-01-10", municipality="Linköping").case
        session(other, the_case, "2025-01-20")
    out = io.StringIO()
    call_command("national_stats", "--year", "2025", "--org", "linkoping", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["organisation"] == "linkoping"
    assert printed["total"]["sessions"] == 8 and printed["total"]["cases_started"] == 5
    # A sum with a hidden part is hidden.
    assert printed["municipalities"]["Linköping"]["sessions"] is None


def test_the_command_refuses_an_unknown_unit(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no unit"):
        call_command("national_stats", "--year", "2025", "--unit", "nowhere")


# ---- pages -----------------------------------------------------------------------------


def test_the_chief_reads_the_unit_page_and_its_json(national_unit, anna_client):
    response = anna_client.get("/alpha/national/2025/")
    assert response.status_code == 200
    assert "Ärenden som påbörjats" in response.content.decode()
    data = anna_client.get("/alpha/national/2025/?export=json").json()
    assert data["unit"] == "alpha" and data["total"]["cases_started"] == 4
    assert anna_client.get("/alpha/national/2025/?export=xlsx").status_code == 200


def test_a_counsellor_may_not_open_the_unit_page(national_unit, alice_client):
    assert alice_client.get("/alpha/national/2025/").status_code == 403


def test_another_units_user_gets_404(national_unit, bob_client, oscar_client):
    assert bob_client.get("/alpha/national/2025/").status_code == 404
    assert oscar_client.get("/org/linkoping/national/2025/").status_code == 404


def test_the_administration_reads_its_organisation_page(national_unit, olga_client):
    response = olga_client.get("/org/linkoping/national/2025/")
    assert response.status_code == 200
    data = olga_client.get("/org/linkoping/national/2025/?export=json").json()
    assert data["organisation"] == "linkoping" and data["total"]["sessions"] == 7
    assert data["municipalities"]["Finspång"]["cases_started"] is None
    assert olga_client.get("/org/linkoping/national/2025/?export=csv").status_code == 200


def test_the_organisation_page_has_a_fixed_number_of_queries(national_unit, olga_client,
                                                             django_assert_max_num_queries):
    for slug in ("alpha-2", "alpha-3"):
        factories.unit(slug, org=national_unit.organisation)
    with django_assert_max_num_queries(40):
        assert olga_client.get("/org/linkoping/national/2025/").status_code == 200
