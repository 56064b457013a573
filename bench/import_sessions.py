"""Times `manage.py import_csv --kind sessions` end to end (process start, reading, checking,
writing) for files of 1 000, 10 000 and 100 000 sessions, and the process's peak memory.

    .venv/bin/python bench/import_sessions.py [--database fs_import] [--rows 1000 10000 100000]
                                              [--root DIR] [--shape excel|plain] [--profile N]
                                              [--breakdown] [--refusal]

The unit `bench-import` (5 counsellors, 2 000 open cases) is created in the database when it
is missing; the files are written to bench/data/. Each import runs in its own process
(`--root` picks the checkout whose manage.py runs, e.g. an older commit to compare), and the
sessions it wrote are deleted before the next one. `--profile N` instead runs one import of N
rows in-process under cProfile and prints the 25 most expensive functions; `--breakdown` runs
the imports in-process and splits their time into the database driver's (statements and the
commit) and the rest; `--refusal` times the refusal of a 49 MB file holding one huge field.
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
UNIT = "bench-import"
CASES = 2_000
COUNSELLORS = [f"bench-counsellor-{number}" for number in range(1, 6)]
HEADER = "date;start;minutes;format;participants;status;case_code;counsellor;location;fee"


def _setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def ensure_unit(database: str) -> None:
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=False, capture_output=True)
    _setup_django(database)
    from django.core.management import call_command
    from django_scopes import scope

    from sessions.models import Case
    from tests import factories
    from units.models import Unit

    call_command("migrate", verbosity=0)
    if Unit.objects.filter(slug=UNIT).exists():
        return
    unit = factories.unit(UNIT, name="Bench import", funders=("Linköping",))
    for username in COUNSELLORS:
        factories.user(username, unit=unit, role="counsellor")
    with scope(unit=unit):
        Case.objects.bulk_create([Case(unit=unit, code=f"B-2024-{number:04d}", opened_on=datetime.date(2024, 1, 1))
                                  for number in range(1, CASES + 1)])


def write_file(rows: int, shape: str = "excel") -> Path:
    """`excel`: semicolon CSV as Swedish Excel saves it (Windows-1252, CRLF, 9.00 times);
    `plain`: comma CSV in UTF-8 with 09:00 times (what the import read before issue 14).
    The same sessions either way, deterministic."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"sessions-{rows}-{shape}.csv"
    if path.exists():
        return path
    generator = random.Random(rows)
    first = datetime.date(2024, 1, 1)
    days = (datetime.date(2025, 10, 31) - first).days
    lines = [HEADER]
    for _index in range(rows):
        session_format = generator.choice(["individual", "couple", "family", "group"])
        participants = {"individual": "", "couple": "", "family": "3", "group": "7"}[session_format]
        case_code = "" if session_format == "group" else f"B-2024-{generator.randint(1, CASES):04d}"
        lines.append(";".join([
            (first + datetime.timedelta(days=generator.randrange(days))).isoformat(),
            f"{generator.randint(8, 16):{'' if shape == 'excel' else '02'}}{'.' if shape == 'excel' else ':'}"
            f"{generator.choice(['00', '30'])}",
            str(generator.choice([45, 60, 90])), session_format, participants,
            generator.choices(["held", "client_cancelled", "no_show"], weights=[86, 10, 4])[0],
            case_code, generator.choice(COUNSELLORS), generator.choice(["office", "phone", "video", ""]),
            generator.choice(["paid", "exempt", "none"]),
        ]))
    if shape == "excel":
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    else:
        path.write_text("\n".join(line.replace(";", ",") for line in lines) + "\n", encoding="utf-8")
    return path


