""""Familierådgivningernes målgruppe skal i et vist omfang afspejle befolkningssammensætningen i forhold
til etnicitet, køn mv." (004_4991f6e8c25cfe0a.txt): the organisation enters each district's population
shares per year; the statistics set each unit's inquiries against them. Figures counted by hand."""

import datetime
import io
from decimal import Decimal

import pytest
from django_scopes import scope
from pypdf import PdfReader

from reporting import indicators, outside, profiles
from reporting.models import DistrictPopulation
from sessions.models import Visit
from tests import factories
from tests.conftest import logged_in
from units.models import AuditEvent, Unit
from units.periods import Period

SHARES = {"women_percent": "51.2", "danish_percent": "62.3", "western_percent": "8.1", "non_western_percent": "29.6",
          "children_0_12_percent": "70.5"}


@pytest.fixture
def city(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    return [factories.unit(slug, org=org, name=name, kind=Unit.Kind.OPEN_COUNSELLING, language="da", country="DK",
                           funders=("København",))
            for slug, name in [("kbh-a", "Familierådgivningen Amager"), ("kbh-n", "Familierådgivningen Nørrebro")]]


@pytest.fixture
def bfck(city):
    return logged_in(factories.user("bfck-stab", org=city[0].organisation))


def _visits(unit, count, **fields):
    Visit.objects.bulk_create([Visit(unit=unit, date=datetime.date(2025, 2, 3), channel="walk_in", **fields)
                               for _ in range(count)])


def _form(city, **overrides):
    data = {}
    for unit in city:
        data |= {f"unit{unit.pk}-{name}": value for name, value in SHARES.items()}
    return data | overrides


def test_the_inquiries_against_the_district_counted_by_hand(city):
    amager = city[0]
    with scope(unit=amager):
        DistrictPopulation.objects.create(unit=amager, year=2025, **{k: Decimal(v) for k, v in SHARES.items()})
        # 20 inquiries: 12 women, 6 men, 2 not stated; background 10 Danish, 2 Western, 6 non-Western,
        # 2 not stated; children 4 aged 0–2, 6 aged 3–5, 5 aged 6–12, 3 aged 13–17, 2 not stated.
        _visits(amager, 2, gender="female", background="danish", child_age_band="0-2")
        _visits(amager, 2, gender="female", background="danish", child_age_band="0-2")
        _visits(amager, 6, gender="female", background="danish", child_age_band="3-5")
        _visits(amager, 2, gender="female", background="western", child_age_band="6-12")
        _visits(amager, 6, gender="male", background="non_western", child_age_band="")
        _visits(amager, 2, gender="", background="", child_age_band="")
        figures = indicators.period_figures(unit=amager, period=Period.parse("2025-Q1"))
    assert figures["target_group"] == {
        "year": 2025,
        "population": {"women": "0.512", "danish": "0.623", "western": "0.081", "non_western": "0.296",
                       "children_0_12": "0.705"},
        # 12/18, 10/18, 2/18, 6/18; children 0–12: (4 + 6 + 2) / 12 stated — the 6 men's visits had no age.
        "inquiries": {"women": "0.667", "danish": "0.556", "western": "0.111", "non_western": "0.333",
                      "children_0_12": "1.000"},
        "stated": {"gender": 18, "background": 18, "child_age": 12},
    }


def test_an_empty_period_and_a_year_without_population(city):
    with scope(unit=city[0]):
        figures = indicators.period_figures(unit=city[0], period=Period.parse("2024-Q1"))
    assert figures["target_group"] == {
        "year": 2024, "population": None, "stated": {"gender": 0, "background": 0, "child_age": 0},
        "inquiries": {"women": None, "danish": None, "western": None, "non_western": None, "children_0_12": None}}
    chart = str(profiles.target_group_chart(figures))
    assert "<svg" in chart


def test_a_share_is_hidden_outside_the_unit_when_a_count_it_is_made_of_is_hidden(city):
    amager = city[0]
    with scope(unit=amager):
        _visits(amager, 12, gender="female", background="danish", child_age_band="3-5")
        _visits(amager, 3, gender="male", background="danish", child_age_band="3-5")  # 3 men: a small count
        shown = outside.figures_outside(unit=amager, period=Period.parse("2025-Q1"))
    assert shown["visits"]["by_gender"]["male"] == "<5"
    # The women's share would give the men's count (15 − 12 × 15 / 12 …): hidden with it.
    assert shown["target_group"]["inquiries"]["women"] == ".."
    assert shown["target_group"]["inquiries"]["danish"] == "1.000"  # made of shown counts only
    exported = outside.as_json(shown)
    assert exported["target_group"]["inquiries"]["women"] is None
    assert "target_group.inquiries.women" in exported["suppressed"]


def test_the_organisation_enters_the_shares_of_each_district_for_a_year(bfck, city):
    url = "/org/kobenhavn/population/2025/"
    page = bfck.get(url)
    assert page.status_code == 200 and len(page.context["rows"]) == 2
    saved = bfck.post(url, _form(city, **{f"unit{city[1].pk}-women_percent": "50,4"}))
    assert saved.status_code == 302
    with scope(unit=city[1]):
        assert DistrictPopulation.objects.get(unit=city[1], year=2025).women_percent == Decimal("50.4")
    assert AuditEvent.objects.filter(action="district_population.save").count() == 2
    # The status reads it at once: the district beside the inquiries.
    status = bfck.get("/org/kobenhavn/stats/2025-Q1/")
    table = next(table for table in status.context["tables"] if table["key"] == "target_group")
    women = next(row for row in table["rows"] if row["key"] == "target_group.population.women")
    assert women["cells"] == ["0.512", "0.504", None]


def test_bad_shares_are_refused_at_the_field_and_nothing_is_written(bfck, city):
    url = "/org/kobenhavn/population/2025/"
    refused = bfck.post(url, _form(city, **{f"unit{city[0].pk}-non_western_percent": "30.6",  # 101 %
                                            f"unit{city[1].pk}-women_percent": "101"}))
    assert refused.status_code == 200
    (_amager, first), (_norrebro, second) = refused.context["rows"]
    assert "100" in first.errors["non_western_percent"][0] and second.errors["women_percent"]
    assert not AuditEvent.objects.filter(action="district_population.save").exists()
    for unit in city:
        with scope(unit=unit):
            assert not DistrictPopulation.objects.filter(unit=unit).exists()


def test_only_the_administration_of_the_organisation_reaches_the_page(city, alice_client, olga_client):
    staff = logged_in(factories.user("mette", unit=city[0], role="chief"))
    assert staff.get("/org/kobenhavn/population/2025/").status_code == 404
    assert olga_client.get("/org/kobenhavn/population/2025/").status_code == 404
    # Another organisation's page lists none of København's districts.
    assert olga_client.get("/org/linkoping/population/2025/").context["rows"] == []


def test_the_status_pdf_draws_each_unit_against_its_district(bfck, city):
    with scope(unit=city[0]):
        DistrictPopulation.objects.create(unit=city[0], year=2025, **{k: Decimal(v) for k, v in SHARES.items()})
        _visits(city[0], 10, gender="female", background="danish", child_age_band="3-5")
    response = bfck.get("/org/kobenhavn/reports/2025/status.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Målgruppen over for befolkningen" in text
    assert "Kvinder i bydelen" in text and "51,2" in text


def test_the_demo_has_a_realistic_year_of_inquiries_and_courses_for_both_bydele(db, settings):
    import random

    from django.core.management import call_command

    from reporting import demo as reporting_demo
    from sessions import demo as sessions_demo

    settings.DEBUG = True
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))
    year = {}
    for slug in ("kbh-fr-norrebro", "kbh-fr-amager"):
        unit = Unit.objects.get(slug=slug)
        with scope(unit=unit):
            for module in (sessions_demo, reporting_demo):
                module.seed_history(unit=unit, rng=random.Random(f"1:{slug}"), start=datetime.date(2025, 1, 1),
                                    end=datetime.date(2025, 12, 31))
            reporting_demo.seed_history(unit=unit, rng=None, start=datetime.date(2025, 1, 1),
                                        end=datetime.date(2025, 12, 31))  # again: nothing more
            assert DistrictPopulation.objects.filter(unit=unit).count() == 1
            year[slug] = indicators.period_figures(unit=unit, period=Period.parse("2025"))
    for figures in year.values():
        assert 300 < figures["visits"]["total"] < 800
        assert figures["courses"]["started"] > 20 and figures["courses"]["ended"] > 10
        assert all(count > 0 for count in figures["visits"]["by_channel"].values())
        assert figures["target_group"]["population"] is not None
    norrebro, amager = (year[slug]["target_group"] for slug in ("kbh-fr-norrebro", "kbh-fr-amager"))
    # Nørrebro's inquiries come more from families of non-Western background, as its district does.
    assert Decimal(norrebro["inquiries"]["non_western"]) > Decimal(amager["inquiries"]["non_western"]) + Decimal("0.1")
    assert Decimal(norrebro["population"]["non_western"]) > Decimal(amager["population"]["non_western"])
