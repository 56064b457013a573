"""What goes into a report document: the template and its context. Every number comes from
the same indicator functions as the statistics page and `period_stats`; what the document
shows of an anonymous unit is suppressed, because the document leaves the unit."""

import datetime

from django.utils import timezone

from quality import selectors as quality
from quality.models import QualityEvent
from units.periods import Period

from . import indicators, outside, profiles
from .models import ReportDocument, ReportNarrative


def _figures(unit, period: Period) -> tuple[dict, dict, dict, dict]:
    """Exact figures (stored with the version) and the figures as the document shows them
    (suppressed for an anonymous unit: the document leaves the unit)."""
    current = indicators.period_figures(unit=unit, period=period)
    earlier = indicators.period_figures(unit=unit, period=period.year_earlier())
    if not unit.is_anonymous:
        return current, earlier, current, earlier
    years = {}
    return (current, earlier, outside.figures_outside(unit=unit, period=period, cache=years),
            outside.figures_outside(unit=unit, period=period.year_earlier(), cache=years))


def _quality(unit, start: datetime.date, end: datetime.date, year: int) -> dict:
    counts = quality.incident_counts(unit=unit, start=start, end=end)
    return {
        "survey": quality.survey_results(unit=unit, start=start, end=end),
        "events": [(label, counts[kind]) for kind, label in QualityEvent.Kind.choices],
        "lex_sarah": list(quality.lex_sarah_reports(unit=unit, start=start, end=end)),
        "outreach": quality.outreach_summary(unit=unit, start=start, end=end),
        "training": quality.training_summary(unit=unit, start=start, end=end),
        "competence": quality.competence_check(unit=unit),
        "duties": (quality.concept_duties(unit=unit, year=year, today=end)
                   if unit.kind == unit.Kind.OPEN_COUNSELLING else None),
    }


def report_context(*, unit, document: ReportDocument) -> dict:
    period = Period.parse(document.period)
    current, earlier, shown_current, shown_earlier = _figures(unit, period)
    sections = profiles.shown_sections(profiles.page_sections(unit, shown_current, shown_earlier))
    context = {
        "unit": unit,
        "organisation": unit.organisation,
        "document": document,
        "period": period,
        "earlier_period": period.year_earlier(),
        "year": period.year,
        "built_on": timezone.localdate(),
        "sections": sections,
        "anonymous": unit.is_anonymous,
        "threshold": unit.suppression_threshold,
        # Stored with the version: exactly which figures it was built from.
        "figures_json": {"current": current, "earlier": earlier},
    }
    if document.is_annual:
        context.update({
            "template": "reporting/pdf/annual.html",
            "narrative": ReportNarrative.objects.filter(unit=unit, year=period.year).first(),
            "quality": _quality(unit, period.start, period.end, period.year),
            "headline": profiles.headline(unit, shown_current, shown_earlier),
        })
    else:
        context["template"] = "reporting/pdf/period.html"
    return context
