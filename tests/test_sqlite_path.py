"""`make run` uses SQLite with no setup: migrate, seed, serve a page and import sessions on it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("seed_demo", "--until", "2024-03-31", verbosity=0)
client = Client(HTTP_HOST="localhost")
assert client.post("/accounts/login/", {"username": "leanlink-fr.chief", "password": "demo"}).status_code == 302
response = client.get("/leanlink-fr/")
assert response.status_code == 200, response.status_code
print("PAGE-OK", response.content.decode().count("Leanlink"))
for page in ("/leanlink-fr/settings/retention/", "/leanlink-fr/billing/2024/"):  # their counts in SQL
    assert client.get(page).status_code == 200, page

# The sessions import writes with COPY on PostgreSQL only; here through bulk_create.
import tempfile
from pathlib import Path
from django.utils import timezone
from django_scopes import scopes_disabled
from sessions.models import Case, Session
with scopes_disabled():
    case = Case.objects.filter(unit__slug="leanlink-fr", closed_on__isnull=True).order_by("pk").first()
    known = set(Session.objects.filter(unit__slug="leanlink-fr").values_list("pk", flat=True))
day = timezone.localdate().isoformat()
path = Path(tempfile.mkdtemp()) / "sessions.csv"
path.write_bytes((
    "date;start;minutes;format;participants;status;case_code;counsellor;location;fee\\r\\n"
    f"{day};9.00;60;couple;;held;{case.code};leanlink-fr.counsellor;office;none\\r\\n"
    f"{day};10.00;45;group;5;no_show;;leanlink-fr.counsellor;;none\\r\\n").encode("cp1252"))
call_command("import_csv", "--unit", "leanlink-fr", "--kind", "sessions", str(path), verbosity=0)
with scopes_disabled():
    new = list(Session.objects.filter(unit__slug="leanlink-fr").exclude(pk__in=known).order_by("start_time"))
    assert [(s.case_id, s.minutes, s.participants, s.status) for s in new] == [
        (case.pk, 60, 2, "held"), (None, 45, 5, "no_show")], new
    assert all([p.username for p in s.counsellors.all()] == ["leanlink-fr.counsellor"] for s in new)
print("IMPORT-OK")
"""


def test_make_run_path_works_on_sqlite(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "config.settings.local", "MEDIA_ROOT": str(tmp_path / "media")}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "PAGE-OK" in result.stdout
    assert "IMPORT-OK" in result.stdout
