"""Load benchmark (issue 17): N counsellors at once against gunicorn with production settings
over plain HTTP on 127.0.0.1 — GET the session form, POST a valid session, GET the session list,
in a closed loop — beside a trivial logged-in page of the same server.

    .venv/bin/python bench/load.py [--database fs_bench_load] [--users 50] [--duration 60]
                                   [--think 0] [--workers 3] [--redis redis://127.0.0.1:6379/15]

Bounded: at most --duration seconds per phase (≤ 600) and --max-requests requests in all; the
server binds 127.0.0.1 only and the clients connect nowhere else. The database gets the demo
data (seed_demo) the first time. Phases: (1) every client GETs the trivial page (the unit's
overview) for the duration; (2) every client runs the loop for the duration (with --slices N,
the two alternate N times, duration/N each). Then: every POST
answered with a redirect is exactly one new row; the same form sent twice at once stores one.
Each phase also reports the CPU time per request of gunicorn, PostgreSQL and this generator
(/proc): on a machine whose other tenants take a varying share of the cores, requests per
second vary from run to run, CPU per request less (it still rises when the machine is busy).
"""

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import server_url  # noqa: E402
from bench.report_build import create_database  # noqa: E402

HOST = "familjestod.bench"
MAX_DURATION = 600


class FormValues(HTMLParser):
    """The values a browser would send for the first form with method=post, as the page sets them."""

    def __init__(self):
        super().__init__()
        self.values, self.inside, self.select, self.done = [], False, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("method") or "").lower() == "post" and \
                "logout" not in (attrs.get("action") or ""):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"radio", "checkbox"}:
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            elif kind not in {"submit", "button", "file"}:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            if self.select[2] is None and attrs.get("value"):
                self.select[2] = attrs.get("value")
            if "selected" in attrs:
                self.select[1] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self.values.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None:
            name, chosen, first = self.select
            # No choice made: the case stays empty (one-off advice), other lists take their first entry.
            self.values.append((name, chosen if chosen else ("" if name == "case" else first or "")))
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


