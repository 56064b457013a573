import importlib
import importlib.util

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import CHIEF_ONLY, REPORT_READERS, organisations_for, unit_roles, units_seen_by_organisation
from .models import Membership
from .staff import may_manage_people
from .unit_settings import SettingsPage


@login_required
def home(request):
    memberships = (Membership.objects.filter(user=request.user, is_active=True)
                   .select_related("unit", "unit__organisation"))
    organisations = [
        {"organisation": organisation, "units": list(units_seen_by_organisation(organisation))}
        for organisation in organisations_for(request.user)
    ]
    return render(request, "units/home.html", {"memberships": memberships, "organisations": organisations})


@unit_roles(*REPORT_READERS)
def unit_home(request, unit_slug):
    return render(request, "units/unit_home.html", {"panels": unit_home_panels(request)})


PANEL_MODULES = ("bookings.panels", "intake.panels", "sessions.panels", "billing.panels", "reporting.panels",
                 "quality.panels")


def unit_home_panels(request):
    """Landing-page panels other apps contribute (queue alerts, reminders, duties).

    Each app that has something to show defines `panels(request) -> list[dict]`
    with keys `title` and `template` (and any context the template needs)."""
    panels = []
    for module_name in PANEL_MODULES:
        if importlib.util.find_spec(module_name) is not None:
            panels.extend(importlib.import_module(module_name).panels(request))
    return panels


def org_home(request, org_slug):
    units = units_seen_by_organisation(request.organisation)
    # The yearly report is due 31 March for the year before: that is the year to follow.
    return render(request, "units/org_home.html", {
        "units": units, "report_year": timezone.localdate().year - 1,
        "may_manage_people": may_manage_people(request.user, request.organisation)})


@unit_roles(*CHIEF_ONLY)
def unit_settings(request, unit_slug):
    page = SettingsPage(unit=request.unit, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and page.is_valid():
        try:
            changed = page.save(acting_user=request.user)
        except ValidationError as error:
            page.form.add_error(None, error.messages)
        else:
            messages.success(request, _("The settings are saved; figures computed from now on use them.")
                             if changed else _("Nothing was changed."))
            return redirect("unit_settings", unit_slug=unit_slug)
    return render(request, "units/settings.html", {"page": page})
