"""Two registrations at once never get the same case code: the sequence row is locked
(SELECT … FOR UPDATE on PostgreSQL) until the registering transaction commits."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from intake.models import Application
from intake.services import case_code_next
from tests.intake_helpers import register

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timezone.localdate().year


def _in_thread(unit, work, results, key):
    def run():
        try:
            with scope(unit=unit):
                results[key] = work()
        except Exception as error:  # noqa: BLE001 - reported to the test thread
            results[key] = error
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_a_second_registration_waits_for_the_first_and_takes_the_next_code(unit_a):
    assert connection.vendor == "postgresql"
    with scope(unit=unit_a):
        register(unit_a)  # the year's sequence row exists and is committed
    holding, release = threading.Event(), threading.Event()
    results = {}

    def first():
        with transaction.atomic():
            code = case_code_next(unit=unit_a, year=YEAR)
            holding.set()
            release.wait(timeout=10)
            return code

    def second():
        return register(unit_a).case.code

    first_thread = _in_thread(unit_a, first, results, "first")
    second_thread = _in_thread(unit_a, second, results, "second")
    first_thread.start()
    assert holding.wait(timeout=10)
    second_thread.start()
    second_thread.join(timeout=1)
    # The first transaction still holds the sequence row: the second registration is blocked.
    assert second_thread.is_alive()
    release.set()
    first_thread.join(timeout=10)
    second_thread.join(timeout=10)
    assert results == {"first": f"P-{YEAR}-0002", "second": f"P-{YEAR}-0003"}


def test_two_first_registrations_of_a_year_at_once_get_different_codes(unit_a):
    start = threading.Barrier(2)
    results = {}

    def work():
        start.wait(timeout=10)
        return register(unit_a).case.code

    threads = [_in_thread(unit_a, work, results, key) for key in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results.values()) == [f"P-{YEAR}-0001", f"P-{YEAR}-0002"]
    with scope(unit=unit_a):
        assert Application.objects.filter(unit=unit_a).count() == 2
