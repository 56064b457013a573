"""Times `period_stats` for one unit and one quarter against the floor — one hand-written SQL
statement computing the same core figures — and the statistics page end to end.

    .venv/bin/python bench/run.py [--database fs_bench] [--unit bench-001] [--period 2024-Q2]
                                  [--runs 30] [--page-runs 200] [--http]

Data: bench/generate.py. Query time is the time spent inside the database driver's execute
(client round trips included), summed over the command's queries. The page is timed through
the Django test client (middleware, view, template, all queries), as the unit's chief and as the
administration (suppressed over the year's own periods: reporting.outside); with --http the
chief's page also through a gunicorn worker on 127.0.0.1, one request at a time.
"""

import argparse
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import server_url  # noqa: E402

# The core figures of the JSON contract in one statement: what a person would write by hand.
FLOOR_SQL = """
WITH corrected AS (
  SELECT corrects_id FROM counselling_session WHERE unit_id = %(unit)s AND corrects_id IS NOT NULL
), period AS (
  SELECT s.status, s.minutes, s.format, s.case_id
  FROM counselling_session s
  WHERE s.unit_id = %(unit)s AND s.date BETWEEN %(start)s AND %(end)s AND s.id NOT IN (SELECT * FROM corrected)
), activity AS (
  SELECT count(*) FILTER (WHERE status = 'held') AS sessions_held,
         coalesce(sum(minutes) FILTER (WHERE status = 'held'), 0) AS minutes,
         count(*) FILTER (WHERE status = 'client_cancelled') AS client_cancellations,
         count(*) FILTER (WHERE status = 'no_show') AS no_shows,
         count(*) FILTER (WHERE status = 'unit_cancelled') AS unit_cancellations,
         count(*) FILTER (WHERE status = 'held' AND format = 'individual') AS individual,
         count(*) FILTER (WHERE status = 'held' AND format = 'couple') AS couple,
         count(*) FILTER (WHERE status = 'held' AND format = 'family') AS family,
         count(*) FILTER (WHERE status = 'held' AND format = 'group') AS "group",
         count(DISTINCT case_id) FILTER (WHERE status = 'held') AS unique_cases_seen
  FROM period
), started AS (
  SELECT count(DISTINCT s.case_id) AS cases_started FROM period s
  WHERE s.status = 'held' AND NOT EXISTS (
    SELECT 1 FROM counselling_session p WHERE p.case_id = s.case_id AND p.status = 'held' AND p.date < %(start)s
      AND p.id NOT IN (SELECT * FROM corrected))
), received AS (
  SELECT coalesce(sum(n), 0) AS new_applications, coalesce(json_object_agg(name, n), '{}') AS by_municipality
  FROM (SELECT coalesce(m.name, 'other') AS name, count(*) AS n
        FROM intake_application a LEFT JOIN units_municipality m ON m.id = a.municipality_id
        WHERE a.unit_id = %(unit)s AND a.received_on BETWEEN %(start)s AND %(end)s GROUP BY 1) AS g
), waits AS (
  SELECT count(*) AS offers, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
         percentile_disc(0.9) WITHIN GROUP (ORDER BY days) AS p90, max(days) AS max,
         count(*) FILTER (WHERE days <= %(limit)s) AS within_limit
  FROM (SELECT a.offered_on - a.received_on AS days FROM intake_application a
        WHERE a.unit_id = %(unit)s AND a.offered_on BETWEEN %(start)s AND %(end)s) AS w
), queue AS (
  SELECT count(*) AS waiting, count(*) FILTER (WHERE a.received_on < %(end)s::date - %(limit)s) AS over_limit
  FROM intake_application a
  WHERE a.unit_id = %(unit)s AND a.received_on <= %(end)s AND (a.offered_on IS NULL OR a.offered_on > %(end)s)
    AND (a.closed_on IS NULL OR a.closed_on > %(end)s)
)
SELECT * FROM activity, started, received, waits, queue
"""


def setup_django(database: str):
    os.environ["DATABASE_URL"] = server_url(database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median": statistics.median(ordered), "p95": ordered[-(-95 * len(ordered) // 100) - 1],
            "min": ordered[0], "max": ordered[-1]}


def ms(value: float) -> str:
    return f"{value * 1000:.2f} ms"


