"""The chief uploads an XLSX in Chromium, sees the preview, confirms, and watches the progress
bar of the import running in a real Celery worker until the result page says what was written."""

import datetime
import os
import re

import pytest
from django_scopes import scope

from sessions.models import Session
from tests.a11y import assert_accessible
from tests.celery_worker import real_broker, start_worker, stop
from tests.conftest import browser_login
from tests.sessions_helpers import case
from tests.test_import_files import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 1_500


def test_chief_uploads_an_xlsx_confirms_and_watches_the_progress_bar(page, live_server, unit_a, alice, anna,
                                                                     settings, tmp_path, monkeypatch):
    with scope(unit=unit_a):
        case(unit_a, "P-2025-0001")
    settings.IMPORT_INLINE_BYTES = 0  # the live server hands every file to the worker
    monkeypatch.setenv("IMPORT_INLINE_BYTES", "0")
    monkeypatch.setenv("IMPORT_STEP_PAUSE_SECONDS", "0.8")  # the worker slows down so the bar can be watched
    workbook = tmp_path / "samtal 2025.xlsx"
    workbook.write_bytes(xlsx_bytes([[datetime.date(2025, 3, 4) + datetime.timedelta(days=index % 20),
                                      datetime.time(9 + index % 8, 0), 60, "Par", None, "Genomfört", "P-2025-0001",
                                      "alice", None, None] for index in range(ROWS)]))
    with real_broker():
        worker = start_worker()
        try:
            browser_login(page, live_server, "anna")
            page.goto(f"{live_server.url}/{unit_a.slug}/import/")
            assert_accessible(page)
            page.get_by_label("Samtal").check()
            page.locator("input[type=file]").set_input_files(str(workbook))
            page.get_by_role("button", name="Kontrollera filen").click()
            # The check runs in the worker too: the bar moves, then the preview appears.
            page.locator(".report-progress progress").wait_for()
            confirm = page.get_by_role("button", name=re.compile(r"Importera alla 1\D?500 rader"))
            confirm.wait_for(timeout=180_000)
            assert page.locator("#preview tbody tr").count() == 10
            assert "case_code (Ärende)" in page.locator("#mapping").inner_text()
            assert_accessible(page)
            with scope(unit=unit_a):
                assert not Session.objects.filter(unit=unit_a).exists()
            confirm.click()
            progress = page.locator(".report-progress progress")
            progress.wait_for()
            seen = set()
            for _poll in range(200):
                if page.locator(".alert-success").count():
                    break
                if progress.count():
                    seen.add(int(progress.get_attribute("value") or 0))
                page.wait_for_timeout(150)
            assert any(0 < value < 100 for value in seen), seen  # the bar moved between start and end
            success = page.locator(".alert-success")
            success.wait_for(timeout=180_000)
            assert re.search(r"1\D?500 rader importerades", success.inner_text())
            assert_accessible(page)
        finally:
            stop(worker)
    with scope(unit=unit_a):
        assert Session.objects.filter(unit=unit_a).count() == ROWS
    assert os.environ["IMPORT_INLINE_BYTES"] == "0"
