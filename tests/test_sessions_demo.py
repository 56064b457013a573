"""The demo history: realistic volumes, dates in order, rules obeyed, deterministic and fast."""

import datetime
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Max, Min, Sum
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from intake.models import Application
from sessions import rules
from sessions.demo import seed_history
from sessions.models import Case, ClimateScore, Course, OutcomeScore, Phase, Session, Visit
from units.demo import EXTRA_COUNSELLORS, MUNICIPALITIES, ORGANISATIONS, UNITS, demo_logins, seed_tenants
from units.models import Agreement, Municipality, Organisation

START, END = datetime.date(2024, 1, 1), datetime.date(2026, 6, 30)
YEARS = Decimal((END - START).days + 1) / 365


def _applications(unit, rng, per_year):
    """What intake.demo leaves behind: applications with cases, most of them offered a time."""
    cases, applications = [], []
    municipality = Agreement.objects.filter(unit=unit).select_related("municipality").first().municipality
    for number in range(int(per_year * YEARS)):
        received = START + datetime.timedelta(days=rng.randint(0, (END - START).days))
        case = Case(unit=unit, code=f"P-{received.year}-{number:04d}", opened_on=received)
        offered = received + datetime.timedelta(days=rng.randint(2, 20)) if rng.random() < 0.95 else None
        cases.append(case)
        applications.append(Application(unit=unit, case=case, received_on=received, municipality=municipality,
                                        offered_on=offered if offered and offered <= END else None,
                                        outcome="withdrawn" if rng.random() < 0.04 else ""))
    Case.objects.bulk_create(cases)
    Application.objects.bulk_create(applications)


def _demo_usernames():
    names = [f"{spec['slug']}.counsellor{number}" for spec in UNITS for number in range(2, 2 + EXTRA_COUNSELLORS)]
    return names + demo_logins()


MAX_SEED_STATEMENTS = 300  # measured 2026-12-01: 13 to 37 statements a unit, thousands of rows each


def _seed(units, seed=1):
    """Seed each unit's history; the number of statements each took."""
    statements = {}
    for unit in units:
        with scope(unit=unit), CaptureQueriesContext(connection) as queries:
            seed_history(unit=unit, rng=random.Random(f"{seed}:{unit.slug}"), start=START, end=END)
        statements[unit.slug] = len(queries)
    return statements


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        units = {unit.slug: unit for unit in seed_tenants()}
        for slug, per_year in [("leanlink-fr", 300), ("norrkoping-fr", 280)]:
            with scope(unit=units[slug]):
                _applications(units[slug], random.Random(slug), per_year)
        statements = _seed(units.values())
        yield units, statements
        # The history was committed outside the tests' transactions: remove all of it.
        with scopes_disabled():
            for model in (Session, Application):  # they protect their cases
                model.objects.filter(unit__in=units.values()).delete()
            for unit in units.values():
                unit.delete()
            get_user_model().objects.filter(username__in=_demo_usernames()).delete()
            Organisation.objects.filter(slug__in=[slug for slug, _name, _town in ORGANISATIONS]).delete()
            Municipality.objects.filter(name__in=[name for name, _country in MUNICIPALITIES]).delete()


@pytest.fixture
def demo(seeded, db):
    return seeded[0]


def test_all_units_are_seeded_in_bulk(seeded, db):
    # Fast by design, not by a stopwatch (timings belong in bench/): two and a half years of history
    # are written in bulk, so the statements stay far below one per session.
    assert sum(seeded[1].values()) < MAX_SEED_STATEMENTS, seeded[1]


