from django.urls import path

from . import views

urlpatterns = [
    path("", views.unit_home, name="unit_home"),
    path("settings/", views.unit_settings, name="unit_settings"),
]
