"""Each indicator against figures worked out by hand (tests/stats_builders.core_fixture and
the small fixtures below). Period 2025-Q1 is 2025-01-01..2025-03-31; the waiting limit 14 days."""

import statistics
from decimal import Decimal

import pytest

from reporting import indicators
from sessions.models import ClimateScore, Course, Goal, OutcomeScore, Phase, Visit
from tests import factories
from tests.stats_builders import application, case, core_fixture, day, session
from units.models import Unit
from units.periods import Period

Q1 = Period.parse("2025-Q1")


@pytest.fixture
def q1(in_unit_a):
    core_fixture(in_unit_a)
    return indicators.period_figures(unit=in_unit_a, period=Q1)


def test_sessions_held_hours_and_statuses(q1):
    # Held: A 90, B 45, C 60, F 50, H's correction 75, the caseless group 60 → 6 sessions, 380 min.
    assert q1["sessions_held"] == 6
    assert q1["client_hours"] == "6.33"  # 380 / 60 = 6.333…
    assert q1["client_cancellations"] == 1  # D
    assert q1["no_shows"] == 2  # D, and G whose held session was corrected to a no-show
    assert q1["unit_cancellations"] == 1  # A
    assert q1["sessions_by_format"] == {"individual": 2, "couple": 1, "family": 1, "group": 2}


def test_cases_seen_and_started(q1):
    assert q1["unique_cases_seen"] == 5  # A, B, C, F, H
    # B (no-show before the period does not start a case), C (last day), F (first day), H.
    # Not A (first held 2024-12-20), not D (never held), not G (corrected), not E (Q2).
    assert q1["cases_started"] == 4


def test_a_case_with_no_held_session_has_not_started(in_unit_a):
    never = case(in_unit_a)
    session(in_unit_a, never, "2025-01-10", status="no_show")
    session(in_unit_a, never, "2025-02-10", status="client_cancelled")
    session(in_unit_a, never, "2025-03-10", status="unit_cancelled")
    assert indicators.cases_started(in_unit_a, Q1.start, Q1.end) == 0
    assert indicators.period_figures(unit=in_unit_a, period=Q1)["unique_cases_seen"] == 0


def test_cases_started_agrees_with_case_started_on(in_unit_a):
    """Case.started_on is the date of the first held session; counting from the sessions gives the same."""
    core_fixture(in_unit_a)
    from django.db.models import Min

    from sessions.models import Case, Session

    for each in Case.objects.filter(unit=in_unit_a):
        # As the sessions service keeps it: the first held session, corrections replacing originals.
        each.started_on = Session.objects.filter(case=each, status="held", corrections__isnull=True).aggregate(
            first=Min("date"))["first"]
        each.save()
    for period in [Q1, Q1.previous(), Q1.next(), Period.parse("2025")]:
        expected = Case.objects.filter(unit=in_unit_a, started_on__range=(period.start, period.end)).count()
        assert indicators.cases_started(in_unit_a, period.start, period.end) == expected, period


def test_a_correction_counts_on_its_own_date(in_unit_a):
    moved = case(in_unit_a)
    original = session(in_unit_a, moved, "2024-12-28")
    session(in_unit_a, moved, "2025-01-05", corrects=original)
    q4 = indicators.period_figures(unit=in_unit_a, period=Q1.previous())
    assert (q4["sessions_held"], q4["cases_started"]) == (0, 0)
    now = indicators.period_figures(unit=in_unit_a, period=Q1)
    assert (now["sessions_held"], now["cases_started"], now["unique_cases_seen"]) == (1, 1, 1)


def test_an_earlier_session_corrected_to_a_no_show_does_not_start_the_case(in_unit_a):
    late = case(in_unit_a)
    session(in_unit_a, late, "2024-11-05", status="no_show", corrects=session(in_unit_a, late, "2024-11-05"))
    session(in_unit_a, late, "2025-02-05")
    assert indicators.cases_started(in_unit_a, Q1.start, Q1.end) == 1
    q4 = Q1.previous()
    assert indicators.cases_started(in_unit_a, q4.start, q4.end) == 0


