"""The new-unit wizard's form (platform administrators)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Country, Organisation, Unit, validate_unit_slug

KIND_DEFAULT = [("", _("The default of its kind"))]


class NewUnitForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("A new organisation (below)"))
    new_organisation_name = forms.CharField(label=_("new organisation: name"), max_length=200, required=False,
                                            help_text=_("For example “Västerås stad”."))
    new_organisation_slug = forms.SlugField(label=_("new organisation: address"), required=False,
                                            help_text=_("Its pages are at /org/<address>/."))
    new_organisation_municipality = forms.CharField(label=_("new organisation: municipality"), max_length=100,
                                                    required=False)
    name = forms.CharField(label=_("name of the unit"), max_length=200)
    slug = forms.SlugField(label=_("address of the unit"), validators=[validate_unit_slug],
                           help_text=_("Its pages are at /<address>/, e.g. vasteras-fr."))
    kind = forms.ChoiceField(label=_("kind"), choices=Unit.Kind.choices,
                             help_text=_("Decides the report profile and the defaults below."))
    country = forms.ChoiceField(label=_("country"), choices=Country.choices)
    language = forms.ChoiceField(label=_("language"), required=False,
                                 choices=[("", _("The country's language")), ("sv", "svenska"), ("da", "dansk")])
    record_mode = forms.ChoiceField(label=_("record mode"), required=False,
                                    choices=KIND_DEFAULT + Unit.RecordMode.choices)
    period_kind = forms.ChoiceField(label=_("reporting period"), required=False,
                                    choices=KIND_DEFAULT + Unit.PeriodKind.choices)
    chief_email = forms.EmailField(label=_("e-mail of the first unit chief"),
                                   help_text=_("The chief gets a one-time link to set a password (valid 72 hours)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.select_related("municipality").order_by("name")

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Unit.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A unit already has this address."))
        return slug

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") is None:
            for name in ("new_organisation_name", "new_organisation_slug", "new_organisation_municipality"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Choose an organisation, or name the new one."))
        return cleaned
