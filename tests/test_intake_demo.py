"""Demo history of applications (seed_demo): volumes, seasons, waits, and a queue at the end."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django_scopes import scope

from intake.models import Application, CounsellorCompetence, IntakeSettings
from sessions.models import Case, Session
from tests.intake_helpers import register
from units.models import Unit

END = datetime.date(2025, 11, 30)


def _seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--until", END.isoformat(), stdout=open("/dev/null", "w"))


@pytest.fixture
def seeded(db, settings):
    _seed(settings)
    return {unit.slug: unit for unit in Unit.objects.all()}


def _applications(unit):
    with scope(unit=unit):
        return list(Application.objects.filter(unit=unit).select_related("case", "municipality"))


def test_volumes_follow_the_seeds(seeded):
    leanlink = Counter(a.received_on.year for a in _applications(seeded["leanlink-fr"]))
    norrkoping = _applications(seeded["norrkoping-fr"])
    # 002_93c1598fd6f3fa34.txt: "cirka 300 par/ärenden per år i Linköping".
    assert 250 <= leanlink[2024] <= 350
    places = Counter(a.municipality.name for a in norrkoping)
    assert set(places) == {"Norrköping", "Finspång", "Söderköping"}
    assert places["Norrköping"] > places["Finspång"] > places["Söderköping"] > 0
    assert 300 <= sum(1 for a in norrkoping if a.received_on.year == 2024) <= 460


def test_case_mode_units_get_no_applications(seeded):
    for slug in ("norrkoping-ft715", "ostermalm-fe"):
        assert _applications(seeded[slug]) == []


def test_leanlink_has_a_few_exceptions_with_a_reason(seeded):
    applications = _applications(seeded["leanlink-fr"])
    exceptions = [a for a in applications if a.municipality is None]
    assert 0 < len(exceptions) < len(applications) * 0.1
    assert all(a.exception_code and not a.exception_reason for a in exceptions)
    assert {a.municipality.name for a in applications if a.municipality} == {"Linköping"}
    with scope(unit=seeded["leanlink-fr"]):
        assert IntakeSettings.objects.get(unit=seeded["leanlink-fr"]).administration_name


def test_demand_peaks_after_summer_and_christmas(seeded):
    months = Counter(a.received_on.month for slug in ("leanlink-fr", "norrkoping-fr")
                     for a in _applications(seeded[slug]) if a.received_on.year == 2024)
    assert months[9] > months[7] * 2 and months[1] > months[7] * 2
    assert months[8] + months[9] > months[6] + months[7] + months[12]


def test_waits_are_mostly_under_two_weeks_with_longer_spells(seeded):
    for slug in ("leanlink-fr", "norrkoping-fr"):
        applications = _applications(seeded[slug])
        waits = [(a.offered_on - a.received_on).days for a in applications if a.offered_on]
        long = sum(1 for wait in waits if wait > 14)
        assert len(waits) > 0.85 * len(applications)
        assert 0 < long < 0.25 * len(waits), (slug, long, len(waits))
        acute = [(a.offered_on - a.received_on).days for a in applications if a.offered_on and a.acute]
        assert max(acute) <= 5
        outcomes = Counter(a.outcome for a in applications)
        assert outcomes["started"] > 0.8 * len(applications) and outcomes["withdrawn"] and outcomes["referred"]


def test_there_is_a_queue_at_the_end(seeded):
    waiting = [a for slug in ("leanlink-fr", "norrkoping-fr") for a in _applications(seeded[slug]) if a.is_waiting]
    assert waiting
    assert all(a.received_on <= END for a in waiting)


def test_codes_are_unique_per_year_and_new_registrations_continue_after_them(seeded):
    unit = seeded["leanlink-fr"]
    applications = _applications(unit)
    codes_2025 = sorted(a.case.code for a in applications if a.received_on.year == 2025)
    assert codes_2025[0] == "P-2025-0001" and codes_2025[-1] == f"P-2025-{len(codes_2025):04d}"
    with scope(unit=unit):
        assert register(unit, received_on=END).case.code == f"P-2025-{len(codes_2025) + 1:04d}"


def test_started_cases_have_a_first_session_date_and_counsellors_have_competences(seeded):
    unit = seeded["norrkoping-fr"]
    started = [a for a in _applications(unit) if a.outcome == "started"]
    assert all(a.assigned_to_id for a in started)
    assert sum(1 for a in started if a.case.started_on) > 0.9 * len(started)
    # The first session is held on or after the day the time was offered.
    assert all(a.case.started_on is None or a.case.started_on >= a.offered_on for a in started)
    with scope(unit=unit):
        assert CounsellorCompetence.objects.filter(unit=unit).count() >= 3


def test_seeding_again_changes_nothing_and_the_same_seed_gives_the_same_history(seeded, settings):
    unit = seeded["leanlink-fr"]
    first = sorted((a.case.code, a.received_on, a.offered_on, a.outcome) for a in _applications(unit))
    _seed(settings)
    assert sorted((a.case.code, a.received_on, a.offered_on, a.outcome) for a in _applications(unit)) == first
    with scope(unit=unit):
        Session.objects.filter(unit=unit).delete()  # sessions protect their cases
        Application.objects.filter(unit=unit).delete()
        Case.objects.filter(unit=unit).delete()
    _seed(settings)
    assert sorted((a.case.code, a.received_on, a.offered_on, a.outcome) for a in _applications(unit)) == first
