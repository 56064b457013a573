"""Report documents: every build is a new numbered version; a submitted version is immutable."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from units.models import JobStatus, Unit, job_stale_before
from units.pii import reject_identity_numbers

# A few printed pages per section; a TextField's max_length alone binds only the form.
NARRATIVE_MAX_LENGTH = 10_000


def _narrative_field(label):
    return models.TextField(label, blank=True, max_length=NARRATIVE_MAX_LENGTH,
                            validators=[reject_identity_numbers, MaxLengthValidator(NARRATIVE_MAX_LENGTH)])


class ReportNarrative(models.Model):
    """What the chief writes for the yearly report; every figure comes from the indicators."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    summary = _narrative_field(_("summary"))
    quality_work = _narrative_field(_("quality work"))
    goals = _narrative_field(_("goals and how they were met"))
    development = _narrative_field(_("development ahead"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_narrative_per_unit_year")]
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")

    def __str__(self):
        return f"{self.unit} {self.year}"


class ReportDocument(models.Model):
    Status = JobStatus

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10, help_text=_("2025 for the yearly report, 2025-Q1 etc."))
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True)
    figures = models.JSONField(_("figures used"), default=dict, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The build's last sign of life: requested, queued again, a step reached. A queued or running
    # version untouched for REPORT_BUILD_STALE_SECONDS is stuck (reporting.services.requeue_stale).
    touched_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "version"], name="report_version_once"),
        ]
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")

    def __str__(self):
        return f"{self.unit} {self.period} v{self.version}"

    @property
    def is_stale(self) -> bool:
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        since = self.touched_at or self.requested_at
        return since is not None and since < job_stale_before()

    @property
    def is_annual(self):
        return "-" not in self.period


class FrozenFigures(models.Model):
    """The figures of an ended period as they were just before a retention purge removed
    details they were counted from (README "Retention"). `period_figures` and the national
    figures read these instead of counting again, so a purge never moves a published figure.

    `figures` is JSON text, not a JSONField: PostgreSQL's jsonb reorders keys, and the order of
    a breakdown (municipalities, "other" last) is part of what the pages show."""

    class Kind(models.TextChoices):
        PERIOD = "period", _("Period statistics")
        NATIONAL = "national", _("National yearly statistics")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=10, help_text="2025-Q1, 2025-T2, 2025-H1 or 2025")
    figures = models.TextField(editable=False)
    frozen_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "label"], name="frozen_figures_once")]
        verbose_name = _("frozen figures")
        verbose_name_plural = _("frozen figures")

    def __str__(self):
        return f"{self.unit_id} {self.kind} {self.label}"


class PurgeRecord(models.Model):
    """One retention purge of one unit: when, as of which day, and how many rows of each kind
    went. Counts only: nothing of what was removed."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as of"))
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    retention_months = models.PositiveSmallIntegerField(_("retention period (months)"))
    counts = models.JSONField(_("removed"), default=dict)
    frozen_periods = models.PositiveIntegerField(_("periods frozen"), default=0)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("retention purge")
        verbose_name_plural = _("retention purges")

    def __str__(self):
        return f"{self.unit_id} {self.as_of}"


class BudgetActivity(models.TextChoices):
    """003_eba17951e60b4a73.txt: "budget per aktivitet (MSEK)", followed monthly."""

    KOMET = "komet", _("Komet parent groups")
    TRYGGARE_BARN = "tryggare_barn", _("Tryggare barn")
    SKILDA_VARLDAR = "skilda_varldar", _("Skilda världar groups")
    SUPPORT_TALK = "support_talk", _("Advice and support talks (råd- och stödsamtal)")
    COOPERATION_TALK = "cooperation_talk", _("Cooperation talks (samarbetssamtal)")
    FAMILY_TREATMENT = "family_treatment", _("Family treatment (familjebehandling)")
    FAMILY_LAW = "family_law", _("Family law (familjerätten)")
    EXTERNAL_CARE = "external_care", _("External care (extern vård)")
    FOSTER_CARE = "foster_care", _("Foster care (familjehemsvård)")
    ADMINISTRATION = "administration", pgettext_lazy("budget", "Administration")
    OTHER = "other", _("Other activities")


# MSEK with three decimals: whole thousands of kronor, up to ±999 999 MSEK.
def _msek_field(label):
    return models.DecimalField(label, max_digits=9, decimal_places=3)


class Budget(models.Model):
    """The year's budget of one activity, as the chief enters it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    activity = models.CharField(_("activity"), max_length=20, choices=BudgetActivity.choices)
    amount = _msek_field(_("budget (MSEK)"))

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "activity"], name="budget_once_per_activity")]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self):
        return f"{self.year} {self.get_activity_display()}"


class BudgetOutcome(models.Model):
    """One month's outcome (utfall) of one activity, typed in or imported from the ledger."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    activity = models.CharField(_("activity"), max_length=20, choices=BudgetActivity.choices)
    amount = _msek_field(_("outcome (MSEK)"))

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "activity"], name="budget_outcome_once_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="budget_outcome_first_of_month"),
        ]
        verbose_name = _("budget outcome")
        verbose_name_plural = _("budget outcomes")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_activity_display()}"


_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _percent_field(label):
    return models.DecimalField(label, max_digits=4, decimal_places=1, validators=_PERCENT)


class DistrictPopulation(models.Model):
    """The population of a unit's district (bydel) in a year, as shares, entered by the organisation
    that runs the unit (004_4991f6e8c25cfe0a.txt: "Familierådgivningernes målgruppe skal i et vist
    omfang afspejle befolkningssammensætningen i forhold til etnicitet, køn mv."). Shares only —
    nothing about a person. The unit's statistics set its inquiries against them (`target_group`)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    women_percent = _percent_field(_("women, of the adults"))
    danish_percent = _percent_field(_("Danish background"))
    western_percent = _percent_field(_("immigrants and descendants, Western countries"))
    non_western_percent = _percent_field(_("immigrants and descendants, non-Western countries"))
    children_0_12_percent = _percent_field(_("children aged 0–12, of the children 0–17"))

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["unit", "year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="district_population_once_a_year")]
        verbose_name = _("district population")
        verbose_name_plural = _("district populations")

    def __str__(self):
        return f"{self.unit} {self.year}"

    def clean(self):
        parts = [self.danish_percent, self.western_percent, self.non_western_percent]
        if None not in parts and sum(parts) != 100:
            raise ValidationError({"non_western_percent": _(
                "Danish, Western and non-Western background add up to 100 %% (now %(sum)s).") % {
                "sum": sum(parts)}})
