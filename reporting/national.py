"""The national yearly statistics on family counselling (Socialstyrelsen 2003–2017, MFoF since
2018; DESIGN.md §2 "Facts from outside the seeds"): the survey's aggregates per municipality of
residence and in total, for one unit or an organisation's units. Danish units have no such
survey; their organisation gets the same shape for its own city-wide status.

One function per figure set, each one aggregate query: `unit_figures` counts a unit's year
exactly (or reads it as a retention purge froze it); `unit_outside` applies the unit's
small-count protection (what leaves the unit); `organisation_outside` adds units up. The page,
the export and the `national_stats` command all call these, so they cannot disagree. Definitions
are the contract in the README ("National yearly statistics").
"""

import copy
import datetime
import json

from django.utils.translation import gettext as _
from django_scopes import scope

from intake.models import AgeBand, InitiatedBy, RelationshipLength, RelationshipType
from sessions.models import ClosingFocus, SessionStatus
from units import suppression
from units.access import units_seen_for_period

from .indicators import NOT_STATED, _not_corrected, _select, frozen
from .models import FrozenFigures
from .profiles import OTHER_MUNICIPALITY

HELD = SessionStatus.HELD
TOTAL = "total"
# Scalars: a count per municipality that adds up to the published total.
SCALARS = ("cases_ongoing", "cases_started", "cases_closed", "sessions", "adults", "children_affected")
# Breakdowns: key → (choices, whether blank counts as "not_stated", whether each municipality's
# cells add up to one of its published scalars).
BREAKDOWNS = {
    "adults_by_age_band": (AgeBand.values, False, False),
    "relationship_type": (RelationshipType.values, True, True),
    "relationship_length": (RelationshipLength.values, True, True),
    "contact_initiated_by": (InitiatedBy.values, True, True),
    "closed_case_focus": (ClosingFocus.values, True, True),
}
KEYS = ("cases_ongoing", "cases_started", "cases_closed", "sessions", "adults", "adults_by_age_band",
        "children_affected", "relationship_type", "relationship_length", "contact_initiated_by", "closed_case_focus")


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _case_columns(start: datetime.date, end: datetime.date) -> list[tuple[str, str, list]]:
    """The case-level aggregates: (dotted key, SQL expression, its parameters)."""
    started, in_year = "h.first_held BETWEEN %s AND %s", [start, end]
    closed = "c.closed_on BETWEEN %s AND %s"
    columns = [
        # A case the retention purge ended as inactive keeps its start in `started_on` (its sessions
        # are gone) and is ongoing up to the day it ended.
        ("cases_ongoing", "COUNT(*) FILTER (WHERE COALESCE(h.first_held, CASE WHEN c.lapsed_on IS NOT NULL "
                          "THEN c.started_on END) <= %s AND (c.closed_on IS NULL OR c.closed_on >= %s) "
                          "AND (c.lapsed_on IS NULL OR c.lapsed_on >= %s))", [end, start, start]),
        ("cases_started", f"COUNT(*) FILTER (WHERE {started})", in_year),
        ("cases_closed", f"COUNT(*) FILTER (WHERE {closed})", in_year),
        ("adults", f"COALESCE(SUM(a.adults) FILTER (WHERE {started}), 0)", in_year),
        ("children_affected", f"COALESCE(SUM(a.children_affected) FILTER (WHERE {started}), 0)", in_year),
    ]
    for band in AgeBand.values:
        columns.append((f"adults_by_age_band.{band}", f"COUNT(*) FILTER (WHERE {started} AND a.age_band = %s) + "
                        f"COUNT(*) FILTER (WHERE {started} AND a.partner_age_band = %s)", [*in_year, band, *in_year,
                                                                                           band]))
    for key, column, condition in (("relationship_type", "a.relationship_type", started),
                                   ("relationship_length", "a.relationship_length", started),
                                   ("contact_initiated_by", "a.initiated_by", started),
                                   ("closed_case_focus", "c.closing_focus", closed)):
        for value in [*BREAKDOWNS[key][0], ""]:
            columns.append((f"{key}.{value or NOT_STATED}",
                            f"COUNT(*) FILTER (WHERE {condition} AND COALESCE({column}, '') = %s)", [*in_year, value]))
    return columns


