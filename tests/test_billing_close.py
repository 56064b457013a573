"""Closing a month: what is stored, what is refused, and that a closed statement never changes."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from pypdf import PdfReader

from billing.models import CallOff, FeeYear, MonthClose, RateYear
from billing.selectors import month_is_closed, month_statement
from billing.services import month_close, month_close_pdf_store
from sessions.models import Session
from tests import billing_data as data
from units.models import Agreement, AuditEvent

FEBRUARY = datetime.date(2025, 2, 1)
MARCH = datetime.date(2025, 3, 1)


@pytest.fixture
def billed(in_unit_a):
    """Unit A billed by the hour with two sessions and a fee in February 2025."""
    agreement = data.hourly_agreement(in_unit_a, rates={2025: "605.00"})
    data.fee(in_unit_a, year=2025, agreement=agreement)
    data.session(in_unit_a, datetime.date(2025, 2, 3), 61, case=data.case(in_unit_a), fee="paid")
    data.session(in_unit_a, datetime.date(2025, 2, 4), 90, format="group", participants=5)
    return agreement


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\xa0", " ")


def test_closing_freezes_the_statement_and_stores_pdf_and_csv_with_their_sha256(in_unit_a, billed, anna):
    before = month_statement(unit=in_unit_a, month=FEBRUARY).data

    close = month_close(unit=in_unit_a, month=datetime.date(2025, 2, 17), acting_user=anna)

    close.refresh_from_db()
    assert close.month == FEBRUARY and close.closed_by == anna
    assert close.snapshot == before
    csv = close.csv_file.read()
    pdf = close.pdf_file.read()
    assert close.csv_file.path.startswith(str(close.csv_file.storage.location))
    assert hashlib.sha256(csv).hexdigest() == close.csv_sha256
    assert hashlib.sha256(pdf).hexdigest() == close.pdf_sha256
    # 1.25 h + 6.00 h (group 4 × 1.50) = 7.25 h × 605.00 = 4 386.25
    assert before["billable_hours"] == "7.25" and before["amount"] == "4386.25"
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Typ,Datum,Samtal")
    assert "Summa timmar,,,,,,,7.25,7.25,4386.25," in lines
    text = _pdf_text(pdf)
    assert "4 386,25 kr" in text and "7,25" in text and "Stängd" in text
    assert month_is_closed(unit=in_unit_a, day=datetime.date(2025, 2, 28))
    assert not month_is_closed(unit=in_unit_a, day=MARCH)
    assert AuditEvent.objects.filter(action="billing.month_close", object_id=str(close.pk), user=anna).count() == 1


def test_closing_twice_is_refused_and_nothing_changes(in_unit_a, billed, anna):
    first = month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna)
    with translation.override("en"), pytest.raises(ValidationError, match="2025-02 was closed on .* by anna"):
        month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna)
    assert list(MonthClose.objects.filter(unit=in_unit_a).values_list("pk", "csv_sha256")) == [
        (first.pk, first.csv_sha256)]
    assert AuditEvent.objects.filter(action="billing.month_close").count() == 1


def test_an_earlier_open_month_with_billable_sessions_must_be_closed_first(in_unit_a, billed, anna):
    data.session(in_unit_a, datetime.date(2025, 3, 3), 60)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        month_close(unit=in_unit_a, month=datetime.date(2025, 4, 1), acting_user=anna)
    assert refused.value.messages == ["Close 2025-02, 2025-03 first: earlier months with billable sessions are "
                                      "still open."]
    assert not MonthClose.objects.filter(unit=in_unit_a).exists()
    # Months with nothing billable before February (January, 2024 …) need no closing.
    month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna)
    month_close(unit=in_unit_a, month=MARCH, acting_user=anna)
    month_close(unit=in_unit_a, month=datetime.date(2025, 4, 1), acting_user=anna)
    assert MonthClose.objects.filter(unit=in_unit_a).count() == 3


def test_an_open_correction_line_also_holds_back_later_months(in_unit_a, billed, anna):
    original = Session.objects.filter(unit=in_unit_a).first()
    month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna)
    data.session(in_unit_a, original.date, 30, corrects=original, created_at=data.at(datetime.date(2025, 3, 5)))
    with translation.override("en"), pytest.raises(ValidationError, match="Close 2025-03 first"):
        month_close(unit=in_unit_a, month=datetime.date(2025, 4, 1), acting_user=anna)


def test_a_month_that_has_not_ended_cannot_be_closed(in_unit_a, billed, anna):
    with translation.override("en"), pytest.raises(ValidationError, match="2025-02 has not ended yet"):
        month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna, today=datetime.date(2025, 2, 28))
    month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna, today=datetime.date(2025, 3, 1))


def test_a_statement_that_cannot_be_made_is_not_closed(in_unit_a, billed, anna):
    RateYear.objects.filter(unit=in_unit_a).delete()
    with translation.override("en"), pytest.raises(ValidationError, match="Enter the hourly rate for 2025"):
        month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna)
    assert not MonthClose.objects.filter(unit=in_unit_a).exists()
    assert not AuditEvent.objects.filter(action="billing.month_close").exists()


def _edit_session(unit, agreement, anna):
    Session.objects.filter(unit=unit, date__month=2).update(minutes=15, status="no_show")


def _add_session_in_the_closed_month(unit, agreement, anna):
    data.session(unit, datetime.date(2025, 2, 20), 120)


def _correct_a_session(unit, agreement, anna):
    original = Session.objects.filter(unit=unit, date__month=2).first()
    data.session(unit, original.date, 180, corrects=original, created_at=data.at(datetime.date(2025, 3, 3)))


def _change_the_rate(unit, agreement, anna):
    RateYear.objects.filter(unit=unit, year=2025).update(rate=Decimal("999.00"))


def _change_the_fee(unit, agreement, anna):
    FeeYear.objects.filter(unit=unit).update(fee=Decimal("1.00"), first_visit_free=True)


def _add_a_call_off_and_lower_the_cap(unit, agreement, anna):
    CallOff.objects.create(unit=unit, agreement=agreement, year=2025, hours=1, date=datetime.date(2025, 2, 1),
                           reference="x")
    Agreement.objects.filter(pk=agreement.pk).update(hour_cap=Decimal("1.00"), valid_to=datetime.date(2025, 2, 3))


def _close_again(unit, agreement, anna):
    with pytest.raises(ValidationError):
        month_close(unit=unit, month=FEBRUARY, acting_user=anna)


def _close_the_next_month(unit, agreement, anna):
    data.session(unit, datetime.date(2025, 3, 3), 60)
    month_close(unit=unit, month=MARCH, acting_user=anna)


def _store_the_pdf_again(unit, agreement, anna):
    month_close_pdf_store(month_close=MonthClose.objects.get(unit=unit, month=FEBRUARY), acting_user=anna)


@pytest.mark.parametrize("change", [
    _edit_session, _add_session_in_the_closed_month, _correct_a_session, _change_the_rate, _change_the_fee,
    _add_a_call_off_and_lower_the_cap, _close_again, _close_the_next_month, _store_the_pdf_again,
])
def test_a_closed_statement_never_changes(in_unit_a, billed, anna, change):
    close = month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna)
    frozen = month_statement(unit=in_unit_a, month=FEBRUARY).data
    files = (close.csv_file.read(), close.pdf_file.read(), close.csv_sha256, close.pdf_sha256)

    change(in_unit_a, billed, anna)

    close = MonthClose.objects.get(pk=close.pk)
    assert month_statement(unit=in_unit_a, month=FEBRUARY).data == frozen
    assert (close.csv_file.read(), close.pdf_file.read(), close.csv_sha256, close.pdf_sha256) == files


def test_a_month_closed_without_a_pdf_gets_one_from_its_snapshot_once(in_unit_a, billed, anna):
    close = month_close(unit=in_unit_a, month=FEBRUARY, acting_user=anna, with_pdf=False)
    assert not close.pdf_file and close.pdf_sha256 == "" and close.csv_sha256
    # Whatever happens to the price tables, the PDF is made from the frozen statement.
    RateYear.objects.filter(unit=in_unit_a).update(rate=Decimal("999.00"))

    stored = month_close_pdf_store(month_close=close, acting_user=anna)
    again = month_close_pdf_store(month_close=close, acting_user=anna)

    pdf = stored.pdf_file.read()
    assert hashlib.sha256(pdf).hexdigest() == stored.pdf_sha256 == again.pdf_sha256
    assert again.pdf_file.name == stored.pdf_file.name
    assert "4 386,25 kr" in _pdf_text(pdf)
    assert AuditEvent.objects.filter(action="billing.statement_pdf_store").count() == 1
