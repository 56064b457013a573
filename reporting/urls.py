from django.urls import path

from . import (
    converters,  # noqa: F401 - registers <period:…>
    national_views,
    report_urls,
    views,
)

app_name = "reporting"

urlpatterns = [
    path("stats/", views.stats_current, name="stats_current"),
    path("stats/<period:period>/", views.stats, name="stats"),
    path("national/<int:year>/", national_views.unit_national, name="national"),
    *report_urls.urlpatterns,
]
