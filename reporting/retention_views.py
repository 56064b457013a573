"""`/<unit>/settings/retention/`: the chief sees what the next nightly purge removes and when, the
months ahead, the purges so far, and sets the retention period (within units.retention's rule)."""

import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from units.access import unit_roles
from units.models import Role, Unit
from units.retention import retention_needs

from . import retention
from .models import PurgeRecord

# The nightly job's time (settings.CELERY_BEAT_SCHEDULE["retention-purge"]).
NIGHTLY = datetime.time(3, 30)


class RetentionForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["retention_months"]


def next_run(now: datetime.datetime) -> datetime.date:
    """The day of the next nightly purge."""
    local = timezone.localtime(now)
    return local.date() if local.time() < NIGHTLY else local.date() + datetime.timedelta(days=1)


@unit_roles(Role.CHIEF)
def retention_settings(request, unit_slug):
    unit = request.unit
    # A copy: a refused value must not leak into the page's other figures.
    form = RetentionForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        retention.retention_months_set(unit=unit, months=form.cleaned_data["retention_months"],
                                       acting_user=request.user)
        messages.success(request, _("The retention period is saved."))
        return redirect("reporting:retention", unit_slug=unit.slug)
    run_on = next_run(timezone.now())
    due = retention.counts(unit, run_on)
    return render(request, "reporting/retention.html", {
        "form": form, "needs": retention_needs(unit), "months": retention.retention_months(unit),
        "run_on": run_on, "cutoff": retention.cutoff(unit, run_on),
        "due": [(kind, retention.KIND_LABELS[kind], due[kind]) for kind in retention.KINDS_REMOVED],
        "ended": due["ended"], "inactive": due["inactive"],
        "schedule": retention.schedule(unit, timezone.localdate()),
        "records": [(record, [record.counts.get(kind, 0) for kind in retention.KINDS_REMOVED])
                    for record in PurgeRecord.objects.filter(unit=unit).order_by("-ran_at")[:10]],
    })
