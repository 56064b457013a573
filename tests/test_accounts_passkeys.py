"""Passkeys (WebAuthn, django-otp-webauthn) as the second factor (issue 13). The ceremonies themselves
run in Chromium against its virtual authenticator (tests/test_accounts_browser.py); here: the state
after the password, what the endpoints refuse, removal rules, the lock-out, the translations."""

import json
import os

from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from accounts import two_factor
from tests import factories
from tests.test_accounts_two_factor import enrol, sign_in
from units.errors import is_database_outage
from units.models import AuditEvent

PASSKEY_URL = "/accounts/two-factor/passkey/"


def passkey(user) -> WebAuthnCredential:
    """A stored credential as the library writes it after a registration (the key is not used here)."""
    return WebAuthnCredential.objects.create(user=user, name="passkey", confirmed=True, credential_id=os.urandom(32),
                                             public_key=os.urandom(77), sign_count=0)


def verified(user, **client_options) -> Client:
    """A client past the second step: signed in, with no step still due."""
    client = Client(**client_options)
    client.force_login(user)
    session = client.session
    session.pop(two_factor.STATE_KEY, None)
    session.save()
    return client


def _json(response):
    return json.loads(response.content)


def test_a_passkey_makes_the_second_step_due_and_the_page_offers_it(alice, unit_a):
    passkey(alice)
    assert two_factor.state_at_sign_in(alice) == two_factor.PENDING
    client = sign_in("alice")
    assert client.get(f"/{unit_a.slug}/")["Location"].startswith("/accounts/two-factor/verify/")
    page = client.get("/accounts/two-factor/verify/").content.decode()
    assert 'id="passkey-verification-placeholder"' in page and "Använd min lösenordsnyckel" in page
    assert "Eller ange en reservkod" in page  # no authenticator app: recovery codes are the way back
    assert "otp_webauthn_auth.js" in page and "<script>" not in page  # no inline script (CSP script-src 'self')


def test_registering_a_passkey_while_the_code_is_still_due_is_refused(alice, unit_a):
    # The passkey endpoints are open before the second step (they are part of it): registering one
    # there must not be a way around the authenticator app.
    client = sign_in("alice")
    enrol(client)
    client = sign_in("alice")
    refused = client.post(f"{PASSKEY_URL}registration/begin/")
    assert refused.status_code == 403 and _json(refused)["code"] == "user_not_verified"
    assert _json(refused)["detail"].startswith("Bekräfta först inloggningen")  # the library's message, in Swedish
    assert not WebAuthnCredential.objects.exists()
    assert AuditEvent.objects.filter(user=alice, action="two_factor.passkey.refused.user_not_verified").exists()


def test_there_is_no_passwordless_sign_in(client, alice):
    passkey(alice)
    refused = client.post(f"{PASSKEY_URL}authentication/begin/")
    assert refused.status_code == 403 and _json(refused)["code"] == "passwordless_login_disabled"
    assert client.get("/accounts/").status_code == 302  # still signed out


def test_completing_a_ceremony_that_was_never_begun_is_refused_and_logged(alice):
    client = sign_in("alice")
    refused = client.post(f"{PASSKEY_URL}registration/complete/", data="{}", content_type="application/json")
    assert refused.status_code == 400 and _json(refused)["code"] == "invalid_state"
    assert not WebAuthnCredential.objects.exists()
    assert AuditEvent.objects.filter(action="two_factor.passkey.refused.invalid_state").exists()


def test_the_lock_out_still_stops_the_password_of_a_person_with_a_passkey(client, alice):
    passkey(alice)
    for _attempt in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    locked = client.post("/accounts/login/", {"username": "alice", "password": factories.PASSWORD},
                         REMOTE_ADDR="10.0.0.2")
    assert locked.status_code == 429
    assert client.post(f"{PASSKEY_URL}authentication/begin/", REMOTE_ADDR="10.0.0.2").status_code == 403


def test_a_chief_who_must_have_a_second_factor_keeps_the_last_passkey(anna, settings):
    settings.REQUIRE_TWO_FACTOR = True
    kept = passkey(anna)
    client = verified(anna, HTTP_ACCEPT_LANGUAGE="sv")
    response = client.post(f"/accounts/two-factor/passkeys/{kept.pk}/remove/", follow=True)
    assert "din roll kräver tvåstegsinloggning" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=kept.pk).exists()
    second = passkey(anna)
    assert client.post(f"/accounts/two-factor/passkeys/{second.pk}/remove/").status_code == 302
    assert list(WebAuthnCredential.objects.filter(user=anna)) == [kept]


def test_a_counsellor_removes_their_passkey_and_its_recovery_codes_go_with_the_last(alice):
    removed = passkey(alice)
    two_factor.recovery_codes_renew(user=alice)
    client = verified(alice)
    page = client.get("/accounts/two-factor/").content.decode()
    assert 'id="passkeys"' in page and f"/accounts/two-factor/passkeys/{removed.pk}/remove/" in page
    assert client.post(f"/accounts/two-factor/passkeys/{removed.pk}/remove/").status_code == 302
    assert not WebAuthnCredential.objects.exists() and two_factor.recovery_codes_left(alice) == 0
    assert AuditEvent.objects.filter(user=alice, action="two_factor.passkey.remove").exists()
    assert two_factor.state_at_sign_in(alice) is None


def test_another_persons_passkey_is_a_404(alice, anna):
    theirs = passkey(anna)
    client = verified(alice)
    assert client.post(f"/accounts/two-factor/passkeys/{theirs.pk}/remove/").status_code == 404
    assert client.get(f"/accounts/two-factor/passkeys/{theirs.pk}/remove/").status_code == 405
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_the_scripts_messages_are_in_swedish_and_danish(client):
    swedish = client.get(f"{PASSKEY_URL}jsi18n/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    danish = client.get(f"{PASSKEY_URL}jsi18n/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "L\\u00e4gger till" in swedish or "Lägger till" in swedish
    assert "Adgangsn\\u00f8glen er tilf\\u00f8jet!" in danish or "Adgangsnøglen er tilføjet!" in danish


def test_an_error_raised_from_itself_is_not_taken_for_an_outage_and_does_not_hang():
    # django-otp-webauthn re-raises with `raise exc from exc`: the 500 page walked that chain for ever.
    error = ValueError("library")
    error.__cause__ = error
    assert is_database_outage(error) is False
