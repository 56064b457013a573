"""Every script in bench/ runs on the current schema, at its smallest scale (not timed), so a
benchmark cannot rot unnoticed: a migration that breaks the generator fails here."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
NOT_SCRIPTS = {"__init__.py", "settings.py"}


def _server_and_prefix():
    """The PostgreSQL server of the suite, and a database name prefix of this checkout's own."""
    database = settings.DATABASES["default"]
    server = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
    name = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or database["NAME"]
    return server, name.removeprefix("test_")


def _run(script, *arguments, timeout=600, **extra_env):
    server, prefix = _server_and_prefix()
    env = {**os.environ, "BENCH_SERVER": server, "PYTHONPATH": str(ROOT), **extra_env}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, str(BENCH / script), *arguments], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout, prefix


SMOKE = {
    # generate.py and run.py share one small database: one unit, ten years.
    "generate.py": None,
    "run.py": None,
    "report_build.py": None,
    "load.py": None,
    "calendar_bench.py": None,
    "import_sessions.py": None,
    "demo_pages.py": None,
    "exports.py": None,
    "page_cpu.py": None,
}


def test_every_bench_script_has_a_smoke_test():
    scripts = {path.name for path in BENCH.glob("*.py")} - NOT_SCRIPTS
    assert scripts == set(SMOKE), "add the new bench script to tests/test_bench_smoke.py"


@pytest.mark.bench
def test_the_generator_and_the_statistics_benchmark_run_at_the_smallest_scale():
    _server, prefix = _server_and_prefix()
    database = f"{prefix}_bench_smoke"
    out, _ = _run("generate.py", "--database", database, "--scale", "0.001")
    assert "counselling_session:" in out
    out, _ = _run("run.py", "--database", database, "--runs", "1", "--page-runs", "1", "--http")
    assert "ratio command/floor" in out and "page over HTTP" in out


@pytest.mark.bench
def test_the_report_build_load_and_demo_page_benchmarks_run_once(tmp_path):
    # One demo database for the three, one after the other (seed_demo is the slow part).
    _server, prefix = _server_and_prefix()
    database = f"{prefix}_bench_reports_smoke"
    out, _ = _run("report_build.py", "--database", database, "--runs", "1", MEDIA_ROOT=str(tmp_path))
    assert "end to end" in out
    out, _ = _run("load.py", "--database", database, "--users", "2", "--duration", "2")
    assert "session loop:" in out and "double submit: 1 row(s)" in out and "by the server's CPU per request" in out
    out, _ = _run("page_cpu.py", "--database", database, "--runs", "1", "--batches", "1")
    assert out.count("session list") == 6 and "trivial page" in out
    out, _ = _run("demo_pages.py", "--database", database, "--runs", "1")
    assert "/settings/retention/: median" in out and "/billing/2025/: median" in out
    out, _ = _run("exports.py", "--database", database, "--copies", "0")
    assert "CSV export" in out and "XLSX: 200" in out


@pytest.mark.bench
def test_the_calendar_and_import_benchmarks_run_at_the_smallest_scale():
    _server, prefix = _server_and_prefix()
    out, _ = _run("calendar_bench.py", "--database", f"{prefix}_bench_calendar_smoke", "--runs", "1")
    assert out
    out, _ = _run("import_sessions.py", "--database", f"{prefix}_bench_import_smoke", "--rows", "10")
    assert out