def _empty() -> dict:
    figures = {}
    for key in KEYS:
        if key in BREAKDOWNS:
            choices, not_stated, _partition = BREAKDOWNS[key]
            figures[key] = {value: 0 for value in [*choices, *([NOT_STATED] if not_stated else [])]}
        else:
            figures[key] = 0
    return figures


def _ordered(names) -> list[str]:
    """Municipalities by name, residents elsewhere ("other") last."""
    return sorted(names, key=lambda name: (name == OTHER_MUNICIPALITY, name))


def count_unit_figures(unit, year: int) -> dict:
    """The unit's exact figures of the year, counted from the rows: two aggregate queries.

    Cases: a case has started when its first held session is held (as `cases_started` of the
    period statistics), is ongoing in the year when it started by the year's end and was not
    closed before the year began, and is closed on its closing date. Adults, their age bands,
    children affected, relationship and who initiated the contact: of the cases started in the
    year, from their application. The focus: of the cases closed in the year. Sessions: the
    held sessions of the year (as `sessions_held`), by the municipality of their case's
    application. A case without an application, or an application without a listed
    municipality, counts under "other"."""
    start, end = year_range(year)
    columns = _case_columns(start, end)
    select = ", ".join(sql for _key, sql, _params in columns)
    params = [value for _key, _sql, values in columns for value in values]
    held = (f"SELECT s.case_id, MIN(s.date) AS first_held FROM counselling_session s "  # noqa: S608
            f"WHERE s.unit_id = %s AND s.status = %s AND s.case_id IS NOT NULL AND {_not_corrected('s')} "
            "GROUP BY s.case_id")
    rows = _select(
        f"SELECT m.name, {select} FROM counselling_case c "  # noqa: S608 - fixed expressions
        f"LEFT JOIN ({held}) h ON h.case_id = c.id "
        "LEFT JOIN intake_application a ON a.case_id = c.id "
        "LEFT JOIN units_municipality m ON m.id = a.municipality_id "
        "WHERE c.unit_id = %s GROUP BY m.name",
        [*params, unit.pk, HELD, unit.pk, unit.pk])
    by_municipality: dict[str, dict] = {}
    for name, *values in rows:
        figures = by_municipality.setdefault(name or OTHER_MUNICIPALITY, _empty())
        for (key, _sql, _values), value in zip(columns, values, strict=True):
            group, dot, item = key.partition(".")
            if dot:
                figures[group][item] += value
            else:
                figures[key] += value
    sessions = _select(
        "SELECT m.name, COUNT(*) FROM counselling_session s "  # noqa: S608 - a fixed alias
        "LEFT JOIN intake_application a ON a.case_id = s.case_id "
        "LEFT JOIN units_municipality m ON m.id = a.municipality_id "
        f"WHERE s.unit_id = %s AND s.date BETWEEN %s AND %s AND s.status = %s AND {_not_corrected('s')} "
        "GROUP BY m.name",
        [unit.pk, start, end, HELD, unit.pk])
    for name, count in sessions:
        by_municipality.setdefault(name or OTHER_MUNICIPALITY, _empty())["sessions"] += count
    # A municipality with nothing in the year is left out.
    municipalities = {name: by_municipality[name] for name in _ordered(by_municipality)
                      if any(by_municipality[name][key] for key in SCALARS)}
    return {"year": year, "unit": unit.slug, "municipalities": municipalities, "total": _sum(municipalities.values())}


def _sum(parts) -> dict:
    total = _empty()
    for figures in parts:
        for key in KEYS:
            if key in BREAKDOWNS:
                for item, value in figures[key].items():
                    total[key][item] = total[key].get(item, 0) + value
            else:
                total[key] += figures[key]
    return total


