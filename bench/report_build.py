"""Times a full yearly-report build for the largest demo unit: end to end (request → PDF
stored, the worker's code path in-process) and the WeasyPrint render of the same HTML alone,
in one run; and the process's peak memory.

    .venv/bin/python bench/report_build.py [--database fs_bench_reports] [--year 2025] [--runs 5]

It creates the database with the demo data (seed_demo) when it has no units yet.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def create_database(server: str, name: str):
    """Make the database when it does not exist yet (the demo data are kept between runs)."""
    import psycopg2

    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="fs_bench_reports")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from bench.generate import server_url

    os.environ["DATABASE_URL"] = server_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "bench" / "data" / f"{args.database}-media"))
    create_database(server_url("postgres"), args.database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.template.loader import render_to_string
    from django.utils import translation
    from django_scopes import scope, scopes_disabled
    from weasyprint import HTML

    from reporting.documents import report_context
    from reporting.models import ReportDocument
    from reporting.services import report_request
    from reporting.tasks import build_report_document
    from sessions.models import Session
    from units.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("seed_demo", "--force", verbosity=0)
    with scopes_disabled():  # choosing the benchmark's unit looks at every unit's row count
        largest = (Session.objects.values("unit").annotate(n=Count("pk")).order_by("-n").first())
    unit = Unit.objects.get(pk=largest["unit"])

    end_to_end, render_only, pages = [], [], 0
    with scope(unit=unit):
        for _run in range(args.runs):
            started = time.perf_counter()
            document = report_request(unit=unit, period=str(args.year), enqueue=False)
            build_report_document.apply(args=[document.pk])
            end_to_end.append(time.perf_counter() - started)
            assert ReportDocument.objects.get(pk=document.pk).status == "done"

            with translation.override(unit.language):
                context = report_context(unit=unit, document=document)
                html = render_to_string(context["template"], context)
            started = time.perf_counter()
            rendered = HTML(string=html, base_url=str(ROOT / "static")).render()
            rendered.write_pdf(pdf_variant="pdf/ua-1")
            render_only.append(time.perf_counter() - started)
            pages = len(rendered.pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    e2e, alone = statistics.median(end_to_end), statistics.median(render_only)
    print(f"unit {unit.slug}: {largest['n']} sessions; yearly report {args.year}, {pages} pages, {args.runs} runs")
    print(f"end to end (request → PDF stored), median: {e2e:.2f} s")
    print(f"WeasyPrint render of the same HTML alone, median: {alone:.2f} s")
    print(f"ratio: {e2e / alone:.2f}   (target ≤ 1.5, and end to end < 5 s)")
    print(f"peak memory of the process: {peak_mb:.0f} MB   (target < 400 MB)")


if __name__ == "__main__":
    main()
