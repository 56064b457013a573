"""Writes of the calendar: book (once or as a series), move, cancel, log the outcome.

The outcome of a booking is a Session logged through `sessions.services.session_log` — the
service behind the session form — so the same rules, the billing lock and the corrections apply.
Its idempotency key is derived from the booking, so double clicks, retries and a second
browser tab all log one session. A booking cancelled by the client becomes an återbud (a
client-cancelled session), by the unit a unit-cancelled one; a cancellation received ahead of
the booked day is dated the day it was received (a session cannot be logged in the future).
"""

import datetime
import hashlib
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Application
from intake.services import application_offer
from sessions import rules as session_rules
from sessions.models import Fee, Session, SessionStatus
from sessions.selectors import usual_session_values
from sessions.services import session_log
from units import fees
from units.models import AuditEvent, Membership, Unit
from units.services import audit_log

from . import rules
from .models import Booking, CalendarFeed

BOOKING_FIELDS = ("case", "date", "start_time", "minutes", "format", "participants", "location", "room")
# uuid5 namespace of the outcome keys: one key per booking, stable across requests.
OUTCOME_NAMESPACE = uuid.UUID("6f1c4c1e-2f55-4a8e-9a35-0c1b7d0c2a12")


class ConflictWarning(ValidationError):
    """The booking would double-book a counsellor or a room. Not saved; the person may book
    anyway once they have seen the list (`allow_conflicts`)."""

    def __init__(self, conflicts: list[dict]):
        self.conflicts = conflicts
        super().__init__(_("A counsellor or a room is already booked at this time."), code="conflict")


def outcome_key(booking: Booking) -> uuid.UUID:
    return uuid.uuid5(OUTCOME_NAMESPACE, f"booking:{booking.unit_id}:{booking.pk}")


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


# --- checks --------------------------------------------------------------------------------

def booking_conflicts(*, unit: Unit, dates: list[datetime.date], start_time: datetime.time, minutes: int,
                      counsellor_ids: set[int], room: str, exclude: tuple[int, ...] = ()) -> list[dict]:
    """Other bookings on these dates that overlap in time and share a counsellor or the room.
    Cancelled bookings free their time. Two queries, whatever the number of dates."""
    room_key = room.strip().casefold()
    candidates = (Booking.objects.filter(unit=unit, date__in=dates).exclude(pk__in=exclude)
                  .exclude(session__status__in=[SessionStatus.CLIENT_CANCELLED, SessionStatus.UNIT_CANCELLED])
                  .prefetch_related("counsellors").order_by("date", "start_time"))
    found = []
    for other in candidates:
        if not rules.overlaps(start_time, minutes, other.start_time, other.minutes):
            continue
        shared = [person for person in other.counsellors.all() if person.pk in counsellor_ids]
        for person in shared:
            found.append({"date": other.date, "start_time": other.start_time, "minutes": other.minutes,
                          "kind": "counsellor", "what": _person(person), "booking": other.pk})
        if room_key and other.room.strip().casefold() == room_key:
            found.append({"date": other.date, "start_time": other.start_time, "minutes": other.minutes,
                          "kind": "room", "what": other.room, "booking": other.pk})
    return found


