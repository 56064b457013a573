from units.models import Unit

from .models import ReportDocument


def annual_report_submitted(*, unit: Unit, year: int) -> bool:
    return ReportDocument.objects.filter(unit=unit, period=str(year), submitted_at__isnull=False).exists()


def latest_submitted(*, unit: Unit, period: str) -> ReportDocument | None:
    return (ReportDocument.objects.filter(unit=unit, period=period, submitted_at__isnull=False)
            .order_by("-version").first())