def write_huge_field_file() -> Path:
    """The issue's refused file: one field of 49 MB on the second line (under the size limit,
    so that the reading itself has to refuse it)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "sessions-huge-field.csv"
    if not path.exists():
        with path.open("w", encoding="ascii") as handle:
            handle.write(HEADER + "\r\n" + "2025-01-08;9.00;")
            for _block in range(49):
                handle.write("9" * (1024 * 1024))
            handle.write(";couple;;held;;;;\r\n")
    return path


def timed_refusal(root: Path, path: Path, database: str) -> tuple[float, float, float, str]:
    environment = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
                   "DJANGO_SETTINGS_MODULE": "bench.settings"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "manage.py", "import_csv", "--unit", UNIT, "--kind", "sessions",
                                str(path)], cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = (process.stdout.read() + process.stderr.read()).decode(errors="replace")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output.strip().splitlines()[-1][:200]


def clear_sessions() -> None:
    from django_scopes import scope

    from sessions.models import Case, Session
    from units.models import AuditEvent, Unit

    unit = Unit.objects.get(slug=UNIT)
    with scope(unit=unit):
        Session.objects.filter(unit=unit).delete()
        Case.objects.filter(unit=unit).update(started_on=None)
    AuditEvent.objects.filter(unit=unit).delete()


def timed_import(root: Path, path: Path, database: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MB) of one `manage.py import_csv`
    process (the CPU time leaves out PostgreSQL's own work, the wall time includes it)."""
    environment = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
                   "DJANGO_SETTINGS_MODULE": "bench.settings"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "manage.py", "import_csv", "--unit", UNIT, "--kind", "sessions",
                                str(path)], cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = process.stdout.read().decode() + process.stderr.read().decode()
    if status != 0:
        raise SystemExit(f"import failed:\n{output[-3000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def profile(rows: int, shape: str) -> None:
    import cProfile
    import pstats

    from django.core.management import call_command

    path = write_file(rows, shape)
    profiler = cProfile.Profile()
    profiler.enable()
    call_command("import_csv", "--unit", UNIT, "--kind", "sessions", str(path))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    clear_sessions()


def breakdown(rows: int, shape: str) -> None:
    """One import in-process: total time, time inside the database driver (statements and the
    commit), and the Python rest."""
    from django.core.management import call_command
    from django.db import connection

    spent = [0.0]
    statements: dict[str, float] = {}

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            spent[0] += took
            statements[sql[:60]] = statements.get(sql[:60], 0.0) + took

    path = write_file(rows, shape)
    original_commit = connection.commit

    def commit():
        started = time.perf_counter()
        original_commit()
        spent[0] += time.perf_counter() - started
        statements["COMMIT"] = time.perf_counter() - started

    connection.commit = commit
    # COPY (units.bulk.copy_rows) does not pass the execute wrappers: timed here, less the Python
    # that writes its text.
    from sessions import imports
    from units import bulk

    original_copy, original_stream = imports.copy_rows, bulk._copy_stream
    stream_seconds = [0.0]

    def stream(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original_stream(*args, **kwargs)
        finally:
            stream_seconds[0] += time.perf_counter() - began

    def copy(model, *args, **kwargs):
        began, streamed = time.perf_counter(), stream_seconds[0]
        try:
            return original_copy(model, *args, **kwargs)
        finally:
            took = time.perf_counter() - began - (stream_seconds[0] - streamed)
            spent[0] += took
            key = f"COPY {model._meta.db_table} (incl. its nextval)"
            statements[key] = statements.get(key, 0.0) + took

    imports.copy_rows, bulk._copy_stream = copy, stream
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with connection.execute_wrapper(timer):
            call_command("import_csv", "--unit", UNIT, "--kind", "sessions", str(path), stdout=open(os.devnull, "w"))
    finally:
        imports.copy_rows, bulk._copy_stream = original_copy, original_stream
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"rows": rows, "seconds": round(total, 2), "database_seconds": round(spent[0], 2),
                      "python_cpu_seconds": round(cpu, 2), "load": round(os.getloadavg()[0], 1),
                      "slowest": {sql: round(took, 2) for sql, took in
                                  sorted(statements.items(), key=lambda item: -item[1])[:4]}}))
    clear_sessions()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="fs_import")
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--shape", choices=["excel", "plain"], default="excel")
    parser.add_argument("--breakdown", action="store_true", help="in-process: database time against the rest")
    parser.add_argument("--refusal", action="store_true", help="time refusing a 49 MB file of one field")
    args = parser.parse_args()
    ensure_unit(args.database)
    clear_sessions()
    if args.profile:
        profile(args.profile, args.shape)
        return
    if args.refusal:
        seconds, cpu, megabytes, last = timed_refusal(args.root, write_huge_field_file(), args.database)
        print(json.dumps({"file": "49 MB in one field", "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                          "peak_mb": round(megabytes), "message": last}))
        return
    if args.breakdown:
        for rows in args.rows:
            breakdown(rows, args.shape)
        return
    from django.db import connection
    from django_scopes import scope

    from sessions.models import Session
    from units.models import Unit

    results = []
    for rows in args.rows:
        path = write_file(rows, args.shape)
        seconds, cpu, megabytes = timed_import(args.root, path, args.database)
        with scope(unit=Unit.objects.get(slug=UNIT)):
            written = Session.objects.filter(unit__slug=UNIT).count()
        if written != rows:
            raise SystemExit(f"{rows} rows in the file, {written} sessions written")
        results.append({"rows": rows, "shape": args.shape, "seconds": round(seconds, 2),
                        "ms_per_row": round(seconds * 1000 / rows, 3),
                        "cpu_seconds": round(cpu, 2),
                        "peak_mb": round(megabytes), "load": round(os.getloadavg()[0], 1)})
        print(json.dumps(results[-1]), flush=True)
        clear_sessions()
    connection.close()


if __name__ == "__main__":
    main()
