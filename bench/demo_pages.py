"""Times pages of the demo data that read a unit's whole history: the billing year overview
(target < 200 ms, issue 14's price tables) and the retention page (`/<unit>/settings/retention/`),
for the chiefs of the two billing units.

    .venv/bin/python bench/demo_pages.py [--database fs_bench_reports] [--runs 20] [--year 2025]

The database is the report benchmark's (bench/report_build.py): made and filled with seed_demo
when it has no units yet. Timed through the Django test client with bench/settings.py (DEBUG off):
middleware, view, template and every query, one request at a time after 3 warm-up requests.
Prints per page the median and p95 wall time, the median CPU time of this process (PostgreSQL's
work is not in it), the queries and their time inside the database driver, and the load average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = ("leanlink-fr", "norrkoping-fr")


def time_page(client, url: str, runs: int) -> dict:
    from django.db import connection

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    spent = []

    def timer(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - began)

    with connection.execute_wrapper(timer):
        client.get(url)
    queries, database_ms = len(spent), sum(spent) * 1000
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    wall.sort()
    return {"median_ms": statistics.median(wall) * 1000, "p95_ms": wall[int(0.95 * (len(wall) - 1))] * 1000,
            "cpu_ms": statistics.median(cpu) * 1000, "queries": queries, "database_ms": database_ms}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_bench_reports")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    from bench.generate import server_url
    from bench.report_build import create_database

    os.environ["DATABASE_URL"] = server_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    create_database(server_url("postgres"), args.database)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from units.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("seed_demo", "--force", verbosity=0)
    this_year = timezone.localdate().year
    for slug in UNITS:
        client = Client()
        client.force_login(get_user_model().objects.get(username=f"{slug}.chief"))
        for url in (f"/{slug}/billing/{args.year}/", f"/{slug}/billing/{this_year}/", f"/{slug}/settings/retention/"):
            figures = time_page(client, url, args.runs)
            print(f"{url}: median {figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, median CPU time "
                  f"of this process {figures['cpu_ms']:.1f} ms, {figures['queries']} queries "
                  f"({figures['database_ms']:.1f} ms in the database driver)", flush=True)
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
