"""An import from the browser: the uploaded file, its check (the preview) and its import.
The same progress fields and status values as a report build (reporting.ReportDocument)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from units.labels import ChoiceLabels
from units.models import Unit


def _upload_path(job, filename):
    # Never the person's own file name: it may name a family.
    extension = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
    return f"imports/{job.unit_id}/{uuid.uuid4().hex}.{extension}"


class ImportJob(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        APPLICATIONS = "applications", _("Applications")
        SESSIONS = "sessions", pgettext_lazy("counselling", "Sessions")

    class Phase(models.TextChoices):
        CHECK = "check", _("Check")
        IMPORT = "import", _("Import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    phase = models.CharField(max_length=6, choices=Phase.choices, default=Phase.CHECK)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=_upload_path, blank=True)
    file_format = models.CharField(max_length=4, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # What the check (and later the import) found: units.imports.ImportResult.as_json().
    result = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.unit} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def checked_ok(self) -> bool:
        return (self.phase == self.Phase.CHECK and self.status == self.Status.DONE and not self.result.get("refused")
                and not self.result.get("errors"))

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def imported(self) -> bool:
        return self.phase == self.Phase.IMPORT and self.status == self.Status.DONE and self.written > 0