def test_a_correction_of_a_correction_counts_once(in_unit_a):
    twice = case(in_unit_a)
    first = session(in_unit_a, twice, "2025-02-01", minutes=30)
    second = session(in_unit_a, twice, "2025-02-01", minutes=45, corrects=first)
    session(in_unit_a, twice, "2025-02-01", minutes=61, corrects=second)
    figures = indicators.period_figures(unit=in_unit_a, period=Q1)
    assert (figures["sessions_held"], figures["client_hours"]) == (1, "1.02")  # 61 / 60 = 1.0166…


def test_the_quarter_before_straddles_the_new_year_cleanly(in_unit_a):
    core_fixture(in_unit_a)
    q4 = indicators.period_figures(unit=in_unit_a, period=Q1.previous())
    assert (q4["period"], q4["start"], q4["end"]) == ("2024-Q4", "2024-10-01", "2024-12-31")
    assert (q4["sessions_held"], q4["no_shows"], q4["cases_started"], q4["client_hours"]) == (1, 1, 1, "1.00")
    assert q4["new_applications"] == 2  # received 2024-11-01 and 2024-12-20
    assert q4["waiting_days"]["offers"] == 0  # both of 2024's applications were offered in 2025


def test_new_applications_by_municipality(q1):
    assert q1["new_applications"] == 8
    assert q1["new_applications_by_municipality"] == {"Finspång": 2, "Linköping": 4, "other": 2}


def test_waiting_days_over_offers_made_in_the_period(q1):
    # Offers in Q1: 16 (received in 2024-Q4), 7, 14, 10, 150 days → sorted 7, 10, 14, 16, 150.
    assert q1["waiting_days"] == {"offers": 5, "median": 14, "p90": 150, "max": 150, "within_limit_share": "0.600"}


def test_received_in_one_period_and_offered_in_the_next(in_unit_a):
    application(in_unit_a, "2025-03-25", offered="2025-04-03")
    q1 = indicators.period_figures(unit=in_unit_a, period=Q1)
    q2 = indicators.period_figures(unit=in_unit_a, period=Q1.next())
    assert (q1["new_applications"], q1["waiting_days"]["offers"], q1["waiting_now"]["count"]) == (1, 0, 1)
    assert (q2["new_applications"], q2["waiting_days"]["offers"], q2["waiting_now"]["count"]) == (0, 1, 0)
    assert q2["waiting_days"]["median"] == 9


def test_waiting_now_at_the_end_of_the_period(q1):
    # Waiting on 2025-03-31: received 03-20 (offer 04-02, 11 days), 03-01 (30 days), 01-20 (closed
    # only 04-10, 70 days), 03-31 (0 days). Not the one closed 03-01. Over 14 days: 30 and 70.
    assert q1["waiting_now"] == {"count": 4, "over_limit": 2}


def test_waiting_limit_is_the_units_setting(in_unit_a):
    in_unit_a.wait_limit_days = 10
    core_fixture(in_unit_a)
    figures = indicators.period_figures(unit=in_unit_a, period=Q1)
    assert figures["waiting_days"]["within_limit_share"] == "0.400"  # 7 and 10
    assert figures["waiting_now"] == {"count": 4, "over_limit": 3}  # 11 days is now over too


def test_an_empty_period(in_unit_a):
    core_fixture(in_unit_a)
    figures = indicators.period_figures(unit=in_unit_a, period=Period.parse("2023-Q1"))
    assert figures["sessions_held"] == figures["cases_started"] == figures["new_applications"] == 0
    assert figures["client_hours"] == "0.00"
    assert figures["sessions_by_format"] == {"individual": 0, "couple": 0, "family": 0, "group": 0}
    assert figures["new_applications_by_municipality"] == {}
    assert figures["waiting_days"] == {"offers": 0, "median": None, "p90": None, "max": None,
                                       "within_limit_share": None}
    assert figures["waiting_now"] == {"count": 0, "over_limit": 0}
    assert figures["sessions_by_month"] == {"2023-01": 0, "2023-02": 0, "2023-03": 0}


