import datetime

import pytest

from sessions import rules

THRESHOLDS = {"ors_cutoff_adult": 25, "ors_cutoff_child": 32, "reliable_change": 5, "srs_alliance_concern": 36}
D = datetime.date


def test_the_usual_choice_is_the_most_frequent_and_a_tie_goes_to_the_newest():
    assert rules.usual([60, 90, 90, 60, 45]) == 60  # 60 and 90 twice each; 60 is the newest
    assert rules.usual([90, 60, 60]) == 60
    assert rules.usual([]) is None


@pytest.mark.parametrize(("fmt", "participants", "ok"), [
    ("individual", 1, True), ("individual", 2, False), ("couple", 2, True), ("couple", 3, False),
    ("family", 4, True), ("family", 1, False), ("family", None, False), ("group", 8, True), ("group", None, False),
])
def test_participants_follow_the_format(fmt, participants, ok):
    assert (rules.participants_problem(fmt, participants) is None) is ok


def test_hours_are_decimal():
    assert str(rules.hours(61)) == "1.02"
    assert str(rules.hours(None)) == "0.00"


@pytest.mark.parametrize(("first", "last", "expected"), [(18, 23, "improved"), (18, 22, ""), (30, 25, "deteriorated")])
def test_reliable_change_is_five_points(first, last, expected):
    assert rules.ors_change(first, last, thresholds=THRESHOLDS) == expected


def test_cutoff_and_alliance_concern():
    assert rules.ors_cutoff(is_child=True, thresholds=THRESHOLDS) == 32
    assert rules.ors_cutoff(is_child=False, thresholds=THRESHOLDS) == 25
    assert rules.srs_concern(36, thresholds=THRESHOLDS) and not rules.srs_concern(37, thresholds=THRESHOLDS)


def test_urgent_assignment_is_overdue_after_the_limit_unless_regular_or_closed():
    since = D(2025, 3, 1)
    common = {"urgent": True, "since": since, "regular_from": None, "closed_on": None, "days": 7}
    assert not rules.urgent_overdue(**common, today=D(2025, 3, 8))
    assert rules.urgent_overdue(**common, today=D(2025, 3, 9))
    assert not rules.urgent_overdue(**{**common, "regular_from": D(2025, 3, 5)}, today=D(2025, 4, 1))
    assert not rules.urgent_overdue(**{**common, "urgent": False}, today=D(2025, 4, 1))


def test_phase_conflict_ignores_treatment_with_generalisation():
    others = [("behandling", D(2025, 2, 1), None)]
    assert rules.phase_conflict("generalisering", D(2025, 5, 1), None, others) is None
    assert rules.phase_conflict("kartlaggning", D(2025, 5, 1), None, others) == others[0]
    assert rules.phase_conflict("kartlaggning", D(2025, 1, 1), D(2025, 2, 1), others) is None


def test_next_code_continues_the_year():
    assert rules.next_code("U", 2025, ["U-2025-0009", "U-2024-0042", "X"]) == "U-2025-0010"
    assert rules.next_code("U", 2026, []) == "U-2026-0001"
