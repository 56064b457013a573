from django.urls import include, path

from . import oidc_views, passkey_views, passwords, views

# The library's names (its template tags reverse "otp_webauthn:…"), this project's views.
passkey_patterns = ([
    path("registration/begin/", passkey_views.RegistrationBegin.as_view(), name="credential-registration-begin"),
    path("registration/complete/", passkey_views.RegistrationComplete.as_view(),
         name="credential-registration-complete"),
    path("authentication/begin/", passkey_views.AuthenticationBegin.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", passkey_views.AuthenticationComplete.as_view(),
         name="credential-authentication-complete"),
    path("jsi18n/", passkey_views.javascript_catalog, name="js-i18n-catalog"),
], "otp_webauthn")

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
    path("two-factor/passkey/", include(passkey_patterns)),
    path("two-factor/passkeys/<int:passkey_id>/remove/", views.passkey_remove, name="passkey_remove"),
    # `organisation`, not `org_slug`: these are public pages, outside the organisation's tenant guard.
    path("oidc/<slug:organisation>/login/", oidc_views.oidc_login, name="oidc_login"),
    path("oidc/<slug:organisation>/callback/", oidc_views.oidc_callback, name="oidc_callback"),
]
