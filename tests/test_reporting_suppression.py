"""Small-count protection, worked out by hand. Threshold 5 unless said: 1–4 show as "<5"; ".." is
hidden so that no hidden cell can be worked out from the published totals (units.suppression)."""

import math
import random

import numpy
import pytest
from scipy.optimize import linprog

from units.suppression import FREE, SECONDARY, Table, combined_total, is_mark, protect_table


def one_period(counts: dict, *, threshold=5, with_total=True) -> dict:
    """A single breakdown with its published total: category → shown value."""
    table = Table(cells={(category, "2025"): count for category, count in counts.items()}, rows=list(counts),
                  columns=["2025"], column_totals=with_total)
    marks = protect_table(table, threshold=threshold)
    return {category: marks.get((category, "2025"), count) for category, count in counts.items()}


def test_a_small_count_is_hidden_and_the_smallest_other_cell_with_it():
    # Alone, 3 could be worked out as 20 − 10 − 7; hiding 7 as well leaves 10 for the two.
    assert one_period({"a": 3, "b": 10, "c": 7}) == {"a": "<5", "b": 10, "c": ".."}


def test_two_small_counts_protect_each_other():
    assert one_period({"a": 3, "b": 2, "c": 9}) == {"a": "<5", "b": "<5", "c": 9}


def test_zeros_and_large_counts_are_shown():
    assert one_period({"a": 0, "b": 12, "c": 30}) == {"a": 0, "b": 12, "c": 30}


def test_the_threshold_is_the_units_setting():
    # "<3" holds 1 or 2: b = 2 can only move down, so its partner must be able to move up.
    assert one_period({"a": 3, "b": 2, "c": 8}, threshold=3) == {"a": "..", "b": "<3", "c": 8}
    assert one_period({"a": 4, "b": 5}) == {"a": "<5", "b": ".."}
    assert one_period({"a": 5, "b": 5}) == {"a": 5, "b": 5}


def test_a_zero_is_hidden_only_when_no_other_cell_is_left():
    # Total 4, all in a: hiding b leaves a + b = 4 with a somewhere in 1–4.
    assert one_period({"a": 4, "b": 0, "c": 0}) == {"a": "<5", "b": "..", "c": 0}
    assert one_period({"a": 0, "b": 2, "c": 40}) == {"a": 0, "b": "<5", "c": ".."}


def test_one_count_alone_in_its_total_is_not_marked_as_small():
    # Total 1: "<5" beside a hidden zero would still say a = 1. Both are "..", either may be the one.
    assert one_period({"a": 1, "b": 0}) == {"a": SECONDARY, "b": SECONDARY}


def test_a_breakdown_of_one_category_is_its_total():
    assert one_period({"Linköping": 3}) == {"Linköping": 3}


def test_independent_counts_hide_only_themselves_in_a_single_period():
    # Priority flags do not add up to a total: nothing can be subtracted.
    assert one_period({"acute": 3, "violence": 10}, with_total=False) == {"acute": "<5", "violence": 10}


def test_quarters_and_year_are_protected_together():
    # a: Q1 3, Q2 10 (year 13); b: Q1 7, Q2 8 (year 15). Hiding only a's Q1 and b's Q1 on the Q1
    # page would let the reader take a's Q1 as 13 − 10. Moving one count around the rectangle
    # a/b × Q1/Q2 keeps every total: the cheapest rectangle, the year column stays shown.
    cells = {("a", "Q1"): 3, ("a", "Q2"): 10, ("a", "Y"): 13, ("b", "Q1"): 7, ("b", "Q2"): 8, ("b", "Y"): 15}
    marks = protect_table(Table(cells=cells, rows=["a", "b"], columns=["Q1", "Q2", "Y"], year_column="Y"),
                          threshold=5)
    assert marks == {("a", "Q1"): "<5", ("a", "Q2"): "..", ("b", "Q1"): "..", ("b", "Q2"): ".."}


def test_a_small_year_cell_moves_with_one_of_its_quarters():
    # a: Q1 2, Q2 0 (year 2). The year cell is small too; a count moved from b to a in Q1 moves in
    # the year column as well.
    cells = {("a", "Q1"): 2, ("a", "Q2"): 0, ("a", "Y"): 2, ("b", "Q1"): 9, ("b", "Q2"): 6, ("b", "Y"): 15}
    marks = protect_table(Table(cells=cells, rows=["a", "b"], columns=["Q1", "Q2", "Y"], year_column="Y"),
                          threshold=5)
    assert marks == {("a", "Q1"): "<5", ("a", "Y"): "<5", ("b", "Q1"): "..", ("b", "Y"): ".."}


def test_marks():
    assert is_mark("<5") and is_mark("..") and is_mark("<12")
    assert not is_mark("0.600") and not is_mark(3) and not is_mark("<b>")


def test_a_total_across_units_is_hidden_with_any_hidden_part():
    assert combined_total([3, 12]) == 15
    assert combined_total(["<5", 12]) == ".."
    assert combined_total([0, ".."]) == ".."


# ---- every hidden cell keeps at least two possible values, checked by a linear programme ------

