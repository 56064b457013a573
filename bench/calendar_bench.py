"""Times the calendar: the unit-wide week view of a unit with 30 counsellors and 400 bookings
that week, and one counsellor's iCalendar feed holding a year of bookings (issue 12:
< 100 ms and < 200 ms).

    .venv/bin/python bench/calendar_bench.py [--database fs_calendar_bench] [--runs 100] [--keep]

The database is dropped and made anew (migrations, one unit, the bookings), unless --keep finds
it filled already. Timed through the Django test client with production-like settings
(bench/settings.py, DEBUG off): middleware, view, template and every query, one request at a
time; 5 warm-up requests, then --runs timed ones. Prints the median and p95 wall time in ms, the median CPU time
of the benchmark's own process (the client, Django and psycopg2 — not PostgreSQL's), the number of
queries per request and the load average.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import recreate_database, setup_django  # noqa: E402

COUNSELLORS = 30
WEEK_BOOKINGS = 400
# One counsellor's year: 4 a day, 5 days a week, 50 weeks ≈ 1 000 events in the feed.
FEED_PER_DAY = 4


def build(today: datetime.date):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_scopes import scope

    from bookings.models import Booking
    from sessions.models import Case
    from units.models import Membership, Municipality, Organisation, Unit

    call_command("migrate", verbosity=0)
    municipality = Municipality.objects.create(name="Benchby", country="SE")
    organisation = Organisation.objects.create(slug="bench-org", name="Bench kommun", municipality=municipality)
    unit = Unit.objects.create(slug="bench-cal", name="Familjerådgivningen Bench", organisation=organisation,
                               kind=Unit.Kind.FAMILY_COUNSELLING, country="SE", language="sv",
                               record_mode=Unit.RecordMode.ANONYMOUS, period_kind=Unit.PeriodKind.QUARTER)
    users = get_user_model().objects.bulk_create([
        get_user_model()(username=f"bench.c{number:02d}", first_name="Rådgivare", last_name=f"{number:02d}")
        for number in range(COUNSELLORS)])
    Membership.objects.bulk_create([Membership(user=user, unit=unit, role="counsellor") for user in users])
    chief = get_user_model().objects.create(username="bench.chief")
    Membership.objects.create(user=chief, unit=unit, role="chief")
    monday = today - datetime.timedelta(days=today.weekday())
    with scope(unit=unit):
        opened = monday - datetime.timedelta(days=60)
        cases = Case.objects.bulk_create([Case(unit=unit, code=f"P-2026-{n:04d}", opened_on=opened)
                                          for n in range(200)])
        rows, owners = [], []
        for n in range(WEEK_BOOKINGS):
            rows.append(Booking(unit=unit, case=cases[n % len(cases)], date=monday + datetime.timedelta(days=n % 5),
                                start_time=datetime.time(8 + (n // 5) % 10, 0), minutes=60, format="couple",
                                participants=2, room=f"Rum {n % 12 + 1}"))
            owners.append(users[n % COUNSELLORS])
        feeder = users[0]
        day = today
        while day < today + datetime.timedelta(days=365):
            if day.weekday() < 5:
                for slot in range(FEED_PER_DAY):
                    rows.append(Booking(unit=unit, date=day, start_time=datetime.time(9 + 2 * slot, 0), minutes=60,
                                        format="individual", participants=1, room="Rum 1"))
                    owners.append(feeder)
            day += datetime.timedelta(days=1)
        created = Booking.objects.bulk_create(rows, batch_size=2000)
        through = Booking.counsellors.through
        through.objects.bulk_create([through(booking_id=row.pk, user_id=owner.pk)
                                     for row, owner in zip(created, owners, strict=True)], batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return unit


def time_url(client, url, runs):
    from django.db import connection

    for _ in range(5):
        assert client.get(url).status_code == 200
    queries = []
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        response = client.get(url)
    times, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    times.sort()
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
            "cpu_ms": statistics.median(cpu) * 1000, "queries": len(queries), "bytes": len(response.content)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_calendar_bench")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="reuse a database filled before")
    args = parser.parse_args()
    if not args.keep:
        recreate_database(args.database)
    setup_django(args.database)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from bookings import services
    from bookings.models import Booking
    from units.models import Unit

    today = timezone.localdate()
    if args.keep:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    unit = Unit.objects.filter(slug="bench-cal").first() if args.keep else None
    unit = unit or build(today)
    users = get_user_model()
    chief = Client()
    chief.force_login(users.objects.get(username="bench.chief"))
    feeder = users.objects.get(username="bench.c00")
    with scope(unit=unit):
        token = services.feed_regenerate(unit=unit, user=feeder, acting_user=None)
    with scopes_disabled():
        week = Booking.objects.filter(unit=unit, date__gte=today - datetime.timedelta(days=today.weekday()),
                                      date__lt=today - datetime.timedelta(days=today.weekday() - 7)).count()
        year = Booking.objects.filter(unit=unit, counsellors=feeder, date__gte=today).count()
    results = {
        f"week view, whole unit ({COUNSELLORS} counsellors, {week} bookings that week)":
            time_url(chief, f"/{unit.slug}/calendar/?view=week&counsellor=all&date={today.isoformat()}", args.runs),
        f"feed, one counsellor ({year} events ahead)":
            time_url(Client(), f"/{unit.slug}/calendar/feed/{token}.ics", args.runs),
    }
    for name, figures in results.items():
        print(f"{name}: median {figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
              f"median CPU time of this process {figures['cpu_ms']:.1f} ms, {figures['queries']} queries, "
              f"{figures['bytes']} bytes")
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
