"""The figures of an anonymous unit as they may leave it (DESIGN.md §6; 000_610e279258caecb4.txt
"Varken journal eller register förs"): for the administration's pages, the organisation pages,
the exports and the report PDFs. Unit staff read `indicators.period_figures` exactly.

A reader outside the unit can fetch every period, so small counts are hidden over everything
it can combine, not page by page (units.suppression, "linked tables"):

- Figures are published to outsiders on a fixed lattice only: the unit's own periods (its
  `period_kind`) and the year. Another period kind would give months by subtraction (T1 − Q1 is
  April), so it shows no figure at all: `figures_outside` returns every value as hidden.
- Each breakdown is one table over the year's own periods and the year, with the published
  totals in both directions; its hidden cells are chosen jointly (`protect_table`), so the
  quarter pages, the year page and the "same period a year earlier" column (the earlier year's
  own pattern) show one consistent set of hidden cells. Months are cells of their own period.
- Snapshots are one cell wherever they appear: the queue at the end of the period's last month
  is `waiting_now.count`; those over the limit are hidden with it.
- Totals (`sessions_held`, `new_applications`, …) are never hidden.
"""

import copy

from units import suppression
from units.periods import Period

from . import indicators
from .profiles import value_at

# Breakdown (dotted path) → the published total its cells add up to, or None when the cells are
# separate counts (an application may carry several priority flags).
PARTITIONS = {
    "sessions_by_format": "sessions_held",
    "sessions_by_location": "sessions_held",
    "sessions_by_constellation": "sessions_held",
    "new_applications_by_municipality": "new_applications",
    "waiting_days_distribution": "waiting_days.offers",
    **{f"applicants.{name}": "new_applications" for name in [*indicators.APPLICANT_CATEGORIES, "children_count"]},
    "applicants.priority": None,
    "applicants.children_by_age_band": None,  # children, not applications (see _hide_linked_bands)
    # Several flags per application make the groups add up to more than the offers: taking the
    # offers as their total is the safe side (with no application flagged twice it is exact).
    "waiting_by_priority.offers": "waiting_days.offers",
    "transferred_by_provider": None,  # a part of the applications closed in the period
    **{f"visits.{name}": "visits.total" for name in indicators.VISIT_CATEGORIES},
}
# Breakdowns whose cells add up to at least their total (an application in several groups).
OVERLAPPING = ("waiting_by_priority.offers",)
# Month series: the months of a period add up to its published total (`sessions_held`).
MONTHLY = ("sessions_by_month",)
# What a handful of offers would tell of one person's wait.
WAIT_SUMMARY = ("median", "p90", "max")
EFFORT_SUMMARY = ("sessions_mean", "sessions_median", "hours_mean", "hours_median")
EFFORT_MEANS = ("sessions_mean", "hours_mean")


def lattice(unit, year: int) -> list[Period]:
    """The periods an outside reader sees of a year: the unit's own ones, then the year."""
    if unit.period_kind == "year":
        return [Period(year, "year")]
    count = Period(year, unit.period_kind).count_in_year
    return [*[Period(year, unit.period_kind, number) for number in range(1, count + 1)], Period(year, "year")]


def on_lattice(unit, period: Period) -> bool:
    return period.kind in (unit.period_kind, "year")


def _set(figures: dict, path: str, value) -> None:
    *parents, name = path.split(".")
    holder = figures
    for part in parents:
        holder = holder[part]
    holder[name] = value


