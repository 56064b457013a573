from django.urls import path

from . import oidc_views, passwords, views

urlpatterns = [
    path("", views.account, name="account"),
    path("sessions/<int:sign_in_id>/end/", views.sign_in_end, name="sign_in_end"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("password_change/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", passwords.password_change_done, name="password_change_done"),
    path("password_reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", passwords.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", passwords.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", passwords.password_reset_complete, name="password_reset_complete"),
    path("two-factor/", views.two_factor_page, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    # `organisation`, not `org_slug`: these are public pages, outside the organisation's tenant guard.
    path("oidc/<slug:organisation>/login/", oidc_views.oidc_login, name="oidc_login"),
    path("oidc/<slug:organisation>/callback/", oidc_views.oidc_callback, name="oidc_callback"),
]
