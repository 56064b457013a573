"""`make run` uses SQLite with no setup: migrate, seed and serve a page on it."""

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
"""


def test_make_run_path_works_on_sqlite(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "config.settings.local", "MEDIA_ROOT": str(tmp_path / "media")}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "PAGE-OK" in result.stdout
