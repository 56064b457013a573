"""Issue 16, Familjeteam 7-15 (001_12d4c227923da397.txt): sessions by constellation, follow-up and
closing meetings per half-year, phases longer than their typical length on the case list."""

import datetime

import pytest
from django_scopes import scope

from reporting import indicators
from sessions.models import FollowUpMeeting, Phase
from sessions.rules import phase_overlong
from tests import factories
from tests.conftest import logged_in
from tests.stats_builders import case, session
from units.models import Unit
from units.periods import Period

H1 = Period.parse("2025-H1")
day = datetime.date.fromisoformat


@pytest.fixture
def team(db):
    unit = factories.unit("team715", kind=Unit.Kind.FAMILY_TREATMENT, record_mode="case", period_kind="half")
    with scope(unit=unit):
        yield unit


def test_hela_familjen_barn_enskilt_foraldrar_enskilt_andra_konstellationer(team):
    family = case(team)
    session(team, family, "2025-01-01", format="family", constellation="whole_family")
    session(team, family, "2025-06-30", format="family", constellation="whole_family")
    session(team, family, "2025-03-01", constellation="child_alone")
    session(team, family, "2025-03-02", format="couple", constellation="parents_alone")
    session(team, family, "2025-03-03", constellation="other")
    session(team, family, "2025-03-04")  # not stated
    session(team, family, "2025-03-05", constellation="child_alone", status="no_show")  # not held
    session(team, family, "2025-03-06", constellation="other",
            corrects=session(team, family, "2025-03-06", constellation="child_alone"))  # as corrected
    session(team, family, "2025-07-01", constellation="whole_family")  # the next half-year
    figures = indicators.period_figures(unit=team, period=H1)
    assert figures["sessions_by_constellation"] == {"whole_family": 2, "child_alone": 1, "parents_alone": 1,
                                                    "other": 2, "not_stated": 1}
    assert sum(figures["sessions_by_constellation"].values()) == figures["sessions_held"] == 7


def test_uppfoljningar_och_avslutande_mote_counted_per_half_year(team):
    closed = case(team, closed_on="2025-06-30", closing_meeting_on="2025-06-30")
    case(team, closed_on="2025-07-02", closing_meeting_on="2025-07-01")  # H2
    case(team, closed_on="2025-01-05", closing_meeting_on="2025-01-01")
    for date in ("2024-12-31", "2025-01-01", "2025-04-15", "2025-06-30", "2025-07-01"):
        FollowUpMeeting.objects.create(unit=team, case=closed, date=day(date))
    case(team, planning_meeting_on="2025-01-01")
    case(team, planning_meeting_on="2024-12-31")
    assert indicators.period_figures(unit=team, period=H1)["case_meetings"] == {
        "planning_meetings": 1, "follow_up_meetings": 3, "closing_meetings": 2}
    assert indicators.period_figures(unit=team, period=Period.parse("2019-H1"))["case_meetings"] == {
        "planning_meetings": 0, "follow_up_meetings": 0, "closing_meetings": 0}


def test_an_empty_half_year_has_no_sessions_in_any_constellation(team):
    assert set(indicators.period_figures(unit=team, period=Period.parse("2019-H2"))[
        "sessions_by_constellation"].values()) == {0}


@pytest.mark.parametrize("kind, started, today, overlong", [
    ("kartlaggning", "2025-01-15", "2025-02-15", False),  # "ca 1 månad": exactly a month
    ("kartlaggning", "2025-01-15", "2025-02-16", True),
    ("kartlaggning", "2025-01-31", "2025-02-28", False),  # a month from 31 January ends 28 February
    ("kartlaggning", "2025-01-31", "2025-03-01", True),
    ("behandling", "2024-03-01", "2025-03-01", False),  # "ca 3-12 månader"
    ("behandling", "2024-03-01", "2025-03-02", True),
    ("generalisering", "2025-01-01", "2025-04-01", False),  # "ca 1-3 månader"
    ("generalisering", "2025-01-01", "2025-04-02", True),
])
def test_kartlaggning_1_manad_behandling_3_12_generalisering_1_3_typical_lengths(kind, started, today, overlong):
    assert phase_overlong(kind=kind, started_on=day(started), ended_on=None, today=day(today)) is overlong


def test_an_ended_phase_is_judged_by_its_own_length(team):
    assert not phase_overlong(kind="kartlaggning", started_on=day("2024-01-10"), ended_on=day("2024-02-05"),
                              today=day("2025-06-01"))


def test_the_case_list_flags_phases_longer_than_typical(team):
    chief = factories.user("chief715", unit=team, role="chief")
    long_running = case(team, opened="2020-01-01")
    Phase.objects.create(unit=team, case=long_running, kind="kartlaggning", started_on=day("2020-01-01"))
    fresh = case(team, opened="2020-01-01")
    Phase.objects.create(unit=team, case=fresh, kind="behandling",
                         started_on=datetime.date.today() - datetime.timedelta(days=20))
    response = logged_in(chief).get(f"/{team.slug}/cases/")
    assert response.status_code == 200
    flags = {row.code: row.overlong_phases for row in response.context["page"]}
    assert flags[long_running.code] == ["Kartläggning"]
    assert flags[fresh.code] == []
    assert "längre än vanligt" in response.content.decode()


