"""Single sign-on against a real OpenID Connect provider on 127.0.0.1 (issue 13): discovery,
authorisation code with PKCE, token, ID-token signature; only invited people get in."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, TestCase

from accounts.models import ExternalIdentity, IdentityProvider
from tests import factories
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider, sign_in_at_provider
from units.invitations import invite
from units.models import AuditEvent, Membership


def callback(organisation):
    return f"http://testserver/accounts/oidc/{organisation.slug}/callback/"


@pytest.fixture
def provider(unit_a):
    organisation = unit_a.organisation
    with running_provider([callback(organisation)]) as issuer:
        yield IdentityProvider.objects.create(organisation=organisation, name="Linköpings inloggning", issuer=issuer,
                                              client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def start(client, organisation, next_url=""):
    response = client.get(f"/accounts/oidc/{organisation.slug}/login/", {"next": next_url} if next_url else {})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    return response["Location"]


def come_back(client, location):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def test_an_invited_person_signs_in_through_the_provider_and_gets_the_invited_role(provider, unit_a, anna):
    with TestCase.captureOnCommitCallbacks(execute=True):
        invite(acting_user=anna, email="Ny.Chef@linkoping.se", role="chief", unit=unit_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    authorize = start(client, unit_a.organisation, next_url=f"/{unit_a.slug}/")
    response = come_back(client, sign_in_at_provider(authorize, "ny.chef@linkoping.se"))
    assert response.status_code == 302 and response["Location"] == f"/{unit_a.slug}/"
    person = get_user_model().objects.get(email="ny.chef@linkoping.se")
    assert not person.has_usable_password()
    assert Membership.objects.get(user=person, unit=unit_a).role == "chief"
    assert ExternalIdentity.objects.get(provider=provider).user == person
    assert client.get(f"/{unit_a.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="sso.sign_in", user=person).exists()


def test_an_existing_member_is_matched_by_email_and_skips_the_second_factor(provider, alice, unit_a):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    alice.email = "alice@linkoping.se"
    alice.save()
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client = Client()
    response = come_back(client, sign_in_at_provider(start(client, unit_a.organisation), "alice@linkoping.se"))
    assert response.status_code == 302
    assert client.get(f"/{unit_a.slug}/").status_code == 200
    assert get_user_model().objects.filter(email="alice@linkoping.se").count() == 1


def test_a_person_nobody_invited_gets_no_account(provider, unit_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    users = get_user_model().objects.count()
    response = come_back(client, sign_in_at_provider(start(client, unit_a.organisation), "stranger@linkoping.se"))
    assert response.status_code == 403 and "ingen inbjudan" in response.content.decode()
    assert get_user_model().objects.count() == users and not ExternalIdentity.objects.exists()
    assert AuditEvent.objects.filter(action="sso.refused.no_match").exists()
    assert client.get(f"/{unit_a.slug}/").status_code == 302


def test_a_member_of_another_organisation_is_not_let_in_by_this_provider(provider, unit_a, bob):
    bob.email = "bob@stockholm.se"
    bob.save()
    client = Client()
    response = come_back(client, sign_in_at_provider(start(client, unit_a.organisation), "bob@stockholm.se"))
    assert response.status_code == 403 and not ExternalIdentity.objects.exists()


def test_a_callback_with_a_wrong_state_signs_nobody_in(provider, alice, unit_a):
    alice.email = "alice@linkoping.se"
    alice.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    location = sign_in_at_provider(start(client, unit_a.organisation), "alice@linkoping.se")
    forged = location.replace("state=", "state=forged")
    response = come_back(client, forged)
    assert response.status_code == 403 and "hörde inte till" in response.content.decode()
    assert client.get(f"/{unit_a.slug}/").status_code == 302
    assert AuditEvent.objects.filter(action="sso.refused.state").exists()
    assert not ExternalIdentity.objects.exists()


def test_an_id_token_whose_signature_does_not_check_out_signs_nobody_in(unit_a, alice):
    alice.email = "alice@linkoping.se"
    alice.save()
    organisation = unit_a.organisation
    with running_provider([callback(organisation)], wrong_jwks=True) as issuer:
        IdentityProvider.objects.create(organisation=organisation, name="Fel nyckel", issuer=issuer,
                                        client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        client = Client(HTTP_ACCEPT_LANGUAGE="sv")
        response = come_back(client, sign_in_at_provider(start(client, organisation), "alice@linkoping.se"))
    assert response.status_code == 403 and "kunde inte kontrolleras" in response.content.decode()
    assert client.get(f"/{unit_a.slug}/").status_code == 302
    assert AuditEvent.objects.filter(action="sso.refused.signature").exists()
    assert not ExternalIdentity.objects.exists()


def test_where_password_sign_in_is_off_the_password_is_refused(provider, alice, unit_a, bob):
    provider.password_allowed = False
    provider.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    refused = client.post("/accounts/login/", {"username": "alice", "password": factories.PASSWORD})
    assert refused.status_code == 200 and "Linköpings inloggning" in refused.content.decode()
    assert client.get(f"/{unit_a.slug}/").status_code == 302
    # Another organisation's people still sign in with their password.
    assert Client().post("/accounts/login/", {"username": "bob", "password": factories.PASSWORD}).status_code == 302


def test_the_login_page_offers_the_organisations_sign_in(provider):
    page = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/accounts/login/").content.decode()
    assert "Logga in med Linköpings inloggning" in page
    assert "Glömt ditt lösenord?" in page