class Client:
    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, data=None):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": "sv",
                   "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content.decode("utf-8", "replace")

    def log_in(self, username, password):
        self.request("GET", "/accounts/login/")
        status, _h, _b = self.request("POST", "/accounts/login/", {
            "username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
        if status != 302:
            raise SystemExit(f"log-in failed for {username}: {status}")


def form_data(html):
    parser = FormValues()
    parser.feed(html)
    values = parser.values
    given = dict(values)
    # What the counsellor types when the form has no usual value yet.
    defaults = [("minutes", "60"), ("format", "couple")]
    if given.get("format") in {"family", "group"}:
        defaults.append(("participants", "4"))  # individual and couple: the form counts them itself
    extra = [(name, value) for name, value in defaults if not given.get(name)]
    return [(name, value) for name, value in values if not (name in dict(extra) and not value)] + extra


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-share * len(ordered) // 100) - 1))] if ordered else float("nan")


class Run:
    def __init__(self, limit):
        self.lock, self.times, self.errors, self.count, self.limit = threading.Lock(), {}, [], 0, limit
        self.posted_ok = 0

    def take(self):
        with self.lock:
            if self.count >= self.limit:
                return False
            self.count += 1
            return True

    def record(self, name, seconds, status, ok):
        with self.lock:
            self.times.setdefault(name, []).append(seconds)
            if not ok:
                self.errors.append(f"{name}: {status}")


def timed(run, name, call, expect):
    began = time.perf_counter()
    status, headers, body = call()
    run.record(name, time.perf_counter() - began, status, status in expect)
    return status, headers, body


def counsellor_loop(client, unit, run, deadline, think, baseline, start_after=0.0, trivial="/{unit}/"):  # noqa: PLR0917
    # With think time, each counsellor starts at its own moment within the first pause: 50 people
    # do not press save in the same millisecond, and clients started together stay in lockstep.
    time.sleep(start_after)
    while time.monotonic() < deadline and run.take():
        if baseline:
            timed(run, "trivial view", lambda: client.request("GET", trivial.format(unit=unit)), {200})
        else:
            _s, _h, html = timed(run, "session form", lambda: client.request("GET", f"/{unit}/sessions/new/"), {200})
            data = form_data(html)
            status, _h, body = timed(run, "POST session",
                                     lambda data=data: client.request("POST", f"/{unit}/sessions/new/", data), {302})
            if status == 302:
                with run.lock:
                    run.posted_ok += 1
            elif status == 200:
                with run.lock:
                    refused = " ".join(re.findall(r"invalid-feedback[^>]*>([^<]+)", body))
                    run.errors.append("form refused: " + refused[:200])
            timed(run, "session list", lambda: client.request("GET", f"/{unit}/sessions/"), {200})
        if think:
            time.sleep(think)


def phase(clients, run, duration, think, baseline, trivial="/{unit}/"):  # noqa: PLR0917
    deadline = time.monotonic() + duration
    began = time.monotonic()
    stagger = random.Random(len(clients))
    threads = [threading.Thread(target=counsellor_loop, args=(client, unit, run, deadline, think, baseline,
                                                              stagger.uniform(0, think), trivial))
               for client, unit in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


def cpu_seconds(server_pid, database):
    """CPU seconds used so far by the gunicorn processes (the master and its workers), the
    PostgreSQL backends connected to the benchmark's database (other databases of the cluster are
    not this server's work) and this load generator. The server keeps its connections for the
    whole run (DB_CONN_MAX_AGE below), so no backend ends, and takes its time along, mid-phase."""
    tick, used = os.sysconf("SC_CLK_TCK"), {"gunicorn": 0.0, "postgres": 0.0}
    for entry in Path("/proc").iterdir():
        try:
            name, rest = (entry / "stat").read_text().rsplit(")", 1)
            fields = rest.split()
            if entry.name == str(server_pid) or fields[1] == str(server_pid):
                # Its own time and that of its children that ended.
                used["gunicorn"] += sum(int(value) for value in fields[11:15]) / tick
            elif name.endswith("(postgres") and f" {database} " in (entry / "cmdline").read_text():
                used["postgres"] += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError):
            continue
    used["load generator"] = time.process_time()
    return used


def cpu_report(run, before, after):
    """CPU milliseconds per request of each part, and the server's (gunicorn and PostgreSQL)."""
    requests = max(1, sum(len(values) for values in run.times.values()))
    per_request = {part: round((after[part] - before[part]) * 1000 / requests, 2) for part in after}
    per_request["server"] = round(per_request["gunicorn"] + per_request["postgres"], 2)
    print("  CPU per request: " + ", ".join(f"{part} {ms:.1f} ms" for part, ms in per_request.items()))
    return per_request


def _summed(spans):
    """(before, after) of several spans as one: the after values hold the sum of the spans."""
    zero = {part: 0.0 for part in spans[0][0]}
    return zero, {part: sum(after[part] - before[part] for before, after in spans) for part in zero}


def report(label, run, elapsed):
    total = sum(len(values) for values in run.times.values())
    print(f"{label}: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, {len(run.errors)} errors")
    for name, values in run.times.items():
        print(f"  {name:14} n={len(values):6}  p50 {statistics.median(values) * 1000:7.0f} ms  "
              f"p95 {percentile(values, 95) * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms")
    for error in sorted(set(run.errors))[:10]:
        print(f"  error: {error} ×{run.errors.count(error)}")
    return {"requests": total, "seconds": round(elapsed, 2), "rps": round(total / elapsed, 1),
            "errors": len(run.errors),
            "endpoints": {name: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000),
                                 "p95_ms": round(percentile(v, 95) * 1000)} for name, v in run.times.items()}}


