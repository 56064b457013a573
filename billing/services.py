"""Writes for billing: closing a month (and storing its files), and the price tables."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import documents, rules
from billing.models import CallOff, FeeYear, MonthClose, RateYear
from billing.selectors import closed_month, closed_months_of, compute_statement, last_day, open_months_before
from units import fees
from units.models import Agreement, Municipality, Unit
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


# --- price tables ------------------------------------------------------------------------------
# A closed month keeps what it was billed with: a rate or fee entered for a year with closed
# months takes effect from the month after the last closed one (rules.first_open_month); the
# rows that closed months used are never changed. Each entry is one audit row.

def _effective_month(*, unit: Unit, year: int, what: str) -> int:
    month = rules.first_open_month(closed_months_of(unit=unit, year=year))
    if month is None:
        raise ValidationError(_("Every month of %(year)s is closed: its %(what)s can no longer change.")
                              % {"year": year, "what": what})
    return month


def _lock_unit(unit: Unit) -> None:
    # Serialises price entries with month closing: a month cannot close between the check and the write.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


@transaction.atomic
def rate_enter(*, unit: Unit, agreement: Agreement, year: int, rate: Decimal, acting_user) -> RateYear | None:
    """The year's hourly rate of an hourly agreement, from the first open month of the year.
    None when that rate is already in force from then."""
    _lock_unit(unit)
    from_month = _effective_month(unit=unit, year=year, what=_("hourly rate"))
    rows = list(RateYear.objects.filter(unit=unit, agreement=agreement, year=year))
    if rules.in_force([(row.from_month, row.rate) for row in rows], from_month) == rate:
        return None
    row = next((row for row in rows if row.from_month == from_month), None)
    action = "billing.rate_change" if row else "billing.rate_enter"
    row = row or RateYear(unit=unit, agreement=agreement, year=year, from_month=from_month)
    row.rate = rate
    row.full_clean()
    row.save()
    audit_log(user=acting_user, unit=unit, action=action, obj=row)
    return row


@transaction.atomic
def fee_enter(*, unit: Unit, agreement: Agreement, year: int, municipality: Municipality, fee: Decimal,
              first_visit_free: bool, fee_on_no_show: bool, acting_user) -> FeeYear | None:
    """The visit fee a municipality set for residents, with its options, from the first open month.
    A free service (units.fees: no "paid" among the unit's fee choices) has none to enter."""
    if fees.is_free(unit):
        raise ValidationError(_("Visits to this unit are free (unit settings): there is no visit fee to enter."))
    _lock_unit(unit)
    from_month = _effective_month(unit=unit, year=year, what=_("visit fee"))
    rows = list(FeeYear.objects.filter(unit=unit, year=year, municipality=municipality))
    terms = (fee, first_visit_free, fee_on_no_show)
    current = rules.in_force([(row.from_month, row) for row in rows], from_month)
    if current is not None and current.agreement_id == agreement.pk and (
            current.fee, current.first_visit_free, current.fee_on_no_show) == terms:
        return None
    row = next((row for row in rows if row.from_month == from_month), None)
    action = "billing.fee_change" if row else "billing.fee_enter"
    row = row or FeeYear(unit=unit, year=year, municipality=municipality, from_month=from_month)
    row.agreement, row.fee, row.first_visit_free, row.fee_on_no_show = agreement, *terms
    row.full_clean()
    row.save()
    audit_log(user=acting_user, unit=unit, action=action, obj=row)
    return row


@transaction.atomic
def call_off_add(*, unit: Unit, agreement: Agreement, year: int, hours: Decimal, date: datetime.date,
                 reference: str, acting_user) -> CallOff:
    """An avrop: hours the administration granted in writing beyond the year's cap. It raises the
    limit of the months still open; a closed month keeps the limit it was billed under."""
    _lock_unit(unit)
    _effective_month(unit=unit, year=year, what=_("call-offs"))
    if hours <= 0:
        raise ValidationError({"hours": _("A call-off grants more than 0 hours.")})
    if agreement.kind != Agreement.Kind.HOURLY or agreement.hour_cap is None:
        raise ValidationError({"agreement": _("Only an hourly agreement with a yearly hour cap takes call-offs.")})
    row = CallOff(unit=unit, agreement=agreement, year=year, hours=hours, date=date, reference=reference)
    row.full_clean()
    row.save()
    audit_log(user=acting_user, unit=unit, action="billing.call_off_add", obj=row)
    return row


@transaction.atomic
def call_off_remove(*, call_off: CallOff, acting_user) -> None:
    """A call-off entered by mistake goes only while no month of its year is closed."""
    _lock_unit(call_off.unit)
    if closed_months_of(unit=call_off.unit, year=call_off.year):
        raise ValidationError(_("Months of %(year)s are closed with this call-off; it can no longer be removed.")
                              % {"year": call_off.year})
    audit_log(user=acting_user, unit=call_off.unit, action="billing.call_off_remove", obj=call_off)
    call_off.delete()
