"""The chief's landing-page panel: long waits now and over the last 30 days."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.access import CHIEF_ONLY

from . import selectors
from .models import Application


def panels(request) -> list[dict]:
    unit = request.unit
    if request.unit_role not in CHIEF_ONLY or not Application.objects.filter(unit=unit).exists():
        return []
    figures = selectors.long_waits(unit=unit, today=timezone.localdate())
    settings = selectors.intake_settings(unit=unit)
    notice = settings if settings is not None and settings.administration_name else None
    return [{
        "title": _("Waiting times"),
        "template": "intake/panel.html",
        "figures": figures,
        "notice": notice,
        "notice_due": notice is not None and figures.days_over_limit >= notice.notice_after_days,
    }]
