"""Issue #11, finding 2 in the session log: the ORS/SRS/Familjeklimat "person" is a role from a
closed list (it accepted "Kalle" and drew "ORS för Kalle"), case codes follow the pattern, and
the remaining free text goes through the unit-aware guard. Unit bravo is a case-mode unit."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scope, scopes_disabled

from sessions import services
from sessions.imports import import_sessions
from sessions.models import Case, ClimateScore, OutcomeScore, PersonRole, is_case_code
from tests.sessions_helpers import DAY, case
from units import pii
from units.imports import RowErrors

ITEMS = {"item1": 5, "item2": 5, "item3": 5, "item4": 5}


@pytest.fixture
def family(unit_b):
    with scope(unit=unit_b):
        yield case(unit_b, "U-2025-0001")


def test_the_ors_person_is_a_role_and_a_name_is_refused_at_the_field(bob_client, unit_b, family):
    url = f"/{unit_b.slug}/cases/{family.pk}/scores/"
    response = bob_client.post(url, {"kind": "ors", "person": "Kalle", "date": "2025-03-04", **ITEMS})
    assert response.status_code == 200 and "person" in response.context["score_form"].errors
    assert not OutcomeScore.objects.filter(unit=unit_b).exists()
    assert bob_client.post(url, {"kind": "ors", "person": "child_1", "is_child": "on", "date": "2025-03-04",
                                 **ITEMS}).status_code == 302
    page = bob_client.get(f"/{unit_b.slug}/cases/{family.pk}/").content.decode()
    with translation.override("sv"):
        label = str(PersonRole.CHILD_1.label)
    assert label in page and "child_1" not in page.replace('value="child_1"', "")
    assert OutcomeScore.objects.get(unit=unit_b).person == "child_1"


def test_the_chart_title_uses_the_roles_label(bob_client, unit_b, family, bob):
    for day in (datetime.date(2025, 3, 4), datetime.date(2025, 3, 11)):
        services.outcome_score_add(case=family, acting_user=bob, kind="ors", person="parent_2", date=day, **ITEMS)
    trend = bob_client.get(f"/{unit_b.slug}/cases/{family.pk}/").context["trends"][0]
    with translation.override("sv"):
        assert str(trend["person"]) == str(PersonRole.PARENT_2.label)


@pytest.mark.parametrize("person", ["Kalle", "Förälder 1", "mamma", ""])
def test_the_services_refuse_a_person_off_the_list(family, bob, person):
    with pytest.raises(ValidationError) as raised:
        services.outcome_score_add(case=family, acting_user=bob, kind="srs", person=person, date=DAY, **ITEMS)
    assert "person" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.climate_score_add(case=family, acting_user=bob, person=person, date=DAY, closeness=1, distance=1,
                                   spontaneity=1, chaos=1)
    assert "person" in raised.value.message_dict
    assert not OutcomeScore.objects.exists() and not ClimateScore.objects.exists()


def test_the_climate_form_offers_the_roles(bob_client, unit_b, family):
    form = bob_client.get(f"/{unit_b.slug}/cases/{family.pk}/").context["climate_form"]
    assert [value for value, _label in form.fields["person"].choices if value] == PersonRole.values


def test_a_case_code_off_the_pattern_is_refused_at_the_field(bob_client, unit_b):
    response = bob_client.post(f"/{unit_b.slug}/cases/new/", {"code": "Anna Svensson", "assigned_on": "2025-03-04"})
    assert response.status_code == 200 and "code" in response.context["form"].errors
    with scope(unit=unit_b):
        assert not Case.objects.exists()


@pytest.fixture
def guard(monkeypatch):
    def refuse(value, *, unit=None):
        if "FORBIDDEN" in value:
            raise ValidationError("guarded", code="guard")

    monkeypatch.setattr(pii, "guard_text", refuse)


def test_goal_text_and_the_officers_office_go_through_the_guard(bob_client, unit_b, family, guard):
    base = f"/{unit_b.slug}/cases/{family.pk}"
    goal = bob_client.post(f"{base}/goals/", {"text": "FORBIDDEN"})
    assert goal.status_code == 200 and goal.context["goal_form"].errors["text"] == ["guarded"]
    office = bob_client.post(f"{base}/", {"assigned_on": "2025-01-10", "officer_office": "FORBIDDEN"})
    assert office.status_code == 200 and office.context["case_form"].errors["officer_office"] == ["guarded"]
    opened = bob_client.post(f"/{unit_b.slug}/cases/new/", {"code": "U-2025-0009", "assigned_on": "2025-03-04",
                                                             "officer_office": "FORBIDDEN"})
    assert opened.status_code == 200 and opened.context["form"].errors["officer_office"] == ["guarded"]
    with scope(unit=unit_b):
        assert not family.goals.exists() and Case.objects.get().officer_office == ""


def test_the_services_guard_free_text_too(family, bob, guard):
    with pytest.raises(ValidationError) as raised:
        services.goal_add(case=family, acting_user=bob, text="FORBIDDEN")
    assert "text" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.case_update(case=family, acting_user=bob, officer_office="FORBIDDEN")
    assert "officer_office" in raised.value.message_dict


def test_the_sessions_import_guards_its_text_cells(in_unit_a, guard):
    header = "date,start,minutes,format,participants,status,case_code,counsellor,location,fee"
    with pytest.raises(RowErrors) as raised:
        import_sessions(unit=in_unit_a, text=f"{header}\n2025-03-04,,60,couple,,held,,FORBIDDEN,,\n")
    assert raised.value.errors == [(2, "counsellor: guarded")]


# --- the data migration: role labels become roles, codes off the pattern are replaced ------------

migration = importlib.import_module("sessions.migrations.0005_person_roles_and_case_codes")


@pytest.mark.parametrize("label,is_child,role", [
    ("Förälder 1", False, "parent_1"), ("Parent 2", False, "parent_2"), ("Forælder 2", False, "parent_2"),
    ("Barn 1", True, "child_1"), ("Child 3", True, "child_3"), ("barn2", True, "child_2"),
    ("parent_1", False, "parent_1"),
])
def test_the_migration_maps_role_labels(label, is_child, role):
    assert migration.role_for(label, is_child=is_child, taken=set()) == role


def test_the_migration_gives_names_a_free_role_of_their_kind():
    assert migration.role_for("Kalle", is_child=True, taken={"child_1"}) == "child_2"
    assert migration.role_for("Anna", is_child=False, taken={"parent_1", "parent_2"}) == "other_adult_1"
    assert migration.role_for("Eva", is_child=False, taken=set(PersonRole.values)) == "other_adult_2"


def test_the_migration_rewrites_people_and_codes(unit_b, family):
    with scope(unit=unit_b):
        OutcomeScore.objects.bulk_create([
            OutcomeScore(unit=unit_b, case=family, person=person, is_child=child, kind="ors", date=DAY, total=20,
                         item1=5, item2=5, item3=5, item4=5)
            for person, child in [("Förälder 1", False), ("Kalle", True), ("Kalle", True), ("Lisa", True)]])
        ClimateScore.objects.create(unit=unit_b, case=family, person="Kalle", date=DAY, closeness=1, distance=1,
                                    spontaneity=1, chaos=1)
        named = case(unit_b, "Anna Svensson")
    with scopes_disabled():
        migration.forwards(apps, None)
        people = sorted(OutcomeScore.objects.filter(case=family).values_list("person", flat=True))
        climate = ClimateScore.objects.get(case=family).person
        named.refresh_from_db()
        family.refresh_from_db()
    assert people == ["child_1", "child_1", "child_2", "parent_1"]
    assert climate == "child_1"  # the same person as in the ORS rows of the case
    assert is_case_code(named.code) and "Anna" not in named.code and family.code == "U-2025-0001"

