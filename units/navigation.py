"""The unit menu. An entry whose page does not exist in this build is left out."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import BILLING_READERS, CHIEF_ONLY
from .access import MEMBER_ROLES as MEMBERS
from .access import REPORT_READERS as EVERYONE
from .models import Unit

# (url name, label, roles that see it, group). "main" entries stand in the bar; the rest sit
# under "More", so the bar fits on one line at 1280 px whatever the role (issue 18).
ENTRIES = [
    ("intake:queue", _("Queue"), MEMBERS, "main"),
    ("calendar:calendar", _("Calendar"), MEMBERS, "main"),
    ("counselling:session_new", _("Log session"), MEMBERS, "main"),
    ("counselling:session_list", pgettext_lazy("counselling", "Sessions"), MEMBERS, "main"),
    ("counselling:case_list", _("Cases"), MEMBERS, "main"),
    ("reporting:stats_current", _("Statistics"), EVERYONE, "main"),
    ("billing:current", _("Billing"), BILLING_READERS, "main"),
    ("reporting:reports_current", _("Reports"), EVERYONE, "main"),
    ("intake:application_new", _("New application"), MEMBERS, "more"),
    ("counselling:visits", _("Walk-ins"), MEMBERS, "more"),
    ("counselling:groups", _("Group rounds"), MEMBERS, "more"),
    ("quality:home", _("Quality"), MEMBERS, "more"),
    ("reporting:budget_current", _("Budget"), CHIEF_ONLY, "more"),
    ("importing:import", _("Import"), CHIEF_ONLY, "more"),
    ("accounts_staff:staff", _("Staff"), CHIEF_ONLY, "more"),
]


# Entries only some kinds of unit have (the page is a 404 elsewhere).
FOR_KINDS = {"counselling:groups": {Unit.Kind.FAMILY_UNIT}, "reporting:budget_current": {Unit.Kind.FAMILY_UNIT}}


def unit_nav(request) -> dict:
    """{"main": [items], "more": [items], "more_active": bool}; an item is {url, label, active,
    current}. The active entry is the one whose address the page's begins with, the longest if
    several do: a session's edit page is under Sessions, a past quarter under Statistics.
    `current` is "page" on the entry's own page, "true" on a page within it (aria-current)."""
    unit, role = getattr(request, "unit", None), getattr(request, "unit_role", None)
    nav = {"main": [], "more": [], "more_active": False}
    if unit is None:
        return nav
    for name, label, roles, group in ENTRIES:
        if role not in roles or unit.kind not in FOR_KINDS.get(name, {unit.kind}):
            continue
        try:
            url = reverse(name, kwargs={"unit_slug": unit.slug})
        except NoReverseMatch:
            continue
        nav[group].append({"url": url, "label": label, "active": False, "current": ""})
    within = [item for items in (nav["main"], nav["more"]) for item in items if request.path.startswith(item["url"])]
    if within:
        chosen = max(within, key=lambda item: len(item["url"]))
        chosen.update(active=True, current="page" if chosen["url"] == request.path else "true")
        nav["more_active"] = chosen in nav["more"]
    return nav
