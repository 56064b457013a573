"""Small builders for test data; bulk data goes through the same services the app uses."""

import datetime

from django.contrib.auth import get_user_model
from django_scopes import scope

from units.models import Agreement, Membership, Municipality, OrgAccess, Organisation, Unit

PASSWORD = "correct horse battery staple"


def municipality(name="Linköping", country="SE"):
    return Municipality.objects.get_or_create(name=name, defaults={"country": country})[0]


def organisation(slug="linkoping", name="Linköpings kommun", municipality_name="Linköping", country="SE"):
    return Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "municipality": municipality(municipality_name, country)}
    )[0]


def unit(slug="alpha", *, org=None, record_mode="anonymous", period_kind="quarter", language="sv",
         country="SE", kind=Unit.Kind.FAMILY_COUNSELLING, funders=("Linköping",), **fields):
    org = org or organisation()
    created = Unit.objects.create(
        slug=slug, name=fields.pop("name", f"Unit {slug}"), organisation=org, kind=kind, country=country,
        language=language, record_mode=record_mode, period_kind=period_kind, **fields,
    )
    with scope(unit=created):
        for name in funders:
            Agreement.objects.create(unit=created, municipality=municipality(name, country),
                                     valid_from=datetime.date(2020, 1, 1))
    return created


def user(username, *, unit=None, role=None, org=None):
    person = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if unit is not None:
        Membership.objects.create(user=person, unit=unit, role=role)
    if org is not None:
        OrgAccess.objects.create(user=person, organisation=org)
    return person
