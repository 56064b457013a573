"""`national_stats --year 2025 (--unit SLUG | --org SLUG) [--format json|csv|xlsx] [--out F]`: the
national yearly statistics on family counselling per municipality of residence and in total, as
they leave the unit (small counts of anonymous units hidden). The JSON keys are a contract:
README "National yearly statistics"."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django_scopes import scope

from reporting import national
from units.exports import table_bytes
from units.models import Organisation, Unit
from units.services import audit_log


class Command(BaseCommand):
    help = "Print the national yearly statistics of a unit or an organisation."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int)
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--unit", help="The unit's slug.")
        who.add_argument("--org", help="The organisation's slug.")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--out", help="Write to this file instead of standard output.")

    def handle(self, *args, year, unit, org, format, out, **options):  # noqa: A002 - the documented option name
        if not 1 <= year <= 9999:
            raise CommandError(f"--year: {year} out of range")
        if unit:
            found = Unit.objects.filter(slug=unit).first()
            if found is None:
                raise CommandError(f"--unit: no unit {unit!r}")
            language = found.language
            with scope(unit=found):
                figures = national.unit_outside(found, year)
            audit_log(user=None, unit=found, action=f"national.command.{format}", object_type="year",
                      object_id=str(year))
        else:
            found = Organisation.objects.filter(slug=org).first()
            if found is None:
                raise CommandError(f"--org: no organisation {org!r}")
            language = found.language
            figures = national.organisation_outside(found, year)
            audit_log(user=None, unit=None, action=f"national.command.{format}", object_type="organisation",
                      object_id=f"{found.slug}:{year}"[:40])
        if format == "json":
            content = (json.dumps(national.as_json(figures), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        else:
            with translation.override(language):
                headers, rows = national.export_table(figures)
            content = table_bytes(headers=headers, rows=rows, fmt=format)
        if out:
            with open(out, "wb") as handle:
                handle.write(content)
        elif format == "xlsx":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
