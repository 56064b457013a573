"""Who may open which unit, and the one way to fetch a tenant-owned object.

A unit the user may not open answers 404, exactly like a unit that does not exist.
"""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Agreement, Membership, Organisation, Role, Unit

MEMBER_ROLES = (Role.COUNSELLOR, Role.CHIEF)
CHIEF_ONLY = (Role.CHIEF,)
REPORT_READERS = (Role.COUNSELLOR, Role.CHIEF, Role.ADMINISTRATION)
# Billing is the chief's and the administration's; a counsellor gets 404 (`hidden`).
BILLING_READERS = (Role.CHIEF, Role.ADMINISTRATION)


def unit_roles(*roles, hidden: bool = False):
    """Declare which roles may open a unit page; the tenant middleware enforces it.

    Without this, a unit page is for the unit's own members only. An administration
    user may only open pages that name Role.ADMINISTRATION here. A member whose role is
    not named gets 403, or with `hidden` 404, as for a page that is not theirs at all.
    """

    def decorate(view):
        view.unit_roles = tuple(roles)
        view.unit_roles_hidden = hidden
        return view

    return decorate


def organisations_for(user) -> "list[Organisation]":
    return list(Organisation.objects.filter(accesses__user=user, accesses__is_active=True).order_by("name"))


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
    # This unit's own agreements, read whatever scope is active (the caller may be outside any
    # unit's scope); the other units come back as ids through _funded_unit_ids.
    with scopes_disabled():
        own = list(Agreement.objects.filter(unit=unit).values_list("municipality_id", flat=True))
    return (Unit.objects.filter(pk__in=_funded_unit_ids(own), kind=unit.kind, country=unit.country)
            .exclude(pk=unit.pk).order_by("name"))


def role_in_unit(user, unit: Unit) -> str | None:
    membership = Membership.objects.filter(user=user, unit=unit, is_active=True).values_list("role", flat=True).first()
    return membership or _administration_role(user, unit)


def _administration_role(user, unit: Unit) -> str | None:
    for organisation in Organisation.objects.filter(accesses__user=user, accesses__is_active=True):
        if units_seen_by_organisation(organisation).filter(pk=unit.pk).exists():
            return Role.ADMINISTRATION
    return None


def unit_for(user, slug: str) -> tuple[Unit, str]:
    """The unit and the person's role in it (`role_in_unit`); a member's in the unit's own query."""
    membership = Membership.objects.filter(user=user, unit=OuterRef("pk"), is_active=True).order_by("pk")
    unit = (Unit.objects.select_related("organisation").filter(slug=slug)
            .annotate(member_role=Subquery(membership.values("role")[:1])).first())
    role = (unit.member_role or _administration_role(user, unit)) if unit else None
    if role is None:
        raise Http404
    return unit, role


def organisation_for(user, slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("municipality"), slug=slug, accesses__user=user,
                             accesses__is_active=True)


def access_object(unit: Unit, model, pk, **filters):
    """The object of this unit with this primary key, or 404 — the same for 'missing' and 'not yours'."""
    return get_object_or_404(model.objects.filter(unit=unit, **filters), pk=pk)


# --- what an administration sees of a unit ----------------------------------------------------
# Entering a unit follows `role_in_unit` (an agreement valid today). Once inside, the
# organisation that runs the unit sees all of it; a funder sees only what its own agreements
# cover: the periods they are valid in, and its own municipality's amounts.

def agreement_overlaps(agreement: Agreement, start: datetime.date, end: datetime.date) -> bool:
    """Whether the agreement is valid on at least one day of [start, end] (both inclusive)."""
    return agreement.valid_from <= end and (agreement.valid_to is None or agreement.valid_to >= start)


def agreements_cover(agreements: list[Agreement] | None, start: datetime.date, end: datetime.date) -> bool:
    """Whether a reader who sees `agreements` of a unit (None: all of it) may read [start, end]."""
    return agreements is None or any(agreement_overlaps(agreement, start, end) for agreement in agreements)


