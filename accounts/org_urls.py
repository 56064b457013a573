from django.urls import path

from . import staff_views

app_name = "accounts_people"

urlpatterns = [
    path("people/", staff_views.people_page, name="people"),
    path("people/<int:access_id>/", staff_views.person_edit, name="person_edit"),
    path("people/invitations/<int:invitation_id>/revoke/", staff_views.org_invitation_revoke,
         name="invitation_revoke"),
]
