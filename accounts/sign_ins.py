"""Active sessions: what a person sees at /accounts/sessions/ and may end."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from units.services import audit_log

from .models import SignIn

SESSION_METHOD_KEY = "familjestod_sign_in_method"


def sign_in_record(*, request, user):
    if not request.session.session_key:
        request.session.save()
    method = request.session.get(SESSION_METHOD_KEY, "password")
    SignIn.objects.update_or_create(session_key=request.session.session_key, defaults={
        "user": user, "user_agent": request.headers.get("User-Agent", "")[:200], "method": method})


def sign_in_forget(*, request, user):
    key = request.session.session_key
    if key:
        SignIn.objects.filter(user=user, session_key=key).delete()


def active_sign_ins(user) -> list[SignIn]:
    """The person's sign-ins whose session is still alive; rows of ended sessions go."""
    rows = list(SignIn.objects.filter(user=user))
    alive = set(Session.objects.filter(session_key__in=[row.session_key for row in rows],
                                       expire_date__gt=timezone.now()).values_list("session_key", flat=True))
    gone = [row.pk for row in rows if row.session_key not in alive]
    if gone:
        SignIn.objects.filter(pk__in=gone).delete()
    return [row for row in rows if row.session_key in alive]


@transaction.atomic
def sign_in_end(*, user, sign_in_id: int) -> bool:
    """End one of the person's own sessions (another person's id ends nothing)."""
    row = SignIn.objects.filter(user=user, pk=sign_in_id).first()
    if row is None:
        return False
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    audit_log(user=user, unit=None, action="sign_in.end", obj=row)
    return True
