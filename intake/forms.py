from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from units.models import Municipality, Unit
from units.widgets import DateInput

from .models import CHILD_BAND_FIELDS, Application, Competence, ExceptionReason, NoteCode, Outcome
from .selectors import Counsellor

OTHER_MUNICIPALITY = "other"
NOT_STATED = _("Not stated")
DATE_INPUT = DateInput()


class MunicipalityField(forms.ChoiceField):
    """The unit's agreement municipalities plus "other — by exception" (cleaned to None)."""

    def __init__(self, *, municipalities: list[Municipality], **kwargs):
        self.by_id = {str(municipality.pk): municipality for municipality in municipalities}
        choices = [("", _("Choose…"))] + [(key, municipality.name) for key, municipality in self.by_id.items()]
        choices.append((OTHER_MUNICIPALITY, _("Other — by exception")))
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        return self.by_id.get(super().clean(value))


class ApplicationForm(forms.ModelForm):
    """Validates the entry; the service registers it (the form is never saved)."""

    class Meta:
        model = Application
        fields = [
            "received_on", "channel", "municipality", "exception_code", "exception_reason", "contact_path",
            "acute", "pregnancy", "small_children", "high_conflict", "violence",
            "age_band", "partner_age_band", "relationship_type", "relationship_length",
            "children_count", "youngest_child_age_band", *CHILD_BAND_FIELDS.values(),
            "adults", "children_affected", "initiated_by", "wanted_competence", "note_codes", "note",
        ]
        widgets = {"received_on": DATE_INPUT}

    # Free text that an anonymous unit never keeps (DESIGN.md §2): it gets the closed choices only.
    FREE_TEXT = ("exception_reason", "note")

    def __init__(self, *args, unit: Unit, municipalities: list[Municipality], **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit  # the model's rules depend on the unit's record mode
        self.fields["received_on"].initial = timezone.localdate
        self.fields["municipality"] = MunicipalityField(
            municipalities=municipalities, label=capfirst(Application._meta.get_field("municipality").verbose_name)
        )
        self.fields["exception_code"].choices = [("", _("Choose…")), *ExceptionReason.choices]
        self.fields["exception_code"].help_text = _(
            "Only for “other — by exception”, as agreed with the administration.")
        self.fields["note_codes"] = forms.MultipleChoiceField(
            label=capfirst(Application._meta.get_field("note_codes").verbose_name), choices=NoteCode.choices,
            required=False, widget=forms.CheckboxSelectMultiple,
        )
        if unit.is_anonymous:
            for name in self.FREE_TEXT:
                del self.fields[name]
        else:
            self.fields["exception_reason"].help_text = _(
                "Who at the administration agreed, and why. No personal data.")
        for name in ("contact_path", "age_band", "partner_age_band", "relationship_type", "relationship_length",
                     "youngest_child_age_band", "initiated_by"):
            self.fields[name].choices = [("", NOT_STATED), *self.fields[name].choices[1:]]
        self.fields["wanted_competence"].choices = [("", _("No special wish")), *Competence.choices]
        for name in ("children_count", "adults", "children_affected", *CHILD_BAND_FIELDS.values()):
            self.fields[name].widget.attrs.update({"min": 0, "max": 20})

    def clean_note_codes(self):
        return ",".join(self.cleaned_data["note_codes"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("municipality") is not None:
            # The reason belongs to "other" only; a leftover entry is dropped.
            cleaned["exception_code"] = ""
            cleaned["exception_reason"] = ""
        return cleaned

    def child_band_fields(self):
        return [self[name] for name in CHILD_BAND_FIELDS.values()]

    def application_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class OfferForm(forms.Form):
    offered_on = forms.DateField(label=_("Time offered on"), initial=timezone.localdate, widget=DATE_INPUT)


class AssignForm(forms.Form):
    counsellor = forms.TypedChoiceField(label=_("Counsellor"), coerce=int)

    def __init__(self, *args, team: list[Counsellor], wanted: str, **kwargs):
        super().__init__(*args, **kwargs)
        matching = [(member.user_id, member.name) for member in team if wanted and wanted in member.competences]
        others = [(member.user_id, member.name) for member in team if (member.user_id, member.name) not in matching]
        choices = [("", _("Choose…"))]
        if matching:
            choices += [(_("Suggested: matching competence"), matching), (_("Other counsellors"), others)]
        else:
            choices += others
        self.fields["counsellor"].choices = choices


class WithdrawForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(Outcome.WITHDRAWN, Outcome.WITHDRAWN.label),
                                     (Outcome.REFERRED, Outcome.REFERRED.label)]
    )
    closed_on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_INPUT)


class HandOverForm(forms.Form):
    receiver = forms.ModelChoiceField(label=_("Receiving provider"), queryset=None, empty_label=_("Choose…"))
    handed_over_on = forms.DateField(label=_("Handed over on"), initial=timezone.localdate, widget=DATE_INPUT)

    def __init__(self, *args, receivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers


class CompetencesForm(forms.Form):
    """One set of checkboxes per counsellor of the unit."""

    def __init__(self, *args, team: list[Counsellor], **kwargs):
        super().__init__(*args, **kwargs)
        for member in team:
            self.fields[f"user_{member.user_id}"] = forms.MultipleChoiceField(
                label=member.name, choices=Competence.choices, required=False,
                widget=forms.CheckboxSelectMultiple, initial=list(member.competences),
            )


class ExternalHandOverForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider outside the system"), queryset=None, empty_label=_("Choose…"))
    handed_over_on = forms.DateField(label=_("Handed over on"), initial=timezone.localdate, widget=DATE_INPUT)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].label_from_instance = lambda provider: (
            f"{provider.name} ({', '.join(map(str, provider.competence_labels))})" if provider.competences
            else provider.name)


class ExternalProviderForm(forms.Form):
    name = forms.CharField(label=_("Provider"), max_length=200)
    competences = forms.MultipleChoiceField(label=_("Competences"), choices=Competence.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple)
