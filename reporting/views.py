"""Period statistics pages: one unit (`/<unit>/stats/<period>/`) and an organisation's units
side by side (`/org/<org>/stats/<period>/`). Figures come from reporting.indicators only."""

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from units.access import REPORT_READERS, request_may_read_period, unit_roles, units_seen_by_organisation
from units.exports import table_response
from units.models import Role
from units.periods import Period, last_complete_period, period_state
from units.services import audit_log

from . import indicators, outside, profiles
from .selectors import organisation_figures

EXPORT_FORMATS = ("csv", "xlsx")


def _not_yet(request, period, latest, latest_url):
    """A period that has not begun: a clear page, not a table of zeros."""
    return render(request, "reporting/stats_future.html", {"period": period, "latest": latest,
                                                           "latest_url": latest_url})


@unit_roles(*REPORT_READERS)
def stats_current(request, unit_slug):
    period = last_complete_period(request.unit, timezone.localdate())
    return redirect("reporting:stats", unit_slug=unit_slug, period=period)


@unit_roles(*REPORT_READERS)
def stats(request, unit_slug, period: Period):
    unit = request.unit
    # A funder reads the periods its agreement covers (units.access), like the unit's billing.
    if not request_may_read_period(request, period):
        raise Http404
    # Unit staff see exact counts; what an administrator sees has left the unit.
    leaves_unit = request.unit_role == Role.ADMINISTRATION and unit.is_anonymous
    state = period_state(period, timezone.localdate())
    if state == "future" and request.GET.get("export") is None:
        latest = last_complete_period(unit, timezone.localdate())
        return _not_yet(request, period, latest, reverse("reporting:stats", args=[unit.slug, latest]))
    years = {}

    def figures(shown: Period) -> dict:
        if leaves_unit:
            return outside.figures_outside(unit=unit, period=shown, cache=years)
        return indicators.period_figures(unit=unit, period=shown)

    current = figures(period)
    fmt = request.GET.get("export")
    if fmt == "json":
        audit_log(user=request.user, unit=unit, action="export.json", object_type="period", object_id=period.label)
        return JsonResponse(outside.as_json(current), json_dumps_params={"ensure_ascii": False, "indent": 2})
    before = period.year_earlier()
    earlier = figures(before)
    if not request_may_read_period(request, before):
        earlier = outside.all_hidden(earlier)
    sections = profiles.page_sections(unit, current, earlier)
    if fmt in EXPORT_FORMATS:
        return table_response(request, filename=f"{unit.slug}-{period}", fmt=fmt, rows=profiles.export_rows(sections),
                              headers=[_("Section"), _("Table"), _("Figure"), current["period"], earlier["period"]])
    own_kind = Period.containing(period.start, unit.period_kind)
    return render(request, "reporting/stats.html", {
        "period": period, "earlier_period": period.year_earlier(), "suppressed": leaves_unit,
        "sections": profiles.shown_sections(sections),
        "running": state == "running", "as_of": timezone.localdate() if state == "running" else None,
        "threshold": unit.suppression_threshold,
        "not_published": leaves_unit and not outside.on_lattice(unit, period),
        "steps": {"previous": period.previous(), "next": period.next(),
                  "year": Period(period.year, "year"), "own": own_kind if own_kind != period else None},
    })


def org_stats_current(request, org_slug):
    units = list(units_seen_by_organisation(request.organisation))
    kinds = {unit.period_kind for unit in units}
    # The units' own period kind when they share one, else the year; the last one that has ended.
    kind = kinds.pop() if len(kinds) == 1 else "year"
    return redirect("reporting_org:stats", org_slug=org_slug,
                    period=Period.containing(timezone.localdate(), kind).previous())


def org_stats(request, org_slug, period: Period):
    """The organisation's units side by side, with their total (København: both bydele and the
    city). Everything here has left the units: breakdowns of anonymous units are suppressed."""
    state = period_state(period, timezone.localdate())
    if state == "future" and request.GET.get("export") is None:
        latest = Period.containing(timezone.localdate(), period.kind).previous()
        return _not_yet(request, period, latest, reverse("reporting_org:stats", args=[org_slug, latest]))
    units, tables, headers = organisation_figures(request.organisation, period)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return table_response(request, filename=f"{request.organisation.slug}-{period}", fmt=fmt,
                              headers=[_("Table"), *headers], rows=profiles.organisation_export_rows(tables))
    return render(request, "reporting/org_stats.html", {
        "period": period, "units": units, "tables": profiles.shown_organisation_tables(tables), "headers": headers,
        "running": state == "running", "as_of": timezone.localdate() if state == "running" else None,
        "steps": {"previous": period.previous(), "next": period.next()},
        "thresholds": sorted({unit.suppression_threshold for unit in units if unit.is_anonymous}),
    })
