"""The organisation enters each district's population shares per year (`/org/<org>/population/<year>/`):
"Familierådgivningernes målgruppe skal i et vist omfang afspejle befolkningssammensætningen i forhold
til etnicitet, køn mv." (004_4991f6e8c25cfe0a.txt). One form a unit (its bydel), all saved or none."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_scopes import scope

from units.access import units_seen_by_organisation
from units.services import audit_log

from .models import DistrictPopulation
from .profiles import ORGANISATION_TARGET_GROUP

FIELDS = ["women_percent", "danish_percent", "western_percent", "non_western_percent", "children_0_12_percent"]


class DistrictPopulationForm(forms.ModelForm):
    class Meta:
        model = DistrictPopulation
        fields = FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.localize = True  # "51,2" as Danes and Swedes write it
            field.widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"})


def districts(organisation) -> list:
    """The units the organisation runs whose profile is set against its district's population."""
    return [unit for unit in units_seen_by_organisation(organisation)
            if unit.organisation_id == organisation.pk and unit.kind in ORGANISATION_TARGET_GROUP]


def population_forms(organisation, year: int, data=None) -> list[tuple]:
    rows = []
    for unit in districts(organisation):
        with scope(unit=unit):
            instance = (DistrictPopulation.objects.filter(unit=unit, year=year).first()
                        or DistrictPopulation(unit=unit, year=year))
        rows.append((unit, DistrictPopulationForm(data, instance=instance, prefix=f"unit{unit.pk}")))
    return rows


@transaction.atomic
def population_save(*, rows: list[tuple], acting_user) -> int:
    """Every district or none; one audit row each one that changed."""
    changed = 0
    for unit, form in rows:
        if not form.has_changed() and form.instance.pk:
            continue
        with scope(unit=unit):
            saved = form.save()
        audit_log(user=acting_user, unit=unit, action="district_population.save", obj=saved)
        changed += 1
    return changed


def org_population(request, org_slug, year: int):
    rows = population_forms(request.organisation, year, request.POST or None)
    if request.method == "POST" and all(form.is_valid() for _unit, form in rows):
        changed = population_save(rows=rows, acting_user=request.user)
        messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
        return redirect("reporting_org:population", org_slug=org_slug, year=year)
    return render(request, "reporting/population.html", {"year": year, "rows": rows,
                                                         "previous": year - 1, "next": year + 1})
