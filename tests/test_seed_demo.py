import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from units.demo import DEMO_PASSWORD, demo_logins
from units.models import Membership, OrgAccess, Organisation, Unit


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))


def test_refuses_when_debug_is_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--no-history")
    call_command("seed_demo", "--no-history", "--force", stdout=open("/dev/null", "w"))
    assert Unit.objects.count() == 6


def test_creates_the_six_units_and_four_organisations(seeded):
    assert sorted(Unit.objects.values_list("slug", flat=True)) == [
        "kbh-fr-amager", "kbh-fr-norrebro", "leanlink-fr", "norrkoping-fr", "norrkoping-ft715", "ostermalm-fe"]
    assert sorted(Organisation.objects.values_list("slug", flat=True)) == [
        "kobenhavn", "linkoping", "norrkoping", "stockholm"]
    assert Unit.objects.get(slug="kbh-fr-amager").language == "da"
    assert Unit.objects.get(slug="ostermalm-fe").period_kind == "tertial"
    assert Unit.objects.get(slug="norrkoping-ft715").record_mode == "case"


def test_is_idempotent(seeded):
    counts = (Unit.objects.count(), Membership.objects.count(), OrgAccess.objects.count())
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))
    assert (Unit.objects.count(), Membership.objects.count(), OrgAccess.objects.count()) == counts


def test_every_demo_login_opens_its_own_units_and_nothing_else(seeded):
    units = list(Unit.objects.select_related("organisation"))
    for username in demo_logins():
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        prefix = username.rsplit(".", 1)[0]
        for unit in units:
            status = client.get(f"/{unit.slug}/").status_code
            if username.endswith(".admin"):
                expected = 200 if unit.organisation.slug == prefix or (
                    prefix == "linkoping" and unit.slug == "leanlink-fr") else 404
            else:
                expected = 200 if unit.slug == prefix else 404
            assert status == expected, (username, unit.slug, status)
