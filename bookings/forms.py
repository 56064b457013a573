"""Forms of the calendar: parse and label; the rules live in services.py."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sessions import rules as session_rules
from sessions import selectors as session_selectors
from sessions.forms import CounsellorChoice
from sessions.models import Location, SessionFormat
from units.models import Unit
from units.pii import text_guard
from units.selectors import unit_staff
from units.widgets import DateInput

from . import rules
from .models import Booking

_TOGGLE = {"class": "btn-check", "autocomplete": "off"}


def _label(field):
    return capfirst(Booking._meta.get_field(field).verbose_name)


def _time_field(**kwargs):
    return forms.TimeField(label=_label("start_time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           **kwargs)


def _minutes_field():
    return forms.IntegerField(label=_label("minutes"), min_value=1, max_value=session_rules.MAX_MINUTES,
                              widget=forms.NumberInput(attrs={"step": 5}))


class BookingForm(forms.Form):
    date = forms.DateField(label=_label("date"), widget=DateInput())
    start_time = _time_field()
    minutes = _minutes_field()
    format = forms.ChoiceField(label=_label("format"), choices=SessionFormat.choices,
                               widget=forms.RadioSelect(attrs=_TOGGLE))
    participants = forms.IntegerField(label=_label("participants"), required=False, min_value=1,
                                      help_text=_("Needed for family and group sessions."))
    location = forms.ChoiceField(label=_label("location"), choices=Location.choices, initial=Location.OFFICE)
    room = forms.CharField(label=_label("room"), max_length=60, required=False,
                           help_text=Booking._meta.get_field("room").help_text)
    counsellors = CounsellorChoice(label=_("Counsellor(s)"), queryset=None,
                                   widget=forms.CheckboxSelectMultiple(attrs=_TOGGLE))
    case = forms.ModelChoiceField(label=_("Case"), queryset=None, required=False,
                                  empty_label=_("No case (group or one-off advice)"))
    repeat = forms.TypedChoiceField(label=_("Repeat"), coerce=int, initial=rules.ONCE,
                                    choices=[(rules.ONCE, _("Once")), (rules.WEEKLY, _("Every week")),
                                             (rules.FORTNIGHTLY, _("Every second week"))],
                                    widget=forms.RadioSelect(attrs=_TOGGLE))
    until = forms.DateField(label=_("Repeat until"), required=False, widget=DateInput(),
                            help_text=_("The last date of the series (at most a year ahead)."))
    allow_conflicts = forms.BooleanField(label=_("Book anyway"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit: Unit, user, fixed_case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellors"].queryset = unit_staff(unit)
        self.fields["case"].queryset = session_selectors.open_cases(unit)
        self.fields["room"].validators.append(text_guard(unit))
        if fixed_case is not None:
            # Offering a time from the queue: the application's case, nothing else.
            del self.fields["case"]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("counsellors", [user.pk])
            self.initial.setdefault("minutes", 60)
            self.initial.setdefault("format", SessionFormat.INDIVIDUAL)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        return {"counsellors": list(data.pop("counsellors")), "every_weeks": data.pop("repeat"),
                "allow_conflicts": data.pop("allow_conflicts"), **data}


class MoveForm(forms.Form):
    date = forms.DateField(label=_label("date"), widget=DateInput())
    start_time = _time_field()
    minutes = _minutes_field()
    room = forms.CharField(label=_label("room"), max_length=60, required=False)
    allow_conflicts = forms.BooleanField(label=_("Book anyway"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].validators.append(text_guard(unit))
