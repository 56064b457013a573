import datetime

from django.urls import path, register_converter

from units.periods import check_year

from . import views


class MonthConverter:
    """`2025-03` ↔ datetime.date(2025, 3, 1)."""

    regex = r"\d{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value):
        return datetime.date(check_year(int(value[:4])), int(value[5:]), 1)  # ValueError: 404

    def to_url(self, value):
        return value if isinstance(value, str) else f"{value:%Y-%m}"


class YearConverter:
    regex = r"\d{4}"

    def to_python(self, value):
        return check_year(int(value))  # a ValueError makes the URL not match: 404

    def to_url(self, value):
        return str(value)


register_converter(MonthConverter, "yyyy_mm")
register_converter(YearConverter, "yyyy")

app_name = "billing"
urlpatterns = [
    path("billing/", views.current, name="current"),
    path("billing/<yyyy_mm:month>/", views.statement, name="statement"),
    path("billing/<yyyy_mm:month>/close/", views.close, name="close"),
    path("billing/<yyyy_mm:month>/statement.pdf", views.statement_file, {"fmt": "pdf"}, name="statement_pdf"),
    path("billing/<yyyy_mm:month>/statement.csv", views.statement_file, {"fmt": "csv"}, name="statement_csv"),
    path("billing/<yyyy_mm:month>/statement.xlsx", views.statement_file, {"fmt": "xlsx"}, name="statement_xlsx"),
    path("billing/prices/", views.prices, name="prices"),
    path("billing/prices/call-offs/<int:pk>/remove/", views.call_off_delete, name="call_off_delete"),
    path("billing/<yyyy:year>/", views.year, name="year"),
    path("billing/<yyyy:year>/overview.csv", views.year_export, {"fmt": "csv"}, name="year_csv"),
    path("billing/<yyyy:year>/overview.xlsx", views.year_export, {"fmt": "xlsx"}, name="year_xlsx"),
]
