"""`purge_expired [--unit SLUG] [--as-of YYYY-MM-DD] [--dry-run]`: remove the details of cases and
applications whose last activity lies longer back than the unit's retention period, freezing the
figures of the periods they were counted in first (README "Retention"). `--dry-run` prints the
counts and writes nothing; `--as-of` purges (or, with `--dry-run`, previews) as if it were that day."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope

from reporting import retention
from units.models import Unit


class Command(BaseCommand):
    help = "Remove the details of cases kept longer than the unit's retention period; the statistics stay."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="The unit's slug (default: every unit).")
        parser.add_argument("--as-of", dest="as_of", help="Purge as if today were this day (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Print what would go; write nothing.")

    def handle(self, *args, unit, as_of, dry_run, **options):
        today = timezone.localdate()
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else today
        except ValueError as error:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from error
        if day > today and not dry_run:
            raise CommandError("--as-of: a day after today can only be previewed, with --dry-run")
        units = Unit.objects.order_by("slug")
        if unit:
            units = units.filter(slug=unit)
            if not units.exists():
                raise CommandError(f"--unit: no unit {unit!r}")
        for found in units:
            with scope(unit=found):
                result = retention.purge_expired(unit=found, as_of=day, today=today, dry_run=dry_run)
            shown = " ".join(f"{kind}={result.counts[kind]}" for kind in (*retention.KINDS_REMOVED, "ended",
                                                                         "inactive"))
            verb = "would remove" if dry_run else "removed"
            frozen = "" if dry_run else f" frozen_periods={result.frozen}"
            self.stdout.write(f"{found.slug} as of {day.isoformat()}: {verb} {shown}{frozen}")
