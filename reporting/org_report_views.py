from django.shortcuts import render
from django_scopes import scope

from units.access import units_seen_by_organisation

from .selectors import latest_submitted


def org_reports(request, org_slug, year):
    rows = []
    for unit in units_seen_by_organisation(request.organisation):
        with scope(unit=unit):
            rows.append({"unit": unit, "document": latest_submitted(unit=unit, period=str(year))})
    return render(request, "reporting/org_reports.html", {"year": year, "rows": rows})