@pytest.mark.parametrize(("days", "median", "p90"), [
    ([5], 5, 5),
    ([3, 8], 5.5, 8),
    ([2, 4], 3.0, 4),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 9),  # ceil(9.0) = 9th
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 6, 10),  # ceil(9.9) = 10th
    ([4, 4, 4, 30], 4.0, 30),
])
def test_waiting_summary_median_as_statistics_median_and_p90_by_nearest_rank(days, median, p90):
    histogram = {}
    for value in days:
        histogram[value] = histogram.get(value, 0) + 1
    summary = indicators.waiting_summary(histogram, limit=14)
    assert summary["median"] == median == statistics.median(days)
    assert type(summary["median"]) is type(statistics.median(days))
    assert summary["p90"] == p90
    assert summary["max"] == max(days)


def test_share_rounds_half_up():
    assert indicators.share_text(1, 8) == "0.125"
    assert indicators.share_text(1, 16) == "0.063"  # 0.0625 → half up
    assert indicators.share_text(2, 3) == "0.667"
    assert indicators.share_text(0, 0) is None
    assert indicators.hours_text(1) == "0.02"
    assert indicators.hours_text(0) == "0.00"


def test_waiting_distribution_buckets(q1):
    assert q1["waiting_days_distribution"] == {"0-7": 1, "8-14": 2, "15-21": 1, "22-28": 0, "29-42": 0,
                                               "43-56": 0, "57-": 1}


def test_sessions_by_location_and_month(q1):
    assert q1["sessions_by_location"] == {"office": 6, "home": 0, "flat": 0, "phone": 0, "video": 0, "other": 0}
    assert q1["sessions_by_month"] == {"2025-01": 2, "2025-02": 1, "2025-03": 3}


def test_queue_by_month(q1):
    # End of January: received 01-02 (offered 01-09), 01-10 (01-24) are not waiting; 01-20 is;
    # 2024-11-01 (offered 03-31) is. End of February: 01-20, 2024-11-01, 02-15 (closed 03-01).
    assert q1["queue_by_month"] == {"2025-01": 2, "2025-02": 3, "2025-03": 4}


def test_cases_closed(in_unit_a):
    case(in_unit_a, closed_on="2025-01-01")
    case(in_unit_a, closed_on="2025-03-31")
    case(in_unit_a, closed_on="2024-12-31")
    case(in_unit_a)
    assert indicators.cases_closed(in_unit_a, Q1.start, Q1.end) == 2


def test_applicants_categories(in_unit_a):
    application(in_unit_a, "2025-01-05", age_band="25-34", partner_age_band="35-44", relationship_type="married",
                relationship_length="6-10", children_count=2, youngest_child_age_band="3-6", contact_path="self",
                small_children=True)
    application(in_unit_a, "2025-02-05", age_band="25-34", children_count=0, pregnancy=True, violence=True)
    application(in_unit_a, "2025-03-05", children_count=5, contact_path="school")
    application(in_unit_a, "2025-04-05", age_band="65-")
    found = indicators.period_figures(unit=in_unit_a, period=Q1)["applicants"]
    assert found["age_band"] == {"-24": 0, "25-34": 2, "35-44": 0, "45-54": 0, "55-64": 0, "65-": 0,
                                 "not_stated": 1}
    assert found["partner_age_band"]["35-44"] == 1 and found["partner_age_band"]["not_stated"] == 2
    assert found["relationship_type"]["married"] == 1 and found["relationship_type"]["not_stated"] == 2
    assert found["relationship_length"]["6-10"] == 1
    assert found["children_count"] == {"0": 1, "1": 0, "2": 1, "3": 0, "4+": 1, "not_stated": 0}
    assert found["youngest_child_age_band"]["3-6"] == 1
    assert found["contact_path"]["self"] == 1 and found["contact_path"]["school"] == 1
    assert found["priority"] == {"acute": 0, "pregnancy": 1, "small_children": 1, "high_conflict": 0, "violence": 1}
    for name, counts in found.items():
        if name not in ("priority", "children_by_age_band"):  # flags and children, not applications
            assert sum(counts.values()) == 3, name


