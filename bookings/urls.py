from django.urls import path

from . import views

app_name = "calendar"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new/", views.booking_new, name="booking_new"),
    path("calendar/feed/", views.feed_settings, name="feed_settings"),
    path("calendar/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("calendar/<int:pk>/outcome/", views.booking_outcome, name="booking_outcome"),
    path("calendar/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("calendar/<int:pk>/log/", views.booking_log, name="booking_log"),
]
