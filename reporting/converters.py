"""`<period:period>` in URLs: `2025-Q1`, `2025-T2`, `2025-H1` or `2025`, given to the view as a Period;
`<year:year>`: a year as an int."""

from django.urls import register_converter

from units.periods import PATTERN, Period, check_year


class PeriodConverter:
    regex = PATTERN

    def to_python(self, value: str) -> Period:
        return Period.parse(value)  # a ValueError makes the URL not match: 404

    def to_url(self, value) -> str:
        return str(value)


class YearConverter:
    """`<year:year>`: a year as an int, within units.periods' range (outside: 404)."""

    regex = r"\d{1,9}"

    def to_python(self, value: str) -> int:
        return check_year(int(value))

    def to_url(self, value) -> str:
        return str(value)


register_converter(PeriodConverter, "period")
register_converter(YearConverter, "year")
