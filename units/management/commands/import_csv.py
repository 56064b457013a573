from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_scopes import scope

from units.imports import IMPORTERS, RowErrors, run_import
from units.models import Unit


class Command(BaseCommand):
    help = "Import applications or sessions for one unit from a CSV file (all rows or none; see README)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Unit slug.")
        parser.add_argument("--kind", required=True, choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, unit, kind, file, **options):
        target = Unit.objects.filter(slug=unit).first()
        if target is None:
            raise CommandError(_("No unit with the slug %s.") % unit)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        with scope(unit=target):
            try:
                count = run_import(kind=kind, unit=target, text=text)
            except RowErrors as errors:
                raise CommandError(_("Nothing was imported. Correct these rows:") + "\n" + str(errors)) from None
        self.stdout.write(self.style.SUCCESS(_("Imported %(count)d rows into %(unit)s.") % {
            "count": count, "unit": target.slug}))