def _ranges(table: Table, marks: dict, threshold: int, sums: dict | None = None) -> dict:
    """Least and greatest value of each hidden cell given what is published and the marks (or, with
    `sums`, of each named sum of hidden cells)."""
    hidden = sorted(marks, key=str)
    index = {cell: i for i, cell in enumerate(hidden)}
    known = {cell: value for cell, value in table.cells.items() if cell not in marks}
    a_eq, b_eq = [], []

    def line(cells, signs):
        row, constant = numpy.zeros(len(hidden)), 0
        for cell, sign in zip(cells, signs, strict=True):
            if cell in index:
                row[index[cell]] += sign
            else:
                constant -= sign * known[cell]
        a_eq.append(row)
        b_eq.append(constant)

    periods = [column for column in table.columns if column != table.year_column]
    if table.column_totals:
        for column in table.columns:
            total = sum(table.cells[(row, column)] for row in table.rows)
            line([(row, column) for row in table.rows], [1] * len(table.rows))
            b_eq[-1] += total
    if table.year_column is not None:
        for row in table.rows:
            line([(row, column) for column in periods] + [(row, table.year_column)], [1] * len(periods) + [-1])
    bounds = [(1, threshold - 1) if marks[cell] != SECONDARY else (0, None) for cell in hidden]
    ranges = {}
    for name, cells in (sums or {cell: [cell] for cell in hidden}).items():
        objective = numpy.zeros(len(hidden))
        for cell in cells:
            objective[index[cell]] = 1
        ends = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_eq=numpy.array(a_eq) if a_eq else None,
                             b_eq=numpy.array(b_eq) if b_eq else None, bounds=bounds, method="highs")
            assert result.status in (0, 3), result.message
            ends.append(sign * result.fun if result.status == 0 else math.inf)
        ranges[name] = tuple(ends)
    return ranges


@pytest.mark.parametrize("seed", range(40))
def test_random_quarter_tables_leave_every_hidden_cell_open(seed):
    rng = random.Random(seed)
    rows = [f"c{n}" for n in range(rng.randint(2, 6))]
    quarters = ["Q1", "Q2", "Q3", "Q4"]
    cells = {(row, quarter): rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 7, 12, 30]) for row in rows for quarter in quarters}
    for row in rows:
        cells[(row, "Y")] = sum(cells[(row, quarter)] for quarter in quarters)
    threshold = rng.choice([3, 5])
    table = Table(cells=cells, rows=rows, columns=[*quarters, "Y"], year_column="Y",
                  column_totals=rng.random() < 0.8)
    marks = protect_table(table, threshold=threshold)
    assert FREE not in {part for cell in marks for part in cell}
    for cell, value in cells.items():
        if 0 < value < threshold:
            assert cell in marks  # every small count is hidden
    for cell, (low, high) in _ranges(table, marks, threshold).items():
        assert math.ceil(low - 1e-6) < math.floor(high + 1e-6), (cell, cells[cell], low, high)


def test_two_hidden_quarters_do_not_give_away_their_half_year_as_a_small_count():
    # a: Q1 1, Q2 2, Q3 10, Q4 10 (year 23). Hiding a's Q1 and Q2 alone, the reader takes the
    # half-year as 23 − 10 − 10 = 3: a small count of a period, though no single cell is known.
    # The hidden cells of a line add up to nothing or to at least the threshold: one more is hidden.
    rows, quarters = ["a", "b"], ["Q1", "Q2", "Q3", "Q4"]
    cells = {("a", "Q1"): 1, ("a", "Q2"): 2, ("a", "Q3"): 10, ("a", "Q4"): 10}
    cells |= {("b", quarter): 9 for quarter in quarters}
    for row in rows:
        cells[(row, "Y")] = sum(cells[(row, quarter)] for quarter in quarters)
    table = Table(cells=cells, rows=rows, columns=[*quarters, "Y"], year_column="Y")
    marks = protect_table(table, threshold=5)
    assert marks[("a", "Q1")] == marks[("a", "Q2")] == "<5" and ("a", "Q3") in marks
    low, high = _ranges(table, marks, 5, {"H1": [("a", "Q1"), ("a", "Q2")]})["H1"]
    assert math.ceil(low - 1e-6) < math.floor(high + 1e-6), (low, high)


@pytest.mark.parametrize("seed", range(40))
def test_random_quarter_tables_give_away_no_half_year_as_a_small_count(seed):
    rng = random.Random(1000 + seed)
    rows = [f"c{n}" for n in range(rng.randint(2, 6))]
    quarters = ["Q1", "Q2", "Q3", "Q4"]
    cells = {(row, quarter): rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 7, 12, 30]) for row in rows for quarter in quarters}
    for row in rows:
        cells[(row, "Y")] = sum(cells[(row, quarter)] for quarter in quarters)
    threshold = rng.choice([3, 5])
    table = Table(cells=cells, rows=rows, columns=[*quarters, "Y"], year_column="Y")
    marks = protect_table(table, threshold=threshold)
    halves = {(row, half): [(row, quarter) for quarter in pair if (row, quarter) in marks]
              for row in rows for half, pair in (("H1", quarters[:2]), ("H2", quarters[2:]))}
    halves = {name: cells_ for name, cells_ in halves.items() if cells_}
    for (row, half), (low, high) in _ranges(table, marks, threshold, halves).items():
        shown = sum(cells[(row, quarter)] for quarter in (quarters[:2] if half == "H1" else quarters[2:])
                    if (row, quarter) not in marks)
        if math.ceil(low - 1e-6) == math.floor(high + 1e-6):  # the half-year is known: it must not be small
            assert not 0 < round(low) + shown < threshold, (row, half, cells, marks)
