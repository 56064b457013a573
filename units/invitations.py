"""Invitations: a one-time link, valid 72 hours, that makes a person a member of a unit
(counsellor or chief) or an administration reader of an organisation.

`invite` is the one way in, for the staff page, the organisation's people page and the new
unit wizard alike; `invitation_accept` is the one way to use a link. Only a SHA-256 of the
token is stored, so the database alone cannot be used to join.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from .models import Invitation, Membership, OrgAccess, Organisation, Role, StaffGroup, Unit
from .services import audit_log

INVITATION_VALID_FOR = timedelta(hours=72)
UNIT_ROLES = (Role.COUNSELLOR, Role.CHIEF)
ORGANISATION_ROLES = (Invitation.Kind.READER, Invitation.Kind.PEOPLE_MANAGER)


class InvitationInvalid(Exception):
    """The link is unknown, used, withdrawn or out of date; `reason` says which."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str, *, request=None) -> str:
    path = f"/accounts/invite/{token}/"
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def find_user_by_email(email: str):
    return (get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
            .order_by("pk").first())


@transaction.atomic
def invite(*, acting_user, email: str, role: str, unit: Unit | None = None,
           organisation: Organisation | None = None, groups=(), request=None) -> Invitation:
    """Invite `email` to `unit` with a unit role, or to `organisation`'s administration with
    an Invitation.Kind. Withdraws the person's earlier pending link to the same place, sends the
    mail once the transaction commits and returns the invitation; `invitation.link` holds the
    link (the token itself is not stored)."""
    email = (email or "").strip().lower()
    if unit is not None:
        organisation = unit.organisation
        if role not in UNIT_ROLES:
            raise ValidationError({"role": _("Choose counsellor or unit chief.")})
    elif organisation is not None:
        if role not in ORGANISATION_ROLES:
            raise ValidationError({"role": _("Choose reader or account manager.")})
    else:
        raise ValueError("invite() needs a unit or an organisation")
    invitation = Invitation(email=email, unit=unit, organisation=organisation, role=role,
                            created_by=acting_user if acting_user and acting_user.is_authenticated else None,
                            expires_at=timezone.now() + INVITATION_VALID_FOR)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.full_clean(exclude=["token_hash"])
    existing = find_user_by_email(email)
    if existing is not None and _already_in(existing, unit=unit, organisation=organisation):
        raise ValidationError({"email": _("This person already has an active account here.")})

    now = timezone.now()
    Invitation.objects.filter(email=email, unit=unit, organisation=organisation, accepted_at__isnull=True,
                              revoked_at__isnull=True).update(revoked_at=now)
    invitation.save()
    group_list = list(groups)
    if group_list:
        if unit is None or any(group.unit_id != unit.pk for group in group_list):
            raise ValidationError(_("Choose groups of this unit."))
        invitation.groups.set(group_list)
    audit_log(user=acting_user, unit=unit, action="invitation.create", obj=invitation)
    invitation.link = invitation_link(token, request=request)
    transaction.on_commit(lambda: _send(invitation, invitation.link))
    return invitation


def _already_in(user, *, unit, organisation) -> bool:
    if unit is not None:
        return Membership.objects.filter(user=user, unit=unit, is_active=True).exists()
    return OrgAccess.objects.filter(user=user, organisation=organisation, is_active=True).exists()


def _send(invitation: Invitation, link: str):
    place = invitation.unit or invitation.organisation
    language = invitation.unit.language if invitation.unit else invitation.organisation.language
    with translation.override(language):
        context = {"invitation": invitation, "place": place, "link": link,
                   "hours": int(INVITATION_VALID_FOR.total_seconds() // 3600),
                   "role": invitation.get_role_display()}
        subject = _("Invitation to %(place)s in Familjestöd") % {"place": place}
        body = render_to_string("units/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The pending invitation of this token, or InvitationInvalid with the reason."""
    queryset = Invitation.objects.select_related("unit", "organisation", "organisation__municipality")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=token_hash(token or "")).first()
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("used", invitation)
    if invitation.revoked_at is not None:
        raise InvitationInvalid("revoked", invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("expired", invitation)
    return invitation


def invitation_reject_logged(*, error: InvitationInvalid, user=None):
    """The audit row of a refused link (nothing else is written)."""
    invitation = error.invitation
    audit_log(user=user, unit=invitation.unit if invitation else None, action=f"invitation.refused.{error.reason}",
              object_type="units.invitation", object_id=str(invitation.pk) if invitation else "")


@transaction.atomic
def invitation_accept(*, token: str, user=None, password: str | None = None):
    """Use the link: join the unit or organisation as `user` (an existing account whose
    e-mail is the invited one), or as a new account named by the e-mail with `password`
    (None: no password, for sign-in through the organisation's identity provider).
    Returns the user. Raises InvitationInvalid (nothing written) for a bad link."""
    return _accept(invitation_for_token(token, for_update=True), user=user, password=password)


@transaction.atomic
def invitations_accept_by_sign_on(*, invitations: list[Invitation], user=None):
    """Single sign-on matched these pending invitations by e-mail: accept them all (the first
    creates the account, without a password, when there is none). Returns the user."""
    for invitation in Invitation.objects.select_for_update().filter(pk__in=[i.pk for i in invitations]):
        if invitation.is_pending:
            user = _accept(invitation, user=user, password=None)
    return user


def _accept(invitation: Invitation, *, user, password):
    if user is None:
        if find_user_by_email(invitation.email) is not None:
            raise InvitationInvalid("account_exists", invitation)
        user = get_user_model()(username=invitation.email, email=invitation.email)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    elif (user.email or user.username).lower() != invitation.email:
        raise InvitationInvalid("other_person", invitation)
    if invitation.unit is not None:
        membership, _created = Membership.objects.update_or_create(
            user=user, unit=invitation.unit, defaults={"role": invitation.role, "is_active": True})
        with scope(unit=invitation.unit):
            groups = list(invitation.groups.all())
        if groups:
            membership.groups.add(*groups)
        audit_log(user=user, unit=invitation.unit, action="membership.join", obj=membership)
    else:
        access, _created = OrgAccess.objects.update_or_create(
            user=user, organisation=invitation.organisation,
            defaults={"is_active": True,
                      "manages_people": invitation.role == Invitation.Kind.PEOPLE_MANAGER})
        audit_log(user=user, unit=None, action="org_access.join", obj=access)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(user=user, unit=invitation.unit, action="invitation.accept", obj=invitation)
    return user


def pending_invitations(*, unit: Unit | None = None, organisation: Organisation | None = None):
    queryset = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                                         expires_at__gt=timezone.now())
    if unit is not None:
        return queryset.filter(unit=unit)
    return queryset.filter(organisation=organisation, unit__isnull=True)


def pending_invitations_for_email(email: str, organisation: Organisation) -> list[Invitation]:
    """This address's pending invitations into the organisation or its units (single sign-on
    accepts them)."""
    return list(Invitation.objects.filter(email=email.strip().lower(), organisation=organisation,
                                          accepted_at__isnull=True, revoked_at__isnull=True,
                                          expires_at__gt=timezone.now()).select_related("unit", "organisation"))


@transaction.atomic
def invitation_revoke(*, acting_user, invitation: Invitation):
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_log(user=acting_user, unit=invitation.unit, action="invitation.revoke", obj=invitation)


def unit_group_choices(unit: Unit):
    return StaffGroup.objects.filter(unit=unit)