def test_the_case_list_reads_the_phases_in_one_query_whatever_the_cases(team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chief = factories.user("chief715", unit=team, role="chief")
    client = logged_in(chief)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/{team.slug}/cases/").status_code == 200
        return len(captured)

    one = case(team)
    Phase.objects.create(unit=team, case=one, kind="kartlaggning", started_on=day("2020-01-01"))
    few = queries()
    for _ in range(10):
        other = case(team)
        Phase.objects.create(unit=team, case=other, kind="behandling", started_on=day("2020-01-01"))
    assert queries() == few


def test_the_family_treatment_statistics_show_the_constellations_and_meetings(team):
    chief = factories.user("chief715", unit=team, role="chief")
    family = case(team, closed_on="2025-05-01", closing_meeting_on="2025-05-01")
    session(team, family, "2025-02-01", format="family", constellation="whole_family")
    response = logged_in(chief).get(f"/{team.slug}/stats/2025-H1/")
    keys = [table["key"] for section in response.context["sections"] for table in section["tables"]]
    assert "sessions_by_constellation" in keys and "case_meetings" in keys
    html = response.content.decode()
    assert "Samtal efter konstellation" in html and "Avslutande möten" in html


# ---- "lämna ut en brukarenkät när vi avslutar vår insats" -----------------------------------


def _round(unit, title, *, is_open=True, created="2025-01-01"):
    from quality.models import SurveyRound

    return SurveyRound.objects.create(unit=unit, title=title, is_open=is_open, created_on=day(created))


def test_brukarenkat_nar_vi_avslutar_var_insats_the_closed_case_offers_the_open_round(team):
    counsellor = factories.user("worker715", unit=team, role="counsellor")
    _round(team, "Brukarenkät 2024", created="2024-01-01")
    current = _round(team, "Brukarenkät 2025")
    _round(team, "Stängd omgång", is_open=False, created="2025-06-01")
    closed = case(team, closed_on="2025-05-01")
    response = logged_in(counsellor).get(f"/{team.slug}/cases/{closed.pk}/")
    (panel,) = response.context["case_panels"]
    assert panel["round"] == current
    assert panel["link"].endswith(f"/s/{current.token}/")
    html = response.content.decode()
    assert current.token in html and f"/{team.slug}/quality/survey/rounds/{current.pk}/qr.svg" in html
    assert "Brukarenkät 2025" in html


def test_an_open_case_offers_no_survey_and_a_closed_one_without_a_round_says_so(team):
    counsellor = factories.user("worker715", unit=team, role="counsellor")
    client = logged_in(counsellor)
    _round(team, "Brukarenkät 2025")
    still_open = case(team)
    assert client.get(f"/{team.slug}/cases/{still_open.pk}/").context["case_panels"] == []
    from quality.models import SurveyRound

    SurveyRound.objects.filter(unit=team).update(is_open=False)
    closed = case(team, closed_on="2025-05-01")
    (panel,) = client.get(f"/{team.slug}/cases/{closed.pk}/").context["case_panels"]
    assert panel["round"] is None


def test_closing_the_case_leads_to_the_survey_link(team):
    chief = factories.user("chief715", unit=team, role="chief")
    current = _round(team, "Brukarenkät 2025")
    open_case = case(team, opened="2025-01-01")
    client = logged_in(chief)
    from sessions.forms import CaseForm

    data = {name: "" for name in CaseForm(unit=team).fields if name != "urgent"}
    response = client.post(f"/{team.slug}/cases/{open_case.pk}/", {**data, "closed_on": "2025-06-01"}, follow=True)
    assert response.status_code == 200
    open_case.refresh_from_db()
    assert open_case.closed_on == day("2025-06-01")
    assert current.token in response.content.decode()


# ---- "planeringsmöte tillsammans med handläggare": the dated start of a regular assignment -----


def test_planeringsmote_med_handlaggare_starts_the_regular_assignment(team):
    from sessions import services

    chief = factories.user("chief715", unit=team, role="chief")
    urgent = case(team, assigned_on="2025-03-01", urgent=True)
    services.case_update(case=urgent, acting_user=chief, planning_meeting_on=day("2025-03-06"))
    urgent.refresh_from_db()
    assert (urgent.planning_meeting_on, urgent.regular_from) == (day("2025-03-06"), day("2025-03-06"))
    figures = indicators.period_figures(unit=team, period=H1)["urgent_assignments"]
    assert (figures["count"], figures["regular_in_time"]) == (1, 1)
    # A date typed in for "became regular" stays.
    other = case(team, assigned_on="2025-03-01", regular_from="2025-03-02")
    services.case_update(case=other, acting_user=chief, planning_meeting_on=day("2025-03-09"))
    other.refresh_from_db()
    assert other.regular_from == day("2025-03-02")


def test_a_planning_meeting_before_the_assignment_is_refused_and_nothing_saved(team):
    from django.core.exceptions import ValidationError

    from sessions import services

    chief = factories.user("chief715", unit=team, role="chief")
    assigned = case(team, assigned_on="2025-03-01")
    with pytest.raises(ValidationError) as refused:
        services.case_update(case=assigned, acting_user=chief, planning_meeting_on=day("2025-02-27"))
    assert "planning_meeting_on" in refused.value.message_dict
    assigned.refresh_from_db()
    assert assigned.planning_meeting_on is None and assigned.regular_from is None


def test_the_case_page_records_the_planning_meeting(team):
    from sessions.forms import CaseForm

    chief = factories.user("chief715", unit=team, role="chief")
    assigned = case(team, opened="2025-03-01", assigned_on="2025-03-01")
    data = {name: "" for name in CaseForm(unit=team).fields if name != "urgent"}
    response = logged_in(chief).post(f"/{team.slug}/cases/{assigned.pk}/",
                                     {**data, "assigned_on": "2025-03-01", "planning_meeting_on": "2025-03-04"})
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert (assigned.planning_meeting_on, assigned.regular_from) == (day("2025-03-04"), day("2025-03-04"))
