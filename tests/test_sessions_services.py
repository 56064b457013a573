import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from intake.models import Application
from sessions import rules, services
from sessions.models import Course, OutcomeScore, Phase, Session, Visit
from tests import factories
from tests.sessions_helpers import DAY, case, close_month, session, session_values
from units.models import AuditEvent


def _errors(excinfo):
    return excinfo.value.message_dict


# --- logging ---------------------------------------------------------------------------------------

def test_logging_stores_the_session_with_its_counsellors_and_an_audit_row(in_unit_a, alice, anna):
    logged = services.session_log(unit=in_unit_a, acting_user=alice, counsellors=[alice, anna], **session_values())
    stored = Session.objects.get(pk=logged.pk)
    assert (stored.date, stored.minutes, stored.format, stored.participants, stored.fee) == (
        DAY, 60, "couple", 2, "paid")
    assert stored.logged_by == alice
    assert set(stored.counsellors.all()) == {alice, anna}
    assert AuditEvent.objects.filter(action="session.log", object_id=str(stored.pk), user=alice).count() == 1


def test_first_held_session_starts_the_case_and_the_application(in_unit_a, alice):
    opened = case(in_unit_a)
    application = Application.objects.create(unit=in_unit_a, case=opened, received_on=datetime.date(2025, 1, 10),
                                             offered_on=datetime.date(2025, 2, 1),
                                             municipality=factories.municipality("Linköping"))
    services.session_log(unit=in_unit_a, acting_user=alice, counsellors=[alice],
                         **session_values(case=opened, status="client_cancelled", date=datetime.date(2025, 3, 1)))
    opened.refresh_from_db()
    assert opened.started_on is None  # återbud is not a start
    services.session_log(unit=in_unit_a, acting_user=alice, counsellors=[alice], **session_values(case=opened))
    opened.refresh_from_db()
    application.refresh_from_db()
    assert opened.started_on == DAY
    assert application.outcome == "started"
    # A later session leaves the start alone; a back-dated one moves it to the first held date.
    for day in (datetime.date(2025, 3, 20), datetime.date(2025, 2, 27)):
        services.session_log(unit=in_unit_a, acting_user=alice, **session_values(case=opened, date=day))
    opened.refresh_from_db()
    assert opened.started_on == datetime.date(2025, 2, 27)


def test_an_application_with_an_outcome_keeps_it(in_unit_a, alice):
    opened = case(in_unit_a)
    application = Application.objects.create(unit=in_unit_a, case=opened, received_on=datetime.date(2025, 1, 10),
                                             outcome="referred", municipality=factories.municipality("Linköping"))
    services.session_log(unit=in_unit_a, acting_user=alice, **session_values(case=opened))
    application.refresh_from_db()
    assert application.outcome == "referred"


def test_a_case_without_application_starts_too(in_unit_a, alice):
    opened = case(in_unit_a)
    services.session_log(unit=in_unit_a, acting_user=alice, **session_values(case=opened))
    opened.refresh_from_db()
    assert opened.started_on == DAY


def test_the_same_idempotency_key_stores_one_session(in_unit_a, alice):
    key = uuid.uuid4()
    first = services.session_log(unit=in_unit_a, acting_user=alice, idempotency_key=key, **session_values())
    second = services.session_log(unit=in_unit_a, acting_user=alice, idempotency_key=key,
                                  **session_values(minutes=90))
    assert first.pk == second.pk
    assert Session.objects.filter(unit=in_unit_a).count() == 1
    assert Session.objects.get().minutes == 60


