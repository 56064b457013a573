from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/months/", views.queue_by_month, name="queue_by_month"),
    path("queue/competences/", views.competences, name="competences"),
    path("queue/providers/", views.external_providers, name="external_providers"),
    path("queue/long-wait-notice/", views.long_wait_notice, name="long_wait_notice"),
    path("queue/long-wait-notice/send/", views.long_wait_notice_send, name="long_wait_notice_send"),
    path("queue/long-wait-notice.pdf", views.long_wait_notice_pdf, name="long_wait_notice_pdf"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/offer/", views.application_offer, name="application_offer"),
    path("applications/<int:pk>/assign/", views.application_assign, name="application_assign"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/hand-over/", views.application_hand_over, name="application_hand_over"),
    path("applications/<int:pk>/hand-over-external/", views.application_hand_over_external,
         name="application_hand_over_external"),
]
