"""Who may open which unit, and the one way to fetch a tenant-owned object.

A unit the user may not open answers 404, exactly like a unit that does not exist.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Agreement, Membership, Organisation, Role, Unit

MEMBER_ROLES = (Role.COUNSELLOR, Role.CHIEF)
CHIEF_ONLY = (Role.CHIEF,)
REPORT_READERS = (Role.COUNSELLOR, Role.CHIEF, Role.ADMINISTRATION)


def unit_roles(*roles):
    """Declare which roles may open a unit page; the tenant middleware enforces it.

    Without this, a unit page is for the unit's own members only. An administration
    user may only open pages that name Role.ADMINISTRATION here.
    """

    def decorate(view):
        view.unit_roles = tuple(roles)
        return view

    return decorate


def organisations_for(user) -> "list[Organisation]":
    return list(Organisation.objects.filter(accesses__user=user).order_by("name"))


def _funded_unit_ids(municipality_ids) -> list[int]:
    """Units with an agreement valid today with one of these municipalities."""
    today = timezone.localdate()
    # Crossing units on purpose: which units a municipality funds is a fact about the
    # agreements as a whole, read as ids only, before any one unit's scope is chosen.
    with scopes_disabled():
        return list(
            Agreement.objects.filter(municipality_id__in=municipality_ids, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .values_list("unit_id", flat=True)
        )


def units_seen_by_organisation(organisation: Organisation):
    """Units an organisation runs, or funds through an agreement valid today."""
    funded_ids = _funded_unit_ids([organisation.municipality_id])
    return Unit.objects.filter(Q(organisation=organisation) | Q(pk__in=funded_ids)).distinct().order_by("name")


def units_sharing_a_funder(unit: Unit):
    """Other units of the same kind funded by one of this unit's funding municipalities — the
    providers an application may be handed over to (Leanlink "fördelar sedan uppdragen mellan
    sig och annan utförare", 002_93c1598fd6f3fa34.txt)."""
    with scopes_disabled():
        own = list(Agreement.objects.filter(unit=unit).values_list("municipality_id", flat=True))
    return (Unit.objects.filter(pk__in=_funded_unit_ids(own), kind=unit.kind, country=unit.country)
            .exclude(pk=unit.pk).order_by("name"))


def role_in_unit(user, unit: Unit) -> str | None:
    membership = Membership.objects.filter(user=user, unit=unit).values_list("role", flat=True).first()
    if membership:
        return membership
    for organisation in Organisation.objects.filter(accesses__user=user):
        if units_seen_by_organisation(organisation).filter(pk=unit.pk).exists():
            return Role.ADMINISTRATION
    return None


def unit_for(user, slug: str) -> tuple[Unit, str]:
    unit = Unit.objects.select_related("organisation").filter(slug=slug).first()
    role = role_in_unit(user, unit) if unit else None
    if role is None:
        raise Http404
    return unit, role


def organisation_for(user, slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("municipality"), slug=slug, accesses__user=user)


def access_object(unit: Unit, model, pk, **filters):
    """The object of this unit with this primary key, or 404 — the same for 'missing' and 'not yours'."""
    return get_object_or_404(model.objects.filter(unit=unit, **filters), pk=pk)
