"""Issue 18: "Östermalm's 84 % indicator is the last table of the page under an empty queue
section; its 'goal met: no' has no colour. Put the profile's headline figures (and their goal) at
the top, and leave empty sections out." København's page opens with inquiries and courses."""

import re

from django_scopes import scope

from reporting import profiles
from tests import factories
from tests.conftest import logged_in
from tests.stats_builders import case


def _section_ids(page):
    return re.findall(r'<h2 class="h4" id="section-([a-z_]+)"', page)


def test_the_family_units_page_opens_with_the_indicator_and_its_coloured_goal(db):
    unit = factories.unit("ostermalm", record_mode="case", kind="familjeenhet", period_kind="tertial",
                          funders=("Stockholm",), indicator_target_percent=84)
    with scope(unit=unit):  # one of two children current again: 50 %, below the target of 84 %
        case(unit, closed_on="2024-01-10")
        case(unit, closed_on="2024-01-10", rereferred_on="2024-03-01")
    chief = logged_in(factories.user("eva", unit=unit, role="chief"))
    page = chief.get(f"/{unit.slug}/stats/2025-T1/").content.decode()
    sections = _section_ids(page)
    assert sections[0] == "indicator"
    assert "waiting" not in sections  # no application in either period: the queue section is left out
    assert re.search(r'class="num goal-missed">nej<', page)


def test_the_export_keeps_every_section(db):
    unit = factories.unit("ostermalm", record_mode="case", kind="familjeenhet", period_kind="tertial",
                          funders=("Stockholm",))
    chief = logged_in(factories.user("eva", unit=unit, role="chief"))
    lines = chief.get(f"/{unit.slug}/stats/2025-T1/?export=csv").content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("Väntetid och kö;") for line in lines)


def test_a_section_with_a_figure_is_shown_and_an_all_zero_one_is_not():
    table = {"rows": [{"current": 0, "earlier": None}, {"current": "0.00", "earlier": "0"}]}
    hidden = {"rows": [{"current": "<5", "earlier": 0}]}
    sections = [{"key": "zero", "tables": [table]}, {"key": "hidden", "tables": [hidden]},
                {"key": "count", "tables": [table, {"rows": [{"current": 0, "earlier": 3}]}]}]
    assert [section["key"] for section in profiles.shown_sections(sections)] == ["hidden", "count"]


def test_kobenhavn_opens_with_inquiries_and_courses():
    assert profiles.PROFILES["familieradgivning"].sections[0].key == "walk_ins"