def hidden_cells(by_period: dict[str, dict], *, periods: list[Period], threshold: int,
                 limit: int) -> dict[str, dict[str, str]]:
    """Pure. `by_period`: period label → exact figures for each period of one year's lattice
    (the year last). Returns period label → {dotted path: mark} of the cells to hide."""
    own, year = [period.label for period in periods[:-1]], periods[-1].label
    marks: dict[str, dict[str, str]] = {label: {} for label in by_period}

    primary = suppression.primary_label(threshold)

    for path, total in PARTITIONS.items():
        breakdowns = {label: value_at(figures, path) for label, figures in by_period.items()}
        if any(breakdown is None for breakdown in breakdowns.values()):
            continue  # not in this unit's profile
        rows = list(dict.fromkeys(category for breakdown in breakdowns.values() for category in breakdown))
        cells = {(row, label): breakdown.get(row, 0) for label, breakdown in breakdowns.items() for row in rows}
        # With a single period per year the year column is that period; only its own totals link.
        table = suppression.Table(cells=cells, rows=rows, columns=[*own, year] if own else [year],
                                  year_column=year if own else None, column_totals=total is not None)
        for (row, column), mark in suppression.protect_table(table, threshold=threshold).items():
            marks[column][f"{path}.{row}"] = mark

    _hide_linked_bands(by_period, marks)

    for path in MONTHLY:
        series = {label: list(value_at(by_period[label], path)) for label in own or [year]}
        length = max(len(months) for months in series.values())
        cells = {(index, label): value_at(by_period[label], path)[month]
                 for label, months in series.items() for index, month in enumerate(months)}
        found = suppression.protect_table(suppression.Table(cells=cells, rows=list(range(length)),
                                                            columns=list(series)), threshold=threshold)
        for (index, label), mark in found.items():
            month = series[label][index]
            marks[label][f"{path}.{month}"] = mark
            marks[year][f"{path}.{month}"] = mark

    # Snapshots: the queue at each month's end; the period's last month is `waiting_now`.
    months = by_period[year]["queue_by_month"]
    small = {month for month, count in months.items() if suppression.is_small(count, threshold)}
    for label, figures in by_period.items():
        marks[label].update({f"queue_by_month.{month}": primary for month in figures["queue_by_month"]
                             if month in small})
        last = list(figures["queue_by_month"])[-1]
        over_small = suppression.is_small(figures["waiting_now"]["over_limit"], threshold)
        if last in small:
            marks[label]["waiting_now.count"] = primary
        if last in small or over_small:
            marks[label]["waiting_now.over_limit"] = primary if over_small else suppression.SECONDARY

    for label, figures in by_period.items():
        # A group's median is one wait when its offers are few, and tells a hidden count's size.
        groups = value_at(figures, "waiting_by_priority.offers") or {}
        for group, offers in groups.items():
            if suppression.is_small(offers, threshold) or f"waiting_by_priority.offers.{group}" in marks[label]:
                marks[label][f"waiting_by_priority.median.{group}"] = suppression.SECONDARY
        # Means and medians of a handful of closed cases describe those couples.
        effort = figures.get("closed_case_effort")
        if effort and suppression.is_small(effort["cases"], threshold):
            marks[label].update({f"closed_case_effort.{key}": suppression.SECONDARY for key in EFFORT_SUMMARY})
        waiting = figures["waiting_days"]
        if suppression.is_small(waiting["offers"], threshold):
            marks[label].update({f"waiting_days.{key}": suppression.SECONDARY for key in WAIT_SUMMARY})
        if _share_tells(marks[label], limit=limit):
            marks[label]["waiting_days.within_limit_share"] = suppression.SECONDARY
    # The year's mean × its cases less each shown period's mean × its cases is what the periods
    # hidden for their few cases add up to: the year's means go with any period's.
    if own and any("closed_case_effort.sessions_mean" in marks[label] for label in own):
        marks[year].update({f"closed_case_effort.{key}": suppression.SECONDARY for key in EFFORT_MEANS})
    return marks


def _hide_linked_bands(by_period: dict[str, dict], marks: dict[str, dict[str, str]]) -> None:
    """The children across the age bands are Σ k·n_k of the applications with k children
    (`applicants.children_count`), so each table gives back hidden cells of the other. Any hidden
    cell of either, in any period of the lattice, hides every band cell of every period: the
    year less the shown periods would give back one period's bands."""
    bands = "applicants.children_by_age_band"
    if not any(path.startswith((f"{bands}.", "applicants.children_count."))
               for period_marks in marks.values() for path in period_marks):
        return
    for label, figures in by_period.items():
        marks[label].update({f"{bands}.{band}": suppression.SECONDARY for band in value_at(figures, bands) or {}})


def _share_tells(marks: dict[str, str], *, limit: int) -> bool:
    """The share within the limit gives the number of offers within it. That adds an equation
    over the hidden waiting-time cells when they lie on both sides of the limit, or in the bucket
    the limit cuts (then it bounds that cell)."""
    sides = set()
    for key, low, high in indicators.WAITING_BUCKETS:
        if f"waiting_days_distribution.{key}" in marks:
            sides.add("within" if high is not None and high <= limit else "over" if low > limit else "cut")
    return "cut" in sides or sides == {"within", "over"}


