from django.urls import path

from . import report_views as views

urlpatterns = [
    path("reports/", views.reports_current, name="reports_current"),
    path("reports/<period:period>/", views.reports, name="reports"),
    path("reports/<period:period>/build/", views.report_build_view, name="report_build"),
    path("reports/<period:period>/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<period:period>/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<period:period>/<int:pk>/submit/", views.report_submit_view, name="report_submit"),
    path("reports/<period:period>/<int:pk>/retry/", views.report_retry_view, name="report_retry"),
]
