from django.urls import path

from . import (
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
    path("settings/retention/", retention_views.retention_settings, name="retention"),
    *report_urls.urlpatterns,
]
