"""Forms parse and label input; the rules live in services.py. Field labels, choices and
validators come from the models, so a form cannot drift from what may be stored."""

import functools
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from units import fees
from units.models import StaffGroup, Unit
from units.selectors import GROUP_PREFIX, group_choice, unit_staff
from units.widgets import DateInput

from . import rules, selectors
from .models import (
    Activity,
    Case,
    ClimateScore,
    Constellation,
    FollowUpMeeting,
    Goal,
    GroupRound,
    Location,
    OutcomeScore,
    PersonRole,
    Phase,
    Session,
    SessionFormat,
    SessionStatus,
    Visit,
)
from .models import Fee as FeeChoice


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


def _date_field(model, field, **kwargs):
    return forms.DateField(label=_label(model, field), widget=DateInput(), **kwargs)


_TOGGLE = {"class": "btn-check", "autocomplete": "off"}


def _person_field(**kwargs):
    return forms.ChoiceField(label=_label(OutcomeScore, "person"), choices=[("", _("Choose…")), *PersonRole.choices],
                             help_text=_("A role in the family, never a name."), **kwargs)


def _token():
    return forms.UUIDField(required=False, widget=forms.HiddenInput)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError at the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class CounsellorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class SessionForm(forms.Form):
    """The 20-second form. Starts at today, me, and what I usually log."""

    date = _date_field(Session, "date")
    start_time = forms.TimeField(label=_label(Session, "start_time"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.IntegerField(label=_label(Session, "minutes"), min_value=1, max_value=rules.MAX_MINUTES,
                                 widget=forms.NumberInput(attrs={"step": 5}))
    format = forms.ChoiceField(label=_label(Session, "format"), choices=SessionFormat.choices,
                               widget=forms.RadioSelect(attrs=_TOGGLE))
    constellation = forms.ChoiceField(label=_label(Session, "constellation"), required=False,
                                      choices=[("", "—"), *Constellation.choices])
    activity = forms.ChoiceField(label=_label(Session, "activity"), required=False,
                                 choices=[("", "—"), *Activity.choices])
    participants = forms.IntegerField(label=_label(Session, "participants"), required=False, min_value=1,
                                      help_text=_("Needed for family and group sessions."))
    status = forms.ChoiceField(label=_label(Session, "status"), choices=SessionStatus.choices,
                               initial=SessionStatus.HELD, widget=forms.RadioSelect(attrs=_TOGGLE))
    location = forms.ChoiceField(label=_label(Session, "location"), choices=Location.choices, initial=Location.OFFICE)
    fee = forms.ChoiceField(label=_label(Session, "fee"), choices=FeeChoice.choices, initial=FeeChoice.NONE,
                            widget=forms.RadioSelect(attrs=_TOGGLE))
    counsellors = CounsellorChoice(label=_("Counsellor(s)"), queryset=None,
                                   widget=forms.CheckboxSelectMultiple(attrs=_TOGGLE))
    case = forms.ModelChoiceField(label=_("Case"), queryset=None, required=False,
                                  empty_label=_("No case (group or one-off advice)"),
                                  help_text=_("Leave empty for a group or one-off advice."))
    idempotency_key = _token()

    # Fields the correction form leaves out: a correction keeps the original's date and case.
    CORRECTION_FIXED = ("date", "start_time", "case")

    def __init__(self, *args, unit: Unit, user, session: Session | None = None, correction: bool = False,
                 case_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellors"].queryset = unit_staff(unit)
        self.fields["case"].queryset = selectors.open_cases(unit, also=session.case_id if session else None)
        if unit.kind != Unit.Kind.FAMILY_TREATMENT:
            del self.fields["constellation"]
        if unit.kind != Unit.Kind.FAMILY_UNIT:
            del self.fields["activity"]
        if fees.form_asks(unit):  # the unit's setting decides which choices exist (units.fees)
            offered = fees.offered_fees(unit)
            if session is not None and session.fee not in offered:
                offered.append(session.fee)  # a stored mark the unit no longer offers stays choosable
            self.fields["fee"].choices = [(value, label) for value, label in FeeChoice.choices if value in offered]
            self.fields["fee"].initial = fees.fee_or_default(unit, unit.default_visit_fee)
        else:
            del self.fields["fee"]
        if correction:
            for field in self.CORRECTION_FIXED:
                del self.fields[field]
        else:
            self._offer_cases(unit, user, session, case_query)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            if session is None:
                self.initial.update({"date": timezone.localdate(), "counsellors": [user.pk],
                                     **selectors.usual_session_values(unit=unit, user=user)})
                if "fee" in self.fields:  # a usual fee the unit no longer offers is not preselected
                    self.initial["fee"] = fees.fee_or_default(unit, self.initial.get("fee"))

    def _offer_cases(self, unit, user, session, case_query):
        """The case list shows a few cases (the counsellor's recent ones, or the search's matches)
        instead of every open case of the unit; any open case still validates."""
        raw = self.data.get("case") if self.is_bound else self.initial.get("case")
        chosen = int(raw) if str(raw or "").isdigit() else None
        field = self.fields["case"]
        offered = functools.cache(lambda: selectors.case_choices(
            unit, user=user, query=case_query, chosen=chosen, also=session.case_id if session else None))
        if case_query and chosen is None and not self.is_bound and len(offered()) == 1:
            self.initial["case"] = offered()[0][0]
        # Read when the list is drawn: a valid POST is saved and redirected without it (issue 17).
        field.widget.choices = lambda: [("", field.empty_label), *offered()]
        self.case_query = rules.case_search_term(case_query)

    def service_values(self) -> dict:
        values = {name: value for name, value in self.cleaned_data.items()
                  if name not in {"counsellors", "idempotency_key"}}
        return {"counsellors": list(self.cleaned_data["counsellors"]), **values}


def session_initial(session: Session) -> dict:
    initial = {field: getattr(session, field) for field in
               ("date", "start_time", "minutes", "format", "constellation", "activity", "participants", "status",
                "location", "fee")}
    return {**initial, "case": session.case_id, "counsellors": [person.pk for person in session.counsellors.all()]}


class SessionFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    # A counsellor (their user id) or one of the chief's staff groups ("group:<id>").
    counsellor = forms.ChoiceField(label=_("Counsellor or group"), required=False)
    status = forms.ChoiceField(label=_label(Session, "status"), required=False,
                               choices=[("", _("All")), *SessionStatus.choices])
    format = forms.ChoiceField(label=_label(Session, "format"), required=False,
                               choices=[("", _("All")), *SessionFormat.choices])

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = self._choices(unit)

    def _choices(self, unit):
        """People and groups in one query (a union), so the list costs what it did before groups."""
        people = unit_staff(unit).annotate(kind=Value("person"), label=F("username")).values_list(
            "kind", "pk", "first_name", "last_name", "label")
        groups = StaffGroup.objects.filter(unit=unit).annotate(
            kind=Value("group"), first_name=Value(""), last_name=Value("")).values_list(
            "kind", "pk", "first_name", "last_name", "name")
        person_choices, group_choices = [], []
        for kind, pk, first, last, label in people.union(groups, all=True):
            if kind == "person":
                person_choices.append((str(pk), f"{first} {last}".strip() or label))
            else:
                group_choices.append((f"{GROUP_PREFIX}{pk}", label))
        choices = [("", _("All counsellors")), *sorted(person_choices, key=lambda choice: choice[1])]
        if group_choices:
            choices.append((_("Staff groups"), sorted(group_choices, key=lambda choice: choice[1])))
        return choices

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen = data["counsellor"]
        counsellor_id = int(chosen) if chosen.isdigit() else None
        group_id = group_choice(chosen)
        return {"date_from": data["date_from"], "date_to": data["date_to"], "counsellor": counsellor_id,
                "status": data["status"], "session_format": data["format"], "group": group_id}


class VisitForm(forms.Form):
    """One tap per inquiry: the channel is the button pressed."""

    date = _date_field(Visit, "date")
    topic = forms.ChoiceField(label=_label(Visit, "topic"), choices=Visit.Topic.choices, initial=Visit.Topic.OTHER,
                              widget=forms.RadioSelect(attrs=_TOGGLE))
    child_age_band = forms.ChoiceField(label=_label(Visit, "child_age_band"), required=False,
                                       choices=[("", _("Not stated")), *Visit.ChildAgeBand.choices])
    gender = forms.ChoiceField(label=_label(Visit, "gender"), required=False,
                               choices=[("", _("Not stated")), *Visit.Gender.choices])
    background = forms.ChoiceField(label=_label(Visit, "background"), required=False,
                                   choices=[("", _("Not stated")), *Visit.Background.choices])
    channel = forms.ChoiceField(choices=Visit.Channel.choices)  # rendered as the submit buttons
    idempotency_key = _token()

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        if unit.country != "DK":
            # The background categories are the København concept's ("etnicitet").
            del self.fields["background"]
        if not self.is_bound:
            self.initial.update({"date": timezone.localdate(), "idempotency_key": uuid.uuid4()})


class CourseStartForm(forms.Form):
    started_on = forms.DateField(label=_("Course started"), widget=DateInput())
    idempotency_key = _token()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"started_on": timezone.localdate(), "idempotency_key": uuid.uuid4()})


class CourseEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Course ended"), widget=DateInput())


# Östermalm's not-current-again indicator (003_eba17951e60b4a73.txt) reads these of a case; other
# units are not asked. A blank kind or count leaves the case's value (the model's default) as it is.
INDICATOR_FIELDS = ("kind", "children", "family_code")


def _indicator_fields():
    return {
        "kind": forms.ChoiceField(label=_label(Case, "kind"), choices=Case._meta.get_field("kind").choices,
                                  required=False, initial=Case._meta.get_field("kind").default),
        "children": forms.IntegerField(label=_label(Case, "children"), min_value=1, max_value=20, required=False,
                                       initial=1, help_text=Case._meta.get_field("children").help_text),
        "family_code": Case._meta.get_field("family_code").formfield(),
    }


class _IndicatorFieldsMixin:
    def _indicator_fields_for(self, unit: Unit) -> None:
        if unit.kind == Unit.Kind.FAMILY_UNIT and not unit.is_anonymous:
            self.fields.update(_indicator_fields())

    def clean(self):
        data = super().clean()
        for name in ("kind", "children"):
            if data.get(name) in ("", None):
                data.pop(name, None)
        return data


class CaseOpenForm(_IndicatorFieldsMixin, forms.Form):
    code = forms.CharField(label=_label(Case, "code"), max_length=20,
                           help_text=_("A local code such as U-2025-0012 — never a name or identity number."))
    assigned_on = _date_field(Case, "assigned_on")
    officer_office = Case._meta.get_field("officer_office").formfield()
    urgent = forms.BooleanField(label=_label(Case, "urgent"), required=False)
    # Asked only when the family code has an earlier closed case (the view shows the offer).
    earlier = forms.ChoiceField(label=_("Mark the earlier case current again?"), required=False,
                                widget=forms.RadioSelect, choices=[
                                    ("mark", _("Yes, the family is current again from this case's date")),
                                    ("leave", _("No, leave the earlier case as it is"))])

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self._indicator_fields_for(unit)


class CaseForm(_IndicatorFieldsMixin, forms.Form):
    """Assignment details and closing of a case-mode case."""

    assigned_on = _date_field(Case, "assigned_on", required=False)
    officer_office = Case._meta.get_field("officer_office").formfield()
    urgent = forms.BooleanField(label=_label(Case, "urgent"), required=False)
    planning_meeting_on = _date_field(
        Case, "planning_meeting_on", required=False,
        help_text=_("Starts the regular assignment: the date it became regular follows it."))
    regular_from = _date_field(Case, "regular_from", required=False)
    closing_meeting_on = _date_field(Case, "closing_meeting_on", required=False)
    closed_on = _date_field(Case, "closed_on", required=False)
    rereferred_on = _date_field(Case, "rereferred_on", required=False,
                                help_text=_("The date the family became current again after closing."))
    closing_focus = Case._meta.get_field("closing_focus").formfield()

    ANONYMOUS_FIELDS = ("closed_on", "closing_focus")

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        if unit.is_anonymous:
            for name in list(self.fields):
                if name not in self.ANONYMOUS_FIELDS:
                    del self.fields[name]
        self._indicator_fields_for(unit)


class GroupRoundForm(forms.Form):
    activity = forms.ChoiceField(label=_label(GroupRound, "activity"), choices=GroupRound._meta.get_field(
        "activity").choices)
    started_on = _date_field(GroupRound, "started_on")
    participants = forms.IntegerField(label=_label(GroupRound, "participants"), min_value=1, max_value=50,
                                      help_text=GroupRound._meta.get_field("participants").help_text)
    ended_on = _date_field(GroupRound, "ended_on", required=False)
    completed = forms.IntegerField(label=_label(GroupRound, "completed"), min_value=0, max_value=50, required=False,
                                   help_text=_("Counted when the round has ended."))


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_label(Phase, "kind"), choices=Phase.Kind.choices)
    started_on = _date_field(Phase, "started_on")
    ended_on = _date_field(Phase, "ended_on", required=False)


