from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.selectors import open_months_before
from units.models import Role


def panels(request) -> list[dict]:
    """For the chief: months that have ended with billable sessions but are not closed."""
    if request.unit_role != Role.CHIEF:
        return []
    this_month = timezone.localdate(timezone=ZoneInfo(request.unit.time_zone)).replace(day=1)
    months = open_months_before(unit=request.unit, month=this_month)
    if not months:
        return []
    return [{"title": _("Billing months to close"), "template": "billing/_panel.html", "months": months}]
