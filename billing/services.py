"""Writes for billing: closing a month (and storing its files)."""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import documents
from billing.models import MonthClose
from billing.selectors import closed_month, compute_statement, last_day, open_months_before
from units.models import Unit
from units.services import audit_log


@transaction.atomic
def month_close(*, unit: Unit, month: datetime.date, acting_user, with_pdf: bool = True,
                today: datetime.date | None = None) -> MonthClose:
    """Freeze the month's statement and store it as CSV and PDF with their SHA-256.

    Refused for a month that has not ended (billing is "månadsvis i efterskott"), a month
    already closed, an earlier month with billable sessions that is still open, and a
    statement that cannot be made (the ValidationError names what to enter). `with_pdf=False`
    (the demo history) leaves the PDF to be rendered from the snapshot on first download."""
    month = month.replace(day=1)
    today = today or timezone.localdate(timezone=ZoneInfo(unit.time_zone))
    label = f"{month:%Y-%m}"
    if last_day(month) >= today:
        raise ValidationError(_("%(month)s has not ended yet; it can be closed from the first day of the next "
                                "month.") % {"month": label})
    # Two chiefs pressing "close" at once: the second waits here, then sees the first close.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    existing = closed_month(unit=unit, month=month)
    if existing is not None:
        raise ValidationError(_("%(month)s was closed on %(date)s by %(user)s. A closed month never changes; "
                                "corrections go to an open month.") % {
            "month": label, "date": timezone.localtime(existing.closed_at).date().isoformat(),
            "user": existing.closed_by or "–"})
    earlier = open_months_before(unit=unit, month=month)
    if earlier:
        raise ValidationError(_("Close %(months)s first: earlier months with billable sessions are still "
                                "open.") % {"months": ", ".join(f"{m:%Y-%m}" for m in earlier)})
    statement = compute_statement(unit=unit, month=month)

    close = MonthClose(unit=unit, month=month, closed_by=acting_user, snapshot=statement)
    name = documents.statement_filename(statement)
    csv = documents.statement_csv(statement, unit=unit)
    close.csv_sha256 = documents.sha256(csv)
    # Files are written before the row: a failed transaction leaves at most an unreferenced file.
    close.csv_file.save(f"{name}.csv", ContentFile(csv), save=False)
    if with_pdf:
        _store_pdf(close)
    close.full_clean()
    close.save()
    audit_log(user=acting_user, unit=unit, action="billing.month_close", obj=close)
    return close


@transaction.atomic
def month_close_pdf_store(*, month_close: MonthClose, acting_user) -> MonthClose:
    """Render and store the PDF of a month closed without one, from its frozen snapshot."""
    close = MonthClose.objects.select_for_update(of=("self",)).select_related("unit", "closed_by").get(
        pk=month_close.pk)
    if close.pdf_file:
        return close
    _store_pdf(close)
    close.save(update_fields=["pdf_file", "pdf_sha256"])
    audit_log(user=acting_user, unit=close.unit, action="billing.statement_pdf_store", obj=close)
    return close


def _store_pdf(close: MonthClose) -> None:
    pdf = documents.statement_pdf(close.snapshot, unit=close.unit, close=close)
    close.pdf_sha256 = documents.sha256(pdf)
    close.pdf_file.save(f"{documents.statement_filename(close.snapshot)}.pdf", ContentFile(pdf), save=False)
