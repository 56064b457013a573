"""What goes into a report document: the template and its context. Every number comes from
the same indicator functions as the statistics page and `period_stats`."""

from django.utils import timezone

from .models import ReportDocument, ReportNarrative


def report_context(*, unit, document: ReportDocument) -> dict:
    year = int(document.period[:4])
    narrative = ReportNarrative.objects.filter(unit=unit, year=year).first() if document.is_annual else None
    return {
        "template": "reporting/pdf/annual.html" if document.is_annual else "reporting/pdf/period.html",
        "unit": unit,
        "organisation": unit.organisation,
        "document": document,
        "year": year,
        "built_on": timezone.localdate(),
        "narrative": narrative,
        "figures_json": {},
    }