@pytest.mark.parametrize(("overrides", "field"), [
    ({"format": "group", "participants": None}, "participants"),
    ({"format": "family", "participants": None}, "participants"),
    ({"format": "individual", "participants": 3}, "participants"),
    ({"format": "couple", "participants": 1}, "participants"),
    ({"format": "group", "participants": 1}, "participants"),
    ({"minutes": 0}, "minutes"),
    ({"minutes": 481}, "minutes"),
    ({"format": "triad"}, "format"),
    ({"status": "maybe"}, "status"),
    ({"date": None}, "date"),
])
def test_bad_values_are_refused_at_their_field_and_nothing_is_stored(in_unit_a, alice, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.session_log(unit=in_unit_a, acting_user=alice, **session_values(**overrides))
    assert field in _errors(excinfo)
    assert not Session.objects.filter(unit=in_unit_a).exists()


def test_a_session_in_the_future_is_refused(in_unit_a, alice):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.session_log(unit=in_unit_a, acting_user=alice, **session_values(date=tomorrow))
    assert "date" in _errors(excinfo)


def test_a_group_with_its_count_needs_no_case(in_unit_a, alice):
    logged = services.session_log(unit=in_unit_a, acting_user=alice,
                                  **session_values(format="group", participants=6, minutes=120))
    assert (logged.participants, logged.case) == (6, None)


def test_another_units_case_and_counsellors_are_refused(in_unit_a, alice, unit_b, bob):
    with scope(unit=unit_b):
        foreign = case(unit_b, "B-1")
    with pytest.raises(ValidationError) as excinfo:
        services.session_log(unit=in_unit_a, acting_user=alice, counsellors=[bob], **session_values(case=foreign))
    assert {"case", "counsellors"} <= set(_errors(excinfo))


def test_a_session_after_the_case_was_closed_is_refused(in_unit_a, alice):
    closed = case(in_unit_a, closed_on=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.session_log(unit=in_unit_a, acting_user=alice, **session_values(case=closed))
    assert "case" in _errors(excinfo)


def test_logging_into_a_closed_billing_month_is_refused(in_unit_a, alice):
    close_month(in_unit_a, DAY)
    with pytest.raises(ValidationError) as excinfo:
        services.session_log(unit=in_unit_a, acting_user=alice, **session_values())
    assert excinfo.value.error_dict["date"][0].code == "month_closed"
    assert not Session.objects.filter(unit=in_unit_a).exists()


# --- editing and correcting -------------------------------------------------------------------------

def test_a_session_of_an_open_month_can_be_changed(in_unit_a, alice, anna):
    logged = session(in_unit_a, counsellors=[alice])
    services.session_update(session=logged, acting_user=alice, counsellors=[anna],
                            **session_values(minutes=75, status="no_show"))
    logged.refresh_from_db()
    assert (logged.minutes, logged.status) == (75, "no_show")
    assert list(logged.counsellors.all()) == [anna]
    assert AuditEvent.objects.filter(action="session.update", object_id=str(logged.pk)).count() == 1


def test_a_session_of_a_closed_month_cannot_be_changed_even_by_the_chief(in_unit_a, anna):
    logged = session(in_unit_a)
    close_month(in_unit_a, DAY)
    with pytest.raises(ValidationError) as excinfo:
        services.session_update(session=logged, acting_user=anna, **session_values(minutes=90))
    assert excinfo.value.code == "month_closed"
    logged.refresh_from_db()
    assert logged.minutes == 60


def test_a_session_cannot_be_moved_into_a_closed_month(in_unit_a, alice):
    logged = session(in_unit_a)
    close_month(in_unit_a, datetime.date(2025, 2, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.session_update(session=logged, acting_user=alice, **session_values(date=datetime.date(2025, 2, 20)))
    assert "date" in _errors(excinfo)
    logged.refresh_from_db()
    assert logged.date == DAY


def test_changing_the_first_held_session_to_a_no_show_moves_the_case_start(in_unit_a, alice):
    opened = case(in_unit_a)
    first = services.session_log(unit=in_unit_a, acting_user=alice, **session_values(case=opened))
    services.session_log(unit=in_unit_a, acting_user=alice,
                         **session_values(case=opened, date=datetime.date(2025, 3, 11)))
    services.session_update(session=first, acting_user=alice, **session_values(case=opened, status="no_show"))
    opened.refresh_from_db()
    assert opened.started_on == datetime.date(2025, 3, 11)


def test_only_the_chief_corrects_a_locked_session_and_the_correction_is_a_new_row(in_unit_a, alice, anna):
    opened = case(in_unit_a)
    original = session(in_unit_a, case=opened, counsellors=[alice])
    close_month(in_unit_a, DAY)
    values = {"minutes": 90, "format": "couple", "participants": None, "location": "office", "status": "held",
              "fee": "paid"}
    with pytest.raises(PermissionDenied):
        services.session_correct(original=original, acting_user=alice, counsellors=[alice], **values)
    assert Session.objects.count() == 1

    correction = services.session_correct(original=original, acting_user=anna, counsellors=[alice], **values)
    assert correction.pk != original.pk
    # The correction keeps the session's real date; billing places it by when it was made.
    assert (correction.corrects, correction.date, correction.minutes, correction.case) == (
        original, DAY, 90, opened)
    original.refresh_from_db()
    assert (original.minutes, original.date) == (60, DAY)
    assert AuditEvent.objects.filter(action="session.correct", object_id=str(correction.pk), user=anna).exists()
    # Only the latest version can be corrected again.
    with pytest.raises(ValidationError) as excinfo:
        services.session_correct(original=original, acting_user=anna, counsellors=[alice], **values)
    assert excinfo.value.code == "corrected"


def test_a_session_of_an_open_month_is_edited_not_corrected(in_unit_a, anna):
    original = session(in_unit_a)
    with pytest.raises(ValidationError) as excinfo:
        services.session_correct(original=original, acting_user=anna, minutes=90, format="couple",
                                 location="office", status="held", fee="paid")
    assert excinfo.value.code == "month_open"
    assert Session.objects.count() == 1


def test_a_correction_that_turns_the_first_held_session_into_a_no_show_moves_the_case_start(in_unit_a, anna):
    opened = case(in_unit_a, started_on=DAY)
    original = session(in_unit_a, case=opened)
    close_month(in_unit_a, DAY)
    services.session_correct(original=original, acting_user=anna, minutes=60, format="couple", location="office",
                             status="no_show", fee="none")
    opened.refresh_from_db()
    assert opened.started_on is None  # "cases whose first held session is in the period": none was held


def test_a_corrected_session_counts_once_with_its_corrected_values(in_unit_a, anna):
    from sessions.selectors import effective_sessions, session_totals

    original = session(in_unit_a, case=case(in_unit_a))
    close_month(in_unit_a, DAY)
    services.session_correct(original=original, acting_user=anna, minutes=90, format="couple",
                             location="office", status="held", fee="paid")
    assert [(row.date, row.minutes) for row in effective_sessions(in_unit_a)] == [(DAY, 90)]
    totals = session_totals(Session.objects.filter(unit=in_unit_a))
    assert (totals["held"], totals["hours"]) == (1, rules.hours(90))


# --- tally ------------------------------------------------------------------------------------------

def test_a_tally_tap_counts_once_per_key(in_unit_a, alice):
    key = uuid.uuid4()
    for _tap in range(2):
        services.visit_count(unit=in_unit_a, acting_user=alice, date=DAY, channel="walk_in", topic="loss",
                             child_age_band="3-5", idempotency_key=key)
    visit = Visit.objects.get(unit=in_unit_a)
    assert (visit.channel, visit.topic, visit.child_age_band, visit.counted_by) == ("walk_in", "loss", "3-5", alice)


def test_a_tally_with_an_unknown_channel_is_refused(in_unit_a, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.visit_count(unit=in_unit_a, acting_user=alice, date=DAY, channel="pigeon", topic="loss")
    assert "channel" in _errors(excinfo)
    assert not Visit.objects.filter(unit=in_unit_a).exists()


def test_a_course_is_counted_at_start_and_end(in_unit_a, alice):
    course = services.course_start(unit=in_unit_a, acting_user=alice, started_on=DAY)
    with pytest.raises(ValidationError) as excinfo:
        services.course_end(course=course, acting_user=alice, ended_on=DAY - datetime.timedelta(days=1))
    assert "ended_on" in _errors(excinfo)
    services.course_end(course=course, acting_user=alice, ended_on=datetime.date(2025, 4, 1))
    assert Course.objects.get().ended_on == datetime.date(2025, 4, 1)


# --- case work ----------------------------------------------------------------------------------------

@pytest.fixture
def case_unit(unit_b):
    with scope(unit=unit_b):
        yield unit_b


@pytest.fixture
def family(case_unit):
    return case(case_unit, "U-2025-0001", assigned_on=datetime.date(2025, 1, 10))


def test_treatment_and_generalisation_may_overlap(family, bob):
    services.phase_add(case=family, acting_user=bob, kind="kartlaggning", started_on=datetime.date(2025, 1, 10),
                       ended_on=datetime.date(2025, 2, 10))
    # The hand-over day is shared, not an overlap.
    services.phase_add(case=family, acting_user=bob, kind="behandling", started_on=datetime.date(2025, 2, 10))
    services.phase_add(case=family, acting_user=bob, kind="generalisering", started_on=datetime.date(2025, 6, 1))
    assert Phase.objects.filter(case=family).count() == 3


@pytest.mark.parametrize(("kind", "started_on"), [
    ("behandling", datetime.date(2025, 2, 1)),   # inside the assessment
    ("kartlaggning", datetime.date(2025, 1, 20)),  # two assessments at once
    ("generalisering", datetime.date(2025, 1, 20)),  # generalisation during the assessment
])
def test_other_phases_may_not_overlap(family, bob, kind, started_on):
    services.phase_add(case=family, acting_user=bob, kind="kartlaggning", started_on=datetime.date(2025, 1, 10),
                       ended_on=datetime.date(2025, 2, 10))
    with pytest.raises(ValidationError) as excinfo:
        services.phase_add(case=family, acting_user=bob, kind=kind, started_on=started_on)
    assert "started_on" in _errors(excinfo)
    assert Phase.objects.filter(case=family).count() == 1


def test_two_treatment_phases_may_not_overlap(family, bob):
    services.phase_add(case=family, acting_user=bob, kind="behandling", started_on=datetime.date(2025, 2, 10))
    with pytest.raises(ValidationError):
        services.phase_add(case=family, acting_user=bob, kind="behandling", started_on=datetime.date(2025, 9, 1))


def test_ending_a_phase_checks_its_dates(family, bob):
    assessment = services.phase_add(case=family, acting_user=bob, kind="kartlaggning",
                                     started_on=datetime.date(2025, 1, 10))
    with pytest.raises(ValidationError) as excinfo:
        services.phase_end(phase=assessment, acting_user=bob, ended_on=datetime.date(2025, 1, 9))
    assert "ended_on" in _errors(excinfo)
    services.phase_end(phase=assessment, acting_user=bob, ended_on=datetime.date(2025, 2, 10))
    assert Phase.objects.get(pk=assessment.pk).ended_on == datetime.date(2025, 2, 10)


def test_an_open_phase_blocks_a_later_one_of_another_kind(family, bob):
    services.phase_add(case=family, acting_user=bob, kind="kartlaggning", started_on=datetime.date(2025, 1, 10))
    with pytest.raises(ValidationError):
        services.phase_add(case=family, acting_user=bob, kind="behandling", started_on=datetime.date(2025, 3, 1))


@pytest.mark.parametrize("item", ["item1", "item2", "item3", "item4"])
def test_each_outcome_item_is_0_to_10(family, bob, item):
    items = {"item1": 5, "item2": 6, "item3": 7, "item4": 8, item: 11}
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="parent_1", date=DAY, **items)
    assert list(_errors(excinfo)) == [item]
    items[item] = -1
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="parent_1", date=DAY, **items)
    assert list(_errors(excinfo)) == [item]
    assert not OutcomeScore.objects.exists()


def test_the_total_is_the_sum_of_the_items(family, bob):
    score = services.outcome_score_add(case=family, acting_user=bob, kind="srs", person="child_1",
                                       date=DAY, item1=10, item2=10, item3=9, item4=0)
    assert OutcomeScore.objects.get(pk=score.pk).total == 29


def test_a_score_of_another_cases_session_is_refused(family, case_unit, bob):
    other = session(case_unit, case=case(case_unit, "U-2025-0002"))
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="parent_1", date=DAY,
                                   item1=1, item2=1, item3=1, item4=1, session=other)
    assert "session" in _errors(excinfo)


def test_climate_factors_stay_within_their_number_of_adjectives(family, bob):
    with pytest.raises(ValidationError) as excinfo:
        services.climate_score_add(case=family, acting_user=bob, person="parent_1", date=DAY, closeness=19,
                                   distance=12, spontaneity=6, chaos=7)
    assert set(_errors(excinfo)) == {"closeness", "distance", "chaos"}


def test_a_person_label_that_is_an_identity_number_is_refused(family, bob):
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="121212-1212", date=DAY,
                                   item1=1, item2=1, item3=1, item4=1)
    assert "person" in _errors(excinfo)


def test_goal_text_rejects_identity_numbers_and_reviews_are_saved(family, bob):
    with pytest.raises(ValidationError) as excinfo:
        services.goal_add(case=family, acting_user=bob, text="Pappa 19121212-1212 ska komma i tid")
    assert "text" in _errors(excinfo)
    goal = services.goal_add(case=family, acting_user=bob, text="Morgonrutiner fungerar")
    services.goal_review(goal=goal, acting_user=bob, status="partly_met", reviewed_on=DAY)
    goal.refresh_from_db()
    assert (goal.status, goal.reviewed_on) == ("partly_met", DAY)


def test_anonymous_units_keep_no_case_work(in_unit_a, alice):
    opened = case(in_unit_a)
    with pytest.raises(ValidationError):
        services.goal_add(case=opened, acting_user=alice, text="Bättre kommunikation")
    with pytest.raises(ValidationError):
        services.phase_add(case=opened, acting_user=alice, kind="kartlaggning", started_on=DAY)
    with pytest.raises(ValidationError):
        services.outcome_score_add(case=opened, acting_user=alice, kind="ors", person="Partner 1", date=DAY,
                                   item1=1, item2=1, item3=1, item4=1)


def test_case_dates_follow_the_order_of_events(family, case_unit, bob):
    session(case_unit, case=family, date=datetime.date(2025, 5, 5))
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(case=family, acting_user=bob, closed_on=datetime.date(2025, 5, 1))
    assert "closed_on" in _errors(excinfo)
    family.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(case=family, acting_user=bob, rereferred_on=datetime.date(2025, 9, 1))
    assert "rereferred_on" in _errors(excinfo)
    family.refresh_from_db()
    services.case_update(case=family, acting_user=bob, closing_meeting_on=datetime.date(2025, 6, 1),
                         closed_on=datetime.date(2025, 6, 1), rereferred_on=datetime.date(2026, 2, 1))
    family.refresh_from_db()
    assert (family.closed_on, family.rereferred_on) == (datetime.date(2025, 6, 1), datetime.date(2026, 2, 1))


def test_case_codes_are_unique_per_unit(case_unit, family, bob):
    with pytest.raises(ValidationError) as excinfo:
        services.case_open(unit=case_unit, acting_user=bob, code="U-2025-0001", opened_on=DAY)
    assert "code" in _errors(excinfo)
    other_unit = factories.unit("charlie", record_mode="case")
    with scope(unit=other_unit):
        assert services.case_open(unit=other_unit, acting_user=bob, code="U-2025-0001", opened_on=DAY).pk


def test_fields_not_given_keep_their_values_when_changed_or_corrected(case_unit, bob):
    logged = session(case_unit, format="family", participants=4, constellation="whole_family", activity="komet",
                     counsellors=[bob])
    services.session_update(session=logged, acting_user=bob, minutes=75)
    logged.refresh_from_db()
    assert (logged.minutes, logged.participants, logged.constellation, logged.activity) == (75, 4, "whole_family",
                                                                                          "komet")
    assert list(logged.counsellors.all()) == [bob]
    close_month(case_unit, DAY)
    chief = factories.user("berit", unit=case_unit, role="chief")
    correction = services.session_correct(original=logged, acting_user=chief, status="no_show")
    assert (correction.status, correction.minutes, correction.constellation, correction.format) == (
        "no_show", 75, "whole_family", "family")
    assert list(correction.counsellors.all()) == [bob]


def test_a_session_is_corrected_at_most_three_times(in_unit_a, anna):
    latest = session(in_unit_a, case=case(in_unit_a))
    close_month(in_unit_a, DAY)
    for minutes in (70, 80, 90):
        latest = services.session_correct(original=latest, acting_user=anna, minutes=minutes)
    with pytest.raises(ValidationError) as excinfo:
        services.session_correct(original=latest, acting_user=anna, minutes=100)
    assert excinfo.value.code == "too_many_corrections"
    assert Session.objects.filter(unit=in_unit_a).count() == 4


def test_a_childs_role_makes_the_score_a_childs(family, bob):
    # The children's clinical cut-off follows the role: no separate "child" box to contradict it.
    child = services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="child_2", date=DAY,
                                       item1=5, item2=5, item3=5, item4=5)
    adult = services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="other_adult_1", date=DAY,
                                       item1=5, item2=5, item3=5, item4=5)
    assert OutcomeScore.objects.get(pk=child.pk).is_child and not OutcomeScore.objects.get(pk=adult.pk).is_child
