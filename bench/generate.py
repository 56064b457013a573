"""Synthetic national-scale data for the period-statistics benchmark, straight in PostgreSQL.

    .venv/bin/python bench/generate.py [--database fs_bench] [--scale 1.0]

Full scale: 400 units × 10 years (2015–2024), 500 applications a unit-year (2 000 000, each with
its case) and 4–17 sessions for each offered case (≈ 20 million sessions, a few corrections
among them). --scale shrinks the number of units only, so one unit's data look the same at
every scale. The database is dropped and made again: migrations, then generate_series inserts
with the secondary indexes dropped during the load and built again after, then VACUUM ANALYZE.
Everything is deterministic (hashes of row numbers, no random()).
"""

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
FIRST_YEAR, YEARS = 2015, 10
UNITS_AT_FULL_SCALE = 400
CASES_PER_UNIT_YEAR = 500
MUNICIPALITIES = 10


def server_url(database: str) -> str:
    base = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
    return f"{base}/{database}"


def recreate_database(name: str):
    connection = psycopg2.connect(server_url("postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django(database: str):
    os.environ["DATABASE_URL"] = server_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# h(n, salt) → 0..999 999, a deterministic hash of a row number.
HASH_FUNCTION = """
CREATE FUNCTION bench_h(n bigint, salt int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ((hashint8(n * 1000003 + salt)::bigint + 2147483648) % 1000000)::int $$
"""

# One case and one application per (unit, k). Waiting days: 60 % 0–14, 30 % 15–35, 8 % 36–90,
# 2 % never offered (half of those withdrawn after a month). Offers after the last day wait still.
CASES = """
CREATE UNLOGGED TABLE bench_case AS
SELECT u.id AS unit_id, k, (u.id::bigint * 100000 + k) AS n,
       DATE %(first)s + (k * %(span)s / %(per_unit)s)::int AS received_on
FROM units_unit u CROSS JOIN generate_series(0, %(per_unit)s - 1) AS k
WHERE u.slug LIKE 'bench-%%';

ALTER TABLE bench_case ADD COLUMN wait int, ADD COLUMN sessions int;
UPDATE bench_case SET
  wait = CASE WHEN bench_h(n, 1) %% 100 < 60 THEN bench_h(n, 2) %% 15
              WHEN bench_h(n, 1) %% 100 < 90 THEN 15 + bench_h(n, 2) %% 21
              WHEN bench_h(n, 1) %% 100 < 98 THEN 36 + bench_h(n, 2) %% 55 END,
  sessions = 4 + bench_h(n, 3) %% 14;

INSERT INTO counselling_case (unit_id, code, opened_on, started_on, closed_on, officer_office, urgent)
SELECT unit_id, 'B-' || k, received_on,
       CASE WHEN wait IS NOT NULL AND received_on + wait + 3 <= %(last)s THEN received_on + wait + 3 END,
       CASE WHEN wait IS NOT NULL AND received_on + wait + 3 + sessions * 7 + 14 <= %(last)s
            THEN received_on + wait + 3 + sessions * 7 + 14 END,
       '', false
FROM bench_case ORDER BY received_on, unit_id;

ALTER TABLE bench_case ADD COLUMN case_id bigint;
UPDATE bench_case b SET case_id = c.id FROM counselling_case c WHERE c.unit_id = b.unit_id AND c.code = 'B-' || b.k;
"""

APPLICATIONS = """
INSERT INTO intake_application (
  unit_id, case_id, received_on, offered_on, closed_on, outcome, municipality_id, channel, exception_reason,
  exception_code,
  contact_path, acute, pregnancy, small_children, high_conflict, violence, age_band, partner_age_band,
  relationship_type, relationship_length, children_count, youngest_child_age_band, wanted_competence, note,
  created_at)
SELECT b.unit_id, b.case_id, b.received_on,
       CASE WHEN b.received_on + b.wait <= %(last)s THEN b.received_on + b.wait END,
       CASE WHEN b.wait IS NULL AND bench_h(b.n, 4) %% 2 = 0 AND b.received_on + 30 <= %(last)s
            THEN b.received_on + 30 END,
       CASE WHEN b.wait IS NULL AND bench_h(b.n, 4) %% 2 = 0 THEN 'withdrawn'
            WHEN b.wait IS NOT NULL THEN 'started' ELSE '' END,
       CASE WHEN bench_h(b.n, 5) %% 50 = 0 THEN NULL
            ELSE m.first_id + (b.unit_id + bench_h(b.n, 6) %% 3) %% %(municipalities)s END,
       (ARRAY['phone', 'email', 'web', 'referral'])[1 + bench_h(b.n, 7) %% 4], '',
       CASE WHEN bench_h(b.n, 5) %% 50 = 0 THEN 'agreed' ELSE '' END,
       (ARRAY['self', 'family_centre', 'child_health', 'health_care', 'social_services', 'school', 'friend',
              'other'])[1 + bench_h(b.n, 8) %% 8],
       bench_h(b.n, 9) %% 20 = 0, bench_h(b.n, 10) %% 15 = 0, bench_h(b.n, 11) %% 4 = 0,
       bench_h(b.n, 12) %% 10 = 0, bench_h(b.n, 13) %% 12 = 0,
       (ARRAY['-24', '25-34', '35-44', '45-54', '55-64', '65-', ''])[1 + bench_h(b.n, 14) %% 7],
       (ARRAY['-24', '25-34', '35-44', '45-54', '55-64', '65-', ''])[1 + bench_h(b.n, 15) %% 7],
       (ARRAY['married', 'cohabiting', 'living_apart', 'separated', 'other', ''])[1 + bench_h(b.n, 16) %% 6],
       (ARRAY['0-1', '2-5', '6-10', '11-20', '21-', ''])[1 + bench_h(b.n, 17) %% 6],
       NULLIF(bench_h(b.n, 18) %% 6, 5),
       (ARRAY['unborn', '0-2', '3-6', '7-12', '13-17', '18-', ''])[1 + bench_h(b.n, 19) %% 7],
       '', '', now()
FROM bench_case b CROSS JOIN (SELECT min(id) AS first_id FROM units_municipality WHERE name LIKE 'Benchby %%') m
ORDER BY b.received_on, b.unit_id;
"""

# Weekly sessions from three days after the offer; the first one held. 86 % held, 7 % återbud,
# 4 % no-show, 3 % cancelled by the unit. Rows go in by date, as a live system writes them.
SESSIONS = """
INSERT INTO counselling_session (
  unit_id, case_id, date, minutes, format, participants, location, status, fee, constellation, activity, created_at)
SELECT b.unit_id, b.case_id, d.date, 45 + 15 * (bench_h(b.n * 32 + s, 21) %% 4),
       f.format, CASE WHEN f.format = 'group' THEN 5 + bench_h(b.n, 22) %% 4 ELSE 1 + bench_h(b.n, 22) %% 2 END,
       CASE WHEN bench_h(b.n * 32 + s, 23) %% 100 < 80 THEN 'office'
            ELSE (ARRAY['home', 'flat', 'phone', 'video', 'other'])[1 + bench_h(b.n * 32 + s, 24) %% 5] END,
       CASE WHEN s = 0 OR bench_h(b.n * 32 + s, 25) %% 100 < 86 THEN 'held'
            WHEN bench_h(b.n * 32 + s, 25) %% 100 < 93 THEN 'client_cancelled'
            WHEN bench_h(b.n * 32 + s, 25) %% 100 < 97 THEN 'no_show' ELSE 'unit_cancelled' END,
       'none', '', '', now()
FROM bench_case b
CROSS JOIN LATERAL generate_series(0, b.sessions - 1) AS s
CROSS JOIN LATERAL (SELECT b.received_on + b.wait + 3 + s * 7
                           + CASE WHEN s = 0 THEN 0 ELSE bench_h(b.n * 32 + s, 20) %% 3 END AS date) d
CROSS JOIN LATERAL (SELECT CASE WHEN bench_h(b.n, 26) %% 100 < 40 THEN 'couple'
                                WHEN bench_h(b.n, 26) %% 100 < 75 THEN 'individual'
                                WHEN bench_h(b.n, 26) %% 100 < 92 THEN 'family' ELSE 'group' END AS format) f
WHERE b.wait IS NOT NULL AND d.date <= %(last)s
ORDER BY 3, b.unit_id;

-- One session in a thousand corrected later: the correction row holds 15 more minutes.
INSERT INTO counselling_session (
  unit_id, case_id, date, minutes, format, participants, location, status, fee, constellation, activity, created_at,
  corrects_id)
SELECT unit_id, case_id, date, minutes + 15, format, participants, location, status, fee, constellation, activity,
       created_at, id
FROM counselling_session WHERE id %% 1000 = 7;
"""

BULK_TABLES = ["counselling_case", "intake_application", "counselling_session"]

# Indexes this benchmark asks the sessions migrations for (bench/RESULTS.md): the covering index
# also holds location and id (the correction check needs the row's id); first held sessions are
# found per case; a unit's few correction rows are read from a small partial index.
PROPOSED_INDEXES = [
    "DROP INDEX session_unit_date_cov",
    "CREATE INDEX session_unit_date_cov ON counselling_session (unit_id, date) "
    "INCLUDE (status, minutes, format, case_id, location, id)",
    "CREATE INDEX session_case_held ON counselling_session (case_id, date) INCLUDE (id) WHERE status = 'held'",
    "CREATE INDEX session_unit_corrections ON counselling_session (unit_id, corrects_id) "
    "WHERE corrects_id IS NOT NULL",
]


def secondary_indexes(cursor, tables):
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", [tables])
    return cursor.fetchall()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_bench")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 400 units (default 1.0)")
    parser.add_argument("--indexes", choices=["proposed", "migrations"], default="migrations",
                        help="the migrations' indexes only (default: the proposals are in them now), "
                             "or create the proposals again")
    options = parser.parse_args()
    units = max(1, round(UNITS_AT_FULL_SCALE * options.scale))
    began = time.monotonic()

    def say(message):
        print(f"[{time.monotonic() - began:7.1f} s] {message}", flush=True)

    recreate_database(options.database)
    setup_django(options.database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    say("migrated")
    make_tenants(units)
    say(f"{units} units")
    parameters = {"first": f"{FIRST_YEAR}-01-01", "last": f"{FIRST_YEAR + YEARS - 1}-12-31",
                  "span": YEARS * 365, "per_unit": CASES_PER_UNIT_YEAR * YEARS, "municipalities": MUNICIPALITIES}
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'")
        cursor.execute(HASH_FUNCTION)
        indexes = secondary_indexes(cursor, BULK_TABLES)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # Foreign keys are not checked during the load: the rows are made consistent by construction.
        cursor.execute("SET session_replication_role = replica")
        for label, statement in [("cases", CASES), ("applications", APPLICATIONS), ("sessions", SESSIONS)]:
            cursor.execute(statement, parameters)
            say(label)
        cursor.execute("SET session_replication_role = DEFAULT")
        for _name, definition in indexes:
            cursor.execute(definition)
        say(f"{len(indexes)} indexes rebuilt")
        if options.indexes == "proposed":
            for statement in PROPOSED_INDEXES:
                cursor.execute(statement)
            say("proposed indexes made")
        cursor.execute("DROP TABLE bench_case")
        for table in BULK_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        for table in BULK_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            say(f"{table}: {cursor.fetchone()[0]:,} rows")


def make_tenants(units: int):
    from units.models import Municipality, Organisation, Unit

    municipalities = [Municipality.objects.create(name=f"Benchby {number:02d}", country="SE")
                      for number in range(1, MUNICIPALITIES + 1)]
    organisations = [Organisation.objects.create(slug=f"bench-org-{number:03d}", name=f"Benchby kommun {number}",
                                                 municipality=municipalities[number % MUNICIPALITIES])
                     for number in range(1, units // 10 + 2)]
    Unit.objects.bulk_create([
        Unit(slug=f"bench-{number:03d}", name=f"Familjerådgivningen Bench {number}",
             organisation=organisations[number // 10], kind=Unit.Kind.FAMILY_COUNSELLING, country="SE",
             language="sv", record_mode=Unit.RecordMode.ANONYMOUS, period_kind=Unit.PeriodKind.QUARTER)
        for number in range(1, units + 1)])


if __name__ == "__main__":
    main()
