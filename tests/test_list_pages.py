"""Every list is cut into pages by one helper (units.pages, issue 17): a fixed number of rows and
of queries per page whatever the list's length, and the next page found by its sort key, not
by OFFSET."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from importing.models import ImportJob
from intake.models import Application
from quality.models import OutreachActivity, QualityEvent, TrainingRecord
from sessions.models import Case, Session
from tests.conftest import logged_in
from tests.intake_helpers import bulk
from units.pages import PAGE_SIZE

DAY = datetime.date(2025, 3, 3)


def _links(response) -> dict[str, str]:
    """rel=next / rel=prev → the link's query string."""
    content = response.content.decode()
    return {rel: html.unescape(query) for rel, query in re.findall(r'rel="(next|prev)" href="\?([^"]*)"', content)}


def _sessions(unit, user, count, *, start=0):
    """`count` sessions over few days, a third without a start time, so that many rows share
    a sort value and NULLs fall on page boundaries."""
    with scope(unit=unit):
        made = Session.objects.bulk_create([
            Session(unit=unit, date=DAY - datetime.timedelta(days=(start + index) % 7), minutes=60, format="couple",
                    participants=2,
                    start_time=None if (start + index) % 3 == 0 else datetime.time(8 + (start + index) % 9, 0))
            for index in range(count)])
        Session.counsellors.through.objects.bulk_create(
            [Session.counsellors.through(session=each, user=user) for each in made])


def _expected_order(unit):
    with scope(unit=unit):
        rows = Session.objects.filter(unit=unit).values_list("pk", "date", "start_time")
        # Latest day first; a day's timed sessions latest first, untimed after them; then the latest logged.
        return [pk for pk, _day, _start in sorted(rows, key=lambda row: (
            -row[1].toordinal(), row[2] is None, -(row[2].hour * 60 + row[2].minute) if row[2] else 0, -row[0]))]


def test_walking_the_session_list_by_its_links_shows_every_row_once_in_order(alice_client, alice, unit_a):
    _sessions(unit_a, alice, 2 * PAGE_SIZE + 17)
    url = f"/{unit_a.slug}/sessions/"
    seen, pages, response = [], [], alice_client.get(url, {"status": "held"})
    while True:
        page = response.context["page"]
        pages.append(page.number)
        seen.extend(row.pk for row in page.object_list)
        assert page.count == 2 * PAGE_SIZE + 17 and page.num_pages == 3
        links = _links(response)
        if "next" not in links:
            break
        assert links["next"].startswith("status=held&page=") and "after=" in links["next"]
        response = alice_client.get(f"{url}?{links['next']}")
    assert pages == [1, 2, 3]
    assert seen == _expected_order(unit_a)
    # And back again by the previous links: the same pages, the same rows.
    back = []
    while "prev" in (links := _links(response)):
        response = alice_client.get(f"{url}?{links['prev']}")
        back = [row.pk for row in response.context["page"].object_list] + back
    assert response.context["page"].number == 1
    assert back == seen[:2 * PAGE_SIZE]


def test_a_page_after_a_cursor_reads_no_offset_and_costs_what_the_first_page_costs(alice_client, alice, unit_a):
    url = f"/{unit_a.slug}/sessions/"
    _sessions(unit_a, alice, PAGE_SIZE + 5)

    def cost(query):
        with CaptureQueriesContext(connection) as queries:
            response = alice_client.get(f"{url}?{query}")
        assert response.status_code == 200
        return response, [each["sql"] for each in queries]

    first, first_sql = cost("")
    second, second_sql = cost(_links(first)["next"])
    assert len(second.context["page"].object_list) == 5
    assert not [sql for sql in second_sql if "OFFSET" in sql.upper()]
    # Ten times the rows: the same number of queries for the first page and for a page after a cursor.
    _sessions(unit_a, alice, 10 * PAGE_SIZE, start=PAGE_SIZE + 5)
    again, again_sql = cost("")
    deeper, deeper_sql = cost(_links(again)["next"])
    assert len(first_sql) == len(second_sql) == len(again_sql) == len(deeper_sql)
    assert len(deeper.context["page"].object_list) == PAGE_SIZE


def test_a_bare_page_number_still_works_shallow_and_answers_404_deep(alice_client, alice, unit_a):
    _sessions(unit_a, alice, PAGE_SIZE + 1)
    url = f"/{unit_a.slug}/sessions/"
    assert len(alice_client.get(url, {"page": 2}).context["page"].object_list) == 1
    assert alice_client.get(url, {"page": 3}).status_code == 404  # past the end
    assert alice_client.get(url, {"page": 11}).status_code == 404  # deeper than a bare number is served
    assert alice_client.get(url, {"page": "x"}).context["page"].number == 1


@pytest.mark.parametrize("cursor", ["forged", "WyIyMDI1LTAzLTAzIl0:bad", ""])
def test_a_forged_or_broken_cursor_falls_back_to_the_page_number(alice_client, alice, unit_a, cursor):
    _sessions(unit_a, alice, PAGE_SIZE + 1)
    response = alice_client.get(f"/{unit_a.slug}/sessions/", {"page": 2, "after": cursor, "before": cursor})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def _grow(unit, user, count, offset):
    """`count` more rows in every paged list of the unit."""
    with scope(unit=unit):
        bulk(unit, count, acute=False)
        cases = Case.objects.filter(unit=unit).order_by("pk")
        QualityEvent.objects.bulk_create([QualityEvent(unit=unit, kind="complaint", date=DAY, description="Väntetid",
                                                       recorded_by=user) for _ in range(count)])
        OutreachActivity.objects.bulk_create([OutreachActivity(unit=unit, kind="lecture", date=DAY, audience=10,
                                                               hours=1) for _ in range(count)])
        TrainingRecord.objects.bulk_create([TrainingRecord(unit=unit, user=user, kind="training", date=DAY,
                                                           title="Kurs", hours=2) for _ in range(count)])
        ImportJob.objects.bulk_create([ImportJob(unit=unit, kind="sessions", requested_by=user)
                                       for _ in range(count)])
        assert cases.count() >= count
    _sessions(unit, user, count, start=offset)


LISTS = ["sessions/", "cases/?state=all", "queue/", "quality/events/?year=2025", "quality/outreach/?year=2025",
         "quality/training/?year=2025", "import/", "staff/"]


def test_every_list_makes_the_same_queries_for_a_few_rows_and_for_many(anna, alice, unit_a, in_unit_a):
    chief = logged_in(anna)
    _grow(unit_a, alice, 3, 0)

    def costs():
        found = {}
        for path in LISTS:
            with CaptureQueriesContext(connection) as queries:
                response = chief.get(f"/{unit_a.slug}/{path}")
            assert response.status_code == 200, path
            page = response.context["page"] if "page" in response.context else next(
                value for value in response.context.flatten().values() if hasattr(value, "next_query"))
            found[path] = (len(queries), len(page.object_list), page.count)
        return found

    few = costs()
    _grow(unit_a, alice, 3 * PAGE_SIZE, 3)
    many = costs()
    for path in LISTS:
        assert many[path][0] == few[path][0], path
        if path not in ("staff/", "import/"):
            assert many[path][1] == PAGE_SIZE and many[path][2] > PAGE_SIZE, path
    assert many["import/"][1] == 20
    with scope(unit=unit_a):
        assert many["queue/"][2] == Application.objects.filter(unit=unit_a, offered_on__isnull=True).count()
