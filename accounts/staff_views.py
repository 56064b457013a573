"""The chief's staff page and the organisation's people page. Thin: fetch within the
tenant, validate a form, call a units service, redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units import invitations, staff
from units.access import CHIEF_ONLY, unit_roles
from units.models import Invitation, Membership, OrgAccess, StaffGroup
from units.pages import page as list_page

from .forms import InviteForm, MemberForm, OrgInviteForm, OrgPersonForm, StaffGroupForm, add_service_errors


def _staff_url(unit):
    return reverse("accounts_staff:staff", kwargs={"unit_slug": unit.slug})


def _call(request, form, action, *, success):
    """Run the service; its refusal stands at the form. True when it went through."""
    try:
        action()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, success)
    return True


@unit_roles(*CHIEF_ONLY)
def staff_page(request, unit_slug):
    unit = request.unit
    form = InviteForm(request.POST if request.method == "POST" else None, unit=unit)
    group_form = StaffGroupForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _call(request, form, lambda: invitations.invite(
                acting_user=request.user, email=data["email"], role=data["role"], unit=unit,
                groups=data.get("groups") or (), request=request),
                success=_("The invitation is sent to %(email)s.") % {"email": data["email"]}):
            return redirect(_staff_url(unit))
    return _render_staff(request, form=form, group_form=group_form)


def _render_staff(request, *, form=None, group_form=None, status=200):
    unit = request.unit
    page = list_page(request, staff.unit_members(unit), keys=staff.PEOPLE_ORDER)
    return render(request, "accounts/staff.html", {
        "form": form or InviteForm(unit=unit), "group_form": group_form or StaffGroupForm(),
        "page": page, "invitations": invitations.pending_invitations(unit=unit),
        "groups": StaffGroup.objects.filter(unit=unit),
    }, status=status)


@unit_roles(*CHIEF_ONLY)
def member_edit(request, unit_slug, membership_id):
    unit = request.unit
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, unit=unit)
    initial = {"role": membership.role, "is_active": membership.is_active,
               "groups": list(membership.groups.all())}
    form = MemberForm(request.POST if request.method == "POST" else None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _call(request, form, lambda: staff.membership_change(
                acting_user=request.user, membership=membership, role=data["role"], is_active=data["is_active"],
                groups=data.get("groups") if "groups" in form.fields else None),
                success=_("The changes to %(name)s are saved.") % {"name": membership.user.get_username()}):
            return redirect(_staff_url(unit))
    return render(request, "accounts/member_edit.html", {"form": form, "membership": membership})


@require_POST
@unit_roles(*CHIEF_ONLY)
def invitation_revoke(request, unit_slug, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, unit=request.unit)
    invitations.invitation_revoke(acting_user=request.user, invitation=invitation)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect(_staff_url(request.unit))


@require_POST
@unit_roles(*CHIEF_ONLY)
def group_create(request, unit_slug):
    group_form = StaffGroupForm(request.POST)
    if group_form.is_valid() and _call(request, group_form, lambda: staff.staff_group_save(
            acting_user=request.user, unit=request.unit, name=group_form.cleaned_data["name"]),
            success=_("The group is created.")):
        return redirect(_staff_url(request.unit))
    return _render_staff(request, group_form=group_form, status=400)


@unit_roles(*CHIEF_ONLY)
def group_edit(request, unit_slug, group_id):
    unit = request.unit
    group = get_object_or_404(StaffGroup.objects.filter(unit=unit), pk=group_id)
    form = StaffGroupForm(request.POST if request.method == "POST" else None, initial={"name": group.name})
    if request.method == "POST":
        if "delete" in request.POST:
            staff.staff_group_delete(acting_user=request.user, group=group)
            messages.success(request, _("The group is deleted."))
            return redirect(_staff_url(unit))
        if form.is_valid() and _call(request, form, lambda: staff.staff_group_save(
                acting_user=request.user, unit=unit, name=form.cleaned_data["name"], group=group),
                success=_("The group is renamed.")):
            return redirect(_staff_url(unit))
    return render(request, "accounts/group_edit.html", {"form": form, "group": group})


# --- the organisation's administration accounts ------------------------------------------------

def _people_manager_only(request):
    if not staff.may_manage_people(request.user, request.organisation):
        raise Http404


def _people_url(organisation):
    return reverse("accounts_people:people", kwargs={"org_slug": organisation.slug})


def people_page(request, org_slug):
    _people_manager_only(request)
    organisation = request.organisation
    form = OrgInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _call(request, form, lambda: invitations.invite(
                acting_user=request.user, email=data["email"], role=data["role"], organisation=organisation,
                request=request),
                success=_("The invitation is sent to %(email)s.") % {"email": data["email"]}):
            return redirect(_people_url(organisation))
    page = list_page(request, staff.organisation_people(organisation), keys=staff.PEOPLE_ORDER)
    return render(request, "accounts/people.html", {
        "form": form, "page": page, "invitations": invitations.pending_invitations(organisation=organisation),
    })


def person_edit(request, org_slug, access_id):
    _people_manager_only(request)
    organisation = request.organisation
    access = get_object_or_404(OrgAccess.objects.select_related("user"), pk=access_id, organisation=organisation)
    form = OrgPersonForm(request.POST if request.method == "POST" else None,
                         initial={"manages_people": access.manages_people, "is_active": access.is_active})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _call(request, form, lambda: staff.org_access_change(
                acting_user=request.user, access=access, manages_people=data["manages_people"],
                is_active=data["is_active"]),
                success=_("The changes to %(name)s are saved.") % {"name": access.user.get_username()}):
            return redirect(_people_url(organisation))
    return render(request, "accounts/person_edit.html", {"form": form, "access": access})


@require_POST
def org_invitation_revoke(request, org_slug, invitation_id):
    _people_manager_only(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=request.organisation,
                                   unit__isnull=True)
    invitations.invitation_revoke(acting_user=request.user, invitation=invitation)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect(_people_url(request.organisation))
