"""What counsellors log: cases (pseudonymous codes only), sessions and anonymous tallies."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from units.models import Unit
from units.pii import reject_identity_numbers


class Case(models.Model):
    """A course of contact under a local code such as `P-2025-0142` — never a name or
    identity number. In case-mode units it is an assignment (uppdrag) from a case officer."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("case code"), max_length=20)
    opened_on = models.DateField(_("opened"))
    started_on = models.DateField(_("first held session"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # Case-mode units (Familjeteam 7-15, Östermalm).
    assigned_on = models.DateField(_("assignment date"), null=True, blank=True)
    officer_office = models.CharField(
        _("case officer's office"), max_length=100, blank=True, validators=[reject_identity_numbers],
        help_text=_("A role or office name, never the officer's or the family's personal data."),
    )
    urgent = models.BooleanField(_("urgent assignment (skyndsam)"), default=False)
    regular_from = models.DateField(_("became a regular assignment"), null=True, blank=True)
    closing_meeting_on = models.DateField(_("closing meeting"), null=True, blank=True)
    rereferred_on = models.DateField(_("current again (re-referral)"), null=True, blank=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-opened_on", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="case_code_unique_per_unit")]
        indexes = [
            models.Index(fields=["unit", "started_on"]),
            models.Index(fields=["unit", "closed_on"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return self.code


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COUPLE = "couple", _("Couple")
    FAMILY = "family", _("Family")
    GROUP = "group", _("Group")


class SessionStatus(models.TextChoices):
    HELD = "held", _("Held")
    CLIENT_CANCELLED = "client_cancelled", _("Client cancelled (återbud)")
    NO_SHOW = "no_show", _("No-show")
    UNIT_CANCELLED = "unit_cancelled", _("Cancelled by the unit")


class Location(models.TextChoices):
    OFFICE = "office", _("Office")
    HOME = "home", _("Home")
    FLAT = "flat", _("Unit flat (verksamhetslägenhet)")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Other")


class Fee(models.TextChoices):
    PAID = "paid", _("Paid")
    EXEMPT = "exempt", _("Exempt")
    NONE = "none", _("Not applicable")


class Session(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    format = models.CharField(_("format"), max_length=12, choices=SessionFormat.choices)
    participants = models.PositiveSmallIntegerField(_("participants"), default=1)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices, default=Location.OFFICE)
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.HELD)
    fee = models.CharField(_("visit fee"), max_length=10, choices=Fee.choices, default=Fee.NONE)
    counsellors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
        help_text=_("A correction line for a session in a closed billing month."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "idempotency_key"], name="session_idempotency_key_once"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="session_minutes_positive"),
            models.CheckConstraint(condition=models.Q(participants__gt=0), name="session_participants_positive"),
        ]
        indexes = [
            # Covering index: period statistics aggregate from the index alone.
            models.Index(
                fields=["unit", "date"], include=["status", "minutes", "format", "case"], name="session_unit_date_cov"
            ),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.date} {self.get_format_display()} ({self.minutes} min)"


class Visit(models.Model):
    """One anonymous inquiry in the tally: walk-in, phone, e-mail, home visit. Nothing identifying."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        HOME = "home", _("Home visit")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "idempotency_key"], name="visit_idempotency_key_once"),
        ]
        indexes = [models.Index(fields=["unit", "date"])]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self):
        return f"{self.date} {self.get_channel_display()}"