def time_command(unit, period, runs):
    from django.core.management import call_command
    from django.db import connection

    spent = []

    def timer(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[-1][1] += 1
            spent[-1][0] += time.perf_counter() - began

    walls, output = [], ""
    with connection.execute_wrapper(timer):
        for run in range(runs + 3):
            spent.append([0.0, 0])
            out = io.StringIO()
            began = time.perf_counter()
            call_command("period_stats", unit=unit.slug, period=period, stdout=out)
            if run >= 3:  # three warm-up runs
                walls.append(time.perf_counter() - began)
            output = out.getvalue()
    measured = spent[3:]
    return {"query": summary([seconds for seconds, _count in measured]), "wall": summary(walls),
            "queries": measured[0][1], "figures": json.loads(output)}


def time_floor(unit, period, runs):
    from django.db import connection

    parameters = {"unit": unit.pk, "start": period.start, "end": period.end, "limit": unit.wait_limit_days}
    times, row = [], None
    with connection.cursor() as cursor:
        for run in range(runs + 3):
            began = time.perf_counter()
            cursor.execute(FLOOR_SQL, parameters)
            columns = [column.name for column in cursor.description]
            row = dict(zip(columns, cursor.fetchone(), strict=True))
            if run >= 3:
                times.append(time.perf_counter() - began)
    return summary(times), row


def check_same_figures(figures: dict, floor: dict):
    """The floor must compute what the command prints, or the comparison means nothing."""
    from reporting.indicators import hours_text, share_text

    expected = {
        "sessions_held": floor["sessions_held"], "client_hours": hours_text(floor["minutes"]),
        "client_cancellations": floor["client_cancellations"], "no_shows": floor["no_shows"],
        "unit_cancellations": floor["unit_cancellations"],
        "sessions_by_format": {key: floor[key] for key in ("individual", "couple", "family", "group")},
        "unique_cases_seen": floor["unique_cases_seen"], "cases_started": floor["cases_started"],
        "new_applications": floor["new_applications"], "new_applications_by_municipality": floor["by_municipality"],
        "waiting_days": {"offers": floor["offers"], "median": floor["median"], "p90": floor["p90"], "max": floor["max"],
                         "within_limit_share": share_text(floor["within_limit"], floor["offers"])},
        "waiting_now": {"count": floor["waiting"], "over_limit": floor["over_limit"]},
    }
    differing = {key: (figures[key], value) for key, value in expected.items() if figures[key] != value}
    if differing:
        raise SystemExit(f"the floor and the command disagree: {differing}")


def chief_client(unit):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from units.models import Membership

    user, _ = get_user_model().objects.get_or_create(username="bench.chief")
    Membership.objects.get_or_create(user=user, unit=unit, defaults={"role": "chief"})
    client = Client()
    client.force_login(user)
    return client


def administration_client(unit):
    """A reader of the organisation that runs the unit: the page it sees is suppressed over the
    whole year (reporting.outside), two years of the lattice computed per request."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from units.models import OrgAccess

    user, _ = get_user_model().objects.get_or_create(username="bench.admin")
    OrgAccess.objects.get_or_create(user=user, organisation=unit.organisation)
    client = Client()
    client.force_login(user)
    return client


def time_page(client, url, runs):
    from django.db import connection

    for _ in range(5):
        assert client.get(url).status_code == 200
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        client.get(url)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return summary(times), len(queries)


def time_http(client, url, runs, database):
    """One gunicorn worker on 127.0.0.1; requests one after another with the chief's session cookie."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": server_url(database),
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"], cwd=ROOT, env=env)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    try:
        for _ in range(100):  # up to 10 s to start
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        times = []
        for run in range(runs + 5):
            began = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if run >= 5:
                times.append(time.perf_counter() - began)
            assert response.status == 200, response.status
        return summary(times)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_bench")
    parser.add_argument("--unit", default="bench-001")
    parser.add_argument("--period", default="2024-Q2")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page-runs", type=int, default=200)
    parser.add_argument("--http", action="store_true", help="also time the page through gunicorn on 127.0.0.1")
    options = parser.parse_args()
    setup_django(options.database)
    from django.db import connection
    from django_scopes import scope

    from units.models import Unit
    from units.periods import Period

    unit = Unit.objects.get(slug=options.unit)
    period = Period.parse(options.period)
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM counselling_session), (SELECT count(*) FROM intake_application)")
        sessions, applications = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'counselling_session' ORDER BY indexname")
        indexes = [definition.split(" USING btree ")[1] for (definition,) in cursor.fetchall()]
    print(f"data: {sessions:,} sessions, {applications:,} applications, {Unit.objects.count()} units")
    print("session indexes: " + "; ".join(indexes))

    command = time_command(unit, options.period, options.runs)
    floor, row = time_floor(unit, period, options.runs)
    check_same_figures(command["figures"], row)
    print(f"unit {unit.slug}, period {period}: {command['figures']['sessions_held']} sessions held, "
          f"{command['figures']['new_applications']} new applications")
    print(f"period_stats query time: median {ms(command['query']['median'])}, p95 {ms(command['query']['p95'])} "
          f"({command['queries']} queries; whole command in-process: median {ms(command['wall']['median'])})")
    print(f"floor (one statement):   median {ms(floor['median'])}, p95 {ms(floor['p95'])}")
    print(f"ratio command/floor (medians): {command['query']['median'] / floor['median']:.2f}")

    url = f"/{unit.slug}/stats/{period}/"
    with scope(unit=unit):
        client = chief_client(unit)
    page, queries = time_page(client, url, options.page_runs)
    print(f"page {url} via the test client ({options.page_runs} requests, {queries} queries each): "
          f"median {ms(page['median'])}, p95 {ms(page['p95'])}, max {ms(page['max'])}")
    outsider, outsider_queries = time_page(administration_client(unit), url, options.page_runs)
    print(f"page {url} as the administration ({outsider_queries} queries each): "
          f"median {ms(outsider['median'])}, p95 {ms(outsider['p95'])}, max {ms(outsider['max'])}")
    if options.http:
        over_http = time_http(client, url, options.page_runs, options.database)
        print(f"page over HTTP (gunicorn, 1 worker, {options.page_runs} requests): median "
              f"{ms(over_http['median'])}, p95 {ms(over_http['p95'])}, max {ms(over_http['max'])}")


if __name__ == "__main__":
    main()
