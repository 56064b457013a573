"""A new unit in minutes (`/platform/units/new/`, `manage.py create_unit`): the unit with the
defaults of its kind and country, the organisation's in-house agreement, the kind's opening
hours, and the first chief invited. The report profile follows the kind by itself."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from .invitations import invite
from .kinds import COUNTRY_DEFAULTS, KIND_DEFAULTS
from .models import Agreement, Municipality, OpeningHours, Organisation, Role, Unit
from .services import audit_log


@transaction.atomic
def organisation_create(*, slug: str, name: str, municipality_name: str, country: str, acting_user) -> Organisation:
    municipality = Municipality.objects.filter(name=municipality_name).first()
    if municipality is None:
        municipality = Municipality(name=municipality_name, country=country)
        municipality.full_clean()
        municipality.save()
    elif municipality.country != country:
        raise ValidationError({"municipality_name": _("%(name)s is a municipality in another country.")
                               % {"name": municipality_name}})
    organisation = Organisation(slug=slug, name=name, municipality=municipality)
    organisation.full_clean()
    organisation.save()
    audit_log(user=acting_user, unit=None, action="organisation.create", obj=organisation)
    return organisation


@transaction.atomic
def unit_create(*, organisation: Organisation, slug: str, name: str, kind: str, country: str,
                language: str = "", record_mode: str = "", period_kind: str = "", chief_email: str,
                acting_user, request=None, today: datetime.date | None = None):
    """The unit and the first chief's invitation; returns (unit, invitation). Empty `language`,
    `record_mode` and `period_kind` take the defaults of the country and the kind."""
    defaults, place = KIND_DEFAULTS[kind], COUNTRY_DEFAULTS[country]
    if organisation.municipality.country != country:
        raise ValidationError({"country": _("%(organisation)s is in another country.")
                               % {"organisation": organisation.name}})
    unit = Unit(
        slug=slug, name=name, organisation=organisation, kind=kind, country=country,
        language=language or place["language"], time_zone=place["time_zone"],
        record_mode=record_mode or defaults.record_mode, period_kind=period_kind or defaults.period_kind,
        legal_reference=defaults.legal_reference, visit_fee_asked=defaults.visit_fee_asked,
        suppression_threshold=max(Unit._meta.get_field("suppression_threshold").default,
                                  organisation.suppression_minimum),
    )
    unit.full_clean()
    unit.save()
    today = today or timezone.localdate()
    with scope(unit=unit):
        # The running organisation's own agreement: in-house, no payment, until others are entered.
        Agreement.objects.create(unit=unit, municipality=organisation.municipality, kind=Agreement.Kind.NONE,
                                 valid_from=today)
        OpeningHours.objects.bulk_create([
            OpeningHours(unit=unit, kind=hours_kind, weekday=weekday, start=start, end=end)
            for hours_kind, weekday, start, end in defaults.hours])
    audit_log(user=acting_user, unit=unit, action="unit.create", obj=unit)
    invitation = invite(acting_user=acting_user, email=chief_email, role=Role.CHIEF, unit=unit, request=request)
    return unit, invitation
