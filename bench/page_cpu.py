"""CPU of the load benchmark's pages in one process (issue 17): the trivial page, the session
form, a POST of it and the session list, for each demo unit's counsellor — what bench/load.py's
closed loop spends per request without the queueing, the HTTP server or the load generator.

    .venv/bin/python bench/page_cpu.py [--database fs_bench_load] [--runs 20] [--batches 5]

The database is bench/load.py's (seeded the first time). Through the Django test client with
bench/settings.py (DEBUG off), after 3 warm-up requests; per page the best of `--batches`
batches of `--runs` requests (the machine's speed drifts; the best batch is the least
disturbed), the CPU time of this process (PostgreSQL's work is not in it) and the queries.
The sessions the POSTs log are removed afterwards.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import form_data, latest_row, remove_rows_after, setup  # noqa: E402

TRIVIAL = "/accounts/password_change/done/"


def cpu_ms(call, runs: int, batches: int) -> float:
    for _ in range(3):
        call()
    best = float("inf")
    for _ in range(batches):
        began = time.process_time()
        for _ in range(runs):
            call()
        best = min(best, (time.process_time() - began) / runs * 1000)
    return best


def unit_pages(client, unit: str) -> dict:
    form = f"/{unit}/sessions/new/"
    posted = urlencode(form_data(client.get(form).content.decode()))
    return {
        "trivial page": lambda: client.get(TRIVIAL),
        "session form": lambda: client.get(form),
        "POST session": lambda: client.post(form, posted, content_type="application/x-www-form-urlencoded"),
        "session list": lambda: client.get(f"/{unit}/sessions/"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_bench_load")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--batches", type=int, default=5)
    options = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    setup(options.database, ROOT / "bench" / "data" / f"{options.database}-media")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from units.demo import DEMO_PASSWORD, UNITS

    units = [spec["slug"] for spec in UNITS]
    last = latest_row(units)
    print(f"{'unit':18} {'page':13} {'CPU':>8}  queries   (best of {options.batches} × {options.runs}; "
          f"load average {os.getloadavg()[0]:.1f})")
    try:
        for unit in units:
            client = Client(HTTP_ACCEPT_LANGUAGE="sv")
            assert client.post("/accounts/login/", {"username": f"{unit}.counsellor",
                                                    "password": DEMO_PASSWORD}).status_code == 302
            pages = unit_pages(client, unit)
            for name, call in pages.items():
                spent = cpu_ms(call, options.runs, options.batches)
                with CaptureQueriesContext(connection) as queries:
                    status = call().status_code
                assert status in {200, 302}, (unit, name, status)
                print(f"{unit:18} {name:13} {spent:6.1f} ms  {len(queries):4}")
    finally:
        remove_rows_after(units, last)


if __name__ == "__main__":
    main()
