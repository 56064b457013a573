"""The price tables page's three forms: hourly rate, visit fee, call-off (avrop)."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from units.models import Agreement
from units.widgets import DateInput


def agreement_label(agreement: Agreement) -> str:
    return f"{agreement.municipality.name} ({agreement.get_kind_display()}, {agreement.valid_from:%Y-%m-%d}–" \
           f"{agreement.valid_to or ''})"


class _PriceForm(forms.Form):
    """`agreements`: those the reader may enter prices for (already loaded: no query here)."""

    agreement = forms.TypedChoiceField(label=_("agreement"), coerce=int)

    def __init__(self, *args, agreements: list[Agreement], year: int, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        self.agreements = {agreement.pk: agreement for agreement in self.allowed(agreements)}
        self.fields["year"].initial = year
        self.fields["agreement"].choices = [(pk, agreement_label(agreement))
                                            for pk, agreement in self.agreements.items()]

    @staticmethod
    def allowed(agreements):
        return agreements

    def clean_agreement(self):
        return self.agreements[self.cleaned_data["agreement"]]


_YEAR = {"label": _("year"), "min_value": 2000, "max_value": 2100}
_MONEY = {"max_digits": 9, "decimal_places": 2, "min_value": 0}


class RateForm(_PriceForm):
    year = forms.IntegerField(**_YEAR)
    rate = forms.DecimalField(label=_("hourly rate"), **_MONEY,
                              help_text=_("The year's rate, raised by the municipality's index."))

    @staticmethod
    def allowed(agreements):
        return [agreement for agreement in agreements if agreement.kind == Agreement.Kind.HOURLY]


class FeeForm(_PriceForm):
    field_order = ["agreement", "municipality", "year", "fee", "first_visit_free", "fee_on_no_show"]
    year = forms.IntegerField(**_YEAR)
    fee = forms.DecimalField(label=_("fee per visit"), **_MONEY)
    first_visit_free = forms.BooleanField(label=_("first visit free"), required=False)
    fee_on_no_show = forms.BooleanField(label=_("fee on no-show"), required=False)
    municipality = forms.ChoiceField(label=_("municipality of residence"), required=False,
                                     help_text=_("Empty: the agreement's own municipality."))

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, agreements=agreements, **kwargs)
        names = {agreement.municipality_id: agreement.municipality.name for agreement in agreements}
        self.fields["municipality"].choices = [("", "—"), *sorted(names.items(), key=lambda item: item[1])]

    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("agreement")
        if agreement is not None:
            chosen = cleaned.get("municipality")
            cleaned["municipality"] = int(chosen) if chosen else agreement.municipality_id
        return cleaned


class CallOffForm(_PriceForm):
    year = forms.IntegerField(**_YEAR)
    date = forms.DateField(label=_("granted on"), widget=DateInput())
    hours = forms.DecimalField(label=_("hours"), max_digits=8, decimal_places=2, min_value=0)
    reference = forms.CharField(label=_("reference"), max_length=100,
                                help_text=_("The administration's reference of the written call-off."))

    @staticmethod
    def allowed(agreements):
        return [agreement for agreement in agreements
                if agreement.kind == Agreement.Kind.HOURLY and agreement.hour_cap is not None]


FORMS = {"rate": RateForm, "fee": FeeForm, "call_off": CallOffForm}
