import shutil

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_scopes import scope

from reporting.models import ReportDocument
from reporting.services import report_request
from reporting.tasks import build_report_document
from units.models import Unit
from units.services import audit_log


class Command(BaseCommand):
    help = "Build a new version of a unit's yearly report (verksamhetsberättelse)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Unit slug.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--sync", action="store_true", help="Build in this process, without a broker.")
        parser.add_argument("--out", help="Write the finished PDF to this file.")

    def handle(self, *args, unit, year, sync, out, **options):
        target = Unit.objects.filter(slug=unit).first()
        if target is None:
            raise CommandError(_("No unit with the slug %s.") % unit)
        if not 2000 <= year <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        with scope(unit=target):
            document = report_request(unit=target, period=str(year), enqueue=not sync)
            if sync:
                build_report_document.apply(args=[document.pk])
            document.refresh_from_db()
            if sync and document.status != ReportDocument.Status.DONE:
                raise CommandError(document.error or _("The build did not finish."))
            if out and document.status == ReportDocument.Status.DONE:
                with document.file.open("rb") as source, open(out, "wb") as destination:
                    shutil.copyfileobj(source, destination)
                audit_log(user=None, unit=target, action="report.download", obj=document)
        self.stdout.write(_("%(unit)s %(year)s version %(version)s: %(status)s") % {
            "unit": target.slug, "year": year, "version": document.version, "status": document.get_status_display()})
        if out and document.status != ReportDocument.Status.DONE:
            self.stdout.write(_("A worker is building the report; use --sync to wait for it here."))