def test_counselling_cases_have_four_to_five_sessions_of_about_seven_hours(demo):
    unit = demo["leanlink-fr"]
    with scope(unit=unit):
        per_case = list(Session.objects.filter(unit=unit, case__isnull=False).values("case")
                        .annotate(count=Count("pk"), minutes=Sum("minutes"), first=Min("date")))
        offered = dict(Application.objects.filter(unit=unit).values_list("case_id", "offered_on"))
        groups = Session.objects.filter(unit=unit, format="group")
        assert 250 * YEARS < len(per_case) <= 300 * YEARS
        assert all(row["first"] >= offered[row["case"]] for row in per_case)
        average_sessions = sum(row["count"] for row in per_case) / len(per_case)
        average_hours = sum(row["minutes"] for row in per_case) / len(per_case) / 60
        assert 4.3 < average_sessions < 5.3
        assert 6 < average_hours < 8
        assert groups.exists()
        assert {row.participants for row in groups} <= set(range(4, 9))
        assert {row.minutes for row in groups} <= {90, 105, 120}
        statuses = Counter(Session.objects.filter(unit=unit).values_list("status", flat=True))
        share_cancelled = statuses["client_cancelled"] / sum(statuses.values())
        assert 0.06 < share_cancelled < 0.13 and statuses["no_show"] > 0
        held = Session.objects.filter(unit=unit, status="held", case__isnull=False)
        assert set(held.values_list("fee", flat=True)) == {"paid", "exempt"}
        assert set(Session.objects.exclude(status="held").filter(unit=unit).values_list("fee", flat=True)) == {"none"}


def test_counselling_cases_are_started_and_mostly_closed(demo):
    unit = demo["norrkoping-fr"]
    with scope(unit=unit):
        started = Case.objects.filter(unit=unit, started_on__isnull=False)
        first_held = dict(Session.objects.filter(unit=unit, status="held").values("case")
                          .annotate(first=Min("date")).values_list("case", "first"))
        assert all(first_held[case.pk] == case.started_on for case in started)
        assert Application.objects.filter(unit=unit, outcome="started").count() == started.count()
        assert Application.objects.filter(unit=unit, outcome="withdrawn", case__sessions__isnull=False).count() == 0
        closed_share = Case.objects.filter(unit=unit, closed_on__isnull=False).count() / started.count()
        assert 0.75 < closed_share < 0.95
        last = dict(Session.objects.filter(unit=unit).values("case").annotate(last=Max("date"))
                    .values_list("case", "last"))
        assert all(case.closed_on >= last[case.pk] for case in Case.objects.filter(unit=unit, closed_on__isnull=False,
                                                                                      pk__in=last))
        assert Session.objects.filter(unit=unit).aggregate(last=Max("date"))["last"] <= END


def test_counselling_demo_fills_the_national_survey_counts(demo):
    """The national yearly statistics of the demo are not all zeros: adults, children affected,
    who initiated the contact and the focus of closed cases are recorded for most cases."""
    from reporting.national import count_unit_figures

    unit = demo["leanlink-fr"]
    with scope(unit=unit):
        total = count_unit_figures(unit, 2025)["total"]
    assert total["adults"] > total["cases_started"]  # couples count two adults
    assert all(total["contact_initiated_by"][key] > 0 for key in ("clients", "referral"))
    assert all(total["closed_case_focus"][key] > 0 for key in ("repair", "clarifying", "separation", "other"))
    assert total["closed_case_focus"]["not_stated"] < total["cases_closed"] / 10


def test_familjeteam_works_in_phases_with_improving_scores(demo):
    unit = demo["norrkoping-ft715"]
    with scope(unit=unit):
        cases = list(Case.objects.filter(unit=unit))
        assert 36 * YEARS <= len(cases) <= 44 * YEARS + 2
        assert any(case.urgent for case in cases)
        phases = {}
        for phase in Phase.objects.filter(unit=unit).order_by("started_on"):
            others = phases.setdefault(phase.case_id, [])
            assert rules.phase_conflict(phase.kind, phase.started_on, phase.ended_on, others) is None
            others.append((phase.kind, phase.started_on, phase.ended_on))
        assert any(kinds[-1][0] == "generalisering" and kinds[-1][1] < kinds[-2][2] for kinds in phases.values()
                   if len(kinds) == 3)
        scores = OutcomeScore.objects.filter(unit=unit)
        assert all(score.total == score.item1 + score.item2 + score.item3 + score.item4 and
                   max(score.item1, score.item2, score.item3, score.item4) <= 10 for score in scores)
        held = Session.objects.filter(unit=unit, status="held").count()
        # Everyone present is scored: 2–3 persons in family sessions, one when a child comes alone.
        assert 1.7 <= scores.filter(kind="ors").count() / held <= 3
        improved = 0
        closed = [case for case in cases if case.closed_on]
        for case in closed:
            totals = list(scores.filter(case=case, kind="ors", person="parent_1").values_list("total", flat=True))
            improved += totals[-1] - totals[0] >= 5
        assert improved / len(closed) > 0.6
        assert set(ClimateScore.objects.filter(unit=unit, case__closed_on__isnull=False)
                   .values("case").annotate(dates=Count("date", distinct=True)).values_list("dates", flat=True)) == {2}
        # 2–3 a week early on: the first four weeks hold eight or more sessions.
        first = min(cases, key=lambda case: (case.assigned_on, case.code))
        early = Session.objects.filter(unit=unit, case=first, date__lt=first.assigned_on + datetime.timedelta(days=35))
        assert early.count() >= 8


