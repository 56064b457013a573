"""The chief's staff rules and the organisation's people rules: roles, deactivation,
staff groups. A unit always keeps an active chief; an organisation that has an account
manager keeps one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Membership, OrgAccess, Organisation, Role, StaffGroup, Unit
from .pages import Key, ordered
from .services import audit_log


def _keeps_a_chief(membership: Membership, *, role: str, is_active: bool) -> bool:
    if membership.role != Role.CHIEF or not membership.is_active or (role == Role.CHIEF and is_active):
        return True
    # Locked, so two chiefs demoting each other at once cannot both succeed.
    others = (Membership.objects.select_for_update().filter(unit_id=membership.unit_id, role=Role.CHIEF,
                                                            is_active=True).exclude(pk=membership.pk))
    return len(list(others)) > 0


@transaction.atomic
def membership_change(*, acting_user, membership: Membership, role: str | None = None,
                      is_active: bool | None = None, groups=None) -> Membership:
    """Change a member's role, active state and groups. Refuses to leave the unit without an
    active chief. One audit row per kind of change."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    new_role = membership.role if role is None else role
    new_active = membership.is_active if is_active is None else is_active
    if new_role not in (Role.COUNSELLOR, Role.CHIEF):
        raise ValidationError({"role": _("Choose counsellor or unit chief.")})
    if not _keeps_a_chief(membership, role=new_role, is_active=new_active):
        raise ValidationError(_("The unit must keep at least one active chief. Make someone else chief first."))
    if new_role != membership.role:
        membership.role = new_role
        membership.save(update_fields=["role"])
        audit_log(user=acting_user, unit=membership.unit, action=f"membership.role.{new_role}", obj=membership)
    if new_active != membership.is_active:
        membership.is_active = new_active
        membership.save(update_fields=["is_active"])
        action = "membership.reactivate" if new_active else "membership.deactivate"
        audit_log(user=acting_user, unit=membership.unit, action=action, obj=membership)
    if groups is not None:
        groups = list(groups)
        if any(group.unit_id != membership.unit_id for group in groups):
            raise ValidationError(_("Choose groups of this unit."))
        before = set(membership.groups.values_list("pk", flat=True))
        if before != {group.pk for group in groups}:
            membership.groups.set(groups)
            audit_log(user=acting_user, unit=membership.unit, action="membership.groups", obj=membership)
    return membership


@transaction.atomic
def staff_group_save(*, acting_user, unit: Unit, name: str, group: StaffGroup | None = None) -> StaffGroup:
    """Create a group, or rename `group`."""
    created = group is None
    group = group or StaffGroup(unit=unit)
    group.name = (name or "").strip()
    group.full_clean(validate_unique=False)
    if StaffGroup.objects.filter(unit=unit, name__iexact=group.name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": _("The unit already has a group with this name.")})
    group.save()
    audit_log(user=acting_user, unit=unit, action="staff_group.create" if created else "staff_group.rename",
              obj=group)
    return group


@transaction.atomic
def staff_group_delete(*, acting_user, group: StaffGroup):
    audit_log(user=acting_user, unit=group.unit, action="staff_group.delete", obj=group)
    group.delete()


def _keeps_a_manager(access: OrgAccess, *, manages_people: bool, is_active: bool) -> bool:
    if not access.manages_people or not access.is_active or (manages_people and is_active):
        return True
    others = (OrgAccess.objects.select_for_update().filter(organisation_id=access.organisation_id,
                                                           manages_people=True, is_active=True)
              .exclude(pk=access.pk))
    return len(list(others)) > 0


@transaction.atomic
def org_access_change(*, acting_user, access: OrgAccess, manages_people: bool | None = None,
                      is_active: bool | None = None) -> OrgAccess:
    """Change an administration account of the organisation; the last account manager stays."""
    access = OrgAccess.objects.select_for_update().get(pk=access.pk)
    new_manages = access.manages_people if manages_people is None else manages_people
    new_active = access.is_active if is_active is None else is_active
    if not _keeps_a_manager(access, manages_people=new_manages, is_active=new_active):
        raise ValidationError(_("The organisation must keep at least one active account manager."))
    if new_manages != access.manages_people:
        access.manages_people = new_manages
        access.save(update_fields=["manages_people"])
        audit_log(user=acting_user, unit=None, action=f"org_access.manages_people.{str(new_manages).lower()}",
                  obj=access)
    if new_active != access.is_active:
        access.is_active = new_active
        access.save(update_fields=["is_active"])
        audit_log(user=acting_user, unit=None,
                  action="org_access.reactivate" if new_active else "org_access.deactivate", obj=access)
    return access


# Active first, by user name (a membership or an organisation access).
PEOPLE_ORDER = (Key("is_active", descending=True), Key("user__username"), Key("pk"))


def unit_members(unit: Unit):
    """Every membership of the unit, active first, with user and groups: the staff page."""
    return ordered(Membership.objects.filter(unit=unit).select_related("user").prefetch_related("groups"),
                   PEOPLE_ORDER)


def organisation_people(organisation: Organisation):
    return ordered(OrgAccess.objects.filter(organisation=organisation).select_related("user"), PEOPLE_ORDER)


def may_manage_people(user, organisation: Organisation) -> bool:
    return OrgAccess.objects.filter(user=user, organisation=organisation, is_active=True,
                                    manages_people=True).exists()
