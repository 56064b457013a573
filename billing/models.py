"""Price tables of the funding agreements and the closed billing months.

The rules that turn sessions into money are in `billing.rules`; these rows only hold
what an administrator enters (rates, fees, call-offs) and what closing a month froze.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from units.models import Agreement, Municipality, Unit
from units.pii import reject_identity_numbers

MONTH_RANGE = [MinValueValidator(1), MaxValueValidator(12)]


def _from_month():
    return models.PositiveSmallIntegerField(
        _("from month"), default=1, validators=MONTH_RANGE,
        help_text=_("A price entered after months of the year were closed applies from the next open month."))


def _same_unit(row):
    if row.unit_id and row.agreement_id and row.agreement.unit_id != row.unit_id:
        raise ValidationError({"agreement": _("The agreement belongs to another unit.")})


class RateYear(models.Model):
    """The hourly rate of an hourly agreement for one calendar year (002_93c1598fd6f3fa34.txt §1.2:
    "605 kronor per timme i 2022 års prissättning", raised by the municipality's index)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE,
                                  related_name="rate_years")
    year = models.PositiveSmallIntegerField(_("year"))
    from_month = _from_month()
    rate = models.DecimalField(_("hourly rate"), max_digits=9, decimal_places=2,
                               validators=[MinValueValidator(0)])

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["year", "from_month"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year", "from_month"],
                                               name="one_rate_per_agreement_year_month")]
        verbose_name = _("hourly rate")
        verbose_name_plural = _("hourly rates")

    def __str__(self):
        return f"{self.agreement} {self.year}-{self.from_month:02d}: {self.rate}"

    def clean(self):
        _same_unit(self)
        if self.agreement_id and self.agreement.kind != Agreement.Kind.HOURLY:
            raise ValidationError({"agreement": _("Only an hourly agreement has hourly rates.")})


class FeeYear(models.Model):
    """The visit fee (besöksavgift) a municipality's committee set for one year, with its options."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE,
                                  related_name="fee_years")
    year = models.PositiveSmallIntegerField(_("year"))
    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality of residence"),
                                     on_delete=models.PROTECT, related_name="+")
    from_month = _from_month()
    fee = models.DecimalField(_("fee per visit"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    first_visit_free = models.BooleanField(_("first visit free"), default=False)
    fee_on_no_show = models.BooleanField(_("fee on no-show"), default=False)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["year", "municipality__name", "from_month"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "municipality", "from_month"],
                                               name="one_fee_per_unit_year_municipality_month")]
        verbose_name = _("visit fee")
        verbose_name_plural = _("visit fees")

    def __str__(self):
        return f"{self.municipality} {self.year}: {self.fee}"

    def clean(self):
        _same_unit(self)


class CallOff(models.Model):
    """An avrop: extra hours the administration granted in writing for a year beyond the cap
    (002_93c1598fd6f3fa34.txt §1.2: "kan social- och omsorgsförvaltningen skriftligen avropa
    ytterligare timmar/grupptimmar")."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE,
                                  related_name="call_offs")
    year = models.PositiveSmallIntegerField(_("year"))
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    date = models.DateField(_("granted on"))
    reference = models.CharField(_("reference"), max_length=100, validators=[reject_identity_numbers])

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["year", "date"]
        verbose_name = _("call-off (avrop)")
        verbose_name_plural = _("call-offs (avrop)")

    def __str__(self):
        return f"{self.agreement} {self.year}: +{self.hours} h ({self.reference})"

    def clean(self):
        _same_unit(self)


def _statement_path(instance, filename):
    return f"billing/{instance.unit.slug}/{instance.month:%Y-%m}/{filename}"


class MonthClose(models.Model):
    """A closed billing month: its sessions are locked; corrections go to a later open month.

    `snapshot` is the statement exactly as it was closed (the JSON of `billing_statement`);
    the page, the command and the files of a closed month are made from it alone, so a
    closed statement never changes whatever happens to sessions or price tables later."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    closed_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField(default=dict, editable=False)
    csv_file = models.FileField(upload_to=_statement_path, blank=True, editable=False)
    csv_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pdf_file = models.FileField(upload_to=_statement_path, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="month_closed_once")]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m}"
