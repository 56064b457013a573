from django.utils.translation import gettext as _
from django_scopes import scope

from units.access import units_seen_for_period
from units.models import Organisation, Unit
from units.periods import Period

from . import outside, profiles
from .models import ReportDocument


def annual_report_submitted(*, unit: Unit, year: int) -> bool:
    return ReportDocument.objects.filter(unit=unit, period=str(year), submitted_at__isnull=False).exists()


def latest_submitted(*, unit: Unit, period: str) -> ReportDocument | None:
    return (ReportDocument.objects.filter(unit=unit, period=period, submitted_at__isnull=False)
            .order_by("-version").first())


def organisation_columns(organisation: Organisation, period: Period, *, units=None) -> tuple[list[Unit], list[dict]]:
    """Each unit's figures of the period as they leave the unit (its profile's figures too:
    København's inquiries and courses), for the units the organisation sees in the period."""
    # A funder's columns: the units whose agreement with it covers some of the period. Units
    # given for another period (the year before, beside this year's) that the organisation did
    # not see then are columns of hidden figures.
    seen = units_seen_for_period(organisation, period.start, period.end)
    units = seen if units is None else units
    columns = []
    for unit in units:
        with scope(unit=unit):
            figures = outside.figures_outside(unit=unit, period=period)
        columns.append(figures if unit in seen else outside.all_hidden(figures))
    return units, columns


def organisation_figures(organisation: Organisation, period: Period) -> tuple[list[Unit], list[dict], list[str]]:
    """The organisation's units side by side with their total, suppressed as figures that
    have left the units: (units, tables, column headers). Page, export and status PDF share it."""
    units, columns = organisation_columns(organisation, period)
    return units, profiles.organisation_tables(columns, [unit.kind for unit in units]), organisation_headers(units)


def organisation_headers(units: list[Unit]) -> list[str]:
    return [_("Figure"), *[unit.name for unit in units], *([_("Total")] if len(units) > 1 else [])]
