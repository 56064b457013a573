"""Bookings as HTML cards for the calendar, the to-do list and the landing page.

A unit-wide week holds hundreds of cards, so they are written here from plain rows
(`selectors.CardRow`) rather than by a template include, `format_html` or model instances per
booking: everything that is the same on every card (the labels, the outcome buttons, the URL, the
CSRF token) is translated and escaped once per page, and a card escapes only its own free text
(room, case code, names). `html.escape` is what Django's `escape` calls, so the HTML is the same."""

from html import escape

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions.models import Location, SessionFormat, SessionStatus

from . import rules
from .selectors import CardRow

OUTCOME_BUTTONS = [
    (SessionStatus.HELD, gettext_lazy("Held")),
    (SessionStatus.CLIENT_CANCELLED, gettext_lazy("Återbud")),
    (SessionStatus.NO_SHOW, gettext_lazy("No-show")),
    (SessionStatus.UNIT_CANCELLED, gettext_lazy("Unit cancelled")),
]


def _outcome_form(base: str, csrf: str, next_url: str):
    """The one-click outcome form as a function of the card's id and its "which" text (for
    screen readers), everything else written once."""
    head = f'<form method="post" action="{base}'
    middle = (f'/outcome/" class="d-flex flex-wrap gap-1 mt-1 outcome-buttons">'
              f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
              f'<input type="hidden" name="next" value="{escape(next_url)}">')
    buttons = [f'<button type="submit" name="status" value="{escape(str(value))}" class="btn btn-sm '
               f'{"btn-success" if value == SessionStatus.HELD else "btn-outline-dark"}">{escape(str(label))}'
               f'<span class="visually-hidden">' for value, label in OUTCOME_BUTTONS]
    link = f'<a class="btn btn-sm btn-link" href="{base}'
    different_label = escape(_("Held, but different"))  # outside the f-string, where makemessages finds it
    different = f'/log/">{different_label}<span class="visually-hidden">'

    def form(pk: int, which: str) -> str:
        pressed = "".join(f"{button}{which}</span></button>" for button in buttons)
        return f"{head}{pk}{middle}{pressed}{link}{pk}{different}{which}</span></a></form>"

    return form


def booking_cards(bookings: list[CardRow], *, request, today, show_names: bool = False, with_date: bool = False,
                  compact: bool = False, opening: dict | None = None) -> SafeString:
    """One card per booking: when (a link to the booking), the outcome once logged, format, place
    and case code, the counsellors when several people's bookings are shown (`names` of the rows),
    and — for a booking of today or earlier without an outcome, unless `compact` — the one-click
    outcome buttons. With the unit's `opening` hours (by weekday), a booking outside them is
    marked (an evening visit)."""
    if not bookings:
        return mark_safe("")  # noqa: S308 - empty
    base = escape(reverse("calendar:calendar", kwargs={"unit_slug": request.unit.slug}))
    labels = {key: escape(str(label)) for key, label in [*SessionFormat.choices, *Location.choices]}
    badges = {key: f' <span class="badge {"text-bg-success" if key == SessionStatus.HELD else "text-bg-secondary"}">'
                   f'{escape(str(label))}</span>' for key, label in SessionStatus.choices}
    outside_label = escape(_("outside opening hours"))  # outside the f-string, where makemessages finds it
    outside = f' <span class="badge text-bg-info">{outside_label}</span>'
    csrf = get_token(request)  # read on every page with cards, as the form's {% csrf_token %} would
    outcome_form = None if compact else _outcome_form(base, csrf, request.get_full_path())
    cards = []
    for booking in bookings:
        pk, day, start = booking.pk, booking.date, booking.start_time
        when = f"{start:%H:%M}–{booking.end_time:%H:%M}"
        if with_date:
            when = f"{day.isoformat()} {when}"
        badge = "" if booking.session_status is None else badges[booking.session_status]
        if opening and rules.outside_hours(day.weekday(), start, booking.minutes, opening):
            badge += outside
        place = labels[booking.location] + (f", {escape(booking.room)}" if booking.room else "")
        details = " · ".join(filter(None, [labels[booking.format], place, escape(booking.case_code or "")]))
        names = ""
        if show_names:
            names = f'<div class="small text-body-secondary">{escape(", ".join(booking.names))}</div>'
        actions = ""
        if not compact and booking.session_status is None and day <= today:
            actions = outcome_form(pk, f" {day.isoformat()} {start:%H:%M}")
        cards.append(f'<div class="booking border rounded p-2 mb-2" id="booking-{pk}"><a class="fw-semibold" '
                     f'href="{base}{pk}/">{when}</a>{badge}<div class="small">{details}</div>{names}{actions}</div>')
    return mark_safe("".join(cards))  # noqa: S308 - every value from a row or a label is escaped above