@pytest.fixture
def team(db):
    unit = factories.unit("team", kind=Unit.Kind.FAMILY_TREATMENT, record_mode="case", period_kind="half")
    from django_scopes import scope

    with scope(unit=unit):
        yield unit


def test_case_work_phases_urgent_and_goals(team):
    h1 = Period.parse("2025-H1")
    one, two, three = case(team, closed_on="2025-05-01"), case(team), case(team, closed_on="2024-12-01")
    Phase.objects.create(unit=team, case=one, kind="kartlaggning", started_on=day("2024-12-01"),
                         ended_on=day("2025-01-02"))
    Phase.objects.create(unit=team, case=one, kind="behandling", started_on=day("2025-01-03"))
    Phase.objects.create(unit=team, case=one, kind="generalisering", started_on=day("2025-03-01"))
    Phase.objects.create(unit=team, case=two, kind="behandling", started_on=day("2025-07-01"))
    Phase.objects.create(unit=team, case=three, kind="kartlaggning", started_on=day("2024-10-01"),
                         ended_on=day("2024-12-31"))
    case(team, urgent=True, assigned_on="2025-02-01", regular_from="2025-02-08")  # 7 days: in time
    case(team, urgent=True, assigned_on="2025-03-01", regular_from="2025-03-09")  # 8 days: late
    case(team, urgent=True, assigned_on="2025-06-30")
    case(team, urgent=True, assigned_on="2024-12-30", regular_from="2025-01-02")  # given before the period
    for status in ["met", "met", "partly_met", "not_met"]:
        Goal.objects.create(unit=team, case=one, text="Lugnare morgnar", status=status)
    Goal.objects.create(unit=team, case=two, text="Skolnärvaro", status="met")
    figures = indicators.period_figures(unit=team, period=h1)
    assert figures["cases_by_phase"] == {"kartlaggning": 1, "behandling": 1, "generalisering": 1}
    assert figures["urgent_assignments"] == {"count": 3, "regular_in_time": 1, "regular_late": 1, "not_regular": 1}
    assert figures["goals"] == {"open": 0, "partly_met": 1, "met": 2, "not_met": 1}


def _ors(unit, the_case, person, date, total, *, is_child=False, kind="ors"):
    items = [min(10, total - 10 * index) if total > 10 * index else 0 for index in range(4)]
    OutcomeScore.objects.create(unit=unit, case=the_case, person=person, is_child=is_child, kind=kind,
                                date=day(date), item1=items[0], item2=items[1], item3=items[2], item4=items[3],
                                total=total)


def test_ors_reliable_change_and_recovery(team):
    closed = case(team, closed_on="2025-06-01")
    _ors(team, closed, "Förälder 1", "2025-01-10", 18)
    _ors(team, closed, "Förälder 1", "2025-02-10", 21)
    _ors(team, closed, "Förälder 1", "2025-05-10", 26)  # +8 and across 25: recovery
    _ors(team, closed, "Förälder 2", "2025-01-10", 30)
    _ors(team, closed, "Förälder 2", "2025-05-10", 35)  # +5 but never below 25: improvement only
    _ors(team, closed, "Barn 1", "2025-01-10", 24, is_child=True)
    _ors(team, closed, "Barn 1", "2025-05-10", 30, is_child=True)  # +6 but below the children's 32
    _ors(team, closed, "Barn 2", "2025-01-10", 30, is_child=True)
    _ors(team, closed, "Barn 2", "2025-05-10", 25, is_child=True)  # −5: deterioration
    _ors(team, closed, "Barn 3", "2025-01-10", 20, is_child=True)  # one score only
    still_open = case(team)
    _ors(team, still_open, "Förälder 1", "2025-01-10", 10)
    _ors(team, still_open, "Förälder 1", "2025-05-10", 30)
    _ors(team, closed, "Förälder 1", "2025-03-01", 36, kind="srs")
    _ors(team, closed, "Förälder 1", "2025-04-01", 38, kind="srs")
    _ors(team, still_open, "Förälder 1", "2025-08-01", 20, kind="srs")
    figures = indicators.period_figures(unit=team, period=Period.parse("2025-H1"))
    assert figures["ors"] == {"persons": 4, "reliable_improvement": 3, "reliable_deterioration": 1, "recovery": 1}
    assert figures["srs"] == {"ratings": 2, "alliance_concern": 1}


