import datetime

from billing.models import MonthClose
from units.models import Unit


def month_is_closed(*, unit: Unit, day: datetime.date) -> bool:
    return MonthClose.objects.filter(unit=unit, month=day.replace(day=1)).exists()
