"""Landing-page panel: København's concept duties and what is still missing this year; on a closed
case's page, the user survey to hand the family."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Unit

from .selectors import concept_duties, open_survey_round


def panels(request) -> list[dict]:
    unit = request.unit
    if unit.kind != Unit.Kind.OPEN_COUNSELLING:
        return []
    year = timezone.localdate().year
    return [{
        "title": _("Concept duties %(year)s") % {"year": year},
        "template": "quality/_concept_panel.html",
        "duties": concept_duties(unit=unit, year=year),
    }]


def case_panels(request, case) -> list[dict]:
    """001_12d4c227923da397.txt: "genom att lämna ut en brukarenkät när vi avslutar vår insats" —
    a closed case's page offers the unit's open survey round: its public link and QR code (the
    link names the round, never the family)."""
    if case.closed_on is None:
        return []
    survey_round = open_survey_round(unit=request.unit)
    if survey_round is None:
        return [{"title": _("User survey (brukarenkät)"), "template": "quality/_closing_survey_panel.html",
                 "round": None}]
    slug = request.unit.slug
    return [{
        "title": _("User survey (brukarenkät)"), "template": "quality/_closing_survey_panel.html",
        "round": survey_round,
        "link": request.build_absolute_uri(reverse("survey:answer", kwargs={"token": survey_round.token})),
        "qr_url": reverse("quality:round_qr", kwargs={"unit_slug": slug, "pk": survey_round.pk}),
    }]
