"""Applications (ansökningar) and the queue. Anonymous categories only: no name,
identity number, address or free text about a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sessions.models import Case
from units.models import Municipality, Unit
from units.pii import reject_identity_numbers


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")


class Outcome(models.TextChoices):
    STARTED = "started", _("Started")
    TRANSFERRED = "transferred", _("Handed over to another provider")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFERRED = "referred", _("Referred elsewhere")


class Application(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="application")
    received_on = models.DateField(_("received"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality of residence"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    exception_reason = models.CharField(
        _("reason for the exception"), max_length=200, blank=True, validators=[reject_identity_numbers]
    )
    acute = models.BooleanField(_("acute crisis"), default=False)
    offered_on = models.DateField(_("time offered"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counsellor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(
        _("practical note"), max_length=200, blank=True, validators=[reject_identity_numbers],
        help_text=_("For example 'can only come evenings'. Never a name or identity number."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["received_on"]
        indexes = [
            models.Index(fields=["unit", "received_on"], include=["municipality", "offered_on", "closed_on"],
                         name="application_unit_received"),
            models.Index(fields=["unit", "offered_on"], include=["received_on"], name="application_unit_offered"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self):
        return self.case.code if self.case_id else "—"
