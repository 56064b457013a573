from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from units.imports import IMPORTERS, RowErrors, import_file
from units.models import Unit


class Command(BaseCommand):
    help = ("Import applications or sessions for one unit from a CSV or XLSX file (all rows or none; see README, "
            "'Importing from a file').")

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Unit slug.")
        parser.add_argument("--kind", required=True, choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, unit, kind, file, **options):
        target = Unit.objects.filter(slug=unit).first()
        if target is None:
            raise CommandError(_("No unit with the slug %s.") % unit)
        try:
            source = file.open("rb")
            size = file.stat().st_size
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        with source, scope(unit=target):
            result = import_file(kind=kind, unit=target, source=source, size=size)
        if not result.ok:
            raise CommandError(_("Nothing was imported. Correct these rows:") + "\n"
                               + str(RowErrors(result.errors, result.more_errors)))
        self.stdout.write(self.style.SUCCESS(ngettext(
            "Imported %(count)d row into %(unit)s.", "Imported %(count)d rows into %(unit)s.", result.written) % {
            "count": result.written, "unit": target.slug}))
