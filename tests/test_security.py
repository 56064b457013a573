import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from tests import factories
from units.middleware import SESSION_STARTED_KEY

ROOT = Path(__file__).resolve().parent.parent


def test_wrong_password_gives_the_ordinary_message_whether_or_not_the_user_exists(client, alice):
    known = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    unknown = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_login_locks_username_and_address_after_five_failures(client, alice, settings):
    for _attempt in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post("/accounts/login/", {"username": "alice", "password": factories.PASSWORD},
                         REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    # A colleague at the same municipal address is not locked out.
    factories.user("carl")
    other = client.post("/accounts/login/", {"username": "carl", "password": factories.PASSWORD},
                        REMOTE_ADDR="10.0.0.1")
    assert other.status_code == 302


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher") or "test" in settings.SETTINGS_MODULE
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_logout_invalidates_the_session(alice_client, unit_a):
    session_key = alice_client.session.session_key
    alice_client.post("/accounts/logout/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert alice_client.get(f"/{unit_a.slug}/").status_code == 302


def test_session_ends_after_ten_hours_even_when_active(alice_client, unit_a):
    session = alice_client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = alice_client.get(f"/{unit_a.slug}/")
    assert response.status_code == 302
    assert SESSION_KEY not in alice_client.session


def test_idle_timeout_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST


def test_pages_send_a_strict_content_security_policy(alice_client, unit_a):
    policy = alice_client.get(f"/{unit_a.slug}/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        text = template.read_text()
        if "<script>" in text or "<style" in text or " style=" in text or " onclick=" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_no_asset_comes_from_a_cdn():
    for template in ROOT.glob("*/templates/**/*.html"):
        text = template.read_text()
        assert "https://" not in text.replace("https://www.w3.org", ""), template


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_environment(missing):
    env = {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://postgres@127.0.0.1/x", "ALLOWED_HOSTS": "a.example",
           "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    del env[missing]
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert missing in result.stderr
