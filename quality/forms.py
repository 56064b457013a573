import datetime
import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.pii import text_guard
from units.selectors import unit_staff
from units.widgets import DateInput

from .models import (
    DESCRIBED_EVENT_KINDS,
    LinkedStaffTime,
    OutreachActivity,
    Qualification,
    QualityEvent,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRound,
    TrainingRecord,
)
from .rules import SCALE

SCALE_LABELS = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither agree nor disagree"),
    4: _("Agree"),
    5: _("Strongly agree"),
}


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _guard(form, unit, *names):
    """The unit-aware free-text guard on the named fields."""
    for name in names:
        form.fields[name].validators.append(text_guard(unit))


# --- Survey ---------------------------------------------------------------------------


class SurveyQuestionForm(forms.ModelForm):
    class Meta:
        model = SurveyQuestion
        fields = ["text", "kind"]

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        _guard(self, unit, "text")


class SurveyRoundForm(forms.ModelForm):
    class Meta:
        model = SurveyRound
        fields = ["title"]
        help_texts = {"title": _("For example “Spring 2025” or “Closing meetings 2025”.")}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        _guard(self, unit, "title")


class SurveyAnswerForm(forms.Form):
    """The public form: one optional 1–5 choice per scale question, the optional free text,
    and a one-time token so that a double click stores one response."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, questions: list[SurveyQuestion], unit, **kwargs):
        super().__init__(*args, initial={"token": uuid.uuid4()}, **kwargs)
        self.questions = questions
        choices = [(str(score), f"{score} – {SCALE_LABELS[score]}") for score in SCALE]
        for question in questions:
            if question.kind == SurveyQuestion.Kind.SCALE:
                self.fields[self.field_name(question)] = forms.TypedChoiceField(
                    label=question.text, choices=choices, coerce=int, required=False, empty_value=None,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                )
            else:
                self.fields[self.field_name(question)] = forms.CharField(
                    label=question.text, required=False, widget=forms.Textarea,
                    max_length=SurveyAnswer._meta.get_field("text").max_length,
                    validators=[text_guard(unit)],
                    help_text=_("Voluntary. Please do not write names or other details that could identify you "
                                "or anyone else."),
                )

    @staticmethod
    def field_name(question) -> str:
        return f"q{question.pk}"

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(self.field_name(q)) not in (None, "") for q in self.questions):
            raise forms.ValidationError(_("Answer at least one question before you send."))
        return cleaned

    def scores(self) -> dict:
        return {q: self.cleaned_data[self.field_name(q)] for q in self.questions
                if q.kind == SurveyQuestion.Kind.SCALE}

    def texts(self) -> dict:
        return {q: self.cleaned_data[self.field_name(q)] for q in self.questions
                if q.kind == SurveyQuestion.Kind.TEXT}

    def scale_fields(self):
        return [self[self.field_name(q)] for q in self.questions if q.kind == SurveyQuestion.Kind.SCALE]

    def text_fields(self):
        return [self[self.field_name(q)] for q in self.questions if q.kind == SurveyQuestion.Kind.TEXT]


class PeriodForm(forms.Form):
    """A date range, by default the current year until today."""

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {"start": datetime.date(today.year, 1, 1).isoformat(), "end": today.isoformat()}
        super().__init__({**defaults, **{k: v for k, v in (data or {}).items() if k in defaults and v}}, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end date comes before the start date."))
        return cleaned


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, data=None, **kwargs):
        year = (data or {}).get("year") or str(timezone.localdate().year)
        super().__init__({"year": year}, **kwargs)

    @property
    def selected_year(self) -> int:
        return self.cleaned_data["year"] if self.is_valid() else timezone.localdate().year


# --- Outreach -------------------------------------------------------------------------


class OutreachForm(forms.ModelForm):
    counsellors = StaffMultipleChoiceField(label=_("Staff"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = OutreachActivity
        fields = ["date", "kind", "hours", "audience", "note", "counsellors"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellors"].queryset = unit_staff(unit)
        _guard(self, unit, "note")


# --- Staff competence and training ----------------------------------------------------


class QualificationsForm(forms.Form):
    qualifications = forms.MultipleChoiceField(
        label=_("Profession and qualifications"), choices=Qualification.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TrainingForm(forms.ModelForm):
    user = StaffChoiceField(label=_("Staff member"), queryset=None)

    class Meta:
        model = TrainingRecord
        fields = ["user", "kind", "date", "title", "hours"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, unit, acting_user, may_choose_staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        staff = unit_staff(unit)
        # A counsellor records their own training; the chief anyone's.
        self.fields["user"].queryset = staff if may_choose_staff else staff.filter(pk=acting_user.pk)
        if not may_choose_staff:
            self.fields["user"].initial = acting_user.pk
        _guard(self, unit, "title")


# --- Lex Sarah, complaints, incidents ------------------------------------------------------


class QualityEventForm(forms.ModelForm):
    class Meta:
        model = QualityEvent
        fields = ["kind", "date", "description", "measures", "status", "reported_to_ivo_on",
                  "reported_to_administration_on"]
        widgets = {"date": DateInput(), "reported_to_ivo_on": DateInput(),
                   "reported_to_administration_on": DateInput(),
                   "description": forms.Textarea(attrs={"rows": 3}), "measures": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        _guard(self, unit, "description", "measures")
        # Concern reports have their own one-field form: they are counted, not described.
        self.fields["kind"].choices = [(value, label) for value, label in QualityEvent.Kind.choices
                                       if value in DESCRIBED_EVENT_KINDS]


class ConcernReportForm(forms.Form):
    date = forms.DateField(label=_("Date the concern report was made"), widget=DateInput())


# --- København: linked staff time -------------------------------------------------------


class LinkedStaffTimeForm(forms.ModelForm):
    class Meta:
        model = LinkedStaffTime
        fields = ["role", "hours_per_week", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}



class DropInWeekForm(forms.Form):
    """The drop-in hours held in one week; any day of the week names it (its Monday is stored)."""

    week = forms.DateField(label=_("A day of the week"), widget=DateInput())
    hours = forms.DecimalField(label=_("Drop-in hours held"), min_value=Decimal(0), max_value=Decimal(80),
                               decimal_places=2, max_digits=4, localize=True,  # "4,5" as Danes write it
                               help_text=_("0 when the drop-in was closed that week."))

    def clean_week(self):
        day = self.cleaned_data["week"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Record a week once it has begun; this day is in the future."))
        return day - datetime.timedelta(days=day.weekday())
