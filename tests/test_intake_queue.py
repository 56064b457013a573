"""The queue page, its order and its cost; the queue by month; the waiting-time figures."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import selectors
from intake.models import CounsellorCompetence, Outcome
from intake.services import application_offer, application_withdraw
from tests.intake_helpers import bulk, days_ago, register
from units.models import AuditEvent

TODAY = timezone.localdate()


def _queue_codes(response):
    return [row.application.case.code for row in response.context["rows"]]


def test_queue_puts_acute_first_then_the_longest_wait(alice_client, in_unit_a):
    waited_5 = register(in_unit_a, received_on=days_ago(5))
    acute_2 = register(in_unit_a, received_on=days_ago(2), acute=True)
    waited_20 = register(in_unit_a, received_on=days_ago(20))
    acute_9 = register(in_unit_a, received_on=days_ago(9), acute=True)
    today = register(in_unit_a)
    response = alice_client.get(f"/{in_unit_a.slug}/queue/")
    assert response.status_code == 200
    assert _queue_codes(response) == [app.case.code for app in (acute_9, acute_2, waited_20, waited_5, today)]
    assert [row.days for row in response.context["rows"]] == [9, 2, 20, 5, 0]


def test_queue_shows_only_waiting_applications(alice_client, in_unit_a, alice):
    waiting = register(in_unit_a, received_on=days_ago(3))
    offered = register(in_unit_a, received_on=days_ago(3))
    withdrawn = register(in_unit_a, received_on=days_ago(3))
    application_offer(application=offered, offered_on=TODAY, acting_user=alice)
    application_withdraw(application=withdrawn, outcome=Outcome.WITHDRAWN, closed_on=TODAY, acting_user=alice)
    assert _queue_codes(alice_client.get(f"/{in_unit_a.slug}/queue/")) == [waiting.case.code]


def test_queue_marks_waits_at_and_beyond_the_units_limit(alice_client, in_unit_a):
    in_unit_a.wait_limit_days = 10
    in_unit_a.save()
    for days in (15, 11, 10, 7, 6):
        register(in_unit_a, received_on=days_ago(days))
    response = alice_client.get(f"/{in_unit_a.slug}/queue/")
    assert [(row.days, row.level) for row in response.context["rows"]] == [
        (15, "over"), (11, "over"), (10, "near"), (7, "near"), (6, "")]
    html = response.content.decode()
    assert html.count('class="table-danger"') == 2 and html.count('class="table-warning"') == 2
    assert "över gränsen" in html  # the colour is never the only sign
    assert response.context["over_limit"] == 2


def test_queue_suggests_counsellors_whose_competence_matches(alice_client, in_unit_a, alice, anna):
    CounsellorCompetence.objects.create(unit=in_unit_a, user=alice, competence="violence")
    CounsellorCompetence.objects.create(unit=in_unit_a, user=anna, competence="sexology")
    register(in_unit_a, wanted_competence="violence")
    register(in_unit_a, received_on=days_ago(1))
    rows = alice_client.get(f"/{in_unit_a.slug}/queue/").context["rows"]
    assert [row.suggested for row in rows] == [[], ["alice"]]


def test_finding_a_case_code_opens_the_application(alice_client, in_unit_a):
    application = register(in_unit_a)
    response = alice_client.get(f"/{in_unit_a.slug}/queue/", {"code": application.case.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/{in_unit_a.slug}/applications/{application.pk}/"
    missing = alice_client.get(f"/{in_unit_a.slug}/queue/", {"code": "P-1999-0001"})
    assert missing.status_code == 200 and "P-1999-0001" in missing.content.decode()


def test_queue_query_count_does_not_grow_with_the_rows(alice_client, in_unit_a, alice, django_assert_num_queries):
    CounsellorCompetence.objects.create(unit=in_unit_a, user=alice, competence="violence")
    url = f"/{in_unit_a.slug}/queue/"
    bulk(in_unit_a, 3, assigned_to=alice, wanted_competence="violence", acute=True)
    with CaptureQueriesContext(connection) as three_rows:
        assert len(alice_client.get(url).context["rows"]) == 3
    bulk(in_unit_a, 297, received_on=days_ago(30), wanted_competence="violence")
    with django_assert_num_queries(len(three_rows)):
        response = alice_client.get(url)
    # Issue 17: the queue is paged — the first 50 of the 300, and the count of all of them.
    assert (len(response.context["rows"]), response.context["page"].count) == (50, 300)
    assert "300 ansökningar väntar" in response.content.decode()


def test_long_waits_counts_now_and_the_days_of_the_last_30(in_unit_a, alice):
    """Limit 14. A waited T-20 … T-4 (offered T-3): beyond the limit on T-5 and T-4. B waits
    since T-16: beyond on T-1 and T. C waits 2 days. D waited long ago. → 4 days of 30."""
    a = register(in_unit_a, received_on=days_ago(20))
    register(in_unit_a, received_on=days_ago(16))
    register(in_unit_a, received_on=days_ago(2))
    d = register(in_unit_a, received_on=days_ago(60))
    application_offer(application=a, offered_on=days_ago(3), acting_user=alice)
    application_offer(application=d, offered_on=days_ago(35), acting_user=alice)
    figures = selectors.long_waits(unit=in_unit_a, today=TODAY)
    assert (figures.waiting, figures.over_limit, figures.longest_days, figures.days_over_limit) == (2, 1, 16, 4)


def test_long_waits_with_an_empty_queue(in_unit_a):
    figures = selectors.long_waits(unit=in_unit_a, today=TODAY)
    assert (figures.waiting, figures.over_limit, figures.longest_days, figures.days_over_limit) == (0, 0, None, 0)


def test_queue_by_month_counts_received_offered_and_waiting_at_month_end(in_unit_a, alice):
    d = register(in_unit_a, received_on=datetime.date(2024, 12, 30))
    a = register(in_unit_a, received_on=datetime.date(2025, 1, 10))
    register(in_unit_a, received_on=datetime.date(2025, 1, 25))  # B, still waiting
    c = register(in_unit_a, received_on=datetime.date(2025, 2, 20))
    application_offer(application=d, offered_on=datetime.date(2025, 1, 2), acting_user=alice)
    application_offer(application=a, offered_on=datetime.date(2025, 2, 3), acting_user=alice)
    application_withdraw(application=c, outcome=Outcome.WITHDRAWN, closed_on=datetime.date(2025, 3, 1),
                         acting_user=alice)
    rows = selectors.queue_by_month(unit=in_unit_a, today=datetime.date(2025, 3, 15), months=4)
    assert [(row.month.isoformat(), row.received, row.offered, row.waiting_at_end) for row in rows] == [
        ("2024-12-01", 1, 0, 1),  # D
        ("2025-01-01", 2, 1, 2),  # A and B received, D offered; A and B wait on 31 January
        ("2025-02-01", 1, 1, 2),  # C received, A offered; B and C wait on 28 February
        ("2025-03-01", 0, 0, 1),  # C withdrawn: B waits on the 15th (today)
    ]


def test_queue_by_month_page_has_a_chart_a_table_and_exports(anna_client, in_unit_a):
    register(in_unit_a)
    register(in_unit_a, municipality=None, exception_code="agreed")
    response = anna_client.get(f"/{in_unit_a.slug}/queue/months/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<table" in html
    assert response.context["table"][-1] == [TODAY.strftime("%Y-%m"), 2, 0, 2]
    assert len(response.context["table"]) == 24
    assert response.context["municipalities"] == [("Linköping", 1), (None, 1)]

    csv = anna_client.get(f"/{in_unit_a.slug}/queue/months/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Månad;Inkomna;Erbjudna en tid;Väntar vid månadens slut"
    assert lines[-1] == f"{TODAY:%Y-%m};2;0;2"
    xlsx = anna_client.get(f"/{in_unit_a.slug}/queue/months/", {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert list(AuditEvent.objects.filter(unit=in_unit_a, action__startswith="export").values_list(
        "action", flat=True).order_by("pk")) == ["export.csv", "export.xlsx"]


def test_queue_by_month_does_a_fixed_number_of_queries(anna_client, in_unit_a, django_assert_num_queries):
    url = f"/{in_unit_a.slug}/queue/months/"
    bulk(in_unit_a, 3)
    with CaptureQueriesContext(connection) as few:
        anna_client.get(url)
    bulk(in_unit_a, 297, received_on=days_ago(200))
    with django_assert_num_queries(len(few)):
        anna_client.get(url)


@pytest.mark.parametrize("client_name,status", [
    ("alice_client", 200), ("anna_client", 200), ("olga_client", 404), ("bob_client", 404), ("oscar_client", 404)])
def test_queue_by_month_is_for_the_units_staff(request, in_unit_a, client_name, status):
    # Exact monthly counts of an anonymous unit: the administration reads them, suppressed,
    # in the statistics (queue_by_month there) instead.
    assert request.getfixturevalue(client_name).get(f"/{in_unit_a.slug}/queue/months/").status_code == status


@pytest.mark.parametrize("client_name,status", [
    ("alice_client", 200), ("anna_client", 200), ("olga_client", 404), ("bob_client", 404)])
def test_queue_is_for_the_units_counsellors_and_chief(request, in_unit_a, client_name, status):
    assert request.getfixturevalue(client_name).get(f"/{in_unit_a.slug}/queue/").status_code == status

