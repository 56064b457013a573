"""Landing-page panels: the session form itself (log from the landing page in one form)
and, in case-mode units, urgent assignments that are overdue to become regular."""

from django.utils import timezone
from django.utils.translation import gettext as _

from units.access import MEMBER_ROLES

from . import selectors
from .forms import SessionForm


def panels(request) -> list[dict]:
    if request.unit_role not in MEMBER_ROLES:
        return []
    unit = request.unit
    result = [{"title": _("Log a session"), "template": "counselling/panels/log_session.html",
               "form": SessionForm(unit=unit, user=request.user)}]
    if not unit.is_anonymous:
        overdue = selectors.overdue_urgent_cases(unit, today=timezone.localdate())
        if overdue:
            result.append({"title": _("Urgent assignments overdue"), "cases": overdue,
                           "template": "counselling/panels/overdue_cases.html"})
    return result
