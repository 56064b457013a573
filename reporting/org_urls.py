from django.urls import path

from . import org_report_views

urlpatterns = [
    path("reports/<str:year>/", org_report_views.org_reports, name="org_reports"),
]
