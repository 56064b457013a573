"""The public survey form at the site root: no log-in, no unit slug. The token names the
unit and the survey round, never the person answering."""

from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("s/<str:token>/", views.survey_answer, name="answer"),
    path("s/<str:token>/thanks/", views.survey_thanks, name="thanks"),
]
