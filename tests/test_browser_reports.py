import pytest

from tests.a11y import assert_accessible
from tests.celery_worker import real_broker, start_worker, stop
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_chief_builds_the_report_watches_the_progress_bar_and_downloads_the_pdf(page, live_server, unit_a, anna):
    with real_broker():
        worker = start_worker(step_pause=0.5)
        try:
            browser_login(page, live_server, "anna")
            page.goto(f"{live_server.url}/{unit_a.slug}/reports/2025/")
            assert_accessible(page)
            page.get_by_role("button", name="Spara texterna och bygg rapporten").click()
            progress = page.locator(".report-progress progress")
            progress.wait_for()
            assert_accessible(page)
            link = page.locator(".report-progress a.download")
            link.wait_for(state="visible", timeout=60_000)
            assert progress.get_attribute("value") == "100"
            with page.expect_download() as download_info:
                link.click()
            path = download_info.value.path()
        finally:
            stop(worker)
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
