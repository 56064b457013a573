"""`period_stats --unit SLUG --period 2025-Q1 [--format json|csv] [--audience unit|outside]`: the
figures the statistics page shows, exact as unit staff see them, or with `--audience outside` as a
reader outside the unit sees them (`?export=json`: hidden cells null, `suppressed` lists them).
The keys are a contract: README "Period statistics"."""

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from reporting import outside
from reporting.indicators import period_figures
from units.exports import csv_writer
from units.models import Unit
from units.periods import Period
from units.services import audit_log


def flat_items(figures: dict, prefix: str = ""):
    """("waiting_days.median", 7.5) pairs, nested keys joined with dots."""
    for key, value in figures.items():
        if isinstance(value, dict):
            yield from flat_items(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


class Command(BaseCommand):
    help = "Print a unit's period statistics as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="The unit's slug.")
        parser.add_argument("--period", required=True, help="2025-Q1, 2025-T2, 2025-H1 or 2025.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--audience", choices=["unit", "outside"], default="unit",
                            help="unit: exact figures; outside: as the administration and reports see them.")

    def handle(self, *args, unit, period, format, audience, **options):
        try:
            chosen = Period.parse(period)
        except ValueError as error:
            raise CommandError(f"--period: {error}") from error
        found = Unit.objects.filter(slug=unit).first()
        if found is None:
            raise CommandError(f"--unit: no unit {unit!r}")
        with scope(unit=found):
            if audience == "outside":
                figures = outside.as_json(outside.figures_outside(unit=found, period=chosen))
            else:
                figures = period_figures(unit=found, period=chosen)
        suffix = ".outside" if audience == "outside" else ""
        audit_log(user=None, unit=found, action=f"stats.command.{format}{suffix}", object_type="period",
                  object_id=chosen.label)
        if format == "json":
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
        writer = csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(["key", "value"])
        # Hidden cells are empty; the lists of hidden paths are the empty cells themselves.
        values = {key: value for key, value in figures.items() if key not in outside.HIDDEN_LISTS}
        for key, value in flat_items(values):
            writer.writerow([key, "" if value is None else json.dumps(value) if isinstance(value, bool) else value])
