"""Change one's own password, "forgot password" by mail, active sessions (issue 13)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import SignIn
from tests import factories
from tests.conftest import logged_in
from units.models import AuditEvent

NEW_PASSWORD = "Vinterträd-och-snö-2026"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")


def _with_email(person, email):
    person.email = email
    person.save()
    return person


def test_it_changes_ones_own_password_and_stays_signed_in(alice, unit_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    assert client.post("/accounts/login/", {"username": "alice", "password": factories.PASSWORD}).status_code == 302
    wrong = client.post("/accounts/password_change/", {"old_password": "wrong", "new_password1": NEW_PASSWORD,
                                                       "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "felaktigt" in wrong.content.decode().lower()
    response = client.post("/accounts/password_change/", {"old_password": factories.PASSWORD,
                                                          "new_password1": NEW_PASSWORD,
                                                          "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(f"/{unit_a.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="password.change", user=alice).exists()
    # The sessions page still knows this browser under its new session key.
    page = client.get("/accounts/")
    assert "Den här webbläsaren" in page.content.decode()


def test_forgot_password_mails_a_one_time_link_in_the_persons_language(alice, unit_a):
    _with_email(alice, "alice@example.se")
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    page = client.get("/accounts/password_reset/")
    assert "Glömt ditt lösenord" in page.content.decode()
    response = client.post("/accounts/password_reset/", {"email": "ALICE@example.se"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.se"]
    assert "Öppna länken" in mail.outbox[0].body
    link = RESET_LINK.search(mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Välj ett nytt lösenord" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert "Länken kan inte användas" in again.content.decode()
    assert AuditEvent.objects.filter(action="password.reset.refused").exists()


def test_forgot_password_answers_the_same_for_an_unknown_address(alice, client):
    _with_email(alice, "alice@example.se")
    known = client.post("/accounts/password_reset/", {"email": "alice@example.se"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.se"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [message.to for message in mail.outbox] == [["alice@example.se"]]


def test_forgot_password_is_rate_limited(alice, settings):
    settings.PASSWORD_RESET_RATE = (3, 3600)
    _with_email(alice, "alice@example.se")
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(3):
        assert client.post("/accounts/password_reset/", {"email": "alice@example.se"}).status_code == 302
    limited = client.post("/accounts/password_reset/", {"email": "alice@example.se"}, HTTP_ACCEPT_LANGUAGE="sv")
    assert limited.status_code == 429 and "För många" in limited.content.decode()
    assert len(mail.outbox) == 3
    # The e-mail is counted on its own too: another address asking for it is limited as well.
    other = Client(REMOTE_ADDR="10.9.8.8").post("/accounts/password_reset/", {"email": "alice@example.se"})
    assert other.status_code == 429 and len(mail.outbox) == 3


def test_a_bad_reset_link_is_a_clear_page(client, alice):
    response = client.get("/accounts/reset/MQ/not-a-token/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200 and "Länken kan inte användas" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(factories.PASSWORD)


def test_one_sees_ones_sessions_and_signs_another_out(alice, bob, unit_a):
    laptop = Client(HTTP_USER_AGENT="Laptop", HTTP_ACCEPT_LANGUAGE="sv")
    phone = Client(HTTP_USER_AGENT="Phone")
    for client in (laptop, phone):
        client.post("/accounts/login/", {"username": "alice", "password": factories.PASSWORD})
    logged_in(bob)
    page = laptop.get("/accounts/").content.decode()
    assert "Laptop" in page and "Phone" in page
    phone_row = SignIn.objects.get(user=alice, user_agent="Phone")
    bob_row = SignIn.objects.get(user=bob)
    # Another person's session is not one's own to end.
    laptop.post(f"/accounts/sessions/{bob_row.pk}/end/")
    assert Session.objects.filter(session_key=bob_row.session_key).exists()
    assert laptop.post(f"/accounts/sessions/{phone_row.pk}/end/").status_code == 302
    assert phone.get(f"/{unit_a.slug}/").status_code == 302  # back to sign-in
    assert laptop.get(f"/{unit_a.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="sign_in.end", user=alice).exists()
    assert "Phone" not in laptop.get("/accounts/").content.decode()


def test_axes_still_locks_out_after_five_wrong_passwords(alice, unit_a):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "alice", "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert get_user_model().objects.get(username="alice").check_password(factories.PASSWORD)


def test_the_account_pages_speak_the_language_of_ones_unit(db):
    dk = factories.unit("delta", org=factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK"),
                        language="da", country="DK", funders=("København",))
    factories.user("mette", unit=dk, role="chief")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": "mette", "password": factories.PASSWORD})
    page = client.get("/accounts/")
    assert page["Content-Language"] == "da" and "Hvor du er logget ind" in page.content.decode()
    assert "Skift adgangskode" in client.get("/accounts/password_change/").content.decode()


def test_email_url_configures_smtp():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "EMAIL_URL": "smtp://familjestod%40kommun.se:hemligt%21@smtp.kommun.se:587"}
    program = ("from config.settings import base as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
               "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)")
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "smtp.kommun.se", "587",
                                     "familjestod@kommun.se", "hemligt!", "True", "False"]
