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


def organisation_figures(organisation: Organisation, period: Period) -> tuple[list[Unit], list[dict], list[str]]:
    """The organisation's units side by side with their total, suppressed as figures that
    have left the units: (units, tables, column headers). Page, export and status PDF share it."""
    # A funder's columns: the units whose agreement with it covers some of the period.
    units = units_seen_for_period(organisation, period.start, period.end)
    columns = []
    for unit in units:
        with scope(unit=unit):
            columns.append(outside.figures_outside(unit=unit, period=period, core_only=True))
    headers = [_("Figure"), *[unit.name for unit in units], *([_("Total")] if len(units) > 1 else [])]
    return units, profiles.organisation_tables(columns), headers
