"""Two clicks on "held" at once (two tabs, a double click that reaches two workers) log one
session: the booking row is locked (SELECT … FOR UPDATE) and the session's idempotency key
is derived from the booking."""

import threading

import pytest
from django.db import connection
from django_scopes import scope

from bookings import services
from sessions.models import Session
from tests.bookings_helpers import booking

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_outcomes_log_one_session(unit_a, alice):
    assert connection.vendor == "postgresql"
    with scope(unit=unit_a):
        planned = booking(unit_a, counsellors=[alice])
    start = threading.Barrier(4)
    results = []

    def click():
        try:
            with scope(unit=unit_a):
                start.wait(timeout=10)
                results.append(services.booking_outcome(booking=planned, acting_user=alice, status="held").pk)
        except Exception as error:  # noqa: BLE001 - reported to the test thread
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    with scope(unit=unit_a):
        stored = list(Session.objects.filter(unit=unit_a).values_list("pk", flat=True))
        planned.refresh_from_db()
    assert len(stored) == 1
    assert results == stored * 4
    assert planned.session_id == stored[0]
