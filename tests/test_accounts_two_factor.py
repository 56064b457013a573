"""Two-factor sign-in: TOTP with recovery codes, required for chiefs and administration users
when settings.REQUIRE_TWO_FACTOR is on (issue 13)."""

import re
import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from units.models import AuditEvent


def code_for(device, *, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def sign_in(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    response = client.post("/accounts/login/", {"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def enrol(client):
    started = client.post("/accounts/two-factor/", {"action": "start"})
    assert started.status_code == 200 and 'id="totp-secret"' in started.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post("/accounts/two-factor/", {"action": "confirm", "code": code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_it_enrols_an_authenticator_and_asks_for_its_code_at_sign_in(alice, unit_a):
    device, _codes = enrol(sign_in("alice"))
    client = sign_in("alice")
    blocked = client.get(f"/{unit_a.slug}/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/two-factor/verify/")
    wrong = client.post("/accounts/two-factor/verify/", {"code": "000000" if code_for(device) != "000000" else "1"})
    assert wrong.status_code == 200 and "Koden är fel" in wrong.content.decode()
    # The code used to enrol is used up: the same time step cannot sign in again.
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    replay = client.post("/accounts/two-factor/verify/", {"code": code_for(device)})
    assert replay.status_code == 200 and client.get(f"/{unit_a.slug}/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    accepted = client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1),
                                                            "next": f"/{unit_a.slug}/"})
    assert accepted.status_code == 302 and accepted["Location"] == f"/{unit_a.slug}/"
    assert client.get(f"/{unit_a.slug}/").status_code == 200
    actions = list(AuditEvent.objects.filter(user=alice).values_list("action", flat=True))
    assert "two_factor.enrol" in actions and "two_factor.verified" in actions
    assert actions.count("two_factor.refused") == 2


def test_a_code_out_of_its_window_is_refused(alice, unit_a):
    device, _codes = enrol(sign_in("alice"))
    client = sign_in("alice")
    old = client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=-4)})
    assert old.status_code == 200
    assert client.get(f"/{unit_a.slug}/").status_code == 302


def test_a_recovery_code_signs_in_once(alice, unit_a):
    _device, codes = enrol(sign_in("alice"))
    client = sign_in("alice")
    assert client.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 302
    assert client.get(f"/{unit_a.slug}/").status_code == 200
    again = sign_in("alice")
    assert again.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 200
    assert again.get(f"/{unit_a.slug}/").status_code == 302
    assert "9 oanvända" in client.get("/accounts/two-factor/").content.decode()


def test_too_many_wrong_codes_slow_down(alice):
    device, _codes = enrol(sign_in("alice"))
    client = sign_in("alice")
    client.post("/accounts/two-factor/verify/", {"code": "999999"})
    throttled = client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1)})
    assert throttled.status_code == 200 and "För många felaktiga koder" in throttled.content.decode()


def test_required_for_chiefs_and_administration_when_the_setting_is_on(settings, alice, anna, olga, unit_a):
    settings.REQUIRE_TWO_FACTOR = True
    chief = sign_in("anna")
    sent = chief.get(f"/{unit_a.slug}/")
    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/two-factor/?")
    assert "kräver tvåstegsinloggning" in chief.get("/accounts/two-factor/").content.decode()
    admin = sign_in("olga")
    assert admin.get(f"/org/{unit_a.organisation.slug}/").status_code == 302
    counsellor = sign_in("alice")
    assert counsellor.get(f"/{unit_a.slug}/").status_code == 200
    device = TOTPDevice.objects.get(user=anna, confirmed=False)
    assert chief.post("/accounts/two-factor/", {"action": "confirm", "code": code_for(device)}).status_code == 200
    assert chief.get(f"/{unit_a.slug}/").status_code == 200
    # Required: it cannot be turned off.
    refused = chief.post("/accounts/two-factor/", {"action": "remove", "code": code_for(device, steps_ahead=1)})
    assert refused.status_code == 200 and TOTPDevice.objects.filter(user=anna).exists()


def test_off_by_default_so_the_demo_logins_work(settings, anna, unit_a):
    assert settings.REQUIRE_TWO_FACTOR is False
    assert sign_in("anna").get(f"/{unit_a.slug}/").status_code == 200


def test_production_settings_require_it():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "SECRET_KEY": "x" * 60, "DATABASE_URL": "sqlite:///x", "ALLOWED_HOSTS": "example.org"}
    env.pop("REQUIRE_TWO_FACTOR", None)
    program = ("from config.settings import production, local; "
               "print(production.REQUIRE_TWO_FACTOR, local.REQUIRE_TWO_FACTOR)")
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.split() == ["True", "False"]


# ---- the password alone opens nothing: the attacker between the password and the second step ----


def test_with_the_password_alone_one_cannot_enrol_an_authenticator_of_ones_own(alice, unit_a):
    victims, _codes = enrol(sign_in("alice"))
    attacker = sign_in("alice")  # the stolen password; the victim's code is still due
    started = attacker.post("/accounts/two-factor/", {"action": "start"})
    assert started.status_code == 302 and started["Location"].startswith("/accounts/two-factor/verify/")
    confirmed = attacker.post("/accounts/two-factor/", {"action": "confirm", "code": "123456"})
    assert confirmed.status_code == 302 and confirmed["Location"].startswith("/accounts/two-factor/verify/")
    assert list(TOTPDevice.objects.filter(user=alice)) == [victims]  # the victim's authenticator stays
    assert attacker.get(f"/{unit_a.slug}/").status_code == 302


def test_with_the_password_alone_one_cannot_renew_the_recovery_codes(alice, unit_a):
    _device, codes = enrol(sign_in("alice"))
    attacker = sign_in("alice")
    renewed = attacker.post("/accounts/two-factor/", {"action": "recovery"})
    assert renewed.status_code == 302 and renewed["Location"].startswith("/accounts/two-factor/verify/")
    assert not re.findall(r"<li>([a-z0-9]{8})</li>", renewed.content.decode())
    from accounts import two_factor

    assert two_factor.recovery_codes_left(alice) == len(codes)  # the victim's codes are the ones that work


def test_with_the_password_alone_one_cannot_remove_a_passkey(alice, unit_a):
    from tests.test_accounts_passkeys import passkey

    theirs = passkey(alice)
    attacker = sign_in("alice")
    removed = attacker.post(f"/accounts/two-factor/passkeys/{theirs.pk}/remove/")
    assert removed.status_code == 302 and removed["Location"].startswith("/accounts/two-factor/verify/")
    assert type(theirs).objects.filter(pk=theirs.pk).exists()
    assert sign_in("alice").get(f"/{unit_a.slug}/").status_code == 302  # the next sign-in still asks