def test_family_climate_mean_change(team):
    closed = case(team, closed_on="2025-06-01")
    for person, first, last in [("Förälder 1", (10, 5, 3, 4), (14, 3, 4, 2)),
                                ("Barn 1", (8, 6, 2, 5), (9, 6, 2, 5))]:
        for date, scores in [("2025-01-10", first), ("2025-05-10", last)]:
            ClimateScore.objects.create(unit=team, case=closed, person=person, date=day(date),
                                        closeness=scores[0], distance=scores[1], spontaneity=scores[2],
                                        chaos=scores[3])
    ClimateScore.objects.create(unit=team, case=closed, person="Barn 2", date=day("2025-01-10"), closeness=1,
                                distance=1, spontaneity=1, chaos=1)
    figures = indicators.period_figures(unit=team, period=Period.parse("2025-H1"))
    # Changes: closeness +4 and +1 → 2.50; distance −2 and 0 → −1.00; spontaneity +1, 0 → 0.50; chaos −2, 0.
    assert figures["family_climate"] == {"persons": 2, "closeness": "2.50", "distance": "-1.00",
                                         "spontaneity": "0.50", "chaos": "-1.00"}


@pytest.fixture
def family_unit(db):
    unit = factories.unit("fe", kind=Unit.Kind.FAMILY_UNIT, record_mode="case", period_kind="tertial")
    from django_scopes import scope

    with scope(unit=unit):
        yield unit


def test_not_current_again_indicator(family_unit):
    # 2025-T1 ends 2025-04-30: interventions ended after 2023-04-30 up to 2024-04-30 count.
    case(family_unit, closed_on="2023-04-30")  # too early
    case(family_unit, closed_on="2023-05-01")  # kept
    case(family_unit, closed_on="2023-06-15", rereferred_on="2024-06-15")  # exactly 12 months: current again
    case(family_unit, closed_on="2023-06-15", rereferred_on="2024-06-16")  # after 12 months: kept
    case(family_unit, closed_on="2024-02-29", rereferred_on="2025-02-28")  # 29 Feb + 12 months: current again
    case(family_unit, closed_on="2024-01-10", rereferred_on="2024-03-01")  # current again
    case(family_unit, closed_on="2024-04-30")  # kept
    case(family_unit, closed_on="2024-05-01")  # too late: not yet followed 12 months
    found = indicators.period_figures(unit=family_unit, period=Period.parse("2025-T1"))["not_current_again"]
    assert found == {"ended_from": "2023-05-01", "ended_to": "2024-04-30", "cases_ended": 6, "ended": 6,
                     "not_current_again": 3,
                     "share": "0.500", "target_percent": "84.0", "meets_target": False}


def test_not_current_again_meets_the_units_target(family_unit):
    family_unit.indicator_target_percent = Decimal("80.0")
    for _ in range(4):
        case(family_unit, closed_on="2024-01-15")
    case(family_unit, closed_on="2024-01-15", rereferred_on="2024-05-01")
    found = indicators.not_current_again(family_unit, day("2025-01-01"), day("2025-04-30"))
    assert (found["share"], found["target_percent"], found["meets_target"]) == ("0.800", "80.0", True)


