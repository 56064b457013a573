"""The documented backup and restore (scripts/backup.sh, scripts/restore.sh, README "Backups"):
a demo database is dumped and restored into an empty one, and the period statistics and a closed
billing month read the same from both."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bench  # a few subprocesses and a demo database: ≈ 1 min


def _server():
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"


def _recreate(name):
    admin = psycopg2.connect(f"{_server()}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"{_server()}/{name}"


def _manage(url, media, *arguments):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
           "MEDIA_ROOT": str(media), "CELERY_BROKER_URL": ""}
    result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _script(name, url, *arguments, **env):
    result = subprocess.run([str(ROOT / "scripts" / name), *arguments], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url, **env}, timeout=600, check=False)
    return result


def test_a_restored_backup_reads_the_same_statistics_and_closed_billing_month(db, tmp_path):
    prefix = connection.settings_dict["NAME"].removeprefix("test_")
    source = _recreate(f"{prefix}_backup_source")
    target = _recreate(f"{prefix}_backup_restored")
    media = tmp_path / "media"
    _manage(source, media, "migrate", "-v0")
    _manage(source, media, "seed_demo", "--force", "-v0")
    with psycopg2.connect(source) as database, database.cursor() as cursor:
        cursor.execute("SELECT u.slug, to_char(m.month, 'YYYY-MM'), u.period_kind FROM billing_monthclose m "
                       "JOIN units_unit u ON u.id = m.unit_id ORDER BY m.month DESC, u.slug LIMIT 1")
        unit, month, _kind = cursor.fetchone()
    period = month[:4]  # the closed month's year: sessions, queue, waiting times

    backup = _script("backup.sh", source, BACKUP_DIR=str(tmp_path / "backups"), MEDIA_ROOT=str(media))
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]
    media_archive = next((tmp_path / "backups").glob("media-*.tar.gz"), None)

    restored_media = tmp_path / "restored-media"
    arguments = [dump, str(media_archive)] if media_archive else [dump]
    restore = _script("restore.sh", target, *arguments, MEDIA_ROOT=str(restored_media))
    assert restore.returncode == 0, restore.stderr
    # A second restore over the restored data is refused, not merged.
    again = _script("restore.sh", target, dump)
    assert again.returncode != 0 and "empty database" in again.stderr

    for command in (["period_stats", "--unit", unit, "--period", period],
                    ["billing_statement", "--unit", unit, "--month", month, "--format", "json"],
                    ["billing_statement", "--unit", unit, "--month", month, "--format", "csv"]):
        before = _manage(source, media, *command)
        after = _manage(target, restored_media, *command)
        assert before and before == after, command
