"""The national yearly statistics pages: one unit (`/<unit>/national/<year>/`, the chief's) and an
organisation's units added up (`/org/<org>/national/<year>/`). Both show what leaves the unit:
small counts of anonymous units hidden. Figures come from reporting.national only."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from units.access import unit_roles
from units.exports import table_response
from units.models import Role, Unit
from units.services import audit_log

from . import national

EXPORT_FORMATS = ("csv", "xlsx")


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _respond(request, figures: dict, *, year: int, filename: str, name: str, audit: dict, thresholds: list[int]):
    fmt = request.GET.get("export")
    if fmt == "json":
        audit_log(user=request.user, action="national.export.json", **audit)
        return JsonResponse(national.as_json(figures), json_dumps_params={"ensure_ascii": False, "indent": 2})
    headers, rows = national.export_table(figures)
    if fmt in EXPORT_FORMATS:
        return table_response(request, filename=filename, fmt=fmt, headers=headers, rows=rows,
                              action="national.export")
    return render(request, "reporting/national.html", {
        "year": year, "name": name, "headers": headers, "rows": rows,
        "hidden": bool(national.hidden_paths(figures)), "previous": year - 1, "next": year + 1,
        "thresholds": thresholds, "organisation_page": "organisation" in figures,
    })


@unit_roles(Role.CHIEF)
def unit_national(request, unit_slug, year: int):
    unit = request.unit
    _year_or_404(year)
    return _respond(request, national.unit_outside(unit, year), year=year, filename=f"{unit.slug}-national-{year}",
                    name=unit.name, audit={"unit": unit, "object_type": "year", "object_id": str(year)},
                    thresholds=[unit.suppression_threshold] if unit.is_anonymous else [])


def org_national(request, org_slug, year: int):
    organisation = request.organisation
    _year_or_404(year)
    figures = national.organisation_outside(organisation, year)
    return _respond(request, figures, year=year, filename=f"{organisation.slug}-national-{year}",
                    name=organisation.name,
                    audit={"unit": None, "object_type": "organisation",
                           "object_id": f"{organisation.slug}:{year}"[:40]},
                    thresholds=_thresholds(figures["units"]))


def _thresholds(slugs: list[str]) -> list[int]:
    anonymous = Unit.objects.filter(slug__in=slugs, record_mode=Unit.RecordMode.ANONYMOUS)
    return sorted(set(anonymous.values_list("suppression_threshold", flat=True)))

