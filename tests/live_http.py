"""A real gunicorn with production settings on 127.0.0.1 and a small HTTP client with cookies
and CSRF, for the fault tests (and the same shape as bench/load.py)."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "familjestod.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def collect_static(target: Path) -> None:
    # The production storage: hashed names and their manifest.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "STATIC_ROOT": str(target),
           "SECRET_KEY": "collectstatic-" + uuid.uuid4().hex * 2, "ALLOWED_HOSTS": HOST,
           "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True, timeout=120)


@contextmanager
def gunicorn(database_url: str, static_root: Path, *, workers: int = 2, extra_env: dict | None = None):
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "DATABASE_URL": database_url,
           "SECRET_KEY": "fault-test-" + uuid.uuid4().hex * 2, "ALLOWED_HOSTS": HOST, "STATIC_ROOT": str(static_root),
           "DB_CONN_MAX_AGE": "60", "CELERY_BROKER_URL": "", "CACHE_URL": "", **(extra_env or {})}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):  # up to 30 s to start on a loaded machine
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """Cookies, CSRF and the headers the TLS proxy adds (X-Forwarded-Proto: https)."""

    def __init__(self, port: int, language: str = "sv"):
        self.port, self.language, self.cookies = port, language, {}

    def request(self, method: str, path: str, data: dict | None = None, timeout: float = 30):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": self.language,
                   "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), content.decode("utf-8", "replace")

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def log_in(self, username: str, password: str) -> None:
        status, _headers, _body = self.get("/accounts/login/")
        assert status == 200, status
        status, headers, body = self.post("/accounts/login/", {"username": username, "password": password})
        assert status == 302, (status, re.sub(r"\s+", " ", body)[:500])
