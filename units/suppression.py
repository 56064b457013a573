"""Small-count suppression for statistics that leave an anonymous unit. Pure: values in, values out.

Primary: a count from 1 to threshold − 1 is shown as "<5" (for threshold 5).
Secondary: a breakdown is published with its total, so one hidden cell alone could be worked
out as total − the visible cells. Whenever a line (a breakdown and its total) has exactly one
hidden cell, the smallest visible non-zero cell of that line is hidden too (a zero only when
no non-zero cell is left), shown as "..". Zeros are never hidden on their own: "nobody" singles
out no one (DESIGN.md §6; the threshold is the unit setting `suppression_threshold`).
"""

import copy

SECONDARY = ".."


def primary_label(threshold: int) -> str:
    return f"<{threshold}"


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_lines(cells: dict, lines: list[list], *, threshold: int) -> dict:
    """`cells`: key → count; `lines`: groups of keys whose sum the reader knows (a breakdown
    with its published total). Returns key → count, or "<5" / ".." for hidden cells."""
    hidden = {key: primary_label(threshold) for key, value in cells.items() if is_small(value, threshold)}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in hidden for key in line) != 1:
                continue
            visible = [key for key in line if key not in hidden]
            if not visible:
                continue
            # The smallest non-zero cell hides the least; a zero only when nothing else is left.
            partner = min(visible, key=lambda key: (cells[key] == 0, cells[key]))
            hidden[partner] = SECONDARY
            changed = True
    return {key: hidden.get(key, value) for key, value in cells.items()}


def suppress_breakdown(counts: dict, *, threshold: int, with_total: bool = True) -> dict:
    """One breakdown. `with_total`: its cells add up to a published total (a partition);
    otherwise the cells are independent counts and only primary suppression applies."""
    return suppress_lines(counts, [list(counts)] if with_total else [], threshold=threshold)


def combined_total(values: list) -> int | str:
    """A total across units of cells that may be hidden: hidden when any part is hidden,
    so it cannot be used to work out a hidden part."""
    if any(isinstance(value, str) for value in values):
        return SECONDARY
    return sum(values)


def suppress_figures(figures: dict, *, breakdowns: dict[str, bool], threshold: int) -> dict:
    """A copy of a figures dict with every declared breakdown suppressed. `breakdowns` maps a
    dotted path (`applicants.age_band`) to whether its cells partition a published total."""
    result = copy.deepcopy(figures)
    for path, with_total in breakdowns.items():
        *parents, name = path.split(".")
        holder = result
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and isinstance(holder.get(name), dict):
            holder[name] = suppress_breakdown(holder[name], threshold=threshold, with_total=with_total)
    return result
