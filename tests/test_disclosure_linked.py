"""Three ways a reviewer worked out counts hidden outside an anonymous unit by combining figures
that live in different breakdowns (reporting.outside.hidden_cells): the children per age band
against the applications per number of children, the waiting-time groups against the offers, and
the year's mean effort against its quarters' means. Each attack is hand-computed on a small year."""

from decimal import Decimal

from reporting import outside
from units import suppression
from units.periods import Period

PERIODS = [*(Period(2025, "quarter", n) for n in range(1, 5)), Period(2025, "year")]
LABELS = [period.label for period in PERIODS]


def _figures(label, **extra):
    """The fields hidden_cells always reads, nothing small among them, plus `extra`."""
    months = {"2025-Q1": "2025-03", "2025-Q2": "2025-06", "2025-Q3": "2025-09", "2025-Q4": "2025-12"}
    month = months.get(label, "2025-12")
    return {"sessions_by_month": {month: 40}, "queue_by_month": {month: 30},
            "waiting_now": {"count": 30, "over_limit": 0}, "waiting_days": {"offers": 40}, **extra}


def _marks(by_period):
    return outside.hidden_cells(by_period, periods=PERIODS, threshold=5, limit=90)


def _children(counts, bands):
    return {"applicants": {"children_count": counts, "children_by_age_band": bands}}


def test_children_per_age_band_do_not_give_back_the_hidden_application_counts():
    """Q1: N=20 applications, children_count {0: 6, 1: 6, 2: 2, 3: 6, 4+: 0}: 2 is hidden ("<5") and
    0 with it. The children across the bands are Σ k·n_k = 6 + 4 + 18 = 28, so with the band total
    shown n2 = (28 − 6 − 18) / 2 = 2 and n0 = 20 − 6 − 2 − 6 = 6. The bands must not be shown then,
    in Q1 nor in a period that gives Q1's bands by subtraction (the year less Q2–Q4)."""
    q1 = _children({"0": 6, "1": 6, "2": 2, "3": 6, "4+": 0}, {"0-2": 10, "3-5": 9, "6-12": 9, "13-17": 0})
    other = _children({"0": 6, "1": 8, "2": 8, "3": 8, "4+": 0}, {"0-2": 20, "3-5": 20, "6-12": 8, "13-17": 0})
    year = _children({"0": 24, "1": 30, "2": 26, "3": 30, "4+": 0}, {"0-2": 70, "3-5": 69, "6-12": 33, "13-17": 0})
    by_period = {label: _figures(label, **(q1 if label == "2025-Q1" else year if label == "2025" else other))
                 for label in LABELS}
    marks = _marks(by_period)
    assert marks["2025-Q1"]["applicants.children_count.2"] == "<5"  # the attack's premise
    for label in LABELS:
        for band in ("0-2", "3-5", "6-12", "13-17"):
            assert marks[label][f"applicants.children_by_age_band.{band}"] == suppression.SECONDARY


def test_children_counts_do_not_give_back_a_hidden_age_band():
    """The reverse: with every children_count cell shown, the band total is 1·8 + 2·8 + 3·8 = 48; a
    band "<5" (13-17: 3) is that less the shown bands (48 − 20 − 20 − 5 = 3). The bands are hidden
    whole ("..") wherever a band cell is hidden."""
    small = _children({"0": 6, "1": 8, "2": 8, "3": 8, "4+": 0}, {"0-2": 20, "3-5": 20, "6-12": 5, "13-17": 3})
    other = _children({"0": 6, "1": 8, "2": 8, "3": 8, "4+": 0}, {"0-2": 20, "3-5": 20, "6-12": 8, "13-17": 0})
    year = _children({"0": 24, "1": 32, "2": 32, "3": 32, "4+": 0}, {"0-2": 80, "3-5": 80, "6-12": 29, "13-17": 3})
    by_period = {label: _figures(label, **(small if label == "2025-Q1" else year if label == "2025" else other))
                 for label in LABELS}
    marks = _marks(by_period)
    for label in LABELS:
        assert not any(path.startswith("applicants.children_count.") for path in marks[label])
        for band in ("0-2", "3-5", "6-12", "13-17"):
            assert marks[label][f"applicants.children_by_age_band.{band}"] == suppression.SECONDARY


