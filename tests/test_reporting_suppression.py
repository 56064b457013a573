"""Small-count suppression, worked out by hand. Threshold 5 unless said: 1–4 show as "<5";
a breakdown published with its total never has exactly one hidden cell ("..": secondary)."""

from units.suppression import combined_total, suppress_breakdown, suppress_figures, suppress_lines


def test_a_small_count_is_hidden_and_the_smallest_other_cell_with_it():
    # Alone, 3 could be worked out as 20 − 10 − 7; hiding 7 as well leaves 10 for the two.
    assert suppress_breakdown({"a": 3, "b": 10, "c": 7}, threshold=5) == {"a": "<5", "b": 10, "c": ".."}


def test_two_small_counts_protect_each_other():
    assert suppress_breakdown({"a": 3, "b": 2, "c": 9}, threshold=5) == {"a": "<5", "b": "<5", "c": 9}


def test_zeros_and_large_counts_are_shown():
    assert suppress_breakdown({"a": 0, "b": 12, "c": 30}, threshold=5) == {"a": 0, "b": 12, "c": 30}


def test_the_threshold_is_the_units_setting():
    assert suppress_breakdown({"a": 3, "b": 2, "c": 8}, threshold=3) == {"a": "..", "b": "<3", "c": 8}
    assert suppress_breakdown({"a": 4, "b": 5}, threshold=5) == {"a": "<5", "b": ".."}
    assert suppress_breakdown({"a": 5, "b": 5}, threshold=5) == {"a": 5, "b": 5}


def test_a_zero_is_hidden_only_when_no_other_cell_is_left():
    # Total 4, all in a: hiding b leaves a + b = 4 with a somewhere in 1–4.
    assert suppress_breakdown({"a": 4, "b": 0, "c": 0}, threshold=5) == {"a": "<5", "b": "..", "c": 0}
    # A non-zero cell is preferred to a zero one.
    assert suppress_breakdown({"a": 0, "b": 2, "c": 40}, threshold=5) == {"a": 0, "b": "<5", "c": ".."}


def test_independent_counts_get_primary_suppression_only():
    assert suppress_breakdown({"acute": 3, "violence": 10}, threshold=5, with_total=False) == {
        "acute": "<5", "violence": 10}


def test_secondary_suppression_follows_rows_and_columns():
    # A 2 × 3 table published with row and column totals; A1 = 3 is small.
    cells = {"A1": 3, "A2": 8, "A3": 20, "B1": 6, "B2": 9, "B3": 15}
    lines = [["A1", "A2", "A3"], ["B1", "B2", "B3"], ["A1", "B1"], ["A2", "B2"], ["A3", "B3"]]
    # Row A hides A2 (8, its smallest); column 1 then hides B1, column 2 hides B2; row B has two.
    assert suppress_lines(cells, lines, threshold=5) == {"A1": "<5", "A2": "..", "A3": 20, "B1": "..", "B2": "..",
                                                          "B3": 15}


def test_no_line_is_left_with_a_single_hidden_cell():
    cells = {(row, column): value for row, values in enumerate([[1, 7, 9, 30], [12, 2, 6, 8], [5, 6, 7, 40]])
             for column, value in enumerate(values)}
    lines = [[(row, column) for column in range(4)] for row in range(3)]
    lines += [[(row, column) for row in range(3)] for column in range(4)]
    result = suppress_lines(cells, lines, threshold=5)
    assert result[(0, 0)] == "<5" and result[(1, 1)] == "<5"
    for line in lines:
        assert sum(isinstance(result[key], str) for key in line) != 1, line


def test_a_total_across_units_is_hidden_with_any_hidden_part():
    assert combined_total([3, 12]) == 15
    assert combined_total(["<5", 12]) == ".."
    assert combined_total([0, ".."]) == ".."


def test_figures_are_suppressed_at_the_declared_paths_only():
    figures = {"sessions_held": 3, "sessions_by_format": {"individual": 3, "couple": 0},
               "applicants": {"age_band": {"25-34": 2, "35-44": 9, "not_stated": 6}, "priority": {"acute": 1}}}
    result = suppress_figures(figures, threshold=5, breakdowns={
        "sessions_by_format": True, "applicants.age_band": True, "applicants.priority": False, "visits.by_topic": True})
    assert result == {"sessions_held": 3, "sessions_by_format": {"individual": "<5", "couple": ".."},
                      "applicants": {"age_band": {"25-34": "<5", "35-44": 9, "not_stated": ".."},
                                     "priority": {"acute": "<5"}}}
    assert figures["sessions_by_format"] == {"individual": 3, "couple": 0}  # the original is left alone


def test_few_offers_hide_the_waiting_times_and_the_monthly_queue_is_suppressed(db):
    from reporting.indicators import suppressed
    from tests import factories

    unit = factories.unit("hotel")  # anonymous, threshold 5
    figures = {"waiting_days": {"offers": 2, "median": 9, "p90": 12, "max": 12, "within_limit_share": "1.000"},
               "queue_by_month": {"2025-01": 3, "2025-02": 7}}
    shown = suppressed(figures, unit=unit)
    assert shown["waiting_days"] == {"offers": 2, "median": "..", "p90": "..", "max": "..",
                                     "within_limit_share": ".."}
    assert shown["queue_by_month"] == {"2025-01": "<5", "2025-02": 7}
    many = {"waiting_days": {"offers": 5, "median": 9, "p90": 12, "max": 12, "within_limit_share": "1.000"}}
    assert suppressed(many, unit=unit) == many
