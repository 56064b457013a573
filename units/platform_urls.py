from django.urls import path

from . import platform_views

app_name = "platform"
urlpatterns = [
    path("units/new/", platform_views.unit_new, name="unit_new"),
]
