"""Billing pages: who sees what, closing from the page, downloads and their audit trail."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope
from openpyxl import load_workbook

from billing.models import MonthClose, RateYear
from billing.services import month_close
from sessions.models import Session
from tests import billing_data as data
from tests import factories
from tests.conftest import logged_in
from units.models import AuditEvent

FEBRUARY = datetime.date(2025, 2, 1)


@pytest.fixture
def billed(unit_a):
    with scope(unit=unit_a):
        agreement = data.hourly_agreement(unit_a, rates={2025: "605.00"})
        data.fee(unit_a, year=2025, agreement=agreement)
        data.session(unit_a, datetime.date(2025, 2, 3), 61, case=data.case(unit_a), fee="paid")
        data.session(unit_a, datetime.date(2025, 2, 4), 90, format="group", participants=4)
    return agreement


def _close(unit, month, user):
    with scope(unit=unit):
        return month_close(unit=unit, month=month, acting_user=user)


def _url(unit, month="2025-02", suffix=""):
    return f"/{unit.slug}/billing/{month}/{suffix}"


def test_chief_sees_the_open_statement_and_can_close_it(anna_client, unit_a, billed):
    response = anna_client.get(_url(unit_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "756,25" in page  # the 61-minute session: 1,25 h × 605,00
    assert "färre än 5 deltagare" in page  # the group of 4 is flagged with its reason
    assert f'action="/{unit_a.slug}/billing/2025-02/close/"' in page

    response = anna_client.post(_url(unit_a, suffix="close/"))

    assert response.status_code == 302 and response["Location"] == _url(unit_a)
    with scope(unit=unit_a):
        close = MonthClose.objects.get(unit=unit_a)
    assert close.month == FEBRUARY and close.snapshot["billable_hours"] == "2.75"
    page = anna_client.get(_url(unit_a)).content.decode()
    assert "Stängd" in page and 'billing/2025-02/close/"' not in page and close.csv_sha256 in page


def test_billing_is_not_for_counsellors(alice_client, unit_a, billed):
    # Billing pages are for the chief and the administration (issue #11): 404, as for a page
    # that is not the reader's.
    assert alice_client.get(_url(unit_a)).status_code == 404
    assert alice_client.post(_url(unit_a, suffix="close/")).status_code == 404
    with scope(unit=unit_a):
        assert not MonthClose.objects.filter(unit=unit_a).exists()


def test_close_is_post_only(anna_client, unit_a, billed):
    assert anna_client.get(_url(unit_a, suffix="close/")).status_code == 405


def test_a_refused_close_says_why_on_the_page(anna_client, unit_a, billed, anna):
    _close(unit_a, FEBRUARY, anna)
    response = anna_client.post(_url(unit_a, suffix="close/"), follow=True)
    assert "2025-02 stängdes" in response.content.decode()
    with scope(unit=unit_a):
        assert MonthClose.objects.filter(unit=unit_a).count() == 1


def test_a_statement_that_cannot_be_made_names_what_to_enter(anna_client, unit_a, billed):
    with scope(unit=unit_a):
        RateYear.objects.filter(unit=unit_a).delete()
    response = anna_client.get(_url(unit_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ange timpriset för 2025 i avtalet med Linköping." in page
    assert "/close/" not in page
    assert anna_client.get(_url(unit_a, suffix="statement.pdf")).status_code == 302


def test_current_goes_to_the_month_just_ended(anna_client, unit_a):
    response = anna_client.get(f"/{unit_a.slug}/billing/")
    assert response.status_code == 302
    today = datetime.date.today()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert response["Location"] == _url(unit_a, f"{last_month:%Y-%m}")


def test_a_month_that_does_not_exist_is_404(anna_client, unit_a):
    assert anna_client.get(f"/{unit_a.slug}/billing/2025-13/").status_code == 404
    assert anna_client.get(f"/{unit_a.slug}/billing/0000-01/").status_code == 404


def test_the_funders_administrator_sees_and_downloads_closed_statements_only(olga_client, unit_a, billed, anna):
    assert olga_client.get(_url(unit_a)).status_code == 404
    assert olga_client.get(_url(unit_a, suffix="statement.pdf")).status_code == 404
    assert olga_client.get(_url(unit_a, suffix="statement.csv")).status_code == 404
    assert olga_client.get(f"/{unit_a.slug}/billing/2025/").status_code == 404
    assert olga_client.post(_url(unit_a, suffix="close/")).status_code == 404
    assert "Ingen månad har stängts" in olga_client.get(f"/{unit_a.slug}/billing/").content.decode()

    close = _close(unit_a, FEBRUARY, anna)

    assert olga_client.get(f"/{unit_a.slug}/billing/")["Location"] == _url(unit_a)
    page = olga_client.get(_url(unit_a)).content.decode()
    assert "756,25" in page and "/close/" not in page
    pdf = olga_client.get(_url(unit_a, suffix="statement.pdf"))
    csv = olga_client.get(_url(unit_a, suffix="statement.csv"))
    assert pdf.status_code == csv.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="statement-alpha-2025-02.pdf"'
    assert pdf.content == close.pdf_file.read() and csv.content == close.csv_file.read()
    audited = AuditEvent.objects.filter(user__username="olga", object_id=str(close.pk)).values_list("action", flat=True)
    assert sorted(audited) == ["billing.statement_download.csv", "billing.statement_download.pdf"]


def test_an_administrator_of_a_funding_municipality_sees_a_unit_it_does_not_run(unit_a, unit_b, olga):
    funded = factories.unit("funded", org=unit_b.organisation, funders=("Linköping",))
    chief = factories.user("frida", unit=funded, role="chief")
    with scope(unit=funded):
        data.hourly_agreement(funded)
        data.session(funded, datetime.date(2025, 2, 3), 60)
    _close(funded, FEBRUARY, chief)
    client = logged_in(olga)
    assert client.get(_url(funded)).status_code == 200
    assert "funded" in client.get(f"/org/{unit_a.organisation.slug}/billing/").content.decode()


def test_downloads_of_an_open_month_are_preliminary_and_audited(anna_client, unit_a, billed):
    pdf = anna_client.get(_url(unit_a, suffix="statement.pdf"))
    csv = anna_client.get(_url(unit_a, suffix="statement.csv"))
    xlsx = anna_client.get(_url(unit_a, suffix="statement.xlsx"))
    assert pdf.status_code == csv.status_code == xlsx.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "Summa timmar,,,,,,,2.75,2.75,1663.75," in csv.content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Typ" and sheet["H2"].value == "1.25"
    assert sorted(AuditEvent.objects.filter(user__username="anna").values_list("action", flat=True)) == [
        "billing.statement_download.csv", "billing.statement_download.pdf", "billing.statement_download.xlsx"]
    with scope(unit=unit_a):
        assert not MonthClose.objects.exists()


def test_a_closed_month_mentions_its_later_correction_and_the_later_month_shows_the_line(
        anna_client, unit_a, billed, anna):
    _close(unit_a, FEBRUARY, anna)
    with scope(unit=unit_a):
        original = Session.objects.get(unit=unit_a, date=datetime.date(2025, 2, 3))
        correction = data.session(unit_a, original.date, 75, corrects=original,
                                  created_at=data.at(datetime.date(2025, 3, 4)))
    february = anna_client.get(_url(unit_a)).content.decode()
    march = anna_client.get(_url(unit_a, "2025-03")).content.decode()
    assert f"Samtal {original.pk} rättades (rättelse {correction.pk})" in february
    assert f"Rättelse av samtal {original.pk} (2025-02)" in march


def test_statement_page_takes_a_fixed_number_of_queries(anna_client, unit_a, billed):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert anna_client.get(_url(unit_a)).status_code == 200
        return len(captured)

    few = queries()
    with scope(unit=unit_a):
        case = data.case(unit_a)
        for day in range(1, 28):
            data.session(unit_a, datetime.date(2025, 2, day), 50 + day, case=case, fee="paid")
    assert queries() == few


def test_year_overview_and_its_exports(anna_client, unit_a, billed, anna):
    _close(unit_a, FEBRUARY, anna)
    with scope(unit=unit_a):
        data.session(unit_a, datetime.date(2025, 3, 3), 60)
    page = anna_client.get(f"/{unit_a.slug}/billing/2025/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2\xa0268,75\xa0kr" in text  # 2.75 h + 1.00 h = 3.75 h × 605.00
    assert "<svg" in text
    csv = anna_client.get(f"/{unit_a.slug}/billing/2025/overview.csv").content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Månad;Status;Debiterade timmar")
    assert csv[2].startswith("2025-02;Avslutad;2,75;0,00;2,75;1663,75")
    assert csv[3].startswith("2025-03;Öppen;1,00;0,00;3,75;605,00")
    xlsx = anna_client.get(f"/{unit_a.slug}/billing/2025/overview.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active["A1"].value == "Månad"
    assert AuditEvent.objects.filter(action__startswith="billing.overview_download").count() == 2


def test_year_overview_takes_a_fixed_number_of_queries(anna_client, unit_a, billed):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert anna_client.get(f"/{unit_a.slug}/billing/2025/").status_code == 200
        return len(captured)

    few = queries()
    with scope(unit=unit_a):
        for month in range(1, 13):
            data.session(unit_a, datetime.date(2025, month, 10), 60, fee="paid")
    assert queries() == few


def test_organisation_page_lists_closed_statements_of_its_units(olga_client, unit_a, billed, anna):
    _close(unit_a, FEBRUARY, anna)
    page = olga_client.get(f"/org/{unit_a.organisation.slug}/billing/").content.decode()
    assert unit_a.name in page
    assert f'href="/{unit_a.slug}/billing/2025-02/statement.pdf"' in page
    assert "1\xa0663" in page  # 1.25 h + 1.50 h (the group of 4 bills plain time) × 605.00 = 1 663.75


def test_organisation_page_is_404_for_another_organisation(oscar_client, unit_a):
    assert oscar_client.get(f"/org/{unit_a.organisation.slug}/billing/").status_code == 404


def test_the_chiefs_landing_page_lists_months_to_close(anna_client, alice_client, unit_a, billed, anna):
    with scope(unit=unit_a):
        data.session(unit_a, datetime.date(2025, 3, 3), 60)
    page = anna_client.get(f"/{unit_a.slug}/").content.decode()
    assert "2 månader är slut men inte stängda" in page
    assert f'href="/{unit_a.slug}/billing/2025-02/"' in page
    assert "Faktureringsmånader att stänga" not in alice_client.get(f"/{unit_a.slug}/").content.decode()
    _close(unit_a, FEBRUARY, anna)
    _close(unit_a, datetime.date(2025, 3, 1), anna)
    assert "Faktureringsmånader att stänga" not in anna_client.get(f"/{unit_a.slug}/").content.decode()


def test_outsiders_get_404_even_for_a_closed_months_files(bob_client, oscar_client, unit_a, billed, anna):
    _close(unit_a, FEBRUARY, anna)
    for client in (bob_client, oscar_client):
        for suffix in ("", "statement.pdf", "statement.csv", "statement.xlsx", "close/"):
            assert client.get(_url(unit_a, suffix=suffix)).status_code == 404
        assert client.get(f"/{unit_a.slug}/billing/2025/overview.csv").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="billing.statement_download").exists()


def test_counsellor_gets_404_for_the_year_overview(alice_client, unit_a, billed):
    assert alice_client.get(f"/{unit_a.slug}/billing/2025/").status_code == 404
    assert alice_client.get(f"/{unit_a.slug}/billing/2025/overview.xlsx").status_code == 404
    assert not AuditEvent.objects.filter(user__username="alice").exists()


def test_the_running_organisations_administrator_reads_the_year_of_closed_months(olga_client, unit_a, billed, anna):
    _close(unit_a, FEBRUARY, anna)
    with scope(unit=unit_a):
        data.session(unit_a, datetime.date(2025, 3, 3), 60)
    page = olga_client.get(f"/{unit_a.slug}/billing/2025/").content.decode()
    assert "2025-02" in page and "2025-03" not in page  # an open month is the unit's own, still preliminary
    csv = olga_client.get(f"/{unit_a.slug}/billing/2025/overview.csv").content.decode("utf-8-sig").splitlines()
    assert csv[1].startswith("2025-02;Avslutad;2,75") and "2025-03" not in "".join(csv)


def test_the_statements_downloads_come_before_its_lines_and_the_checksums_are_folded(anna_client, unit_a, billed):
    # Issue 18: "the PDF/CSV/XLSX buttons come after 140 rows … the SHA-256 strings belong in a details element"
    page = anna_client.get(_url(unit_a)).content.decode()
    assert page.index('id="downloads-heading"') < page.index('id="summary-heading"')
