"""The report build on a real Celery worker against Redis — and after a worker is killed."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scope

from reporting.models import ReportDocument
from reporting.services import report_request
from tests.celery_worker import kill_hard, real_broker, start_worker, stop, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _document(unit, pk):
    with scope(unit=unit):
        return ReportDocument.objects.get(pk=pk)


def test_a_real_worker_builds_the_report(unit_a, anna):
    with real_broker():
        worker = start_worker()
        try:
            with scope(unit=unit_a):
                document = report_request(unit=unit_a, period="2025", acting_user=anna)
            assert wait_until(lambda: _document(unit_a, document.pk).status == "done", timeout=60), \
                worker.stderr.read1().decode() if worker.poll() is not None else "worker still running"
        finally:
            stop(worker)
    built = _document(unit_a, document.pk)
    content = (Path(settings.MEDIA_ROOT) / built.file.name).read_bytes()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == built.sha256


def test_a_build_whose_worker_is_killed_is_finished_once_by_the_next_worker(unit_a, anna):
    with real_broker():
        first = start_worker(step_pause=2)
        try:
            with scope(unit=unit_a):
                document = report_request(unit=unit_a, period="2024", acting_user=anna)
            assert wait_until(lambda: _document(unit_a, document.pk).status == "running", timeout=60)
        finally:
            kill_hard(first)
        assert _document(unit_a, document.pk).status == "running"
        second = start_worker()
        try:
            assert wait_until(lambda: _document(unit_a, document.pk).status == "done", timeout=90)
        finally:
            stop(second)
    with scope(unit=unit_a):
        versions = list(ReportDocument.objects.filter(unit=unit_a, period="2024"))
    assert [(version.version, version.status) for version in versions] == [(1, "done")]
    folder = Path(settings.MEDIA_ROOT) / "reports" / unit_a.slug
    assert sorted(path.name for path in folder.glob("2024-v*.pdf")) == ["2024-v1.pdf"]
