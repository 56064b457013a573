from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from units.models import Unit


class MonthClose(models.Model):
    """A closed billing month: its sessions are locked; corrections go to a later open month."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="month_closed_once")]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m}"
