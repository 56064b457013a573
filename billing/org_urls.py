from django.urls import path

from . import views

app_name = "billing_org"
urlpatterns = [
    path("billing/", views.org_statements, name="statements"),
]
