"""Pages for when things go wrong, and the health check for the proxy and monitoring.

A database outage (a restart, a failover, a dropped connection) answers 503 with a "try again"
page and Retry-After, not 500: nothing is wrong with the request and it will work again in
seconds (CONN_HEALTH_CHECKS replaces the broken connection on the next request). Both pages are
rendered without the request context, so they never touch the database themselves."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    """A lost or refused connection — not a bad query (ProgrammingError, IntegrityError, DataError).
    Each exception of the chain once: a library's `raise exc from exc` makes it a loop."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _page(template: str, fallback: str) -> str:
    try:
        return loader.get_template(template).render({})
    except Exception:  # the error page must not fail in turn (a missing static manifest, …)
        logger.exception("error page %s could not be rendered", template)
        return fallback


def database_outage_response() -> HttpResponse:
    response = HttpResponse(_page("503.html", "Service unavailable: try again in a moment."), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, *args, **kwargs):
    """handler500: Django calls it inside the `except` of the failed request."""
    if is_database_outage(sys.exc_info()[1]):
        return database_outage_response()
    return HttpResponseServerError(_page("500.html", "Server error."))


def _database_reachable() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.warning("healthz: database unreachable", exc_info=True)
        connection.close_if_unusable_or_obsolete()
        return False


def _broker_reachable() -> bool | None:
    """None when no broker is configured (tasks run in-process)."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        return None
    from config.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:  # kombu and the transport raise their own errors
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    """`/healthz`: `{"database": "ok", "broker": "ok"}` and 200, or 503 naming what is down.
    No data, no login, no session: the proxy and the monitoring call it every few seconds."""
    checks = {"database": _database_reachable(), "broker": _broker_reachable()}
    body = {name: {True: "ok", False: "unreachable", None: "not configured"}[value] for name, value in checks.items()}
    healthy = all(value is not False for value in checks.values())
    return JsonResponse(body, status=200 if healthy else 503)