def test_children_per_age_band_are_shown_when_nothing_of_either_is_hidden():
    counts = _children({"0": 6, "1": 8, "2": 8, "3": 8, "4+": 0}, {"0-2": 20, "3-5": 20, "6-12": 8, "13-17": 0})
    year = _children({"0": 24, "1": 32, "2": 32, "3": 32, "4+": 0}, {"0-2": 80, "3-5": 80, "6-12": 32, "13-17": 0})
    by_period = {label: _figures(label, **(year if label == "2025" else counts)) for label in LABELS}
    assert all(marks == {} for marks in _marks(by_period).values())


def _waiting(offers, groups):
    return {"waiting_days": {"offers": offers},
            "waiting_by_priority": {"offers": groups, "median": {group: 30 for group in groups}}}


def test_the_waiting_groups_do_not_give_back_a_hidden_group_from_the_offers():
    """No application with two flags: the groups add up to the offers. Q1: offers 18, pregnancy 6,
    none 10 shown → acute "<5" = 18 − 6 − 10 = 2. A second group must be hidden in Q1, and the
    median of every hidden group with it."""
    q1 = _waiting(18, {"acute": 2, "pregnancy": 6, "none": 10})
    other = _waiting(20, {"acute": 6, "pregnancy": 6, "none": 8})
    year = _waiting(78, {"acute": 20, "pregnancy": 24, "none": 34})
    by_period = {label: {**_figures(label), **(q1 if label == "2025-Q1" else year if label == "2025" else other)}
                 for label in LABELS}
    marks = _marks(by_period)["2025-Q1"]
    assert marks["waiting_by_priority.offers.acute"] == "<5"
    hidden = [group for group in ("acute", "pregnancy", "none") if f"waiting_by_priority.offers.{group}" in marks]
    assert len(hidden) >= 2
    for group in hidden:
        assert marks[f"waiting_by_priority.median.{group}"] == suppression.SECONDARY
    # What the reader has left: 18 − the shown groups is the hidden groups' sum, not one group.
    shown = sum(q1["waiting_by_priority"]["offers"][group] for group in ("acute", "pregnancy", "none")
                if group not in hidden)
    assert 18 - shown >= 5


def _effort(cases, sessions_mean, hours_mean):
    return {"closed_case_effort": {"cases": cases, "sessions_mean": sessions_mean, "sessions_median": sessions_mean,
                                   "hours_mean": hours_mean, "hours_median": hours_mean}}


def test_the_years_mean_effort_does_not_give_back_a_quarter_hidden_for_its_few_cases():
    """Q1 has 3 closed cases (means hidden), Q2–Q4 10 each at 5 sessions, the year 33 cases at a mean
    of 5.5: 33 × 5.5 − 3 × 10 × 5 = 31.5 sessions for Q1's three couples. The year's means are hidden
    too; its medians and the cases stay."""
    by_period = {label: {**_figures(label), **(
        _effort(3, Decimal("10.5"), Decimal("15.8")) if label == "2025-Q1" else
        _effort(33, Decimal("5.5"), Decimal("8.1")) if label == "2025" else
        _effort(10, Decimal("5.0"), Decimal("7.5")))} for label in LABELS}
    marks = _marks(by_period)
    assert {path for path in marks["2025-Q1"] if path.startswith("closed_case_effort.")} == {
        f"closed_case_effort.{key}" for key in outside.EFFORT_SUMMARY}
    assert {path for path in marks["2025"] if path.startswith("closed_case_effort.")} == {
        "closed_case_effort.sessions_mean", "closed_case_effort.hours_mean"}
    assert not any(path.startswith("closed_case_effort.") for path in marks["2025-Q2"])


def test_the_years_mean_effort_is_shown_when_every_quarter_shows_its_own():
    by_period = {label: {**_figures(label), **(_effort(40, Decimal("5.0"), Decimal("7.5")) if label == "2025"
                                                 else _effort(10, Decimal("5.0"), Decimal("7.5")))}
                 for label in LABELS}
    assert all(marks == {} for marks in _marks(by_period).values())
