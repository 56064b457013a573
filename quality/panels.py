"""Landing-page panel: København's concept duties and what is still missing this year."""

from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Unit

from .selectors import concept_duties


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
