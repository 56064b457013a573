"""A funder sees its own agreement (issue #11, finding 5): closed statements of months within its
agreement's validity, its own municipality's amounts only; statistics and reports for periods
that overlap the agreement. The organisation that runs a unit sees all of it; a counsellor sees
no billing.

Personas: Norrköping runs `norr` (Nina administers it); Finspång and Söderköping fund it with
fixed yearly amounts; Linköping (Lena) funds it through an agreement valid from 2024-06-01 —
the finding's shape: a funder whose agreement starts after the month it downloaded."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope
from pypdf import PdfReader

from billing.models import MonthClose
from billing.services import month_close
from reporting.models import ReportDocument
from sessions.models import Session
from tests import billing_data as data
from tests import factories
from tests.conftest import logged_in
from units.access import organisation_agreements, organisation_period_access, user_period_access
from units.models import Agreement, AuditEvent

MARCH, JULY = datetime.date(2024, 3, 1), datetime.date(2024, 7, 1)
OTHER_FUNDERS = ("Finspång", "Söderköping", "KS 2019/0412", "KS 2019/0388", "Norrköping,")
DOWNLOADS = ("statement.pdf", "statement.csv", "statement.xlsx")


@pytest.fixture
def norr(db):
    unit = data.funded_unit()
    chief = factories.user("nils", unit=unit, role="chief")
    with scope(unit=unit):
        for month in (MARCH, JULY):
            month_close(unit=unit, month=month, acting_user=chief, with_pdf=False, today=datetime.date(2024, 9, 1))
    return unit


@pytest.fixture
def lena_client(db):
    return logged_in(factories.user("lena", org=factories.organisation()))


@pytest.fixture
def nina_client(norr):
    return logged_in(factories.user("nina", org=norr.organisation))


def _url(unit, month, suffix=""):
    return f"/{unit.slug}/billing/{month:%Y-%m}/{suffix}"


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\xa0", " ")


def test_a_funder_gets_404_for_a_statement_before_its_agreement(lena_client, norr):
    # The finding: Linköping's agreement starts 2024-06-01; March 2024 was readable in full.
    for suffix in ("", *DOWNLOADS):
        assert lena_client.get(_url(norr, MARCH, suffix)).status_code == 404
    assert not AuditEvent.objects.filter(user__username="lena").exists()


def test_a_funder_sees_only_its_own_fees_on_a_month_within_its_agreement(lena_client, norr):
    response = lena_client.get(_url(norr, JULY))
    assert response.status_code == 200
    page = response.content.decode()
    assert "300,00" in page  # Linköping's own visit fee
    assert _url(norr, MARCH) not in page  # no link to a month outside its agreement
    for text in OTHER_FUNDERS[:4] + ("45\xa0000", "31\xa0000", "250,00", "220,00"):
        assert text not in page, text
    with scope(unit=norr):
        close = MonthClose.objects.get(month=JULY)
    assert close.csv_sha256 not in page  # the hash of the full stored file is not the funder's


def test_a_funders_downloads_are_filtered_from_the_snapshot_never_the_stored_files(lena_client, norr):
    csv = lena_client.get(_url(norr, JULY, "statement.csv"))
    pdf = lena_client.get(_url(norr, JULY, "statement.pdf"))
    xlsx = lena_client.get(_url(norr, JULY, "statement.xlsx"))
    assert csv.status_code == pdf.status_code == xlsx.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "Besöksavgifter, Linköping" in text and "300.00" in text
    pdf_text = _pdf_text(pdf.content)
    assert "Linköping" in pdf_text and "300,00 kr" in pdf_text
    for content in (text, pdf_text, xlsx.content.decode("latin-1")):
        for other in OTHER_FUNDERS[:4]:
            assert other not in content
    with scope(unit=norr):
        close = MonthClose.objects.get(month=JULY)
    assert csv.content != close.csv_file.read()
    assert not close.pdf_file  # a funder's download stores nothing
    assert sorted(AuditEvent.objects.filter(user__username="lena").values_list("action", flat=True)) == [
        "billing.statement_download.csv", "billing.statement_download.pdf", "billing.statement_download.xlsx"]


def test_the_running_organisation_sees_every_funder_and_gets_the_stored_files(nina_client, norr):
    page = nina_client.get(_url(norr, MARCH)).content.decode()
    for text in ("Finspång", "Söderköping", "Linköping", "45\xa0000,00", "31\xa0000,00"):
        assert text in page
    csv = nina_client.get(_url(norr, MARCH, "statement.csv"))
    with scope(unit=norr):
        close = MonthClose.objects.get(month=MARCH)
    assert csv.status_code == 200 and csv.content == close.csv_file.read()


def test_a_funder_on_a_unit_with_another_funders_hourly_agreement_sees_no_hours(unit_a, anna):
    # unit_a is run by Linköping, hourly; Finspång funds it too and sees only its own fees.
    with scope(unit=unit_a):
        agreement = data.hourly_agreement(unit_a, rates={2025: "605.00"})
        finspang = Agreement.objects.get(unit=unit_a, municipality__name="Finspång")
        data.fee(unit_a, year=2025, agreement=agreement)
        data.fee(unit_a, year=2025, municipality="Finspång", amount="150.00", agreement=finspang)
        data.session(unit_a, datetime.date(2025, 2, 3), 61, case=data.case(unit_a), fee="paid")
        data.session(unit_a, datetime.date(2025, 2, 4), 60, case=data.case(unit_a, municipality="Finspång"),
                     fee="paid")
        month_close(unit=unit_a, month=datetime.date(2025, 2, 1), acting_user=anna, with_pdf=False)
    client = logged_in(factories.user("fia", org=factories.organisation("finspang", "Finspångs kommun",
                                                                        "Finspång")))
    page = client.get(f"/{unit_a.slug}/billing/2025-02/").content.decode()
    assert "150,00" in page
    for text in ("SON 2021-233", "605,00", "1\xa0210,00", "200,00", "Linköping"):
        assert text not in page, text
    csv = client.get(f"/{unit_a.slug}/billing/2025-02/statement.csv").content.decode("utf-8-sig")
    assert "Besöksavgifter, Finspång" in csv and "Linköping" not in csv and "605" not in csv


def test_the_chief_of_a_unit_without_hours_still_sees_corrections_after_closing(norr):
    # Corrections change visit fees too: only a funder's part without hours leaves them out.
    chief = factories.user("nils3", unit=norr, role="chief")
    with scope(unit=norr):
        original = Session.objects.filter(unit=norr, date__month=3, date__year=2024).first()
        correction = data.session(norr, original.date, 60, case=original.case, fee="exempt", corrects=original,
                                  created_at=data.at(datetime.date(2024, 8, 5)))
    page = logged_in(chief).get(_url(norr, MARCH)).content.decode()
    assert f"Samtal {original.pk} rättades (rättelse {correction.pk})" in page


def test_a_funders_year_overview_holds_only_its_months_and_fees(lena_client, nina_client, norr):
    assert lena_client.get(f"/{norr.slug}/billing/2023/").status_code == 404
    page = lena_client.get(f"/{norr.slug}/billing/2024/").content.decode()
    assert "2024-07" in page and "2024-03" not in page
    for other in OTHER_FUNDERS[:4]:
        assert other not in page
    csv = lena_client.get(f"/{norr.slug}/billing/2024/overview.csv").content.decode("utf-8-sig")
    assert "2024-03" not in csv and "Finspång" not in csv and "Avgifter, Linköping" in csv
    running = nina_client.get(f"/{norr.slug}/billing/2024/").content.decode()
    assert "2024-03" in running and "Finspång" in running


def test_the_org_billing_list_of_a_funder_holds_only_its_months_and_amounts(lena_client, nina_client, norr):
    page = lena_client.get("/org/linkoping/billing/").content.decode()
    assert _url(norr, JULY) in page and _url(norr, MARCH) not in page
    assert "300,00" in page and "45\xa0" not in page  # its fee; not Finspång's fixed amount
    running = nina_client.get("/org/norrkoping/billing/").content.decode()
    assert _url(norr, MARCH) in running and "76\xa0000,00" in running  # Finspång's 45 000 + Söderköping's 31 000
    assert "970,00" in running  # the four municipalities' fees


def test_a_funders_current_billing_goes_to_its_last_visible_month(lena_client, norr):
    response = lena_client.get(f"/{norr.slug}/billing/")
    assert response.status_code == 302 and response["Location"] == _url(norr, JULY)


def test_a_counsellor_gets_404_on_every_billing_page(alice_client, unit_a, anna):
    with scope(unit=unit_a):
        data.hourly_agreement(unit_a)
        data.session(unit_a, datetime.date(2025, 2, 3), 60)
        month_close(unit=unit_a, month=datetime.date(2025, 2, 1), acting_user=anna, with_pdf=False)
    urls = [f"/{unit_a.slug}/billing/", *(f"/{unit_a.slug}/billing/2025-02/{s}" for s in ("", *DOWNLOADS)),
            f"/{unit_a.slug}/billing/2025/", f"/{unit_a.slug}/billing/2025/overview.csv",
            f"/{unit_a.slug}/billing/2025/overview.xlsx"]
    for url in urls:
        assert alice_client.get(url).status_code == 404, url
    assert alice_client.post(f"/{unit_a.slug}/billing/2025-03/close/").status_code == 404
    assert "/billing/" not in alice_client.get(f"/{unit_a.slug}/").content.decode()
    assert not AuditEvent.objects.filter(user__username="alice").exists()


def _agreement_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum('"units_agreement"' in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize("url", ["/org/linkoping/billing/", "/org/linkoping/reports/2024/"])
def test_a_funders_org_pages_read_the_agreements_a_fixed_number_of_times(lena_client, norr, url):
    one_unit = _agreement_queries(lena_client, url)
    for slug in ("syd", "vast"):
        factories.unit(slug, org=norr.organisation, funders=("Linköping",))
    assert _agreement_queries(lena_client, url) == one_unit


def test_period_access_follows_the_agreements_validity(norr, db):
    linkoping, norrkoping = factories.organisation(), norr.organisation
    assert organisation_period_access(norrkoping, norr, datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    assert not organisation_period_access(linkoping, norr, datetime.date(2024, 1, 1), datetime.date(2024, 5, 31))
    assert organisation_period_access(linkoping, norr, datetime.date(2024, 4, 1), datetime.date(2024, 6, 30))
    assert organisation_agreements(norrkoping, norr) is None
    assert [a.municipality.name for a in organisation_agreements(linkoping, norr)] == ["Linköping"]
    stranger = factories.organisation("stockholm", "Stockholms stad", "Stockholm")
    assert not organisation_period_access(stranger, norr, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    lena = factories.user("lena2", org=linkoping)
    assert not user_period_access(lena, norr, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    assert user_period_access(lena, norr, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


def test_an_ended_agreement_gives_no_period_at_all(norr):
    # Entering a unit needs an agreement valid today; reading its past needs that too.
    with scope(unit=norr):
        Agreement.objects.filter(unit=norr, municipality__name="Linköping").update(valid_to=datetime.date(2024, 12, 31))
    assert not organisation_period_access(factories.organisation(), norr, datetime.date(2024, 7, 1),
                                          datetime.date(2024, 7, 31))


def _submitted_report(unit, year, chief):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    with scope(unit=unit):
        document = ReportDocument(unit=unit, period=str(year), version=1, status=ReportDocument.Status.DONE,
                                  requested_by=chief, submitted_at=timezone.now())
        document.file.save(f"{unit.slug}-{year}.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
        document.save()
    return document


def test_a_funder_reads_reports_only_for_periods_its_agreement_overlaps(lena_client, nina_client, norr):
    chief = factories.user("nils2", unit=norr, role="chief")
    old, new = _submitted_report(norr, 2023, chief), _submitted_report(norr, 2024, chief)
    assert lena_client.get(f"/{norr.slug}/reports/2023/").status_code == 404
    assert lena_client.get(f"/{norr.slug}/reports/2023/{old.pk}/pdf/").status_code == 404
    assert lena_client.get(f"/{norr.slug}/reports/2024-Q1/").status_code == 404
    assert lena_client.get(f"/{norr.slug}/reports/2024/").status_code == 200
    assert lena_client.get(f"/{norr.slug}/reports/2024/{new.pk}/pdf/").status_code == 200
    assert nina_client.get(f"/{norr.slug}/reports/2023/{old.pk}/pdf/").status_code == 200
    assert norr.name not in lena_client.get("/org/linkoping/reports/2023/").content.decode()
    assert norr.name in lena_client.get("/org/linkoping/reports/2024/").content.decode()
    downloads = AuditEvent.objects.filter(user__username="lena", action="report.download")
    assert list(downloads.values_list("object_id", flat=True)) == [str(new.pk)]


def test_a_funder_reads_statistics_only_for_periods_its_agreement_covers(lena_client, nina_client, norr):
    # Linköping's agreement starts 2024-06-01: 2024-Q1 is not its business, 2024-Q2 overlaps it.
    assert lena_client.get(f"/{norr.slug}/stats/2024-Q1/").status_code == 404
    assert lena_client.get(f"/{norr.slug}/stats/2024-Q1/?export=json").status_code == 404
    assert lena_client.get(f"/{norr.slug}/stats/2024-Q2/").status_code == 200
    # The same quarter a year earlier lies before the agreement: shown as hidden, not as figures.
    later = lena_client.get(f"/{norr.slug}/stats/2025-Q1/")
    assert later.status_code == 200
    assert all(row["earlier"] == ".." for section in later.context["sections"] for table in section["tables"]
               for row in table["rows"])
    # The organisation that runs the unit reads every period.
    assert nina_client.get(f"/{norr.slug}/stats/2024-Q1/").status_code == 200


def test_the_organisation_page_of_a_funder_leaves_out_units_outside_its_agreement(lena_client, norr):
    response = lena_client.get("/org/linkoping/stats/2024-Q1/")
    assert response.status_code == 200
    assert norr.name not in response.context["headers"]
    assert norr.name in lena_client.get("/org/linkoping/stats/2024-Q2/").context["headers"]
