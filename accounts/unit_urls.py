from django.urls import path

from . import staff_views

app_name = "accounts_staff"

urlpatterns = [
    path("staff/", staff_views.staff_page, name="staff"),
    path("staff/<int:membership_id>/", staff_views.member_edit, name="member_edit"),
    path("staff/invitations/<int:invitation_id>/revoke/", staff_views.invitation_revoke, name="invitation_revoke"),
    path("staff/groups/", staff_views.group_create, name="group_create"),
    path("staff/groups/<int:group_id>/", staff_views.group_edit, name="group_edit"),
]
