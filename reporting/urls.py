from django.urls import path

from . import (
    budget_views,
    converters,  # noqa: F401 - registers <period:…>
    national_views,
    report_urls,
    retention_views,
    views,
)

app_name = "reporting"

urlpatterns = [
    path("stats/", views.stats_current, name="stats_current"),
    path("stats/<period:period>/", views.stats, name="stats"),
    path("national/<year:year>/", national_views.unit_national, name="national"),
    path("budget/", budget_views.budget_current, name="budget_current"),
    path("budget/<year:year>/", budget_views.budget_year, name="budget"),
    path("settings/retention/", retention_views.retention_settings, name="retention"),
    *report_urls.urlpatterns,
]
