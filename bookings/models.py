"""The calendar: sessions booked ahead, and each counsellor's private iCalendar feed.

A booking holds what the session will be (date, start, length, format, participants,
counsellors, place, optional case). Its outcome is a Session logged through the session
service (`session_log`), linked here; until then the booking is only a plan and counts in no
statistics. Times are wall-clock times in the unit's time zone, so a weekly 17:00 stays 17:00
across a change to or from summer time."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sessions.models import Case, Location, Session, SessionFormat
from units.labels import ChoiceLabels
from units.models import Unit
from units.pii import guard_fields, reject_identity_numbers


class Booking(ChoiceLabels, models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    # A booking is a plan: when its case or its logged session goes (retention purges closed
    # cases), the booking goes with it.
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    format = models.CharField(_("format"), max_length=12, choices=SessionFormat.choices)
    participants = models.PositiveSmallIntegerField(_("participants"), default=1)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices, default=Location.OFFICE)
    room = models.CharField(
        _("room"), max_length=60, blank=True, validators=[reject_identity_numbers],
        help_text=_("A room of the unit, such as 'Room 3'. Never a person's address."),
    )
    counsellors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("counsellors"),
                                         related_name="+")
    # The bookings of one weekly or fortnightly series share this id.
    series = models.UUIDField(null=True, blank=True, editable=False)
    session = models.OneToOneField(Session, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="booking", verbose_name=_("logged session"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="booking_minutes_positive"),
            models.CheckConstraint(condition=models.Q(participants__gt=0), name="booking_participants_positive"),
        ]
        indexes = [
            models.Index(fields=["unit", "date", "start_time"], name="booking_unit_date"),
            # Past bookings still waiting for their outcome: a small part of the table.
            models.Index(fields=["unit", "date"], name="booking_awaiting_outcome",
                         condition=models.Q(session__isnull=True)),
            models.Index(fields=["unit", "series"], name="booking_unit_series",
                         condition=models.Q(series__isnull=False)),
        ]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self):
        return f"{self.date} {self.start_time:%H:%M} {self.get_format_display()}"

    def clean(self):
        guard_fields(self, ("room",))

    @property
    def has_outcome(self) -> bool:
        return self.session_id is not None

    @property
    def end_time(self) -> datetime.time:
        begins = datetime.datetime.combine(datetime.date.min, self.start_time)
        return (begins + datetime.timedelta(minutes=self.minutes)).time()


class CalendarFeed(models.Model):
    """One counsellor's private feed URL. Only a hash of the token is kept: the URL is shown
    once, when it is made; making a new one (or revoking) kills the old one."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="one_feed_per_counsellor_and_unit")]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user} @ {self.unit}"
