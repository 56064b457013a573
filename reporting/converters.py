"""`<period:period>` in URLs: `2025-Q1`, `2025-T2`, `2025-H1` or `2025`, given to the view as a Period."""

from django.urls import register_converter

from units.periods import PATTERN, Period


class PeriodConverter:
    regex = PATTERN

    def to_python(self, value: str) -> Period:
        return Period.parse(value)  # a ValueError makes the URL not match: 404

    def to_url(self, value) -> str:
        return str(value)


register_converter(PeriodConverter, "period")
