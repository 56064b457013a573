import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import translation
from django_scopes import scope, scopes_disabled

from .access import MEMBER_ROLES, organisation_for, unit_for
from .models import Role

SESSION_STARTED_KEY = "familjestod_started_at"


class SessionLifetimeMiddleware:
    """Absolute session lifetime (the idle limit is SESSION_COOKIE_AGE, renewed per request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user, every
    download, and the public survey form: what one person may read must not stay in a
    shared proxy or on a shared municipal computer's disk. Static files are served before
    this middleware runs and keep their long cache."""

    HEADER = "private, no-store"
    PUBLIC_NAMESPACES = ("survey",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Asked before and after: a log-out response still answers a logged-in request.
        authenticated = request.user.is_authenticated
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (authenticated or request.user.is_authenticated
                or response.get("Content-Disposition", "").startswith("attachment")
                or (match is not None and match.namespace in self.PUBLIC_NAMESPACES)):
            response["Cache-Control"] = self.HEADER
        return response


class TenantMiddleware:
    """Resolves `/<unit-slug>/…` and `/org/<org-slug>/…`, checks access, and runs the
    whole response — template rendering included — inside the unit's scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        unit_slug = match.kwargs.get("unit_slug")
        org_slug = match.kwargs.get("org_slug")
        if unit_slug is None and org_slug is None:
            if match.app_name == "admin" and request.user.is_authenticated and request.user.is_superuser:
                # Platform administrators manage every unit's settings in /admin/.
                with scopes_disabled():
                    return self._rendered(self.get_response(request))
            return self.get_response(request)

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        if org_slug is not None:
            request.organisation = organisation_for(request.user, org_slug)
            with self._language(request, request.organisation.language):
                return self._rendered(self.get_response(request), request)

        unit, role = unit_for(request.user, unit_slug)
        allowed = getattr(match.func, "unit_roles", MEMBER_ROLES)
        if role not in allowed:
            if role == Role.ADMINISTRATION or getattr(match.func, "unit_roles_hidden", False):
                raise Http404
            raise PermissionDenied
        request.unit = unit
        request.unit_role = role
        with self._language(request, unit.language), scope(unit=unit):
            return self._rendered(self.get_response(request), request)

    @staticmethod
    def _language(request, language):
        """The unit's (or organisation's) language for this response only."""
        request.LANGUAGE_CODE = language
        return translation.override(language)

    @staticmethod
    def _rendered(response, request=None):
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        if request is not None:
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
