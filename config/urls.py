"""URL contract (DESIGN.md §5): unit pages under `/<unit-slug>/`, organisation pages
under `/org/<org-slug>/`. The tenant middleware guards both prefixes."""

import importlib.util

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from units import errors as unit_errors
from units import views as unit_views

# Apps that add pages under a unit or an organisation; an app that has none yet is skipped.
UNIT_URLCONFS = ["units.urls", "intake.urls", "sessions.urls", "billing.urls", "reporting.urls", "quality.urls",
                 "bookings.urls", "importing.urls", "accounts.unit_urls"]
ORG_URLCONFS = ["reporting.org_urls", "billing.org_urls", "accounts.org_urls"]
PUBLIC_URLCONFS = ["quality.public_urls", "bookings.public_urls"]


def _existing(modules):
    return [module for module in modules if importlib.util.find_spec(module) is not None]


unit_patterns = [path("", include(module)) for module in _existing(UNIT_URLCONFS)]
org_patterns = [path("", unit_views.org_home, name="org_home")] + [
    path("", include(module)) for module in _existing(ORG_URLCONFS)
]

handler500 = "units.errors.server_error"

urlpatterns = [
    path("healthz", unit_errors.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("", unit_views.home, name="home"),
    path("platform/", include("units.platform_urls")),
    *[path("", include(module)) for module in _existing(PUBLIC_URLCONFS)],
    path("org/<slug:org_slug>/", include(org_patterns)),
    path("<slug:unit_slug>/", include(unit_patterns)),
]
