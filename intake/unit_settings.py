"""Intake's part of the unit's settings page: whom to tell about long waits, and the queue order."""

from django import forms
from django.utils.translation import gettext_lazy as _

from units.unit_settings import Section

from . import services
from .models import IntakeSettings


class LongWaitNoticeForm(forms.ModelForm):
    class Meta:
        model = IntakeSettings
        fields = ["administration_name", "notice_recipients", "notice_after_days"]


class QueueOrderForm(forms.ModelForm):
    class Meta:
        model = IntakeSettings
        fields = ["queue_order"]


def _save(form, acting_user) -> list[str]:
    return services.intake_settings_change(
        unit=form.instance.unit, values={name: form.cleaned_data[name] for name in form.fields},
        acting_user=acting_user)


def settings_sections(*, unit, data=None) -> list[Section]:
    def instance():
        return IntakeSettings.objects.filter(unit=unit).first() or IntakeSettings(unit=unit)

    return [
        Section(key="long_wait", title=_("Long-wait notice"),
                form=LongWaitNoticeForm(data, instance=instance(), prefix="intake"), save=_save),
        Section(key="queue_order", title=_("Queue order"),
                form=QueueOrderForm(data, instance=instance(), prefix="queue"), save=_save),
    ]
