"""Small-count protection for statistics that leave an anonymous unit. Pure: values in, values out.

Primary: a count from 1 to threshold − 1 is shown as "<5" (for threshold 5). Zeros are shown:
"nobody" singles out no one. Secondary: cells hidden so that no hidden cell can be worked out
from the published totals, over every period the same reader can fetch (`protect_table`); shown
as "..". The threshold is the unit setting `suppression_threshold` (DESIGN.md §6).
"""

import re
from dataclasses import dataclass

SECONDARY = ".."


def primary_label(threshold: int) -> str:
    return f"<{threshold}"


def is_mark(value) -> bool:
    """Whether a published value is a hidden cell's mark ("<5" or "..")."""
    return isinstance(value, str) and (value == SECONDARY or re.fullmatch(r"<\d+", value) is not None)


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def combined_total(values: list) -> int | str:
    """A total across units of cells that may be hidden: hidden when any part is hidden,
    so it cannot be used to work out a hidden part."""
    if any(isinstance(value, str) for value in values):
        return SECONDARY
    return sum(values)


# ---- linked tables ---------------------------------------------------------------------------
#
# A reader outside the unit sees every period of a year: the unit's own periods (quarters, say)
# and the year, which is their sum. A breakdown over those periods is one table: a row per
# category, a column per period and the year column, each column adding up to its published
# total, each row's periods adding up to its year cell (τ-ARGUS: linked tables). Hiding cells
# line by line, page by page, lets the reader subtract across periods; so the cells are chosen
# over the whole table at once.
#
# The reader is assumed to know that a cell shown "<5" holds 1 to 4 and that one shown ".." holds
# any count, zero included. A hidden cell is safe when another table with the same published
# figures and different hidden cells exists: moving one count around a rectangle of hidden cells
# (+1, −1 in one column, −1, +1 in another; the year column takes the sum, so it moves with its
# row) keeps every published total. For each hidden cell we find such a rectangle whose moves
# keep each cell within what the reader knows of it, hiding the cheapest extra cells (cells
# already hidden first, then cells of the periods before the year's, non-zero cells before
# zeros, the smallest counts). Every cell of a
# rectangle found is then safe, so a single pass over the hidden cells protects them all.

FREE = object()  # a row or column nobody publishes: absorbs any move


@dataclass
class Table:
    """Counts in rows × columns. `year_column`: the column whose cell in each row is the sum of
    that row's other cells (None: rows have no published sum). `column_totals`: whether each
    column adds up to a published total (False: the rows are separate counts)."""

    cells: dict[tuple, int]
    rows: list
    columns: list
    year_column: object = None
    column_totals: bool = True


def protect_table(table: Table, *, threshold: int) -> dict[tuple, str]:
    """The hidden cells of `table`: (row, column) → "<5" (1 to threshold − 1) or ".." (hidden to
    protect another, or a small count that only a weaker mark can protect)."""
    if table.column_totals and len(table.rows) == 1:
        return {}  # a breakdown of one category is its published total: nothing to hide
    marks = {cell: primary_label(threshold) for cell, value in table.cells.items() if is_small(value, threshold)}
    rows = [*table.rows, *([] if table.column_totals else [FREE])]
    columns = [*table.columns, *([] if table.year_column is not None else [FREE])]
    safe: set[tuple] = set()

    def value(cell):
        return table.cells.get(cell, 0)

    def fits(cell, change, mark) -> bool:
        if FREE in cell:
            return True
        if mark == primary_label(threshold):
            return 1 <= value(cell) + change <= threshold - 1
        return value(cell) + change >= 0

    def sign(column) -> int:
        return -1 if column == table.year_column else 1

    def best_rectangle(cell, weak: bool):
        row, column = cell
        best = None
        for other_row in rows:
            for other_column in columns:
                if other_row == row or other_column == column:
                    continue
                corners = [(cell, 1), ((row, other_column), -1), ((other_row, column), -1),
                           ((other_row, other_column), 1)]
                mark_of = {corner: SECONDARY if weak else marks.get(corner, SECONDARY) for corner, _ in corners}
                for direction in (1, -1):
                    if all(fits(corner, direction * turn * sign(corner[1]), mark_of[corner])
                           for corner, turn in corners):
                        added = [corner for corner, _ in corners if corner not in marks and FREE not in corner]
                        # The year's figures are the ones read most: hide them last. Then as few
                        # zeros as may be ("nobody" singles out no one), then the least hidden.
                        cost = (sum(corner[1] == table.year_column for corner in added),
                                sum(value(corner) == 0 for corner in added), sum(value(corner) for corner in added),
                                len(added))
                        if best is None or cost < best[0]:
                            best = (cost, [corner for corner, _ in corners])
        return best

    def protect(pending) -> bool:
        """Make each pending hidden cell safe by a rectangle; False when only hiding all will do."""
        while pending:
            cell = pending.pop(0)
            if cell in safe:
                continue
            found = best_rectangle(cell, weak=False)
            if found is None:
                # "<5" itself can tell too much: beside a total of 1, or between other small counts.
                # Marked "..", a cell may be anything from zero up, which leaves room to move.
                found = best_rectangle(cell, weak=True)
                for corner in found[1] if found else []:
                    if corner in marks:
                        marks[corner] = SECONDARY
            if found is None:
                return False
            for corner in found[1]:
                if FREE not in corner:
                    marks.setdefault(corner, SECONDARY)
                    safe.add(corner)
        return True

    # Small year cells first: they cost a year cell whatever is chosen, and their rectangle
    # often covers the small counts of their quarters too.
    pending = sorted(marks, key=lambda cell: (cell[1] != table.year_column, value(cell), str(cell)))
    while protect(pending):
        pending = _small_sums(table, marks, threshold)
        if not pending:
            return marks
        for cell in pending:
            marks[cell] = SECONDARY
    # Everything hidden as "..": any count of one category can then be another's.
    return dict.fromkeys(table.cells, SECONDARY)


def _lines(table: Table) -> list[tuple[list, tuple | None]]:
    """Each line of cells whose sum is published: (its cells, the cell holding the sum, or None
    for a total published outside the table). A row's periods add up to its year cell; a
    column's categories add up to the column's total."""
    lines = []
    if table.year_column is not None:
        periods = [column for column in table.columns if column != table.year_column]
        lines += [([(row, column) for column in periods], (row, table.year_column)) for row in table.rows]
    if table.column_totals:
        lines += [([(row, column) for row in table.rows], None) for column in table.columns]
    return lines


def _small_sums(table: Table, marks: dict, threshold: int) -> list[tuple]:
    """Cells to hide next so that no line gives away the sum of its hidden cells as a small count.

    In a line whose sum is published, the reader gets the hidden cells' sum as the sum less the
    cells shown: two hidden quarters of a row are the half-year (the year less the other two).
    That sum must be nothing or at least the threshold — unless it is the line's whole sum, which
    is published anyway. Otherwise the line's smallest shown count is hidden too (and made safe
    by its own rectangle on the next pass)."""
    extra = set()
    for cells, sum_cell in _lines(table):
        if sum_cell is not None and sum_cell in marks:
            continue  # the row's sum is hidden itself: nothing to subtract from
        hidden = sum(table.cells.get(cell, 0) for cell in cells if cell in marks)
        shown = [cell for cell in cells if cell not in marks and table.cells.get(cell, 0) > 0]
        if is_small(hidden, threshold) and shown:
            extra.add(min(shown, key=lambda cell: (table.cells[cell], str(cell))))
    return sorted(extra, key=str)
