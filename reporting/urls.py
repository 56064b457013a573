from django.urls import path

from . import (
    converters,  # noqa: F401 - registers <period:…>
    report_urls,
    views,
)

app_name = "reporting"

urlpatterns = [
    path("stats/", views.stats_current, name="stats_current"),
    path("stats/<period:period>/", views.stats, name="stats"),
    *report_urls.urlpatterns,
]
