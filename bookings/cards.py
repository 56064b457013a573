"""Bookings as HTML cards for the calendar, the to-do list and the landing page.

Built with format_html (every value escaped) rather than a template include per booking: a
unit-wide week holds hundreds of bookings and the template engine would spend most of the page's
time on them. The one-click outcome form is the same for every card; the CSRF token is read once."""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions.models import Location, SessionFormat, SessionStatus

from . import rules
from .models import Booking

OUTCOME_BUTTONS = [
    (SessionStatus.HELD, gettext_lazy("Held")),
    (SessionStatus.CLIENT_CANCELLED, gettext_lazy("Återbud")),
    (SessionStatus.NO_SHOW, gettext_lazy("No-show")),
    (SessionStatus.UNIT_CANCELLED, gettext_lazy("Unit cancelled")),
]


def booking_cards(bookings: list[Booking], *, request, today, show_names: bool = False, with_date: bool = False,
                  compact: bool = False, opening: dict | None = None) -> SafeString:
    """One card per booking: when (a link to the booking), the outcome once logged, format, place
    and case code, the counsellors when several people's bookings are shown, and — for a booking
    of today or earlier without an outcome, unless `compact` — the one-click outcome buttons. With
    the unit's `opening` hours (by weekday), a booking outside them is marked (an evening visit)."""
    if not bookings:
        return mark_safe("")  # noqa: S308 - empty
    base = reverse("calendar:calendar", kwargs={"unit_slug": request.unit.slug})
    labels = {key: str(label) for key, label in [*SessionFormat.choices, *Location.choices]}
    statuses = {key: str(label) for key, label in SessionStatus.choices}
    buttons = [(value, str(label)) for value, label in OUTCOME_BUTTONS]
    different = _("Held, but different")
    outside_label = _("outside opening hours")
    hidden = {"csrf": get_token(request), "next": request.get_full_path()}
    cards = []
    for booking in bookings:
        when = f"{booking.start_time:%H:%M}–{booking.end_time:%H:%M}"
        if with_date:
            when = f"{booking.date.isoformat()} {when}"
        badge = ""
        if booking.session is not None:
            badge = format_html(' <span class="badge {}">{}</span>', "text-bg-success" if booking.session.status
                                == SessionStatus.HELD else "text-bg-secondary", statuses[booking.session.status])
        if opening and rules.outside_hours(booking.date.weekday(), booking.start_time, booking.minutes, opening):
            badge += format_html(' <span class="badge text-bg-info">{}</span>', outside_label)
        place = labels[booking.location] + (f", {booking.room}" if booking.room else "")
        details = " · ".join(filter(None, [labels[booking.format], place, booking.case.code if booking.case else ""]))
        names = ""
        if show_names:
            names = format_html('<div class="small text-body-secondary">{}</div>', ", ".join(
                person.get_full_name() or person.get_username() for person in booking.counsellors.all()))
        actions = ""
        if not compact and booking.session is None and booking.date <= today:
            which = f" {booking.date.isoformat()} {booking.start_time:%H:%M}"
            actions = format_html(
                '<form method="post" action="{}{}/outcome/" class="d-flex flex-wrap gap-1 mt-1 outcome-buttons">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="next" value="{}">{}'
                '<a class="btn btn-sm btn-link" href="{}{}/log/">{}<span class="visually-hidden">{}</span></a></form>',
                base, booking.pk, hidden["csrf"], hidden["next"],
                format_html_join("", '<button type="submit" name="status" value="{}" class="btn btn-sm {}">{}'
                                     '<span class="visually-hidden">{}</span></button>',
                                 ((value, "btn-success" if value == SessionStatus.HELD else "btn-outline-dark", label,
                                   which) for value, label in buttons)),
                base, booking.pk, different, which)
        cards.append(format_html(
            '<div class="booking border rounded p-2 mb-2" id="booking-{}"><a class="fw-semibold" href="{}{}/">{}</a>{}'
            '<div class="small">{}</div>{}{}</div>',
            booking.pk, base, booking.pk, when, badge, details, names, actions))
    return mark_safe("".join(cards))  # noqa: S308 - every part went through format_html
