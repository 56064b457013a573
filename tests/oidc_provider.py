"""Starts the real OpenID Connect provider of tests/oidc (Node.js, npm's oidc-provider) on
127.0.0.1 for one test, and signs a person in at it the way a browser would."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "familjestod-test"
CLIENT_SECRET = "a-long-client-secret-for-the-test-provider"  # noqa: S105


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_provider(redirect_uris, *, wrong_jwks=False):
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        pytest.fail("The test OpenID Connect provider is not installed: run `make test` (npm ci in tests/oidc).")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
           "REDIRECT_URIS": ",".join(redirect_uris), "WRONG_JWKS": "1" if wrong_jwks else "0"}
    process = subprocess.Popen([node, "provider.mjs"], cwd=OIDC_DIR, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("The test OpenID Connect provider did not start.")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def sign_in_at_provider(authorize_url: str, login: str, *, back_to: str = "http://testserver") -> str:
    """Log in at the provider's (development) login form and consent; returns the redirect
    back to the application (with code, state and iss) without following it."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(back_to):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        action, body = FORM.search(response.text).groups()
        data = dict(HIDDEN.findall(body))
        if 'name="login"' in body:
            data.update(login=login, password="any")
        response = browser.post(urljoin(response.url, action), data=data, allow_redirects=False, timeout=10)
    raise AssertionError("The provider did not send the browser back.")
