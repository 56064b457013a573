"""`/<unit>/budget/<year>/`: the chief's budget per activity, followed monthly — the year's budget,
each month's outcome (typed or imported as CSV/XLSX), the outcome to date, the forecast at the
current rate and a chart. The figures are reporting.budget.follow_up, as in the statistics."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.access import CHIEF_ONLY, unit_roles
from units.charts import bar_chart
from units.imports import import_file, max_bytes

from . import budget, profiles
from .models import BudgetActivity


class _AmountForm(forms.Form):
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), choices=BudgetActivity.choices)
    amount = forms.CharField(label=gettext_lazy("Amount (MSEK)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def clean_amount(self):
        return budget.parse_msek(self.cleaned_data["amount"])


class BudgetForm(_AmountForm):
    pass


class OutcomeForm(_AmountForm):
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), coerce=int, choices=list(MONTHS.items()))
    field_order = ["month", "activity", "amount"]


class BudgetImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Outcome from the ledger (CSV or XLSX)"),
                           help_text=gettext_lazy("Columns: month (YYYY-MM), activity, outcome (MSEK)."))


def _forms(request, action):
    def bound(name):
        return request.POST if request.method == "POST" and action == name else None

    return {
        "budget_form": BudgetForm(bound("budget"), prefix="budget"),
        "outcome_form": OutcomeForm(bound("outcome"), prefix="outcome"),
        "import_form": BudgetImportForm(bound("import"), request.FILES if action == "import" else None,
                                        prefix="import"),
    }


def _save(request, unit, year, action, form) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if action == "budget":
            budget.budget_set(unit=unit, acting_user=request.user, year=year, activity=data["activity"],
                              amount=data["amount"])
        else:
            budget.outcome_set(unit=unit, acting_user=request.user, month=datetime.date(year, data["month"], 1),
                               activity=data["activity"], amount=data["amount"])
    except ValidationError as error:
        form.add_error("amount", error.messages)
        return False
    return True


def _import(request, unit, year, form):
    """All rows or none; every row's month must lie in the page's year (the importer checks each row)."""
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    if upload.size > max_bytes():
        form.add_error("file", _("The file is too large."))
        return None
    return import_file(kind="budget", unit=unit, source=upload, size=upload.size, acting_user=request.user,
                       options={"year": year})


@unit_roles(*CHIEF_ONLY)
def budget_year(request, unit_slug, year: int):
    unit = request.unit
    if "budget_follow_up" not in profiles.profile_for(unit).figure_keys:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    context = _forms(request, action)
    result = None
    if action in ("budget", "outcome") and _save(request, unit, year, action, context[f"{action}_form"]):
        messages.success(request, _("The budget is saved.") if action == "budget" else _("The outcome is saved."))
        return redirect(request.path)
    if action == "import":
        result = _import(request, unit, year, context["import_form"])
        if result is not None and result.ok:
            messages.success(request, _("%(rows)s months of outcome are imported.") % {"rows": result.written})
            return redirect(request.path)
    figures = budget.follow_up(unit, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    labels = dict(BudgetActivity.choices)
    rows = [{"label": labels[activity], **{name: figures[name][activity] for name in
                                             ("budget", "outcome", "forecast", "deviation")}}
            for activity in figures["budget"]]
    chart = bar_chart(title=_("Budget and forecast per activity (MSEK)"), labels=[str(row["label"]) for row in rows],
                      series=[(_("Budget"), [row["budget"] for row in rows]),
                              (_("Forecast"), [row["forecast"] for row in rows])])
    return render(request, "reporting/budget.html", {
        **context, "year": year, "figures": figures, "rows": rows, "chart": chart, "import_result": result,
        "previous": year - 1, "next": year + 1,
    })


@unit_roles(*CHIEF_ONLY)
def budget_current(request, unit_slug):
    if "budget_follow_up" not in profiles.profile_for(request.unit).figure_keys:
        raise Http404
    return redirect("reporting:budget", unit_slug=unit_slug, year=timezone.localdate().year)
