"""Thin views of the calendar: fetch through the access helper, validate, call a service."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from intake.models import Application
from sessions.forms import SessionForm, add_service_errors
from sessions.models import Case, SessionStatus
from units.access import MEMBER_ROLES, access_object, unit_roles
from units.models import Membership, Role, StaffGroup, Unit
from units.selectors import GROUP_PREFIX, group_choice

from . import feeds, rules, selectors, services
from .cards import booking_cards
from .forms import BookingForm, MoveForm
from .models import Booking, CalendarFeed


def _url(name, unit, **kwargs):
    return reverse(f"calendar:{name}", kwargs={"unit_slug": unit.slug, **kwargs})


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _is_chief(request) -> bool:
    return request.unit_role == Role.CHIEF


def _parse_day(request, today):
    raw = request.GET.get("date", "")
    if not raw:
        return today
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("The date %(value)s is not a date like 2025-03-31; today is shown instead.")
                       % {"value": raw[:20]})
        return today


def _chosen_counsellor(request, people):
    """Whose calendar: the signed-in person's by default; the chief may choose anyone's,
    `all` (the unit) or one of the unit's staff groups (`group:<id>`, as in the session list).
    Another counsellor's, asked for by a counsellor, or another unit's group is a 404.
    Returns (person or None, group or None)."""
    raw = request.GET.get("counsellor", "")
    if not raw or raw == str(request.user.pk):
        return request.user, None
    if not _is_chief(request):
        raise Http404
    if raw == "all":
        return None, None
    group_id = group_choice(raw)
    if group_id is not None:
        return None, get_object_or_404(StaffGroup.objects.filter(unit=request.unit), pk=group_id)
    chosen = next((person for person in people if str(person.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen, None


@unit_roles(*MEMBER_ROLES)
def calendar(request, unit_slug):
    unit = request.unit
    today = timezone.localdate()
    day = _parse_day(request, today)
    view = "week" if request.GET.get("view") == "week" else "day"
    people = selectors.calendar_people(unit)
    counsellor, group = _chosen_counsellor(request, people)
    chosen = {"counsellor": counsellor, "group": group}
    if view == "week":
        start = rules.week_start(day)
        days = [start + datetime.timedelta(days=offset) for offset in range(7)]
    else:
        start, days = day, [day]
    show_names = counsellor is None
    bookings = selectors.card_rows(selectors.bookings_between(unit, start=days[0], end=days[-1], **chosen),
                                   names=show_names)
    by_day = {each: [] for each in days}
    for booking in bookings:
        by_day[booking.date].append(booking)
    awaiting, awaiting_total = selectors.awaiting_outcome(unit, today=today, names=show_names, **chosen)
    step = datetime.timedelta(days=7 if view == "week" else 1)
    hours = selectors.reachability(unit)
    grid = [(each, booking_cards(by_day[each], request=request, today=today, show_names=show_names,
                                 compact=view == "week", opening=hours["opening"]),
             _stretches(hours["opening"].get(each.weekday())), _stretches(hours["drop_in"].get(each.weekday())))
            for each in days]
    return render(request, "bookings/calendar.html", {
        "view": view, "day": day, "today": today, "days": grid,
        "previous": start - step, "next": start + step, "counsellor": counsellor, "people": people,
        "group": group, "groups": selectors.calendar_groups(unit) if _is_chief(request) else [],
        "counsellor_param": f"{GROUP_PREFIX}{group.pk}" if group else "all" if counsellor is None else counsellor.pk,
        "awaiting": booking_cards(awaiting, request=request, today=today, show_names=show_names, with_date=True),
        "awaiting_bookings": awaiting, "awaiting_shown": len(awaiting), "awaiting_total": awaiting_total,
        "is_chief": _is_chief(request), "hours_set": bool(hours["opening"] or hours["drop_in"]),
    })


def _stretches(stretches) -> str:
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in stretches or [])


def _new_booking_source(request, unit):
    """`?application=` (offer a time from the queue) or `?case=` (from a case)."""
    application, case = None, None
    if request.GET.get("application", "").isdigit():
        application = access_object(unit, Application, request.GET["application"])
        case = application.case
    elif request.GET.get("case", "").isdigit():
        case = access_object(unit, Case, request.GET["case"])
    return application, case


def _show_conflicts(form, error: services.ConflictWarning):
    form.add_error(None, error.messages)
    form.conflicts = error.conflicts
    # The second submit books anyway: the person has seen the list.
    data = form.data.copy()
    data["allow_conflicts"] = "True"
    form.data = data


@unit_roles(*MEMBER_ROLES)
def booking_new(request, unit_slug):
    unit = request.unit
    application, case = _new_booking_source(request, unit)
    initial = {}
    if case is not None:
        initial["case"] = case.pk
    if request.GET.get("date"):
        try:
            initial["date"] = datetime.date.fromisoformat(request.GET["date"])
        except ValueError:
            pass
    form = BookingForm(request.POST or None, unit=unit, user=request.user, initial=initial,
                       fixed_case=case if application is not None else None)
    form.conflicts = []
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            bookings = services.booking_create(unit=unit, acting_user=request.user, application=application,
                                               **values)
        except services.ConflictWarning as error:
            _show_conflicts(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if len(bookings) > 1:
                messages.success(request, _("%(count)d bookings are made, from %(first)s to %(last)s.") % {
                    "count": len(bookings), "first": bookings[0].date.isoformat(),
                    "last": bookings[-1].date.isoformat()})
            else:
                messages.success(request, _("The booking is made."))
            if application is not None:
                return redirect(reverse("intake:queue", kwargs={"unit_slug": unit.slug}))
            return redirect(f"{_url('calendar', unit)}?date={bookings[0].date.isoformat()}")
    return render(request, "bookings/booking_form.html", {
        "form": form, "application": application, "case": case,
        "title": _("Offer a time") if application is not None else _("Book a session"),
    })


@unit_roles(*MEMBER_ROLES)
def booking_detail(request, unit_slug, pk):
    unit = request.unit
    booking = access_object(unit, Booking, pk)
    form = MoveForm(request.POST or None, unit=unit, initial={
        "date": booking.date, "start_time": booking.start_time, "minutes": booking.minutes, "room": booking.room})
    form.conflicts = []
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_move(booking=booking, acting_user=request.user, **form.cleaned_data)
        except services.ConflictWarning as error:
            _show_conflicts(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The booking is moved."))
            return redirect(f"{_url('calendar', unit)}?date={form.cleaned_data['date'].isoformat()}")
    return render(request, "bookings/booking_detail.html", {
        "booking": booking, "form": form, "today": timezone.localdate(),
        "card": booking_cards([selectors.card_row(booking)], request=request, today=timezone.localdate()),
        "counsellors": list(booking.counsellors.all()),
    })


def _refused(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


@require_POST
@unit_roles(*MEMBER_ROLES)
def booking_outcome(request, unit_slug, pk):
    unit = request.unit
    booking = access_object(unit, Booking, pk)
    try:
        session = services.booking_outcome(booking=booking, acting_user=request.user,
                                           status=request.POST.get("status", ""))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Logged: %(outcome)s, %(date)s.") % {
            "outcome": session.get_status_display(), "date": session.date.isoformat()})
    return redirect(_back(request, f"{_url('calendar', unit)}?date={booking.date.isoformat()}"))


@require_POST
@unit_roles(*MEMBER_ROLES)
def booking_cancel(request, unit_slug, pk):
    unit = request.unit
    booking = Booking.objects.filter(unit=unit, pk=pk).first()
    if booking is None:
        if request.POST.get("by") == "error":
            return redirect(_url("calendar", unit))  # a second click on "remove"
        raise Http404
    try:
        services.booking_cancel(booking=booking, acting_user=request.user, by=request.POST.get("by", ""))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect(_back(request, f"{_url('calendar', unit)}?date={booking.date.isoformat()}"))


@unit_roles(*MEMBER_ROLES)
def booking_log(request, unit_slug, pk):
    """"Held, but different": the session form, prefilled from the booking."""
    unit = request.unit
    booking = access_object(unit, Booking, pk)
    if booking.session_id is not None:
        return redirect(reverse("counselling:session_edit", kwargs={"unit_slug": unit.slug,
                                                                    "pk": booking.session_id}))
    initial = {**services.outcome_values(booking, user=request.user), "status": SessionStatus.HELD,
               "case": booking.case_id, "counsellors": [person.pk for person in booking.counsellors.all()],
               "idempotency_key": services.outcome_key(booking)}
    form = SessionForm(request.POST or None, unit=unit, user=request.user, initial=initial,
                       case_query=request.GET.get("case_q", ""))
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            session = services.booking_outcome(booking=booking, acting_user=request.user, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session is saved."))
            return redirect(f"{reverse('counselling:session_list', kwargs={'unit_slug': unit.slug})}"
                            f"#session-{session.pk}")
    return render(request, "bookings/booking_log.html", {"form": form, "booking": booking,
                                                          "title": _("Log the booked session")})


# --- the private feed ------------------------------------------------------------------------

@unit_roles(*MEMBER_ROLES)
def feed_settings(request, unit_slug):
    unit = request.unit
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(unit=unit, user=request.user, acting_user=request.user)
            messages.success(request, _("The feed is switched off. Its address no longer works."))
            return redirect(_url("feed_settings", unit))
        token = services.feed_regenerate(unit=unit, user=request.user, acting_user=request.user)
        new_url = request.build_absolute_uri(reverse("calendar_feed:feed",
                                                     kwargs={"feed_unit": unit.slug, "token": token}))
    return render(request, "bookings/feed_settings.html", {
        "feed": selectors.feed_of(unit, request.user), "new_url": new_url})


def feed(request, feed_unit, token):
    """The counsellor's bookings as iCalendar, without log-in: the token is the key. An
    unknown or revoked token, or one of a person no longer in the unit, is a 404."""
    unit = get_object_or_404(Unit, slug=feed_unit)
    with scope(unit=unit):
        found = (CalendarFeed.objects.filter(unit=unit, token_hash=services.token_hash(token))
                 .select_related("user").first())
        if found is None or not Membership.objects.filter(unit=unit, user=found.user).exists():
            raise Http404
        with translation.override(unit.language):
            first, last = selectors.feed_window()
            body = feeds.calendar_ics(unit=unit, bookings=selectors.feed_bookings(unit, found.user),
                                      first=first, last=last)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{unit.slug}.ics"'
    return response
