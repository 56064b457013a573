import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Role

from .selectors import annual_report_submitted


def annual_reminder_open(*, today: datetime.date) -> bool:
    """From 1 March the chief is reminded of last year's report until it is submitted
    (due 31 March: 002_93c1598fd6f3fa34.txt §4.1 "senast den 31 mars")."""
    return today >= datetime.date(today.year, 3, 1)


def panels(request):
    today = timezone.localdate()
    if request.unit_role != Role.CHIEF or not annual_reminder_open(today=today):
        return []
    year = today.year - 1
    if annual_report_submitted(unit=request.unit, year=year):
        return []
    return [{
        "title": _("Annual report %d") % year,
        "template": "reporting/panel_annual_reminder.html",
        "year": year,
        "overdue": today > datetime.date(today.year, 3, 31),
        "url": reverse("reporting:reports", kwargs={"unit_slug": request.unit.slug, "period": str(year)}),
    }]
