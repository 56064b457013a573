"""København's drop-in: "6 timers åbningstid om ugen, hvor det er muligt for borgerne at komme ind fra
gaden uden forudgående aftale" (004_4991f6e8c25cfe0a.txt) — the hours held each week, recorded or taken
from the drop-in hours of the settings (which the calendar shows), against the duty; and the
cooperation duties of "Samarbejde lokalt - professionelle" on the checklist."""

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from quality import rules, selectors
from quality.models import DropInWeek, OutreachActivity
from reporting import indicators, outside
from tests import factories
from tests.conftest import logged_in
from units.models import AuditEvent, OpeningHours, Unit
from units.periods import Period


@pytest.fixture
def amager(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    unit = factories.unit("kbh-a", org=org, name="Familierådgivningen Amager", kind=Unit.Kind.OPEN_COUNSELLING,
                          language="da", country="DK", funders=("København",))
    with scope(unit=unit):  # Tuesday 14–17 and Thursday 14–17: 6 hours a week
        for weekday in (1, 3):
            OpeningHours.objects.create(unit=unit, kind="drop_in", weekday=weekday, start=datetime.time(14),
                                        end=datetime.time(17))
    return unit


def _week(unit, monday, hours):
    DropInWeek.objects.create(unit=unit, week=datetime.date.fromisoformat(monday), hours=Decimal(hours))


def test_mondays_between_puts_each_week_in_the_period_its_monday_is_in():
    # 2025-Q1: 1 Jan is a Wednesday; the Mondays are 6 Jan … 31 Mar: 13 weeks.
    mondays = rules.mondays_between(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    assert (len(mondays), mondays[0], mondays[-1]) == (13, datetime.date(2025, 1, 6), datetime.date(2025, 3, 31))
    assert rules.mondays_between(datetime.date(2025, 1, 7), datetime.date(2025, 1, 12)) == []  # no Monday
    assert rules.mondays_between(datetime.date(2025, 1, 6), datetime.date(2025, 1, 6)) == [datetime.date(2025, 1, 6)]
    assert len(rules.mondays_between(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))) == 52


def test_6_timers_abningstid_om_ugen_hours_held_a_week_counted_by_hand(amager):
    with scope(unit=amager):
        _week(amager, "2025-02-10", "0")  # winter holiday: closed
        _week(amager, "2025-03-03", "9")  # an extra evening
        _week(amager, "2025-03-10", "4.5")
        _week(amager, "2025-04-07", "0")  # another quarter
        figures = indicators.period_figures(unit=amager, period=Period.parse("2025-Q1"))
    # 13 weeks: 10 as the settings (6 h) + 0 + 9 + 4.5 = 73.5 h; 73.5 / 13 = 5.6538… → 5.65.
    assert figures["drop_in"] == {"weeks": 13, "weeks_recorded": 3, "hours_held": "73.50", "hours_per_week": "5.65",
                                  "weeks_below_minimum": 2, "minimum_per_week": "6.00", "scheduled_per_week": "6.00"}


def test_an_empty_period_and_a_unit_without_drop_in_hours(amager):
    with scope(unit=amager):
        assert selectors.drop_in_held(unit=amager, start=datetime.date(2025, 1, 7),
                                      end=datetime.date(2025, 1, 12)) == {
            "weeks": 0, "weeks_recorded": 0, "hours_held": "0.00", "hours_per_week": None, "weeks_below_minimum": 0,
            "minimum_per_week": "6.00", "scheduled_per_week": "6.00"}
        OpeningHours.objects.filter(unit=amager).delete()
        figures = selectors.drop_in_held(unit=amager, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 1, 31))
    assert (figures["weeks"], figures["hours_per_week"], figures["weeks_below_minimum"]) == (4, "0.00", 4)


def test_the_duty_is_on_the_checklist_against_6_hours_and_the_cooperation_duties_too(amager):
    chief = factories.user("mette", unit=amager, role="chief")
    with scope(unit=amager):
        _week(amager, "2025-01-06", "3")
        for kind in ("health_visitors", "social_centre"):
            OutreachActivity.objects.create(unit=amager, date=datetime.date(2025, 3, 3), kind=kind,
                                            hours=Decimal(1), recorded_by=chief)
        duties = {duty.key: duty for duty in selectors.concept_duties(unit=amager, year=2025,
                                                                      today=datetime.date(2025, 1, 19))}
    # By 19 Jan: weeks of 6, 13 Jan — 3 + 6 = 9 h, 4.50 a week, 1 of 2 weeks below 6 hours.
    assert (duties["drop_in"].done, duties["drop_in"].met, duties["drop_in"].missing) == (
        Decimal("4.50"), False, Decimal("1.50"))
    assert duties["drop_in"].detail == "1 of 2 weeks below 6 hours"
    assert [key for key in ("health_visitors", "housing_social_workers", "social_centre")
            if duties[key].met] == ["health_visitors", "social_centre"]


def test_staff_record_a_week_and_the_figures_read_it_at_once(amager):
    counsellor = logged_in(factories.user("jonas", unit=amager, role="counsellor"))
    url = f"/{amager.slug}/quality/concept/drop-in/"
    assert counsellor.get(url).status_code == 200
    # Any day names its week; a second entry corrects the first.
    assert counsellor.post(url, {"week": "2025-02-13", "hours": "2"}).status_code == 302
    assert counsellor.post(url, {"week": "2025-02-10", "hours": "4,5"}).status_code == 302
    with scope(unit=amager):
        assert list(DropInWeek.objects.values_list("week", "hours")) == [(datetime.date(2025, 2, 10), Decimal("4.5"))]
    assert AuditEvent.objects.filter(action="drop_in_week.record").count() == 1
    assert AuditEvent.objects.filter(action="drop_in_week.update").count() == 1
    page = counsellor.get(f"/{amager.slug}/quality/concept/?year=2025").content.decode()
    assert "4,50" in page
    # Bad input: a message at the field, nothing written.
    refused = counsellor.post(url, {"week": "2025-02-17", "hours": "81"})
    assert refused.status_code == 200 and refused.context["form"].errors["hours"]
    future = counsellor.post(url, {"week": (datetime.date.today() + datetime.timedelta(days=8)).isoformat(),
                                   "hours": "6"})
    assert future.context["form"].errors["week"]
    with scope(unit=amager):
        assert DropInWeek.objects.count() == 1


def test_other_units_and_outsiders_do_not_reach_the_page(amager, alice_client, unit_a, olga_client):
    assert alice_client.get(f"/{unit_a.slug}/quality/concept/drop-in/").status_code == 404
    assert alice_client.get(f"/{amager.slug}/quality/concept/drop-in/").status_code == 404
    assert olga_client.get(f"/{amager.slug}/quality/concept/drop-in/").status_code == 404


def test_the_figures_leave_the_unit_as_they_are_they_count_hours_not_people(amager):
    with scope(unit=amager):
        _week(amager, "2025-03-03", "1")
        shown = outside.figures_outside(unit=amager, period=Period.parse("2025-Q1"))
    assert shown["drop_in"]["weeks_below_minimum"] == 1 and shown["drop_in"]["hours_held"] == "73.00"