def setup(database, media):
    os.environ["DATABASE_URL"] = server_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["MEDIA_ROOT"] = str(media)
    create_database(server_url("postgres"), database)
    import django

    django.setup()
    from django.core.management import call_command

    from units.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("seed_demo", "--force", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        # A freshly seeded database has no planner statistics yet (autovacuum would gather them
        # within its first minutes in production): without them the list plans sort whole units.
        cursor.execute("ANALYZE")


def query_counts(units, trivial):
    """Queries per page, through the test client in-process (the same views and middleware)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from units.demo import DEMO_PASSWORD  # noqa: F401 - the demo logins exist

    counts = {}
    user = get_user_model().objects.get(username=f"{units[0]}.counsellor")
    client = TestClient(HTTP_HOST="localhost")
    client.force_login(user)
    for name, path in [("trivial view", trivial.format(unit=units[0])), ("session form", f"/{units[0]}/sessions/new/"),
                       ("session list", f"/{units[0]}/sessions/")]:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[name] = len(queries)
    return counts


def session_count(units):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counselling_session s JOIN units_unit u ON u.id = s.unit_id "
                       "WHERE u.slug = ANY(%s)", [units])
        return cursor.fetchone()[0]


def latest_row(units):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(s.id), 0) FROM counselling_session s JOIN units_unit u ON u.id = s.unit_id "
                       "WHERE u.slug = ANY(%s)", [units])
        return cursor.fetchone()[0]


def remove_rows_after(units, last_id):
    """The sessions the run logged (after they were counted): the next run starts from the same data,
    so runs compare (the list's totals and count read every session of the unit)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT s.id FROM counselling_session s JOIN units_unit u ON u.id = s.unit_id "
                       "WHERE u.slug = ANY(%s) AND s.id > %s", [units, last_id])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM counselling_session_counsellors WHERE session_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM units_auditevent WHERE action = 'session.log' AND object_id = ANY(%s)",
                       [[str(pk) for pk in ids]])
        cursor.execute("DELETE FROM counselling_session WHERE id = ANY(%s)", [ids])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="fs_bench_load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--trivial", default="/{unit}/",
                        help="the baseline page ({unit} is replaced): the unit's overview, or a page that does "
                             "next to nothing, e.g. /accounts/password_change/done/")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each counsellor pauses between loops")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--slices", type=int, default=1,
                        help="run the two phases alternately in this many slices of duration/slices each "
                             "(a machine whose speed drifts then slows both alike)")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--redis", default="", help="CACHE_URL for the server (default: none)")
    parser.add_argument("--json", help="write the figures to this file")
    options = parser.parse_args()
    duration = min(options.duration, MAX_DURATION)
    media = ROOT / "bench" / "data" / f"{options.database}-media"
    static = ROOT / "bench" / "data" / "static"
    setup(options.database, media)
    from units.demo import DEMO_PASSWORD, UNITS

    units = [spec["slug"] for spec in UNITS]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "STATIC_ROOT": str(static),
           "SECRET_KEY": "bench-load-" + uuid.uuid4().hex * 2, "ALLOWED_HOSTS": HOST,
           # Connections last the run (production: 60 s) so that each backend's CPU can be read off it.
           "DB_CONN_MAX_AGE": str(3 * MAX_DURATION),
           "CACHE_URL": options.redis, "CELERY_BROKER_URL": "", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", str(options.workers), "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        ready = time.monotonic() + 180  # every worker booted and the database reachable
        while True:
            try:
                if Client(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > ready:
                raise SystemExit("the server did not start within 180 s")
            time.sleep(0.2)
        clients = []
        for number in range(options.users):
            unit = units[number % len(units)]
            client = Client(port)
            client.log_in(f"{unit}.counsellor", DEMO_PASSWORD)
            clients.append((client, unit))
        print(f"{options.users} counsellors over {len(units)} units, {options.workers} gunicorn workers, "
              f"{duration:.0f} s a phase in {options.slices} slice(s), think {options.think} s, "
              f"trivial view {options.trivial}; load average {os.getloadavg()[0]:.1f}")
        before, loop_began = session_count(units), latest_row(units)
        baseline, loop = Run(options.max_requests), Run(options.max_requests)
        elapsed, cpu = {"trivial": 0.0, "loop": 0.0}, {"trivial": [], "loop": []}
        for _slice in range(options.slices):
            for name, run in (("trivial", baseline), ("loop", loop)):
                began = cpu_seconds(server.pid, options.database)
                elapsed[name] += phase(clients, run, duration / options.slices, options.think, name == "trivial",
                                       options.trivial)
                cpu[name].append((began, cpu_seconds(server.pid, options.database)))
        figures = {"baseline": report("trivial view", baseline, elapsed["trivial"])}
        figures["baseline"]["cpu_ms"] = cpu_report(baseline, *_summed(cpu["trivial"]))
        figures["loop"] = report("session loop", loop, elapsed["loop"])
        figures["loop"]["cpu_ms"] = cpu_report(loop, *_summed(cpu["loop"]))
        stored = session_count(units) - before
        print(f"POSTs answered 302: {loop.posted_ok}; new rows: {stored}")
        # The same form sent twice at the same instant: one row.
        client, unit = clients[0]
        _s, _h, html = client.request("GET", f"/{unit}/sessions/new/")
        data = form_data(html)
        before = session_count(units)
        twice = [threading.Thread(target=client.request, args=("POST", f"/{unit}/sessions/new/", data))
                 for _ in range(2)]
        for thread in twice:
            thread.start()
        for thread in twice:
            thread.join()
        doubled = session_count(units) - before
        print(f"double submit: {doubled} row(s)")
        figures.update({"posted_ok": loop.posted_ok, "rows": stored, "double_submit_rows": doubled,
                        "ratio": round(figures["loop"]["rps"] / figures["baseline"]["rps"], 3),
                        # What the ratio would be if the server alone had the machine: steadier on a busy one.
                        "cpu_ratio": round(figures["baseline"]["cpu_ms"]["server"]
                                           / max(0.01, figures["loop"]["cpu_ms"]["server"]), 3),
                        "queries": query_counts(units, options.trivial), "load_average": os.getloadavg()[0]})
        print(f"loop / trivial view: {figures['ratio']:.2f} of the requests per second, {figures['cpu_ratio']:.2f} "
              f"by the server's CPU per request; queries {figures['queries']}")
        if options.json:
            Path(options.json).write_text(json.dumps(figures, indent=1))
        remove_rows_after(units, loop_began)
        if stored != loop.posted_ok or doubled != 1:
            raise SystemExit("lost or doubled rows")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
