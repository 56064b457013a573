"""Browser tests of accounts (issue 13): the chief invites, the person sets a password, enrols an
authenticator and signs in with its code; an invited person signs in through a real OpenID
Connect provider."""

import re
import time
from base64 import b32decode
from types import SimpleNamespace

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import IdentityProvider
from tests.a11y import assert_accessible
from tests.conftest import browser_login
from tests.factories import PASSWORD as PASSWORD_OF_FIXTURES
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from units.invitations import invite
from units.models import AuditEvent, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Vinterträd-och-snö-2026"


def totp_code(secret, *, steps_ahead=0):
    totp = TOTP(b32decode(secret))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def test_invite_set_password_enrol_totp_and_sign_in_with_the_code(browser, live_server, unit_a, anna):
    chief = browser.new_context(locale="sv-SE").new_page()
    browser_login(chief, live_server, "anna")
    chief.goto(f"{live_server.url}/{unit_a.slug}/staff/")
    assert_accessible(chief)
    chief.locator("#id_email").fill("ny.radgivare@example.se")
    chief.locator("#id_role").select_option("counsellor")
    chief.get_by_role("button", name="Skicka inbjudan").click()
    chief.wait_for_load_state()
    assert "Inbjudan är skickad till ny.radgivare@example.se" in chief.locator("main").inner_text()
    link = re.search(r"(http\S+/accounts/invite/\S+/)", mail.outbox[-1].body).group(1)

    person = browser.new_context(locale="sv-SE").new_page()
    person.goto(link)
    assert_accessible(person)
    person.locator("#id_password1").fill(PASSWORD)
    person.locator("#id_password2").fill(PASSWORD)
    person.get_by_role("button", name="Skapa mitt konto").click()
    person.wait_for_url(f"{live_server.url}/{unit_a.slug}/")
    assert Membership.objects.get(user__username="ny.radgivare@example.se").role == "counsellor"

    person.goto(f"{live_server.url}/accounts/two-factor/")
    person.get_by_role("button", name="Ställ in en autentiseringsapp").click()
    person.wait_for_load_state()
    assert_accessible(person)
    secret = person.locator("#totp-secret").inner_text()
    person.locator("#id_code").fill(totp_code(secret))
    person.get_by_role("button", name="Slå på").click()
    person.wait_for_load_state()
    assert len(person.locator("#recovery-codes li").all()) == 10
    person.get_by_role("link", name="Jag har sparat koderna").click()
    person.get_by_role("button", name="Logga ut").click()
    person.wait_for_load_state()

    browser_login(person, live_server, "ny.radgivare@example.se", PASSWORD)
    assert "/accounts/two-factor/verify/" in person.url
    assert_accessible(person)
    person.locator("#id_code").fill(totp_code(secret, steps_ahead=1))
    person.get_by_role("button", name="Fortsätt").click()
    person.wait_for_load_state()
    person.goto(f"{live_server.url}/{unit_a.slug}/")
    assert person.locator("h1").inner_text() == unit_a.name


def test_an_invited_person_signs_in_through_the_organisations_provider(browser, live_server, unit_a, anna):
    organisation = unit_a.organisation
    with running_provider([f"{live_server.url}/accounts/oidc/{organisation.slug}/callback/"]) as issuer:
        IdentityProvider.objects.create(organisation=organisation, name="Linköpings inloggning", issuer=issuer,
                                        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, password_allowed=False)
        invitation = invite(acting_user=anna, email="ny.chef@linkoping.se", role="chief", unit=unit_a)
        link = re.search(r"(/accounts/invite/\S+/)", mail.outbox[-1].body).group(1)
        assert invitation.pk
        page = browser.new_context(locale="sv-SE").new_page()
        page.goto(f"{live_server.url}{link}")
        assert "Välj lösenord" not in page.locator("main").inner_text()  # this organisation uses its provider only
        page.get_by_role("link", name="Logga in med Linköpings inloggning").click()
        page.wait_for_load_state()
        assert page.url.startswith(issuer)
        page.locator("input[name=login]").fill("ny.chef@linkoping.se")
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        if page.url.startswith(issuer):  # the provider asks for consent once
            page.locator("button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/{unit_a.slug}/")
        assert page.locator("h1").inner_text() == unit_a.name
        assert "Enhetschef" in page.locator("main").inner_text()


def test_a_chief_who_must_enrol_adds_a_passkey_and_signs_in_with_it(browser, live_server, unit_a, anna, settings):
    # WebAuthn wants a secure context and a domain as relying party: localhost is both (never 127.0.0.1).
    site = SimpleNamespace(url=live_server.url.replace("127.0.0.1", "localhost"))
    settings.REQUIRE_TWO_FACTOR = True
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [site.url]
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    devtools = context.new_cdp_session(page)  # Chromium's virtual authenticator (Chrome DevTools Protocol)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]

    browser_login(page, site, "anna")
    assert "/accounts/two-factor/" in page.url  # a chief must enrol before any page
    assert_accessible(page)
    page.get_by_role("button", name="Lägg till en lösenordsnyckel").click()
    page.wait_for_selector("#recovery-codes li")
    assert len(page.locator("#recovery-codes li").all()) == 10
    page.get_by_role("link", name="Jag har sparat koderna").click()
    page.wait_for_load_state()
    assert WebAuthnCredential.objects.filter(user=anna, confirmed=True).count() == 1
    assert len(devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    page.goto(f"{site.url}/accounts/two-factor/")
    assert "Lösenordsnyckel tillagd" in page.locator("#passkeys").inner_text()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()

    page.goto(f"{site.url}/accounts/login/?next=/{unit_a.slug}/")
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill(PASSWORD_OF_FIXTURES)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{site.url}/accounts/two-factor/verify/**")
    assert_accessible(page)
    page.get_by_role("button", name="Använd min lösenordsnyckel").click()
    page.wait_for_url(f"{site.url}/{unit_a.slug}/")
    assert page.locator("h1").inner_text() == unit_a.name
    assert AuditEvent.objects.filter(user=anna, action="two_factor.verified",
                                     object_type="django_otp_webauthn.webauthncredential").exists()
