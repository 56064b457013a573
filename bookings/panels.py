"""The landing page: today's bookings with the one-click outcome buttons."""

from django.utils import timezone
from django.utils.translation import gettext as _

from units.access import MEMBER_ROLES
from units.models import Role

from . import selectors
from .cards import booking_cards


def panels(request) -> list[dict]:
    if request.unit_role not in MEMBER_ROLES:
        return []
    today = timezone.localdate()
    # The chief sees the whole unit's day; a counsellor their own.
    counsellor = None if request.unit_role == Role.CHIEF else request.user
    show_names = counsellor is None
    bookings = selectors.card_rows(selectors.bookings_between(request.unit, start=today, end=today,
                                                              counsellor=counsellor), names=show_names)
    return [{"title": _("Today's bookings"), "template": "bookings/panels/today.html", "bookings": bookings,
             "cards": booking_cards(bookings, request=request, today=today, show_names=show_names)}]
