from django.urls import path

from . import views

app_name = "importing"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>.xlsx", views.template_xlsx, name="template"),
    path("import/<int:pk>/", views.job_page, name="job"),
    path("import/<int:pk>/status/", views.job_status, name="status"),
    path("import/<int:pk>/confirm/", views.job_confirm_view, name="confirm"),
]
