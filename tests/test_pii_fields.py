"""The free text that stays (report narratives, quality events, survey questions and
answers, outreach notes, training titles) goes through the unit-aware guard and has a
length limit, in the form and in the model. unit_a is anonymous, unit_b a case unit."""

import datetime
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import scope

from quality import services as quality_services
from quality.models import OutreachActivity, QualityEvent, SurveyAnswer, SurveyQuestion, SurveyRound, TrainingRecord
from reporting.models import NARRATIVE_MAX_LENGTH, ReportNarrative
from reporting.services import narrative_save
from tests import factories
from tests.conftest import logged_in

ADDRESS = "Anna Svensson, Storgatan 12, 582 22 Linköping"
PHONE = "ring 070-123 45 67"


@pytest.fixture
def own_contact(unit_a):
    unit_a.address = "Drottninggatan 5B, 602 32 Norrköping"
    unit_a.phone = "011-15 00 00"
    unit_a.email = "familjeradgivning@norrkoping.se"
    unit_a.save()
    return unit_a


@pytest.fixture
def berit(unit_b):
    return factories.user("berit", unit=unit_b, role="chief")


# --- Report narratives -------------------------------------------------------------------


def test_a_narrative_longer_than_the_limit_is_refused_and_nothing_is_saved(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/reports/2025/", {"summary": "x" * (NARRATIVE_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert "at most 10000 characters" in " ".join(response.context["narrative_form"].errors["summary"])
    with scope(unit=unit_a):
        assert not ReportNarrative.objects.exists()


def test_a_narrative_at_the_limit_is_saved(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/reports/2025/", {"summary": "x" * NARRATIVE_MAX_LENGTH})
    assert response.status_code == 302
    with scope(unit=unit_a):
        assert len(ReportNarrative.objects.get(year=2025).summary) == NARRATIVE_MAX_LENGTH


def test_the_narrative_service_refuses_a_long_text_too(unit_a, anna):
    with scope(unit=unit_a), pytest.raises(ValidationError) as raised:
        narrative_save(unit=unit_a, year=2025, acting_user=anna, goals="y" * 2_400_000)
    assert "goals" in raised.value.message_dict
    with scope(unit=unit_a):
        assert not ReportNarrative.objects.filter(goals__startswith="y").exists()


@pytest.mark.parametrize(("text", "code_word"), [
    (ADDRESS, "street address"),
    (PHONE, "phone number"),
    ("skriv till anna@example.se", "e-mail address"),
    ("850709\u20139805", "identity number"),
])
def test_an_anonymous_units_narrative_refuses_contact_details(anna_client, unit_a, text, code_word):
    response = anna_client.post(f"/{unit_a.slug}/reports/2025/", {"quality_work": text})
    assert response.status_code == 200
    assert code_word in " ".join(response.context["narrative_form"].errors["quality_work"])
    with scope(unit=unit_a):
        assert not ReportNarrative.objects.exists()


def test_the_units_own_contact_details_may_be_printed(anna_client, own_contact):
    text = ("Familjerådgivningen, Drottninggatan 5B, 602 32 Norrköping, tel 011-15 00 00, "
            "familjeradgivning@norrkoping.se")
    response = anna_client.post(f"/{own_contact.slug}/reports/2025/", {"summary": text})
    assert response.status_code == 302
    with scope(unit=own_contact):
        assert ReportNarrative.objects.get(year=2025).summary == text


def test_a_case_unit_may_name_a_partner_address_but_no_identity_number(berit, unit_b):
    client = logged_in(berit)
    assert client.post(f"/{unit_b.slug}/reports/2025/", {"summary": "Möten på Storgatan 12"}).status_code == 302
    response = client.post(f"/{unit_b.slug}/reports/2025/", {"summary": "19850312-2384"})
    assert response.status_code == 200 and "identity number" in str(response.context["narrative_form"].errors)
    with scope(unit=unit_b):
        assert ReportNarrative.objects.get(year=2025).summary == "Möten på Storgatan 12"


# --- Quality records ------------------------------------------------------------------------


@pytest.mark.parametrize("case", [
    ("survey/questions/", {"text": f"Hur nådde du oss på {PHONE}?", "kind": "scale"}, "text", SurveyQuestion),
    ("survey/rounds/new/", {"title": "Storgatan 12"}, "title", SurveyRound),
    ("outreach/new/", {"date": "2025-03-01", "kind": "lecture", "hours": "2", "note": f"Hos familjen, {ADDRESS}"},
     "note", OutreachActivity),
    ("training/new/", {"kind": "training", "date": "2025-03-01", "hours": "6", "title": "per@kurs.se"},
     "title", TrainingRecord),
    ("events/new/", {"kind": "complaint", "date": "2025-03-01", "status": "open",
                     "description": f"Klagomål, {PHONE}"}, "description", QualityEvent),
    ("events/new/", {"kind": "complaint", "date": "2025-03-01", "status": "open", "description": "Lång väntan",
                     "measures": f"Svar skickat till {ADDRESS}"}, "measures", QualityEvent),
])
def test_quality_forms_refuse_contact_details_in_an_anonymous_unit(anna_client, anna, unit_a, case):
    path, data, field, model = case
    if path.startswith("training"):
        data = {**data, "user": anna.pk}
    response = anna_client.post(f"/{unit_a.slug}/quality/{path}", data)
    assert response.status_code == 200
    assert "anonymous unit" in str(response.context["form"].errors[field])
    with scope(unit=unit_a):
        assert not model.objects.exists()


def test_a_complaint_description_over_the_limit_is_refused(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/quality/events/new/", {
        "kind": "complaint", "date": "2025-03-01", "status": "open", "description": "z" * 1001,
    })
    assert response.status_code == 200 and response.context["form"].errors["description"]
    with scope(unit=unit_a):
        assert not QualityEvent.objects.exists()


@pytest.fixture
def free_text_survey(unit_a, anna):
    with scope(unit=unit_a):
        question = quality_services.survey_question_add(unit=unit_a, acting_user=anna, text="Något mer?",
                                                        kind="text")
        survey_round = quality_services.survey_round_create(unit=unit_a, acting_user=anna, title="Våren 2025",
                                                            today=datetime.date(2025, 3, 10))
    return question, survey_round


@pytest.mark.parametrize("text", [PHONE, "mejla mig: kalle@gmail.com", ADDRESS, "pnr 85 07 09-9805"])
def test_a_survey_answer_with_contact_details_is_refused(client, free_text_survey, text):
    question, survey_round = free_text_survey
    response = client.post(f"/s/{survey_round.token}/", {"token": str(uuid.uuid4()), f"q{question.pk}": text})
    assert response.status_code == 200
    assert response.context["form"].errors[f"q{question.pk}"]
    with scope(unit=survey_round.unit):
        assert not SurveyAnswer.objects.exists()


# --- Every text field has a limit the model enforces ------------------------------------------


def _text_fields():
    for label in ("quality", "reporting", "billing", "units"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.TextField) and field.editable:
                    yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(_text_fields()))
def test_every_text_field_has_a_limit_the_model_enforces(field):
    assert field.max_length
    with pytest.raises(ValidationError):
        field.run_validators("a" * (field.max_length + 1))