class PhaseEndForm(forms.Form):
    ended_on = _date_field(Phase, "ended_on")


class GoalForm(forms.Form):
    text = Goal._meta.get_field("text").formfield(help_text=_("Without names or other personal data."))


class GoalReviewForm(forms.Form):
    status = forms.ChoiceField(label=_label(Goal, "status"), choices=Goal.Status.choices)
    reviewed_on = _date_field(Goal, "reviewed_on")


class FollowUpForm(forms.Form):
    date = _date_field(FollowUpMeeting, "date")


def _item(label, maximum):
    # The range is part of the label: "Individually (0–10)".
    return forms.IntegerField(label=format_lazy("{label} ({low}–{high})", label=label, low=0, high=maximum),
                              min_value=0, max_value=maximum)


class OutcomeScoreForm(forms.Form):
    kind = forms.ChoiceField(label=_label(OutcomeScore, "kind"), choices=OutcomeScore.Kind.choices,
                             widget=forms.RadioSelect(attrs=_TOGGLE), initial=OutcomeScore.Kind.ORS,
                             help_text=_("ORS before the session, SRS after it."))
    person = _person_field()
    date = _date_field(OutcomeScore, "date")
    session = forms.ModelChoiceField(label=_("Session"), queryset=None, required=False, empty_label="—")
    item1 = _item(_label(OutcomeScore, "item1"), 10)
    item2 = _item(_label(OutcomeScore, "item2"), 10)
    item3 = _item(_label(OutcomeScore, "item3"), 10)
    item4 = _item(_label(OutcomeScore, "item4"), 10)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class ClimateScoreForm(forms.Form):
    person = _person_field()
    date = _date_field(ClimateScore, "date")
    closeness = _item(_label(ClimateScore, "closeness"), 18)
    distance = _item(_label(ClimateScore, "distance"), 11)
    spontaneity = _item(_label(ClimateScore, "spontaneity"), 6)
    chaos = _item(_label(ClimateScore, "chaos"), 6)
