from django.urls import path

from . import views

app_name = "counselling"

urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/new/cases/", views.session_case_search, name="session_case_search"),
    path("sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("sessions/exports/<int:pk>/", views.session_export, name="session_export"),
    path("sessions/exports/<int:pk>/status/", views.session_export_status, name="session_export_status"),
    path("sessions/exports/<int:pk>/download/", views.session_export_download, name="session_export_download"),
    path("sessions/<int:pk>/correct/", views.session_correct, name="session_correct"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/undo/", views.visit_undo, name="visit_undo"),
    path("visits/courses/", views.course_start, name="course_start"),
    path("visits/courses/<int:pk>/end/", views.course_end, name="course_end"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group_edit, name="group_edit"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/phases/", views.phase_add, name="phase_add"),
    path("cases/<int:pk>/phases/<int:phase_pk>/", views.phase_end, name="phase_end"),
    path("cases/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("cases/<int:pk>/goals/<int:goal_pk>/", views.goal_review, name="goal_review"),
    path("cases/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("cases/<int:pk>/scores/", views.score_add, name="score_add"),
    path("cases/<int:pk>/climate/", views.climate_add, name="climate_add"),
]