def unit_figures(unit, year: int) -> dict:
    """The unit's exact figures of the year; as a retention purge froze them, if it did."""
    stored = frozen(unit, FrozenFigures.Kind.NATIONAL, str(year))
    return stored if stored is not None else count_unit_figures(unit, year)


def freeze_text(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False)


# ---- what leaves the unit ---------------------------------------------------------------


Path = tuple  # ("municipalities", name, key[, item]) or ("total", key, item)


def dotted(path: Path) -> str:
    return ".".join(path)


def hidden_cells(figures: dict, *, threshold: int) -> dict[Path, str]:
    """Pure. The cells of a unit's exact year figures to hide: {path: mark}.

    Each scalar is one table, the municipalities adding up to the published total. Each
    breakdown is one table of categories × municipalities with the total column as the sum of
    each row (units.suppression's "year column"); the cells are chosen jointly, so no hidden
    cell can be worked out from the published ones. Totals of the scalars are never hidden."""
    names = list(figures["municipalities"])
    marks: dict[Path, str] = {}
    if not names:
        return marks
    for key in SCALARS:
        cells = {(name, TOTAL): figures["municipalities"][name][key] for name in names}
        table = suppression.Table(cells=cells, rows=names, columns=[TOTAL], column_totals=True)
        for (name, _column), mark in suppression.protect_table(table, threshold=threshold).items():
            marks[("municipalities", name, key)] = mark
    for key, (_choices, _not_stated, partition) in BREAKDOWNS.items():
        rows = list(figures[TOTAL][key])
        cells = {(row, TOTAL): figures[TOTAL][key][row] for row in rows}
        if len(names) > 1:
            cells |= {(row, name): figures["municipalities"][name][key].get(row, 0) for row in rows for name in names}
            table = suppression.Table(cells=cells, rows=rows, columns=[*names, TOTAL], year_column=TOTAL,
                                      column_totals=partition)
        else:
            table = suppression.Table(cells=cells, rows=rows, columns=[TOTAL], column_totals=partition)
        for (row, column), mark in suppression.protect_table(table, threshold=threshold).items():
            if column == TOTAL:
                marks[(TOTAL, key, row)] = mark
                if len(names) == 1:  # the one municipality is the total
                    marks[("municipalities", names[0], key, row)] = mark
            else:
                marks[("municipalities", column, key, row)] = mark
    return marks


def _holder(figures: dict, path: Path) -> tuple[dict, str]:
    holder = figures
    for part in path[:-1]:
        holder = holder[part]
    return holder, path[-1]


def _put(figures: dict, path: Path, value) -> None:
    holder, name = _holder(figures, path)
    holder[name] = value


def unit_outside(unit, year: int) -> dict:
    """The unit's figures as they may leave it: an anonymous unit's small counts hidden ("<5"
    or ".."), as `reporting.outside` does for the period statistics; a case-mode unit's as they
    are (DESIGN.md §6 suppresses anonymous units). Call inside the unit's scope."""
    figures = copy.deepcopy(unit_figures(unit, year))
    if unit.is_anonymous:
        for path, mark in hidden_cells(figures, threshold=unit.suppression_threshold).items():
            _put(figures, path, mark)
    return figures


