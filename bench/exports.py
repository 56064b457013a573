"""Big lists and exports (issue 17): one unit's sessions copied back in time until it has about
115 000, then — in-process through the test client with bench.settings (DEBUG off) — the session
list's first page, a page 2 000 pages deep by its cursor, the streamed CSV export (first byte and
whole file) and the XLSX export built by the worker (eager here: in the same process).

    .venv/bin/python bench/exports.py [--database fs_bench_exports] [--unit leanlink-fr] [--copies 29]

The database gets the demo data (seed_demo) the first time, and the copies once (the demo unit's
sessions, each copy 91 days earlier, with its counsellor). --copies 0 measures the demo as it is.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import setup  # noqa: E402

COPY_SQL = """
CREATE TEMP TABLE bench_mark AS SELECT coalesce(max(id), 0) AS top FROM counselling_session;
INSERT INTO counselling_session (date, start_time, minutes, format, participants, location, status, fee,
       constellation, activity, created_at, case_id, logged_by_id, unit_id)
SELECT s.date - g * 91, s.start_time, s.minutes, s.format, s.participants, s.location, s.status, s.fee,
       s.constellation, s.activity, s.created_at - g * interval '91 days', s.case_id, s.logged_by_id, s.unit_id
FROM counselling_session s, generate_series(1, %(copies)s) g
WHERE s.unit_id = %(unit)s AND s.corrects_id IS NULL;
INSERT INTO counselling_session_counsellors (session_id, user_id)
SELECT s.id, s.logged_by_id FROM counselling_session s, bench_mark
WHERE s.id > bench_mark.top AND s.logged_by_id IS NOT NULL;
DROP TABLE bench_mark;
"""


def grow(unit, copies: int) -> int:
    """Copy the unit's sessions once; the number of its sessions."""
    from django.db import connection
    from django_scopes import scopes_disabled

    from sessions.models import Session

    with scopes_disabled():
        count = Session.objects.filter(unit=unit).count()
        if copies and not Session.objects.filter(unit=unit, date__lt="2010-01-01").exists():
            with connection.cursor() as cursor:
                cursor.execute(COPY_SQL, {"copies": copies, "unit": unit.pk})
                cursor.execute("ANALYZE counselling_session")
            count = Session.objects.filter(unit=unit).count()
    return count


def timed(client, label: str, path: str):
    start = time.perf_counter()
    response = client.get(path)
    first = time.perf_counter() - start
    size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    total = time.perf_counter() - start
    print(f"{label:34} {response.status_code}  first byte {first * 1000:9.0f} ms  whole {total * 1000:9.0f} ms  "
          f"{size / 1e6:6.1f} MB")
    return response


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_bench_exports")
    parser.add_argument("--unit", default="leanlink-fr")
    parser.add_argument("--copies", type=int, default=29)
    options = parser.parse_args()
    media = ROOT / "bench" / "data" / f"{options.database}-media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"  # DEBUG off, the test client's host
    setup(options.database, media)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_scopes import scope

    from sessions import selectors
    from units.models import Unit
    from units.pages import _cursor

    unit = Unit.objects.get(slug=options.unit)
    count = grow(unit, options.copies)
    print(f"{options.unit}: {count} sessions; load average {os.getloadavg()[0]:.1f}")
    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{options.unit}.chief"))
    base = f"/{options.unit}/sessions/"
    timed(client, "list, first page", base)
    with scope(unit=unit):
        deep = min(99_950, count - 1)
        row = selectors.session_rows(selectors.sessions_filtered(unit))[deep]
        cursor = _cursor(row, selectors.SESSION_ORDER)
    timed(client, f"list, page {deep // 50 + 2} by its cursor", f"{base}?page={deep // 50 + 2}&after={cursor}")
    timed(client, "CSV export", f"{base}?export=csv")
    response = timed(client, "XLSX export (eager build)", f"{base}?export=xlsx")
    print(f"XLSX: {response.status_code} {response.get('Location', '(in the response)')}; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
