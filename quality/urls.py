from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("quality/", views.home, name="home"),
    path("quality/survey/", views.survey, name="survey"),
    path("quality/survey/questions/", views.questions, name="questions"),
    path("quality/survey/questions/<int:pk>/retire/", views.question_retire, name="question_retire"),
    path("quality/survey/rounds/new/", views.round_new, name="round_new"),
    path("quality/survey/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("quality/survey/rounds/<int:pk>/state/", views.round_state, name="round_state"),
    path("quality/survey/rounds/<int:pk>/qr.svg", views.round_qr, name="round_qr"),
    path("quality/survey/results/", views.survey_results, name="survey_results"),
    path("quality/outreach/", views.outreach_list, name="outreach_list"),
    path("quality/outreach/new/", views.outreach_edit, name="outreach_new"),
    path("quality/outreach/<int:pk>/", views.outreach_edit, name="outreach_edit"),
    path("quality/outreach/<int:pk>/delete/", views.outreach_delete, name="outreach_delete"),
    path("quality/staff/", views.staff, name="staff"),
    path("quality/staff/<int:user_id>/qualifications/", views.qualifications_edit, name="qualifications_edit"),
    path("quality/training/", views.training_list, name="training_list"),
    path("quality/training/new/", views.training_edit, name="training_new"),
    path("quality/training/<int:pk>/", views.training_edit, name="training_edit"),
    path("quality/training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("quality/events/", views.events, name="events"),
    path("quality/events/new/", views.event_new, name="event_new"),
    path("quality/events/<int:pk>/", views.event_edit, name="event_edit"),
    path("quality/events/concern-report/", views.concern_report_new, name="concern_report_new"),
    path("quality/concept/", views.concept, name="concept"),
    path("quality/concept/staff/new/", views.linked_staff_edit, name="linked_staff_new"),
    path("quality/concept/drop-in/", views.drop_in_week_record, name="drop_in_week"),
    path("quality/concept/staff/<int:pk>/", views.linked_staff_edit, name="linked_staff_edit"),
]
