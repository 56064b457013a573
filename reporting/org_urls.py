from django.urls import path

from . import (
    converters,  # noqa: F401 - registers <period:…> and <year:…>
    national_views,
    org_report_views,
    population,
    views,
)

app_name = "reporting_org"

urlpatterns = [
    path("stats/", views.org_stats_current, name="stats_current"),
    path("stats/<period:period>/", views.org_stats, name="stats"),
    path("national/<year:year>/", national_views.org_national, name="national"),
    path("population/<year:year>/", population.org_population, name="population"),
    path("reports/<year:year>/", org_report_views.org_reports, name="reports"),
    path("reports/<year:year>/status.pdf", org_report_views.org_status_pdf, name="status_pdf"),
]
