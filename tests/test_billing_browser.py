import datetime
import hashlib
from pathlib import Path

import pytest
from django_scopes import scope
from pypdf import PdfReader

from billing.models import MonthClose
from tests import billing_data as data
from tests.a11y import assert_accessible
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chief_closes_a_month_and_downloads_its_pdf(page, live_server, unit_a, anna):
    with scope(unit=unit_a):
        agreement = data.hourly_agreement(unit_a, rates={2025: "605.00"})
        data.fee(unit_a, year=2025, agreement=agreement)
        data.session(unit_a, datetime.date(2025, 2, 3), 61, case=data.case(unit_a), fee="paid")
        data.session(unit_a, datetime.date(2025, 2, 4), 90, format="group", participants=5)
        data.session(unit_a, datetime.date(2025, 2, 5), 60, format="group", participants=4)
    browser_login(page, live_server, "anna")
    page.goto(f"{live_server.url}/{unit_a.slug}/billing/2025-02/")
    assert "Öppen: underlaget är preliminärt" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Stäng 2025-02").click()
    page.wait_for_load_state()

    main = page.locator("main").inner_text()
    assert "2025-02 är stängd" in main and "Stängd" in main
    assert page.get_by_role("button", name="Stäng 2025-02").count() == 0
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace("\xa0", " ")
    # 1.25 h + 6.00 h (group of 5: 4 × 1.50) + 1.00 h (group of 4, plain time) = 8.25 h × 605.00
    assert "4 991,25 kr" in text and "8,25" in text and "200,00 kr" in text
    with scope(unit=unit_a):
        close = MonthClose.objects.get(unit=unit_a)
    assert hashlib.sha256(content).hexdigest() == close.pdf_sha256
    page.goto(f"{live_server.url}/{unit_a.slug}/billing/2025/")
    assert "Fakturering 2025" in page.locator("h1").inner_text()
    assert_accessible(page)
