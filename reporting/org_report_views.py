from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_scopes import scope

from quality.selectors import concept_duties
from units.access import units_seen_for_period
from units.pdf import render_pdf
from units.periods import Period
from units.services import audit_log

from . import profiles
from .population import districts
from .selectors import latest_submitted, organisation_columns, organisation_headers


def org_reports(request, org_slug, year):
    rows = []
    period = Period(year, "year")
    # A funder lists a unit only for years its agreement overlaps.
    for unit in units_seen_for_period(request.organisation, period.start, period.end):
        with scope(unit=unit):
            rows.append({"unit": unit, "document": latest_submitted(unit=unit, period=str(year))})
    return render(request, "reporting/org_reports.html", {"year": year, "rows": rows,
                                                          "has_districts": bool(districts(request.organisation))})


def org_status_pdf(request, org_slug, year):
    """One status report over all the organisation's units (København: the yearly status
    across the city's Familierådgivninger, 004_4991f6e8c25cfe0a.txt), built on request."""
    period = Period(year, "year")
    units, current = organisation_columns(request.organisation, period)
    _units, earlier = organisation_columns(request.organisation, period.year_earlier(), units=units)
    kinds = [unit.kind for unit in units]
    tables, headers = profiles.organisation_tables(current, kinds), organisation_headers(units)
    headline = profiles.organisation_headline(kinds, current, earlier)
    # "Målgruppen … afspejle befolkningssammensætningen": each unit's inquiries against its district.
    target_charts = [(unit, profiles.target_group_chart(figures)) for unit, figures in zip(units, current, strict=True)
                     if "target_group" in figures]
    duties = []
    for unit in units:
        if unit.kind == unit.Kind.OPEN_COUNSELLING:
            with scope(unit=unit):
                duties.append({"unit": unit, "duties": concept_duties(unit=unit, year=year)})
    pdf = render_pdf(template="reporting/pdf/org_status.html", language=request.LANGUAGE_CODE, context={
        "organisation": request.organisation, "period": period, "year": year, "units": units,
        "tables": profiles.shown_organisation_tables(tables), "headers": headers, "headline": headline,
        "target_charts": target_charts,
        "earlier_year": year - 1, "duties": duties, "built_on": timezone.localdate(),
        "thresholds": sorted({unit.suppression_threshold for unit in units if unit.is_anonymous}),
    })
    audit_log(user=request.user, unit=None, action="report.org_status", object_type="organisation",
              object_id=request.organisation.slug)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{request.organisation.slug}-{year}-status.pdf"'
    return response
