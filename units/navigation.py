"""The unit menu. An entry whose page does not exist in this build is left out."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import BILLING_READERS, CHIEF_ONLY
from .access import MEMBER_ROLES as MEMBERS
from .access import REPORT_READERS as EVERYONE

# (url name, label, roles that see it)
ENTRIES = [
    ("intake:queue", _("Queue"), MEMBERS),
    ("intake:application_new", _("New application"), MEMBERS),
    ("calendar:calendar", _("Calendar"), MEMBERS),
    ("counselling:session_new", _("Log session"), MEMBERS),
    ("counselling:session_list", pgettext_lazy("counselling", "Sessions"), MEMBERS),
    ("counselling:case_list", _("Cases"), MEMBERS),
    ("counselling:visits", _("Walk-ins"), MEMBERS),
    ("reporting:stats_current", _("Statistics"), EVERYONE),
    ("billing:current", _("Billing"), BILLING_READERS),
    ("reporting:reports_current", _("Reports"), EVERYONE),
    ("quality:home", _("Quality"), MEMBERS),
    ("importing:import", _("Import"), CHIEF_ONLY),
    ("accounts_staff:staff", _("Staff"), CHIEF_ONLY),
]


def unit_nav(request):
    unit, role = getattr(request, "unit", None), getattr(request, "unit_role", None)
    if unit is None:
        return []
    items = []
    for name, label, roles in ENTRIES:
        if role not in roles:
            continue
        try:
            url = reverse(name, kwargs={"unit_slug": unit.slug})
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    return items
