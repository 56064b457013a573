"""The chief's settings page (`/<unit>/settings/`): the unit's own settings, its opening and
drop-in hours, and the sections apps above `units` contribute (SECTION_MODULES: a module
with `settings_sections(*, unit, data) -> list[Section]`), all saved in one transaction."""

import copy
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import fees, services
from .models import OpeningHours, Unit, VisitFee
from .opening_hours import drop_in_shortfall, overlap_message, unit_opening_hours, weekly_hours

SECTION_MODULES = ("intake.unit_settings",)

GENERAL_FIELDS = ["name", "period_kind", "wait_limit_days", "suppression_threshold", "retention_months",
                  "urgent_conversion_days", "indicator_target_percent", "legal_reference",
                  "address", "phone", "email"]
OUTCOME_FIELDS = ["ors_cutoff_adult", "ors_cutoff_child", "reliable_change", "srs_alliance_concern"]
FEE_FIELDS = ["visit_fee_asked", "visit_fee_choices", "default_visit_fee"]
CONTRACT_FIELDS = ["contract_hours_per_case", "contract_sessions_min", "contract_sessions_max"]


def unit_fields(unit: Unit) -> list[str]:
    """The settings that mean something for this unit: urgent assignments and outcome scores in
    case work, the not-current-again target in a family unit, visit fees in an anonymous unit."""
    fields = list(GENERAL_FIELDS)
    if unit.is_anonymous:
        fields.remove("urgent_conversion_days")
        fields += FEE_FIELDS
    else:
        fields += OUTCOME_FIELDS
    if unit.kind != Unit.Kind.FAMILY_UNIT:
        fields.remove("indicator_target_percent")
    if unit.kind == Unit.Kind.FAMILY_COUNSELLING:
        fields += CONTRACT_FIELDS
    return fields


class UnitSettingsForm(forms.ModelForm):
    # Stored as "paid,exempt" (units.fees); "not applicable" always exists.
    visit_fee_choices = forms.MultipleChoiceField(
        label=_("Visit fee choices on the session form"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(value, VisitFee(value).label) for value in fees.EXTRA_CHOICES],
        help_text=_("Besides “not applicable”. A free service offers none and its session form asks nothing "
                    "(004_4991f6e8c25cfe0a.txt: “gratis familieorienteret rådgivning”)."))

    class Meta:
        model = Unit
        fields = GENERAL_FIELDS + OUTCOME_FIELDS + FEE_FIELDS + CONTRACT_FIELDS
        widgets = {"legal_reference": forms.TextInput()}

    def __init__(self, *args, unit: Unit, **kwargs):
        # A copy: validating a ModelForm writes into its instance, and request.unit must keep
        # the saved values until the service has changed them.
        super().__init__(*args, instance=copy.copy(unit), **kwargs)
        for name in set(self.fields) - set(unit_fields(unit)):
            del self.fields[name]
        if "visit_fee_choices" in self.fields:
            self.initial["visit_fee_choices"] = fees.stored_choices(unit.visit_fee_choices)
        minimum = unit.organisation.suppression_minimum
        self.fields["suppression_threshold"].widget.attrs["min"] = minimum
        self.fields["suppression_threshold"].help_text = _(
            "Counts from 1 to this value minus one are hidden in statistics that leave the unit. "
            "%(organisation)s allows no less than %(minimum)s.") % {
            "organisation": unit.organisation.name, "minimum": minimum}


    def clean_visit_fee_choices(self):
        return ",".join(fees.stored_choices(",".join(self.cleaned_data["visit_fee_choices"])))


_TIME = forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"}, format="%H:%M")


class StretchForm(forms.Form):
    """One stretch; an empty row is skipped, a half-filled one is an error at its fields."""

    weekday = forms.TypedChoiceField(label=_("weekday"), choices=[("", "—"), *OpeningHours.Weekday.choices],
                                     coerce=int, empty_value=None, required=False,
                                     widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    start = forms.TimeField(label=_("from"), widget=_TIME, required=False)
    end = forms.TimeField(label=_("to"), widget=_TIME, required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        values = [cleaned.get(name) for name in ("weekday", "start", "end")]
        if any(value is not None for value in values):
            for name, value in zip(("weekday", "start", "end"), values, strict=True):
                if value is None:
                    self.add_error(name, self.fields[name].error_messages["required"])
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        return cleaned


class BaseStretchFormSet(forms.BaseFormSet):
    def stretches(self) -> list[tuple]:
        return [(form.cleaned_data["weekday"], form.cleaned_data["start"], form.cleaned_data["end"])
                for form in self.forms
                if form.cleaned_data.get("weekday") is not None and not form.cleaned_data.get("DELETE")]

    def clean(self):
        if any(self.errors):
            return
        message = overlap_message(self.stretches())
        if message:
            raise ValidationError(message)


StretchFormSet = forms.formset_factory(StretchForm, formset=BaseStretchFormSet, extra=2, can_delete=True,
                                       max_num=40, validate_max=True)


@dataclass
class Section:
    """A part of the settings page another app owns: its form and the service that saves it
    (`save(form, acting_user) -> names changed`)."""

    key: str
    title: str
    form: forms.BaseForm
    save: Callable


class HoursSection:
    def __init__(self, *, unit: Unit, kind: str, rows: list[OpeningHours], data=None):
        self.kind = kind
        self.unit = unit
        self.title = OpeningHours.Kind(kind).label
        initial = [{"weekday": row.weekday, "start": row.start, "end": row.end} for row in rows]
        self.formset = StretchFormSet(data, initial=initial, prefix=kind)
        self.hours = weekly_hours((row.weekday, row.start, row.end) for row in rows)
        self.minimum = drop_in_shortfall(kind=unit.kind, drop_in_hours=self.hours) if kind == "drop_in" else None


class SettingsPage:
    def __init__(self, *, unit: Unit, data=None):
        self.unit = unit
        self.form = UnitSettingsForm(data, unit=unit, prefix="unit")
        hours = unit_opening_hours(unit)
        self.hours = [HoursSection(unit=unit, kind=kind, rows=hours[kind], data=data) for kind in hours]
        self.sections = []
        for module_name in SECTION_MODULES:
            if importlib.util.find_spec(module_name) is not None:
                self.sections.extend(importlib.import_module(module_name).settings_sections(unit=unit, data=data))

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), *(part.formset.is_valid() for part in self.hours),
                   *(section.form.is_valid() for section in self.sections)]
        return all(results)

    @transaction.atomic
    def save(self, *, acting_user) -> list[str]:
        """Every part or none: a refusal anywhere rolls the whole page back."""
        changed = services.unit_settings_change(
            unit=self.unit, values={name: self.form.cleaned_data[name] for name in self.form.fields},
            acting_user=acting_user)
        for part in self.hours:
            if services.opening_hours_set(unit=self.unit, kind=part.kind, stretches=part.formset.stretches(),
                                          acting_user=acting_user):
                changed.append(part.kind)
        for section in self.sections:
            changed += section.save(section.form, acting_user)
        return changed
