import datetime
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from billing import documents
from billing.selectors import month_statement
from billing.services import month_close_pdf_store
from units.models import Unit
from units.services import audit_log


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(_("--month must look like 2025-03.")) from error


class Command(BaseCommand):
    help = "Print or save a unit's billing statement for a month (JSON, CSV or PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Unit slug, e.g. leanlink-fr.")
        parser.add_argument("--month", required=True, help="The month, e.g. 2025-03.")
        parser.add_argument("--format", choices=["json", "csv", "pdf"], default="json")
        parser.add_argument("--out", help="Write to this file instead of standard output.")

    def handle(self, *args, unit, month, format, out, **options):  # noqa: A002 - the documented option name
        month = _month(month)
        found = Unit.objects.select_related("organisation__municipality").filter(slug=unit).first()
        if found is None:
            raise CommandError(_("No unit with the slug %(slug)s.") % {"slug": unit})
        with scope(unit=found), translation.override(found.language):
            try:
                statement = month_statement(unit=found, month=month)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            content = self._content(statement, found, format)
            audit_log(user=None, unit=found, action=f"billing.statement_export.{format}",
                      object_type="billing.statement", object_id=statement.data["month"])
        if out:
            with open(out, "wb") as handle:
                handle.write(content)
        elif format == "pdf":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            self.stdout.write(content.decode("utf-8"), ending="")

    @staticmethod
    def _content(statement, unit, fmt) -> bytes:
        if fmt == "json":
            return documents.statement_json(statement.data) + b"\n"
        if statement.closed:
            close = statement.close
            if fmt == "pdf" and not close.pdf_file:
                close = month_close_pdf_store(month_close=close, acting_user=None)
            return documents.stored_file(close, fmt)
        if fmt == "csv":
            return documents.statement_csv(statement.data, unit=unit)
        return documents.statement_pdf(statement.data, unit=unit)
