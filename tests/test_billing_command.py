"""`python manage.py billing_statement --unit SLUG --month 2025-03 [--format json|csv|pdf] [--out F]`."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope
from pypdf import PdfReader

from billing.models import RateYear
from billing.services import month_close
from tests import billing_data as data
from units.models import AuditEvent


@pytest.fixture
def billed(unit_a):
    with scope(unit=unit_a):
        agreement = data.hourly_agreement(unit_a, rates={2025: "605.00"})
        data.fee(unit_a, year=2025, agreement=agreement)
        data.session(unit_a, datetime.date(2025, 3, 3), 61, case=data.case(unit_a), fee="paid")
        data.session(unit_a, datetime.date(2025, 3, 4), 120, format="group", participants=5)
    return agreement


def _run(*args) -> str:
    out = io.StringIO()
    call_command("billing_statement", "--unit", "alpha", "--month", "2025-03", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_documented_keys_with_two_decimal_strings(billed):
    statement = json.loads(_run())
    assert statement["unit"] == "alpha" and statement["month"] == "2025-03"
    assert statement["rate"] == "605.00"
    assert [(line["minutes"], line["billable_hours"], line["amount"]) for line in statement["lines"]] == [
        (61, "1.25", "756.25"), (120, "8.00", "4840.00")]
    assert statement["billable_hours"] == "9.25" and statement["amount"] == "5596.25"
    assert statement["hours_year_to_date"] == "9.25" and statement["hours_over_cap"] == "0.00"
    assert statement["hours_cap"] == "2590.00" and statement["call_off_hours"] == "0.00"
    assert statement["fees"] == {"visits": 1, "total": "200.00", "by_municipality": {
        "Linköping": {"visits": 1, "fee": "200.00", "total": "200.00"}}}
    assert AuditEvent.objects.filter(action="billing.statement_export.json", object_id="2025-03").count() == 1


def test_a_closed_month_prints_its_frozen_statement_and_stored_files(billed, unit_a, anna, tmp_path):
    with scope(unit=unit_a):
        close = month_close(unit=unit_a, month=datetime.date(2025, 3, 1), acting_user=anna)
        RateYear.objects.filter(unit=unit_a).update(rate=700)

    assert json.loads(_run("--format", "json")) == close.snapshot
    _run("--format", "csv", "--out", str(tmp_path / "s.csv"))
    _run("--format", "pdf", "--out", str(tmp_path / "s.pdf"))

    assert (tmp_path / "s.csv").read_bytes() == close.csv_file.read()
    assert (tmp_path / "s.pdf").read_bytes() == close.pdf_file.read()


def test_csv_and_pdf_of_an_open_month(billed, tmp_path):
    csv = _run("--format", "csv")
    assert "Summa timmar,,,,,,,9.25,9.25,5596.25," in csv
    _run("--format", "pdf", "--out", str(tmp_path / "s.pdf"))
    text = PdfReader(str(tmp_path / "s.pdf")).pages[0].extract_text().replace("\xa0", " ")
    assert "5 596,25 kr" in text and "Preliminärt" in text


def test_bad_input_is_a_clear_error(billed, unit_a):
    with pytest.raises(CommandError, match="2025-03"):
        call_command("billing_statement", "--unit", "alpha", "--month", "March")
    with pytest.raises(CommandError, match="nowhere"):
        call_command("billing_statement", "--unit", "nowhere", "--month", "2025-03")
    with scope(unit=unit_a):
        RateYear.objects.filter(unit=unit_a).delete()
    with pytest.raises(CommandError, match="Ange timpriset för 2025 i avtalet med Linköping"):
        _run()