def organisation_outside(organisation, year: int) -> dict:
    """The organisation's units added up per municipality of residence: each unit as it leaves
    that unit, a sum hidden ("..") when any part of it is (suppression.combined_total). The units
    are those the organisation runs or whose agreement with it covers some of the year."""
    start, end = year_range(year)
    units = units_seen_for_period(organisation, start, end)
    parts = []
    for unit in units:
        with scope(unit=unit):
            parts.append(unit_outside(unit, year))
    names = _ordered({name for part in parts for name in part["municipalities"]})

    def combine(figure_sets: list[dict]) -> dict:
        combined = _empty()
        for key in KEYS:
            if key in BREAKDOWNS:
                items = dict.fromkeys([*combined[key], *(item for figures in figure_sets for item in figures[key])])
                combined[key] = {item: suppression.combined_total([figures[key].get(item, 0)
                                                                   for figures in figure_sets]) for item in items}
            else:
                combined[key] = suppression.combined_total([figures[key] for figures in figure_sets])
        return combined

    return {
        "year": year, "organisation": organisation.slug, "units": [unit.slug for unit in units],
        "municipalities": {name: combine([part["municipalities"][name] for part in parts
                                          if name in part["municipalities"]]) for name in names},
        "total": combine([part[TOTAL] for part in parts]),
    }


def hidden_paths(figures: dict) -> list[Path]:
    """The paths of the cells holding a mark, in the order the figures list them."""
    found = []
    for prefix, values in [*((("municipalities", name), values) for name, values in figures["municipalities"].items()),
                           ((TOTAL,), figures[TOTAL])]:
        for key in KEYS:
            value = values[key]
            if isinstance(value, dict):
                found += [(*prefix, key, item) for item, cell in value.items() if suppression.is_mark(cell)]
            elif suppression.is_mark(value):
                found.append((*prefix, key))
    return found


def as_json(figures: dict) -> dict:
    """The JSON contract: a hidden cell as null; `suppressed` lists the hidden cells' dotted
    paths and `suppressed_below_threshold` those of them shown as "<5" on the page."""
    result = copy.deepcopy(figures)
    paths = hidden_paths(result)
    small = []
    for path in paths:
        holder, name = _holder(result, path)
        if holder[name] != suppression.SECONDARY:
            small.append(dotted(path))
        holder[name] = None
    return {**result, "suppressed": [dotted(path) for path in paths], "suppressed_below_threshold": small}


def labels() -> dict:
    """The labels of the figures and their categories, in the active language."""
    found = {
        "figure": _("Figure"), "category": _("Category"), TOTAL: _("Total"),
        "cases_ongoing": _("Cases ongoing during the year"), "cases_started": _("Cases started"),
        "cases_closed": _("Cases closed"), "sessions": _("Sessions held"), "adults": _("Adults (18 and over)"),
        "adults_by_age_band": _("Adults by age"), "children_affected": _("Children under 18 affected"),
        "relationship_type": _("Relationship type"), "relationship_length": _("Relationship length"),
        "contact_initiated_by": _("Contact initiated by"), "closed_case_focus": _("Focus of closed cases"),
        OTHER_MUNICIPALITY: _("Other municipality or not stated"),
    }
    for key, choices in (("adults_by_age_band", AgeBand), ("relationship_type", RelationshipType),
                         ("relationship_length", RelationshipLength), ("contact_initiated_by", InitiatedBy),
                         ("closed_case_focus", ClosingFocus)):
        for value, label in choices.choices:
            found[(key, value)] = str(label)
        found[(key, NOT_STATED)] = _("Not stated")
    return found


def export_table(figures: dict) -> tuple[list[str], list[list]]:
    """(headers, rows) for CSV/XLSX: one row per figure and category, a column per municipality
    of residence and the total. Hidden cells hold their mark ("<5", "..")."""
    names = labels()
    municipalities = list(figures["municipalities"])
    headers = [names["figure"], names["category"], *[names.get(name, name) for name in municipalities],
               names[TOTAL]]
    rows = []
    for key in KEYS:
        if key in BREAKDOWNS:
            for item in figures[TOTAL][key]:
                rows.append([names[key], names.get((key, item), item),
                             *[figures["municipalities"][name][key].get(item, 0) for name in municipalities],
                             figures[TOTAL][key][item]])
        else:
            rows.append([names[key], "", *[figures["municipalities"][name][key] for name in municipalities],
                         figures[TOTAL][key]])
    return headers, rows