def test_counted_work(family_unit):
    one, two = case(family_unit), case(family_unit)
    session(family_unit, one, "2025-01-10", activity="support_talk")
    session(family_unit, one, "2025-02-10", activity="support_talk")
    session(family_unit, two, "2025-02-11", activity="support_talk")
    session(family_unit, two, "2025-03-11", activity="support_talk", status="no_show")
    session(family_unit, None, "2025-03-12", activity="komet", format="group", participants=7)
    session(family_unit, one, "2025-04-12", activity="tryggare_barn")
    found = indicators.period_figures(unit=family_unit, period=Period.parse("2025-T1"))["counted_work"]
    assert found["sessions"] == {"support_talk": 3, "komet": 1, "tryggare_barn": 1, "cooperation_talk": 0,
                                 "skilda_varldar": 0}
    assert found["cases"] == {"support_talk": 2, "komet": 0, "tryggare_barn": 1, "cooperation_talk": 0,
                              "skilda_varldar": 0}


@pytest.fixture
def open_unit(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    unit = factories.unit("nb", org=org, kind=Unit.Kind.OPEN_COUNSELLING, language="da", country="DK",
                          funders=("København",))
    from django_scopes import scope

    with scope(unit=unit):
        yield unit


def test_visits_and_courses(open_unit):
    for date, channel, topic, gender in [("2025-01-02", "walk_in", "loss", "female"),
                                         ("2025-02-02", "walk_in", "bullying", ""),
                                         ("2025-03-02", "phone", "loss", "male"),
                                         ("2025-04-02", "email", "loss", "male")]:
        Visit.objects.create(unit=open_unit, date=day(date), channel=channel, topic=topic, gender=gender)
    Course.objects.create(unit=open_unit, started_on=day("2024-12-01"), ended_on=day("2025-01-15"))
    Course.objects.create(unit=open_unit, started_on=day("2025-02-01"))
    Course.objects.create(unit=open_unit, started_on=day("2025-03-01"), ended_on=day("2025-04-15"))
    Course.objects.create(unit=open_unit, started_on=day("2025-04-01"))
    figures = indicators.period_figures(unit=open_unit, period=Q1)
    assert figures["visits"]["total"] == 3
    assert figures["visits"]["by_channel"] == {"walk_in": 2, "phone": 1, "email": 0, "home": 0}
    assert figures["visits"]["by_topic"]["loss"] == 2 and figures["visits"]["by_topic"]["bullying"] == 1
    assert figures["visits"]["by_gender"] == {"female": 1, "male": 1, "other": 0, "not_stated": 1}
    assert figures["courses"] == {"started": 2, "ended": 1, "open_at_end": 2}


def test_profiles_add_their_own_keys(in_unit_a, team, family_unit, open_unit):
    def keys(unit):
        from django_scopes import scope

        with scope(unit=unit):
            return set(indicators.period_figures(unit=unit, period=Q1))

    assert {"applicants", "queue_by_month"} <= keys(in_unit_a)
    assert {"ors", "family_climate", "goals", "cases_by_phase"} <= keys(team)
    assert {"not_current_again", "counted_work"} <= keys(family_unit)
    assert {"visits", "courses"} <= keys(open_unit) and "applicants" not in keys(open_unit)


def test_the_queue_page_and_the_statistics_agree_on_who_is_waiting(in_unit_a):
    """The waiting rule is written twice — as ORM (intake's queue) and as SQL (the statistics'
    fast path); this pins them to the same answer on the edges: offered or closed on the day."""
    import datetime

    from intake.models import Application
    from intake.selectors import waiting_on
    from reporting.indicators import queue
    from tests.stats_builders import application

    end = datetime.date(2025, 3, 31)
    application(in_unit_a, "2025-03-01")                                  # waiting
    application(in_unit_a, "2025-03-02", offered="2025-03-31")            # offered on the day: not waiting
    application(in_unit_a, "2025-03-03", offered="2025-04-01")            # offered the day after: waiting
    application(in_unit_a, "2025-03-04", closed="2025-03-31")             # closed on the day: not waiting
    application(in_unit_a, "2025-03-31")                                  # received on the day: waiting
    application(in_unit_a, "2025-04-01")                                  # not yet received
    orm = Application.objects.filter(unit=in_unit_a).filter(waiting_on(end)).count()
    sql = queue(in_unit_a, datetime.date(2025, 1, 1), end, limit=14)["waiting_now"]["count"]
    assert orm == sql == 3