def test_ostermalm_counts_its_activities_and_some_families_return(demo):
    unit = demo["ostermalm-fe"]
    with scope(unit=unit):
        activities = set(Session.objects.filter(unit=unit).values_list("activity", flat=True))
        assert activities == {"support_talk", "cooperation_talk", "tryggare_barn", "komet", "skilda_varldar"}
        assert not Session.objects.filter(unit=unit, format="group", case__isnull=False).exists()
        closed = Case.objects.filter(unit=unit, closed_on__lte=END - datetime.timedelta(days=365))
        returned = closed.filter(rereferred_on__isnull=False).count() / closed.count()
        assert 0.08 < returned < 0.22
        assert all(case.rereferred_on - case.closed_on <= datetime.timedelta(days=365)
                   for case in Case.objects.filter(unit=unit, rereferred_on__isnull=False))


def test_ostermalm_has_goals_children_and_kinds_for_its_indicator(demo):
    """003_eba17951e60b4a73.txt: "Måluppfyllelse BBiC-genomförandeplan" and "barn och ungdomar som
    varit aktuella för insatser": interventions with goals reviewed at closing, several children."""
    from sessions.models import Goal

    unit = demo["ostermalm-fe"]
    with scope(unit=unit):
        assert set(Case.objects.filter(unit=unit).values_list("kind", flat=True)) == {
            "intervention", "family_law", "advice"}
        closed_goals = Goal.objects.filter(unit=unit, case__closed_on__isnull=False)
        assert set(closed_goals.values_list("status", flat=True)) == {"met", "partly_met", "not_met"}
        assert not Goal.objects.filter(unit=unit).exclude(case__kind="intervention").exists()
        assert Case.objects.filter(unit=unit, children__gt=1).exists()
        from sessions.models import GroupRound

        rounds = GroupRound.objects.filter(unit=unit)
        assert set(rounds.values_list("activity", flat=True)) == {"komet", "skilda_varldar"}
        assert rounds.filter(completed__lt=F("participants")).exists()  # some did not complete


def test_copenhagen_counts_walk_ins_on_its_drop_in_days(demo):
    for slug, days in [("kbh-fr-norrebro", {1, 3}), ("kbh-fr-amager", {0, 2})]:
        unit = demo[slug]
        with scope(unit=unit):
            walk_ins = Visit.objects.filter(unit=unit, channel="walk_in")
            assert {visit.date.weekday() for visit in walk_ins} == days
            assert set(Visit.objects.filter(unit=unit).values_list("channel", flat=True)) == {
                "walk_in", "phone", "email", "home"}
            assert 300 * YEARS < Visit.objects.filter(unit=unit).count() < 800 * YEARS
            assert Course.objects.filter(unit=unit, ended_on__isnull=False).exists()
            assert not Session.objects.filter(unit=unit).exists()


def test_seeding_again_adds_nothing(demo):
    before = {slug: _fingerprint(unit) for slug, unit in demo.items()}
    _seed(demo.values())
    assert {slug: _fingerprint(unit) for slug, unit in demo.items()} == before


def test_the_same_seed_gives_the_same_history(demo):
    unit = demo["ostermalm-fe"]
    first = _fingerprint(unit)
    with scope(unit=unit):
        for model in (OutcomeScore, ClimateScore, Phase, Session):
            model.objects.filter(unit=unit).delete()
        Case.objects.filter(unit=unit).delete()
    _seed([unit])
    assert _fingerprint(unit) == first


def _fingerprint(unit):
    with scope(unit=unit):
        return (
            Counter(Session.objects.filter(unit=unit).values_list("date", "start_time", "minutes", "status", "format",
                                                                  "case__code")),
            list(Case.objects.filter(unit=unit).order_by("code").values_list("code", "closed_on", "rereferred_on")),
            Visit.objects.filter(unit=unit).count(),
        )
