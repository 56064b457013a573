"""The private calendar feed: no log-in, the token is the key. Its first segment is the unit's
slug under another name, so the tenant middleware (which asks for a signed-in member) leaves it
to the view, which looks the token up inside that unit's scope only."""

from django.urls import path

from . import views

app_name = "calendar_feed"

urlpatterns = [
    path("<slug:feed_unit>/calendar/feed/<str:token>.ics", views.feed, name="feed"),
]