def _check(*, unit: Unit, counsellors, dates: list[datetime.date], today: datetime.date, **values) -> Booking:
    """The unsaved first booking, or ValidationError with messages at the fields."""
    values = {field: values.get(field) for field in BOOKING_FIELDS if field in values}
    values["room"] = (values.get("room") or "").strip()
    if values.get("participants") is None:
        values["participants"] = session_rules.default_participants(values.get("format"))
    booking = Booking(unit=unit, **values)
    errors: dict[str, list] = {}
    try:
        booking.full_clean(exclude=["unit", "participants", "created_by", "session"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.error_dict)

    def add(field, message):
        errors.setdefault(field, []).append(ValidationError(message))

    if booking.minutes is not None and "minutes" not in errors:
        if not 1 <= booking.minutes <= session_rules.MAX_MINUTES:
            add("minutes", _("Give the length in minutes, from 1 to %(max)d.") % {"max": session_rules.MAX_MINUTES})
        elif booking.start_time and rules.ends_after_midnight(booking.start_time, booking.minutes):
            add("minutes", _("A booking ends on the day it starts."))
    if booking.format and "format" not in errors:
        problem = session_rules.participants_problem(booking.format, booking.participants)
        if problem:
            add("participants", problem)
    if dates and dates[0] < today:
        add("date", _("A booking is made ahead of time: %(date)s has passed. Log a past session in the "
                      "session form instead.") % {"date": dates[0].isoformat()})
    case = booking.case
    if case is not None and dates:
        if case.unit_id != unit.pk:
            add("case", _("Choose a case of this unit."))
        elif dates[0] < case.opened_on:
            add("case", _("The case was opened on %(date)s, after this booking.")
                % {"date": case.opened_on.isoformat()})
        elif case.closed_on and dates[-1] > case.closed_on:
            late = next(day for day in dates if day > case.closed_on)
            add("case", _("The case was closed on %(closed)s; the booking on %(date)s is after that.")
                % {"closed": case.closed_on.isoformat(), "date": late.isoformat()})
    counsellor_ids = {person.pk for person in counsellors}
    if not counsellor_ids:
        add("counsellors", _("Choose at least one counsellor."))
    elif set(Membership.objects.filter(unit=unit, user_id__in=counsellor_ids)
             .values_list("user_id", flat=True)) != counsellor_ids:
        add("counsellors", _("Choose counsellors of this unit."))
    if errors:
        raise ValidationError(errors)
    return booking


def _series_dates(first: datetime.date | None, every_weeks: int, until: datetime.date | None) -> list:
    if first is None:
        return []
    if every_weeks:
        if until is None:
            raise ValidationError({"until": _("Give the last date of the series.")})
        if until < first:
            raise ValidationError({"until": _("The series must end on or after its first date.")})
        if (until - first).days > rules.MAX_SERIES_DAYS:
            raise ValidationError({"until": _("A series runs at most a year ahead.")})
    dates = rules.occurrences(first, every_weeks=every_weeks, until=until)
    if len(dates) > rules.MAX_OCCURRENCES:
        raise ValidationError({"until": _("A series holds at most %(max)d bookings.") % {"max": rules.MAX_OCCURRENCES}})
    return dates


def _audit_many(*, user, unit: Unit, action: str, bookings: list[Booking]) -> None:
    """One audit row per booking, written in one statement."""
    actor = user if user is not None and user.is_authenticated else None
    AuditEvent.objects.bulk_create([
        AuditEvent(user=actor, unit=unit, action=action, object_type=Booking._meta.label_lower,
                   object_id=str(booking.pk)) for booking in bookings])


# --- writes --------------------------------------------------------------------------------

@transaction.atomic
def booking_create(*, unit: Unit, acting_user, counsellors, every_weeks: int = rules.ONCE,
                   until: datetime.date | None = None, allow_conflicts: bool = False,
                   application: Application | None = None, today: datetime.date | None = None,
                   **values) -> list[Booking]:
    """Book one session, or a weekly / fortnightly series up to `until`. With `application`
    (the queue's "offer a time"), a waiting application is marked offered today, so its
    waiting time ends at the offer, as when the offer is recorded by hand."""
    today = today or timezone.localdate()
    counsellors = list(counsellors)
    if application is not None:
        values["case"] = application.case
    dates = _series_dates(values.get("date"), every_weeks, until)
    first = _check(unit=unit, counsellors=counsellors, dates=dates, today=today, **values)
    if not allow_conflicts:
        conflicts = booking_conflicts(unit=unit, dates=dates, start_time=first.start_time, minutes=first.minutes,
                                      counsellor_ids={person.pk for person in counsellors}, room=first.room)
        if conflicts:
            raise ConflictWarning(conflicts)
    series = uuid.uuid4() if len(dates) > 1 else None
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    bookings = Booking.objects.bulk_create([
        Booking(unit=unit, series=series, created_by=actor,
                **{field: getattr(first, field) for field in BOOKING_FIELDS if field != "date"}, date=day)
        for day in dates])
    through = Booking.counsellors.through
    through.objects.bulk_create([through(booking_id=booking.pk, user_id=person.pk)
                                 for booking in bookings for person in counsellors])
    _audit_many(user=acting_user, unit=unit, action="booking.create", bookings=bookings)
    if application is not None and application.is_waiting:
        application_offer(application=application, offered_on=today, acting_user=acting_user)
    return bookings


def _require_no_outcome(booking: Booking) -> None:
    if booking.session_id is not None:
        raise ValidationError(_("The outcome of this booking is logged: change the session instead."),
                              code="has_outcome")


@transaction.atomic
def booking_move(*, booking: Booking, acting_user, date: datetime.date, start_time: datetime.time,
                 minutes: int | None = None, counsellors=None, room: str | None = None,
                 allow_conflicts: bool = False, today: datetime.date | None = None) -> Booking:
    """Move a booking to another day or time (and optionally change its length, counsellors
    or room) in one step; the same checks as when it was booked."""
    booking = Booking.objects.select_for_update().get(unit=booking.unit, pk=booking.pk)
    _require_no_outcome(booking)
    today = today or timezone.localdate()
    counsellors = list(booking.counsellors.all()) if counsellors is None else list(counsellors)
    values = {field: getattr(booking, field) for field in BOOKING_FIELDS}
    values.update(date=date, start_time=start_time)
    if minutes is not None:
        values["minutes"] = minutes
    if room is not None:
        values["room"] = room
    checked = _check(unit=booking.unit, counsellors=counsellors, dates=[date], today=today, **values)
    if not allow_conflicts:
        conflicts = booking_conflicts(unit=booking.unit, dates=[date], start_time=checked.start_time,
                                      minutes=checked.minutes, counsellor_ids={p.pk for p in counsellors},
                                      room=checked.room, exclude=(booking.pk,))
        if conflicts:
            raise ConflictWarning(conflicts)
    for field in BOOKING_FIELDS:
        setattr(booking, field, getattr(checked, field))
    booking.save()
    booking.counsellors.set(counsellors)
    audit_log(user=acting_user, unit=booking.unit, action="booking.move", obj=booking)
    return booking


def outcome_values(booking: Booking, *, user) -> dict:
    """What the session form would hold for this booking: the booking's values and, as the
    form starts, the counsellor's usual visit fee (anonymous units only have the fee field)."""
    values = {field: getattr(booking, field) for field in BOOKING_FIELDS if field != "room"}
    usual = usual_session_values(unit=booking.unit, user=user) if booking.unit.is_anonymous else {}
    values["fee"] = fees.fee_or_default(booking.unit, usual.get("fee") or Fee.NONE)
    return values


@transaction.atomic
def booking_outcome(*, booking: Booking, acting_user, status: str, counsellors=None, **values) -> Session:
    """Log what became of a booking: held, återbud (client cancelled), no-show or cancelled by
    the unit — one session through the session service. `values` override the booking's
    (the prefilled session form: "held, but different"). Once logged, the same session is
    returned: a double click or a retry logs nothing more."""
    booking = Booking.objects.select_for_update().get(unit=booking.unit, pk=booking.pk)
    if booking.session_id is not None:
        return booking.session
    if status not in SessionStatus.values:
        raise ValidationError({"status": _("Choose what became of the booking.")})
    if counsellors is None:
        counsellors = list(booking.counsellors.all())
    session = session_log(unit=booking.unit, acting_user=acting_user, counsellors=counsellors,
                          idempotency_key=outcome_key(booking),
                          **{**outcome_values(booking, user=acting_user), "status": status, **values})
    booking.session = session
    booking.save(update_fields=["session"])
    audit_log(user=acting_user, unit=booking.unit, action="booking.outcome", obj=booking)
    return session


CANCELLED_BY = {"client": SessionStatus.CLIENT_CANCELLED, "unit": SessionStatus.UNIT_CANCELLED}


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user, by: str, today: datetime.date | None = None) -> Session | None:
    """Cancelled by the client (an återbud) or by the unit: logged as that session, dated the
    booked day or, for a cancellation received ahead, today. `by="error"` removes a booking
    made by mistake, which leaves no trace in the statistics."""
    today = today or timezone.localdate()
    if by == "error":
        booking = Booking.objects.select_for_update().filter(unit=booking.unit, pk=booking.pk).first()
        if booking is None:
            return None  # a second click: already removed
        _require_no_outcome(booking)
        audit_log(user=acting_user, unit=booking.unit, action="booking.remove", obj=booking)
        booking.delete()
        return None
    if by not in CANCELLED_BY:
        raise ValidationError({"by": _("Choose who cancelled.")})
    return booking_outcome(booking=booking, acting_user=acting_user, status=CANCELLED_BY[by],
                           date=min(booking.date, today))


# --- the private feed ------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_regenerate(*, unit: Unit, user, acting_user) -> str:
    """A new private feed token for the counsellor; the old URL stops working at once.
    Returns the token: it is shown once and only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(unit=unit, user=user, defaults={"token_hash": token_hash(token)})
    audit_log(user=acting_user, unit=unit, action="calendar_feed.regenerate",
              object_type="auth.user", object_id=str(user.pk))
    return token


@transaction.atomic
def feed_revoke(*, unit: Unit, user, acting_user) -> None:
    CalendarFeed.objects.filter(unit=unit, user=user).delete()
    audit_log(user=acting_user, unit=unit, action="calendar_feed.revoke", object_type="auth.user",
              object_id=str(user.pk))