def _hide_target_group(figures: dict) -> None:
    """A share of the inquiries (`target_group.inquiries`) is a count over what was stated: hidden
    when a count it is made of, or the "not stated" count that gives what was stated, is hidden."""
    shares = figures.get("target_group")
    if not isinstance(shares, dict) or not isinstance(shares.get("inquiries"), dict):
        return
    for key, (name, categories) in indicators.TARGET_GROUP_SHARES.items():
        paths = [f"visits.{name}.{category}" for category in (*categories, indicators.NOT_STATED)]
        if any(suppression.is_mark(value_at(figures, path)) for path in paths):
            shares["inquiries"][key] = suppression.SECONDARY
    for name, stated in indicators.STATED.items():
        if suppression.is_mark(value_at(figures, f"visits.{name}.{indicators.NOT_STATED}")):
            shares["stated"][stated] = suppression.SECONDARY


def year_outside(unit, year: int, *, core_only: bool = False) -> dict[str, dict]:
    """Period label → figures as they leave the unit, for each period of the year's lattice.
    Hidden cells hold "<5" or ".."; `suppressed` and `suppressed_below_threshold` list their paths."""
    periods = lattice(unit, year)
    exact = {period.label: indicators.period_figures(unit=unit, period=period, core_only=core_only)
             for period in periods}
    marks = hidden_cells(exact, periods=periods, threshold=unit.suppression_threshold, limit=unit.wait_limit_days)
    shown = {}
    for label, figures in exact.items():
        result = copy.deepcopy(figures)
        for path, mark in marks[label].items():
            _set(result, path, mark)
        _hide_target_group(result)
        shown[label] = result
    return shown


def figures_outside(*, unit, period: Period, core_only: bool = False, cache: dict | None = None) -> dict:
    """The period's figures as a reader outside the unit may see them. A unit in case mode has
    nothing to hide (DESIGN.md §6 suppresses anonymous units). `cache` (a dict kept by the
    caller) spares computing a year twice for one page."""
    if not unit.is_anonymous:
        return indicators.period_figures(unit=unit, period=period, core_only=core_only)
    if not on_lattice(unit, period):
        return all_hidden(indicators.period_figures(unit=unit, period=period, core_only=core_only))
    key = (unit.pk, period.year, core_only)
    if cache is None or key not in cache:
        computed = year_outside(unit, period.year, core_only=core_only)
        if cache is None:
            return computed[period.label]
        cache[key] = computed
    return cache[key][period.label]


DESCRIPTIVE = ("unit", "period", "start", "end", "wait_limit_days", "srs_alliance_concern")


def all_hidden(figures: dict) -> dict:
    """Every figure hidden: a period not published to this reader."""
    def hide(value):
        if isinstance(value, dict):
            return {key: hide(item) for key, item in value.items()}
        return suppression.SECONDARY

    return {key: value if key in DESCRIPTIVE else hide(value) for key, value in figures.items()}


def hidden_paths(figures: dict, prefix: str = "") -> list[str]:
    """Dotted paths of the hidden cells of a figures dict (those holding a mark)."""
    found = []
    for key, value in figures.items():
        if isinstance(value, dict):
            found += hidden_paths(value, f"{prefix}{key}.")
        elif isinstance(value, str) and suppression.is_mark(value):
            found.append(f"{prefix}{key}")
    return found


def as_json(figures: dict) -> dict:
    """The JSON contract (README "Period statistics", `?export=json`): the keys of `period_stats`,
    a hidden cell as null, `suppressed` listing the hidden paths and `suppressed_below_threshold`
    those of them shown as "<5" on the page (a count from 1 to the threshold − 1)."""
    paths = hidden_paths(figures)
    result = copy.deepcopy(figures)
    small = []
    for path in paths:
        if value_at(result, path) != suppression.SECONDARY:
            small.append(path)
        _set(result, path, None)
    return {**result, "suppressed": paths, "suppressed_below_threshold": small}


HIDDEN_LISTS = ("suppressed", "suppressed_below_threshold")
