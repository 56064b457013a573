"""Organisations, units (the tenants), who may open them, and funding agreements.

Unit, Organisation, Municipality, Membership and OrgAccess describe the tenants
themselves and are read across units by the log-in home page, so they are not scoped.
Everything a unit records about its work carries `unit` and a ScopedManager.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .labels import ChoiceLabels
from .pii import reject_identity_numbers
from .retention import validate_retention


class JobStatus(models.TextChoices):
    """A background job's state — a report build (reporting.ReportDocument), a big session export
    (sessions.SessionExport): the values their pages and status JSON share."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def job_stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """A job queued or building with no sign of life since before this moment is stuck (its
    worker died or the broker lost it): the sweeps hand it to the workers again."""
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.REPORT_BUILD_STALE_SECONDS)


class Country(models.TextChoices):
    SE = "SE", _("Sweden")
    DK = "DK", _("Denmark")


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


class Organisation(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="organisations"
    )
    suppression_minimum = models.PositiveSmallIntegerField(
        _("lowest small-count threshold of its units"), default=5, validators=[MinValueValidator(2)],
        help_text=_("No unit of the organisation may hide fewer small counts than this."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def language(self):
        """The administration reads its pages in the country's language."""
        return "da" if self.municipality.country == Country.DK else "sv"


# First path segments that belong to the platform, never to a unit.
RESERVED_SLUGS = {"admin", "accounts", "org", "platform", "static", "media", "s", "i18n", "api"}


def validate_unit_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved; choose another slug."))


class VisitFee(models.TextChoices):
    """How a session is marked for the visit fee (besöksavgift); sessions.models.Fee is this."""

    PAID = "paid", _("Paid")
    EXEMPT = "exempt", _("Exempt")
    NONE = "none", _("Not applicable")


SCORE_RANGE = [MinValueValidator(0), MaxValueValidator(40)]