def _funding_agreements(unit_ids, municipality_ids) -> dict[int, list[Agreement]]:
    """Per unit, the municipalities' agreements with it, of every validity, keeping only the
    municipalities with one valid today (without one they may not enter the unit). One query."""
    # Agreements are tenant rows; read for the units named here explicitly, whatever scope
    # is active (an organisation page has none, a unit page has its own unit's).
    with scopes_disabled():
        found = list(Agreement.objects.filter(unit_id__in=unit_ids, municipality_id__in=municipality_ids)
                     .select_related("municipality"))
    today = timezone.localdate()
    current = {(a.unit_id, a.municipality_id) for a in found if agreement_overlaps(a, today, today)}
    by_unit = {unit_id: [] for unit_id in unit_ids}
    for agreement in found:
        if (agreement.unit_id, agreement.municipality_id) in current:
            by_unit[agreement.unit_id].append(agreement)
    return by_unit


def organisation_agreements_by_unit(organisation: Organisation, units) -> dict[int, list[Agreement] | None]:
    """`organisation_agreements` for each of the units, by unit id, in one query."""
    by_unit = _funding_agreements([unit.pk for unit in units], [organisation.municipality_id])
    return {unit.pk: None if unit.organisation_id == organisation.pk else by_unit[unit.pk] for unit in units}


def organisation_agreements(organisation: Organisation, unit: Unit) -> list[Agreement] | None:
    """None when the organisation runs the unit (it sees everything); otherwise its
    municipality's agreements with the unit, of every validity — empty when it has none, or
    when none is valid today (then it may not enter the unit at all)."""
    return organisation_agreements_by_unit(organisation, [unit])[unit.pk]


def administration_agreements(user, unit: Unit) -> list[Agreement] | None:
    """What an administration user sees of a unit, through all its organisations: None (all of
    it) when one of them runs the unit, else the union of their funding agreements."""
    organisations = list(Organisation.objects.filter(accesses__user=user, accesses__is_active=True))
    if any(organisation.pk == unit.organisation_id for organisation in organisations):
        return None
    return _funding_agreements([unit.pk], {organisation.municipality_id for organisation in organisations})[unit.pk]


def organisation_period_access(organisation: Organisation, unit: Unit, start: datetime.date,
                               end: datetime.date) -> bool:
    """May the organisation read the unit's statistics, reports or billing for [start, end]?
    Always for the organisation that runs the unit; for a funder only when one of its
    agreements with the unit overlaps the period (and one is valid today, as for entering)."""
    return agreements_cover(organisation_agreements(organisation, unit), start, end)


def units_seen_for_period(organisation: Organisation, start: datetime.date, end: datetime.date) -> list[Unit]:
    """`units_seen_by_organisation` less the funded units whose agreements miss [start, end]:
    the units of an organisation page about that period. A fixed number of queries."""
    units = list(units_seen_by_organisation(organisation))
    agreements = organisation_agreements_by_unit(organisation, units)
    return [unit for unit in units if agreements_cover(agreements[unit.pk], start, end)]


def request_may_read_period(request, period) -> bool:
    """Unit staff read every period of their unit; an administration reader the periods its
    organisations may (`user_period_access`). The statistics and report pages share it."""
    return request.unit_role != Role.ADMINISTRATION or user_period_access(request.user, request.unit, period.start,
                                                                          period.end)


def user_period_access(user, unit: Unit, start: datetime.date, end: datetime.date) -> bool:
    """`organisation_period_access` for a signed-in reader of a unit page: a member of the
    unit always; an administration user when one of its organisations may."""
    if Membership.objects.filter(user=user, unit=unit, is_active=True).exists():
        return True
    return agreements_cover(administration_agreements(user, unit), start, end)


def owning_unit(model, pk: int) -> Unit | None:
    """The unit that owns row `pk` of a tenant model, for a background task that gets only an id.
    Crossing units on purpose, for one column of one row: the task then works in that unit's scope."""
    with scopes_disabled():
        unit_id = model.objects.filter(pk=pk).values_list("unit_id", flat=True).first()
    return Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
