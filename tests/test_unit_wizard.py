"""A new unit in minutes: /platform/units/new/ for the platform administrator and
`manage.py create_unit`, with the report profile and defaults of the unit's kind and the first
chief invited; nothing is written when anything is refused."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django_scopes import scope

from reporting.profiles import profile_for
from tests import factories
from tests.conftest import logged_in
from units.models import Agreement, AuditEvent, Invitation, OpeningHours, Organisation, Unit
from units.opening_hours import weekly_hours

URL = "/platform/units/new/"


@pytest.fixture
def platform_admin(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", factories.PASSWORD)


@pytest.fixture
def kobenhavn(db):
    return factories.organisation("kobenhavn", "Københavns Kommune", "København", country="DK")


def _post(**values):
    return {"organisation": "", "new_organisation_name": "", "new_organisation_slug": "",
            "new_organisation_municipality": "", "language": "", "record_mode": "", "period_kind": "",
            **values}


def test_only_the_platform_administrator_opens_the_wizard(client, alice_client, anna_client, olga_client,
                                                         platform_admin):
    assert logged_in(platform_admin).get(URL).status_code == 200
    for other in (alice_client, anna_client, olga_client):
        assert other.get(URL).status_code == 404
        assert other.post(URL, _post(name="X", slug="x", kind="familjeradgivning", country="SE",
                                     chief_email="x@example.org")).status_code == 404
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    assert not Unit.objects.filter(slug="x").exists()


def test_a_copenhagen_unit_starts_with_the_defaults_of_its_kind_and_its_chief_invited(
        platform_admin, kobenhavn, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(platform_admin).post(URL, _post(
            organisation=kobenhavn.pk, name="Familierådgivningen Valby", slug="kbh-fr-valby",
            kind=Unit.Kind.OPEN_COUNSELLING, country="DK", chief_email="Chef.Valby@kk.dk"))
    assert response.status_code == 200
    unit = Unit.objects.get(slug="kbh-fr-valby")
    assert (unit.organisation, unit.language, unit.time_zone, unit.record_mode, unit.period_kind) == (
        kobenhavn, "da", "Europe/Copenhagen", "anonymous", "quarter")
    assert unit.legal_reference == "Barnets lov §§ 28–29" and unit.visit_fee_asked is False
    assert unit.suppression_threshold == 5 and profile_for(unit).kind == Unit.Kind.OPEN_COUNSELLING
    with scope(unit=unit):
        drop_in = [(row.weekday, row.start, row.end) for row in OpeningHours.objects.filter(unit=unit)]
        agreement = Agreement.objects.get(unit=unit)
    assert weekly_hours(drop_in) == Decimal(6)
    assert (agreement.municipality, agreement.kind) == (kobenhavn.municipality, Agreement.Kind.NONE)
    invitation = Invitation.objects.get(unit=unit)
    assert (invitation.email, invitation.role) == ("chef.valby@kk.dk", "chief")
    assert "/accounts/invite/" in response.content.decode()  # the link, shown once
    assert [message.to for message in mail.outbox] == [["chef.valby@kk.dk"]]
    assert AuditEvent.objects.filter(unit=unit, user=platform_admin, action="unit.create").count() == 1


def test_the_chosen_record_mode_period_and_language_win_over_the_defaults(platform_admin):
    org = factories.organisation()
    logged_in(platform_admin).post(URL, _post(
        organisation=org.pk, name="Familjebehandlingen Linköping", slug="linkoping-fb",
        kind=Unit.Kind.FAMILY_TREATMENT, country="SE", period_kind="quarter", chief_email="chef@linkoping.se"))
    unit = Unit.objects.get(slug="linkoping-fb")
    assert (unit.record_mode, unit.period_kind, unit.language) == ("case", "quarter", "sv")
    assert unit.legal_reference == "SoL 4 kap. 1 § (bistånd)"


def test_a_new_organisation_with_the_unit(platform_admin):
    response = logged_in(platform_admin).post(URL, _post(
        new_organisation_name="Västerås stad", new_organisation_slug="vasteras",
        new_organisation_municipality="Västerås", name="Familjerådgivningen Västerås", slug="vasteras-fr",
        kind=Unit.Kind.FAMILY_COUNSELLING, country="SE", chief_email="chef@vasteras.se"))
    assert response.status_code == 200
    unit = Unit.objects.get(slug="vasteras-fr")
    assert (unit.organisation.slug, unit.organisation.municipality.name, unit.organisation.suppression_minimum) == (
        "vasteras", "Västerås", 5)
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(unit.organisation.pk)).exists()


@pytest.mark.parametrize("changes, field", [
    ({"slug": "alpha"}, "slug"),  # taken by unit_a
    ({"slug": "platform"}, "slug"),  # reserved for these pages
    ({"country": "DK"}, "country"),  # Linköpings kommun is in Sweden
    ({"chief_email": "not an address"}, "chief_email"),
    ({"organisation": "", "new_organisation_name": "Ny"}, "new_organisation_slug"),
])
def test_refused_input_writes_nothing(platform_admin, unit_a, changes, field):
    values = _post(organisation=unit_a.organisation.pk, name="Ny enhet", slug="ny-enhet",
                   kind=Unit.Kind.FAMILY_COUNSELLING, country="SE", chief_email="chef@example.org") | changes
    units_before, organisations_before = Unit.objects.count(), Organisation.objects.count()
    response = logged_in(platform_admin).post(URL, values)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (Unit.objects.count(), Organisation.objects.count()) == (units_before, organisations_before)
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_new_organisations_address_already_taken_writes_nothing(platform_admin, unit_a):
    response = logged_in(platform_admin).post(URL, _post(
        new_organisation_name="Linköping igen", new_organisation_slug=unit_a.organisation.slug,
        new_organisation_municipality="Linköping", name="Ny", slug="ny", kind=Unit.Kind.FAMILY_COUNSELLING,
        country="SE", chief_email="chef@example.org"))
    assert "new_organisation_slug" in response.context["form"].errors
    assert not Unit.objects.filter(slug="ny").exists()


# --- the command ---------------------------------------------------------------------------------

def test_create_unit_command(kobenhavn):
    out = StringIO()
    call_command("create_unit", "--org", "kobenhavn", "--slug", "kbh-fr-valby", "--name", "Familierådgivningen Valby",
                 "--kind", "familieradgivning", "--chief-email", "chef@kk.dk", stdout=out)
    unit = Unit.objects.get(slug="kbh-fr-valby")
    assert (unit.country, unit.language, unit.record_mode, unit.period_kind) == ("DK", "da", "anonymous", "quarter")
    text = out.getvalue()
    assert "Created kbh-fr-valby" in text and "/accounts/invite/" in text
    assert Invitation.objects.get(unit=unit).role == "chief"


def test_create_unit_command_makes_a_new_organisation_and_refuses_bad_input(db):
    call_command("create_unit", "--org", "vasteras", "--org-name", "Västerås stad", "--municipality", "Västerås",
                 "--slug", "vasteras-fr", "--name", "Familjerådgivningen Västerås", "--kind", "familjeradgivning",
                 "--chief-email", "chef@vasteras.se", stdout=StringIO())
    assert Unit.objects.get(slug="vasteras-fr").organisation.name == "Västerås stad"
    with pytest.raises(CommandError, match="slug"):
        call_command("create_unit", "--org", "vasteras", "--slug", "vasteras-fr", "--name", "Igen",
                     "--kind", "familjeradgivning", "--chief-email", "chef2@vasteras.se", stdout=StringIO())
    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_unit", "--org", "nowhere", "--slug", "x-fr", "--name", "X",
                     "--kind", "familjeradgivning", "--chief-email", "x@example.org", stdout=StringIO())
    assert Unit.objects.count() == 1 and Invitation.objects.count() == 1