class Unit(models.Model):
    class Kind(models.TextChoices):
        FAMILY_COUNSELLING = "familjeradgivning", _("Family counselling")
        FAMILY_TREATMENT = "familjebehandling", _("Family treatment team")
        FAMILY_UNIT = "familjeenhet", _("Family unit (social services)")
        OPEN_COUNSELLING = "familieradgivning", _("Open anonymous family counselling")

    class RecordMode(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous (no journal, no register)")
        CASE = "case", _("Case work (pseudonymous case codes)")

    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quarter")
        TERTIAL = "tertial", _("Tertial")
        HALF_YEAR = "half", _("Half-year")

    slug = models.SlugField(_("slug"), unique=True, validators=[validate_unit_slug])
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    language = models.CharField(_("language"), max_length=5, choices=[("sv", "svenska"), ("da", "dansk")])
    time_zone = models.CharField(_("time zone"), max_length=50, default="Europe/Stockholm")
    record_mode = models.CharField(_("record mode"), max_length=10, choices=RecordMode.choices)
    period_kind = models.CharField(_("reporting period"), max_length=10, choices=PeriodKind.choices)
    wait_limit_days = models.PositiveSmallIntegerField(
        _("waiting-time limit (calendar days)"), default=14,
        help_text=_("KFR takes two weeks as the limit of a reasonable wait."),
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        _("small-count threshold"), default=5,
        help_text=_("Counts from 1 to this value minus one are hidden in statistics that leave the unit."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("months to keep details of closed cases"), default=24
    )
    urgent_conversion_days = models.PositiveSmallIntegerField(
        _("days for an urgent assignment to become a regular one"), default=7
    )
    indicator_target_percent = models.DecimalField(
        _("target for the not-current-again indicator (%)"), max_digits=5, decimal_places=1, default=Decimal("84.0")
    )
    # 002_93c1598fd6f3fa34.txt: "Den genomsnittliga stödtiden per par motsvarar cirka 7 timmar, vilket
    # innebär 4-5 samtal per par" — the contract's figures the closed cases are compared with.
    contract_hours_per_case = models.DecimalField(
        _("contract: average hours per case"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Leave empty when the contract names no figure."))
    contract_sessions_min = models.PositiveSmallIntegerField(
        _("contract: sessions per case, from"), null=True, blank=True, validators=[MaxValueValidator(100)])
    contract_sessions_max = models.PositiveSmallIntegerField(
        _("contract: sessions per case, to"), null=True, blank=True, validators=[MaxValueValidator(100)])
    legal_reference = models.CharField(
        _("legal basis"), max_length=300, blank=True, validators=[reject_identity_numbers],
        help_text=_("Printed on the unit's reports, e.g. “Barnets lov §§ 28–29”."),
    )
    # ORS/SRS (DESIGN.md: "Keep thresholds as settings"): totals 0–40.
    ors_cutoff_adult = models.PositiveSmallIntegerField(_("ORS clinical cut-off, adults"), default=25,
                                                        validators=SCORE_RANGE)
    ors_cutoff_child = models.PositiveSmallIntegerField(_("ORS clinical cut-off, children"), default=32,
                                                        validators=SCORE_RANGE)
    reliable_change = models.PositiveSmallIntegerField(
        _("ORS reliable change (points)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(40)])
    srs_alliance_concern = models.PositiveSmallIntegerField(
        _("SRS alliance concern at or below"), default=36, validators=SCORE_RANGE)
    # Fee options of an anonymous unit's session form (a case unit bills no visit fees).
    visit_fee_asked = models.BooleanField(
        _("ask for the visit fee when a session is logged"), default=True,
        help_text=_("Turn off where visits are free, as in open anonymous counselling."))
    default_visit_fee = models.CharField(_("visit fee preselected"), max_length=10, choices=VisitFee.choices,
                                         default=VisitFee.NONE)
    # Which marks besides "not applicable" the session form offers (units.fees): "paid,exempt".
    visit_fee_choices = models.CharField(
        _("visit fee choices offered"), max_length=40, default="paid,exempt", blank=True,
        help_text=_("Besides “not applicable”. A free service offers none."))
    # The unit's own contact details: its reports may print them, so the free-text guard
    # lets exactly these through in an anonymous unit.
    address = models.CharField(_("address"), max_length=200, blank=True,
                               help_text=_("The unit's own visiting address, as its reports print it."))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    @property
    def is_anonymous(self):
        return self.record_mode == self.RecordMode.ANONYMOUS

    @property
    def outcome_thresholds(self) -> dict:
        """The ORS/SRS thresholds in the shape sessions.rules and the indicators take."""
        return {"ors_cutoff_adult": self.ors_cutoff_adult, "ors_cutoff_child": self.ors_cutoff_child,
                "reliable_change": self.reliable_change, "srs_alliance_concern": self.srs_alliance_concern}

    def clean(self):
        super().clean()
        errors = {}
        if self.organisation_id and self.suppression_threshold is not None:
            minimum = self.organisation.suppression_minimum
            if self.suppression_threshold < minimum:
                errors["suppression_threshold"] = _(
                    "The small-count threshold cannot be below %(minimum)s, the lowest %(organisation)s allows."
                ) % {"minimum": minimum, "organisation": self.organisation.name}
        if None not in (self.contract_sessions_min, self.contract_sessions_max) \
                and self.contract_sessions_min > self.contract_sessions_max:
            errors["contract_sessions_max"] = _("The upper number of sessions cannot be below the lower one.")
        try:
            validate_retention(self)  # README "Retention": not below what the unit's statistics need
        except ValidationError as error:
            errors |= error.message_dict
        from .fees import fee_setting_errors  # the rule reads this model

        errors |= fee_setting_errors(self)
        if errors:
            raise ValidationError(errors)


class OpeningHours(models.Model):
    """When the unit is open, and when it holds drop-in hours without appointment
    (004_4991f6e8c25cfe0a.txt: "6 timers åbningstid om ugen" of open anonymous counselling).
    One row per weekday and stretch; the calendar reads them."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Opening hours")
        DROP_IN = "drop_in", _("Drop-in hours")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["kind", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="opening_hours_end_after_start"),
        ]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    CHIEF = "chief", _("Unit chief")
    ADMINISTRATION = "administration", _("Administration")


class Membership(ChoiceLabels, models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=20, choices=[(Role.COUNSELLOR, Role.COUNSELLOR.label), (Role.CHIEF, Role.CHIEF.label)]
    )
    # A deactivated member can no longer open the unit; what they logged keeps their name.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="one_membership_per_unit")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.unit} ({self.role})"


class OrgAccess(models.Model):
    """An administration user: sees the reports of the units its organisation runs or funds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_accesses")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="accesses")
    # Manages the organisation's administration accounts at /org/<org>/people/.
    manages_people = models.BooleanField(_("manages administration accounts"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_access_per_org")]
        verbose_name = _("administration access")
        verbose_name_plural = _("administration accesses")

    def __str__(self):
        return f"{self.user} @ {self.organisation}"


class Agreement(models.Model):
    """A funder's agreement with a unit (Leanlink ↔ Linköping; Norrköping ↔ Finspång, Söderköping)."""

    class Kind(models.TextChoices):
        HOURLY = "hourly", _("Hourly rate")
        FIXED = "fixed", _("Fixed amount")
        NONE = "none", _("No payment (in-house)")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="agreements")
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("funding municipality"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NONE)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    hour_cap = models.DecimalField(_("yearly hour cap"), max_digits=8, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField(_("fixed amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True, validators=[reject_identity_numbers])

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return f"{self.unit} ↔ {self.municipality}"


class AuditEvent(models.Model):
    """Who did what, where, when. Never personal data: object type and id only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["unit", "at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}:{self.object_id}"


class StaffGroup(models.Model):
    """A working group the chief names (Östermalm: utredning, mottagning, familjerätt, …);
    the calendar and the session list filter by it."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="staff_groups")
    name = models.CharField(_("name"), max_length=80, validators=[reject_identity_numbers])
    members = models.ManyToManyField(Membership, verbose_name=_("members"), related_name="groups", blank=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="one_staff_group_name_per_unit")]
        verbose_name = _("staff group")
        verbose_name_plural = _("staff groups")

    def __str__(self):
        return self.name


class Invitation(ChoiceLabels, models.Model):
    """A one-time link to join a unit (as counsellor or chief) or an organisation's
    administration (as reader or people manager). Only a hash of the link's token is kept."""

    class Kind(models.TextChoices):
        READER = "reader", _("Administration reader")
        PEOPLE_MANAGER = "people_manager", _("Administration reader who manages accounts")

    email = models.EmailField(_("e-mail"), max_length=254)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    # A unit role (counsellor/chief) for a unit invitation, a Kind for an organisation one.
    role = models.CharField(_("role"), max_length=20)
    groups = models.ManyToManyField(StaffGroup, blank=True, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="accepted_invitations")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"])]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.unit or self.organisation} ({self.role})"

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    def get_role_display(self):
        labels = {**dict(Role.choices), **dict(self.Kind.choices)}
        return labels.get(self.role, self.role)
