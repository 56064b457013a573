"""A real Celery worker process against Redis and the test database, for the worker tests."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from kombu import pools

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def broker_url():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    # TEST_REDIS_DB moves the databases when several checkouts run their suites at once.
    base = int(os.environ.get("TEST_REDIS_DB", "10"))
    return f"redis://127.0.0.1:6379/{base + int(worker.removeprefix('gw') or 0)}"


@contextmanager
def real_broker():
    """Send tasks from this test process to Redis instead of running them in-process."""
    url = broker_url()
    redis.Redis.from_url(url).flushdb()
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=url, task_always_eager=False)
    _reset_connections()
    try:
        yield url
    finally:
        app.conf.update(**saved)
        _reset_connections()


def _reset_connections():
    # Celery caches its connection and producer pools; drop them so the new broker URL is used.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def start_worker(*, step_pause=0.0, visibility_timeout=5, broker=None):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": broker or broker_url(),
        # None: the settings' own default, as in production.
        **({"CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout)} if visibility_timeout is not None else {}),
        "REPORT_BUILD_STEP_PAUSE_SECONDS": str(step_pause),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def kill_hard(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def wait_until(condition, *, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
