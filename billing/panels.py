import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.selectors import missing_prices, open_months_before, price_reminder_year
from units.models import Role


def panels(request, *, today: datetime.date | None = None) -> list[dict]:
    """For the chief: months that have ended with billable sessions but are not closed, and in
    December and January the prices of the coming year not entered yet."""
    if request.unit_role != Role.CHIEF:
        return []
    today = today or timezone.localdate(timezone=ZoneInfo(request.unit.time_zone))
    found = []
    months = open_months_before(unit=request.unit, month=today.replace(day=1))
    if months:
        found.append({"title": _("Billing months to close"), "template": "billing/_panel.html", "months": months})
    year = price_reminder_year(today)
    if year is not None:
        missing = missing_prices(unit=request.unit, year=year)
        if missing.rates or missing.fees:
            found.append({"title": _("Prices for %(year)s") % {"year": year}, "template": "billing/_prices_panel.html",
                          "missing": missing})
    return found
