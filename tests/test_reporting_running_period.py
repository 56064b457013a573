"""Issue 18, the statistics pages: they open on the last complete period; a running period is
counted up to today ("Kö vid periodens slut: 14, of which 14 waited more than 14 days" while the
queue page said "0 har väntat längre än 14 dagar" the same day); a future period is "not yet"."""

import datetime

from django.utils import timezone
from django_scopes import scope

from reporting.indicators import period_figures
from tests.stats_builders import application
from units.periods import Period, current_period, last_complete_period


def test_the_menu_opens_the_last_complete_period(anna_client, unit_a):
    today = timezone.localdate()
    response = anna_client.get(f"/{unit_a.slug}/stats/")
    expected = current_period(unit_a, today).previous()
    assert response.status_code == 302 and response["Location"].endswith(f"/stats/{expected}/")
    assert expected.end < today and last_complete_period(unit_a, today) == expected


def test_a_running_period_counts_its_queue_as_of_today(unit_a, anna_client):
    today = timezone.localdate()
    running = current_period(unit_a, today)
    with scope(unit=unit_a):
        application(unit_a, (today - datetime.timedelta(days=2)).isoformat())  # in the queue for two days
        figures = period_figures(unit=unit_a, period=running)
    assert figures["waiting_now"] == {"count": 1, "over_limit": 0}
    assert figures["as_of"] == today.isoformat() and figures["end"] == running.end.isoformat()
    page = anna_client.get(f"/{unit_a.slug}/stats/{running}/").content.decode()
    assert 'id="running-period"' in page


def test_a_complete_period_says_nothing_about_today(unit_a, anna_client):
    complete = last_complete_period(unit_a, timezone.localdate())
    with scope(unit=unit_a):
        assert "as_of" not in period_figures(unit=unit_a, period=complete)
    assert 'id="running-period"' not in anna_client.get(f"/{unit_a.slug}/stats/{complete}/").content.decode()


def test_a_future_period_is_a_clear_not_yet_page(unit_a, anna_client, olga_client):
    future = current_period(unit_a, timezone.localdate()).next()
    page = anna_client.get(f"/{unit_a.slug}/stats/{future}/").content.decode()
    assert "har inte börjat" in page and "<table" not in page
    org_future = Period.containing(timezone.localdate(), "year").next()
    org_page = olga_client.get(f"/org/{unit_a.organisation.slug}/stats/{org_future}/").content.decode()
    assert "har inte börjat" in org_page


def test_the_organisation_menu_opens_an_ended_period(olga_client, unit_a):
    response = olga_client.get(f"/org/{unit_a.organisation.slug}/stats/")
    label = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert Period.parse(label).end < timezone.localdate()
