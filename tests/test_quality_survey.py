"""The anonymous user survey (brukarenkät): chief-defined questions, rounds with a public
link and QR code, answering without log-in, results with small-count suppression.

000_610e279258caecb4.txt §7: “Enkäten omgärdas av frivillighet och anonymitetsskydd.”"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext
from django_scopes import scope

from quality import selectors, services
from quality.models import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyRound, SurveySubmission
from tests import factories
from units.models import AuditEvent

TODAY = datetime.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(unit_a, anna):
    """Two scale questions, one free-text question and an open round in unit A."""
    with scope(unit=unit_a):
        q1 = services.survey_question_add(unit=unit_a, acting_user=anna, text="Jag blev väl bemött.", kind="scale")
        q2 = services.survey_question_add(unit=unit_a, acting_user=anna, text="Samtalen hjälpte.", kind="scale")
        free = services.survey_question_add(unit=unit_a, acting_user=anna, text="Något mer?", kind="text")
        survey_round = services.survey_round_create(unit=unit_a, acting_user=anna, title="Våren 2025", today=TODAY)
    return {"q1": q1, "q2": q2, "free": free, "round": survey_round}


def _answer(survey_round, scores, text="", question_texts=None, day=TODAY):
    """Store a response through the service, as the public form does."""
    with scope(unit=survey_round.unit):
        return services.survey_response_submit(
            survey_round=survey_round, token=uuid.uuid4(), scores=scores, texts=question_texts or {}, today=day,
        )


def _form_data(survey, **values):
    data = {"token": str(uuid.uuid4())}
    data.update({f"q{survey[key].pk}": value for key, value in values.items()})
    return data


# --- Answers are not linkable to anything ---------------------------------------------------


@pytest.mark.parametrize("model", [SurveyResponse, SurveyAnswer])
def test_answer_models_hold_no_user_address_session_or_time_of_day(model):
    fields = model._meta.get_fields()
    names = {field.name for field in fields}
    assert not {"user", "ip", "ip_address", "address", "session", "session_key", "token", "created_at",
                "submitted_at", "user_agent"} & names
    assert not [field for field in fields if isinstance(field, models.DateTimeField | models.TimeField)]
    assert not [field for field in fields if isinstance(field, models.GenericIPAddressField)]
    assert not [field for field in fields if field.is_relation and field.related_model is get_user_model()]
    # A random id: the order in which answers arrived cannot be read back.
    assert isinstance(model._meta.pk, models.UUIDField)


def test_the_submission_token_is_not_linked_to_the_response():
    related = {field.related_model for field in SurveySubmission._meta.get_fields() if field.is_relation}
    assert SurveyResponse not in related and SurveyAnswer not in related


def test_answering_leaves_no_audit_row_and_no_session(client, survey):
    before = AuditEvent.objects.count()
    response = client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="4"))
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before
    assert "sessionid" not in response.cookies


# --- The public link -------------------------------------------------------------------------


def test_open_round_is_reachable_without_logging_in(client, survey, unit_a):
    response = client.get(f"/s/{survey['round'].token}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Jag blev väl bemött." in text and "Något mer?" in text
    assert unit_a.name in text


def test_unknown_link_is_404(client, survey):
    assert client.get("/s/no-such-token/").status_code == 404
    assert client.post("/s/no-such-token/", {}).status_code == 404
    assert client.get("/s/no-such-token/thanks/").status_code == 404


def test_closed_round_shows_a_closed_page_and_takes_no_answer(client, survey, anna):
    with scope(unit=survey["round"].unit):
        services.survey_round_set_open(survey_round=survey["round"], acting_user=anna, is_open=False)
    response = client.get(f"/s/{survey['round'].token}/")
    assert response.status_code == 410
    assert "Enkäten är stängd" in response.content.decode()
    posted = client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="5"))
    assert posted.status_code == 410
    with scope(unit=survey["round"].unit):
        assert SurveyResponse.objects.count() == 0


def test_the_form_speaks_the_units_language(client, db):
    dk = factories.unit("delta", org=factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK"),
                        language="da", country="DK", funders=("København",))
    mette = factories.user("mette", unit=dk, role="chief")
    with scope(unit=dk):
        services.survey_question_add(unit=dk, acting_user=mette, text="Jeg blev godt modtaget.", kind="scale")
        survey_round = services.survey_round_create(unit=dk, acting_user=mette, title="Foråret", today=TODAY)
    response = client.get(f"/s/{survey_round.token}/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response["Content-Language"] == "da"
    text = response.content.decode()
    assert 'lang="da"' in text and "Helt enig" in text and "Send mine svar" in text


def test_one_submission_stores_one_response_with_its_answers(client, survey, unit_a):
    response = client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="5", q2="3", free="Tack!"))
    assert response.status_code == 302
    assert response["Location"] == f"/s/{survey['round'].token}/thanks/"
    assert "Tack för dina svar" in client.get(response["Location"]).content.decode()
    with scope(unit=unit_a):
        stored = SurveyResponse.objects.get()
        assert stored.round == survey["round"] and stored.answered_on is not None
        answers = {(a.question_id, a.score, a.text) for a in stored.answers.all()}
    assert answers == {(survey["q1"].pk, 5, ""), (survey["q2"].pk, 3, ""), (survey["free"].pk, None, "Tack!")}


def test_a_double_click_stores_one_response(client, survey, unit_a):
    data = _form_data(survey, q1="4")
    assert client.post(f"/s/{survey['round'].token}/", data).status_code == 302
    assert client.post(f"/s/{survey['round'].token}/", data).status_code == 302
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 1
        assert SurveyAnswer.objects.count() == 1


def test_skipping_every_question_is_refused_at_the_form(client, survey, unit_a):
    response = client.post(f"/s/{survey['round'].token}/", _form_data(survey))
    assert response.status_code == 200
    assert "Svara på minst en fråga" in response.content.decode()
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 0


def test_a_score_outside_the_scale_is_refused(client, survey, unit_a):
    response = client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="6"))
    assert response.status_code == 200
    assert response.context["form"].errors[f"q{survey['q1'].pk}"]
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 0


def test_an_identity_number_in_the_free_text_is_refused_and_nothing_is_saved(client, survey, unit_a):
    response = client.post(f"/s/{survey['round'].token}/",
                           _form_data(survey, q1="5", free="Jag heter Eva, 811218-9876"))
    assert response.status_code == 200
    assert "personnummer" in response.context["form"].errors[f"q{survey['free'].pk}"][0]
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 0 and SurveySubmission.objects.count() == 0


def test_a_flood_on_one_link_is_stopped_and_other_links_still_work(client, survey, unit_a, anna, monkeypatch):
    monkeypatch.setattr(services, "SURVEY_FLOOD_LIMIT", 3)
    for _number in range(3):
        assert client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="4")).status_code == 302
    flooded = client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="4"))
    assert flooded.status_code == 429
    assert "Mycket många svar" in flooded.content.decode()
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 3
        other = services.survey_round_create(unit=unit_a, acting_user=anna, title="Avslut", today=TODAY)
    assert client.post(f"/s/{other.token}/", _form_data(survey, q1="4")).status_code == 302


# --- Questions and rounds: the chief decides -------------------------------------------------


def test_chief_adds_a_question_and_retires_it(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/quality/survey/questions/",
                                {"text": "Jag fick hjälp.", "kind": "scale"})
    assert response.status_code == 302
    with scope(unit=unit_a):
        question = SurveyQuestion.objects.get()
    assert question.text == "Jag fick hjälp." and not question.retired
    assert anna_client.post(f"/{unit_a.slug}/quality/survey/questions/{question.pk}/retire/").status_code == 302
    question.refresh_from_db()
    assert question.retired
    assert AuditEvent.objects.filter(action="survey.question_retire", object_id=str(question.pk)).count() == 1


def test_only_one_free_text_question_at_a_time(anna_client, survey, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/quality/survey/questions/", {"text": "Annat?", "kind": "text"})
    assert response.status_code == 200
    with translation.override("sv"):  # the form's messages are lazy: read them as the page did
        assert "redan" in str(response.context["form"].errors["kind"])
    with scope(unit=unit_a):
        assert SurveyQuestion.objects.filter(kind="text").count() == 1


def test_an_identity_number_in_a_question_is_refused(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/quality/survey/questions/",
                                {"text": "Fråga 811218-9876", "kind": "scale"})
    assert response.status_code == 200 and response.context["form"].errors["text"]
    with scope(unit=unit_a):
        assert not SurveyQuestion.objects.exists()


def test_chief_creates_closes_and_reopens_a_round(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/quality/survey/rounds/new/", {"title": "Hösten 2025"})
    with scope(unit=unit_a):
        survey_round = SurveyRound.objects.get()
    assert response["Location"] == f"/{unit_a.slug}/quality/survey/rounds/{survey_round.pk}/"
    assert survey_round.is_open and len(survey_round.token) >= 12
    anna_client.post(f"/{unit_a.slug}/quality/survey/rounds/{survey_round.pk}/state/", {"is_open": "0"})
    survey_round.refresh_from_db()
    assert not survey_round.is_open
    anna_client.post(f"/{unit_a.slug}/quality/survey/rounds/{survey_round.pk}/state/", {"is_open": "1"})
    survey_round.refresh_from_db()
    assert survey_round.is_open


@pytest.mark.parametrize("path", ["survey/questions/", "survey/rounds/new/"])
def test_counsellor_may_not_define_the_survey(alice_client, unit_a, path):
    assert alice_client.get(f"/{unit_a.slug}/quality/{path}").status_code == 403


def test_counsellor_may_not_close_a_round(alice_client, survey, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/survey/rounds/{survey['round'].pk}/state/",
                                 {"is_open": "0"})
    assert response.status_code == 403
    survey["round"].refresh_from_db()
    assert survey["round"].is_open


def test_counsellor_sees_the_link_and_qr_code_to_hand_out(alice_client, survey, unit_a):
    page = alice_client.get(f"/{unit_a.slug}/quality/survey/rounds/{survey['round'].pk}/")
    assert page.status_code == 200
    assert f"http://testserver/s/{survey['round'].token}/" in page.content.decode()
    qr = alice_client.get(f"/{unit_a.slug}/quality/survey/rounds/{survey['round'].pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<?xml") and b"<svg" in qr.content and b"style=" not in qr.content


def test_another_units_round_is_404(anna_client, unit_a, unit_b):
    chief_b = factories.user("berit", unit=unit_b, role="chief")
    with scope(unit=unit_b):
        foreign = services.survey_round_create(unit=unit_b, acting_user=chief_b, title="B", today=TODAY)
    for path in ["", "qr.svg"]:
        assert anna_client.get(f"/{unit_a.slug}/quality/survey/rounds/{foreign.pk}/{path}").status_code == 404
    assert anna_client.post(f"/{unit_a.slug}/quality/survey/rounds/{foreign.pk}/state/",
                            {"is_open": "0"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_open


def test_administration_does_not_open_the_survey_pages(olga_client, survey, unit_a):
    assert olga_client.get(f"/{unit_a.slug}/quality/survey/").status_code == 404
    assert olga_client.get(f"/{unit_a.slug}/quality/survey/results/").status_code == 404


# --- Results ---------------------------------------------------------------------------------


def test_results_count_mean_distribution_and_share_satisfied(survey, unit_a):
    # q1 scores 5, 5, 4, 2, 1, 3 → 6 answers, mean 20/6 = 3.33, satisfied 3 of 6 = 50.0 %.
    for score in (5, 5, 4, 2, 1, 3):
        _answer(survey["round"], {survey["q1"]: score})
    with scope(unit=unit_a):
        results = selectors.survey_results(unit=unit_a, start=datetime.date(2025, 1, 1), end=TODAY)
    q1 = next(item.result for item in results.questions if item.question == survey["q1"])
    assert results.responses == 6 and results.responses_label == "6"
    assert q1.count == 6 and q1.mean == Decimal("3.33") and q1.satisfied_percent == Decimal("50.0")
    assert q1.distribution == (1, 1, 1, 1, 2)


def test_results_under_the_threshold_are_suppressed(survey, unit_a):
    # Threshold 5: q1 has 5 answers (shown), q2 only 2 (hidden as "<5").
    for score in (4, 4, 5, 3, 5):
        _answer(survey["round"], {survey["q1"]: score, survey["q2"]: score if score == 4 else None})
    with scope(unit=unit_a):
        results = selectors.survey_results(unit=unit_a, start=TODAY, end=TODAY)
    by_question = {item.question: item.result for item in results.questions}
    assert by_question[survey["q1"]].count == 5 and by_question[survey["q1"]].satisfied_percent == Decimal("80.0")
    hidden = by_question[survey["q2"]]
    assert hidden.suppressed and hidden.count_label == "<5"
    assert hidden.count is None and hidden.mean is None and hidden.distribution is None
    assert hidden.satisfied_percent is None


def test_results_page_and_export_show_suppressed_cells_as_less_than_n(anna_client, survey, unit_a):
    for _number in range(2):
        _answer(survey["round"], {survey["q1"]: 5}, day=TODAY)
    page = anna_client.get(f"/{unit_a.slug}/quality/survey/results/", {"start": "2025-01-01", "end": "2025-12-31"})
    assert page.status_code == 200
    assert "&lt;5" in page.content.decode()
    export = anna_client.get(f"/{unit_a.slug}/quality/survey/results/",
                             {"start": "2025-01-01", "end": "2025-12-31", "format": "csv"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("Jag blev väl bemött.;<5;;;;;;;")


def test_free_text_answers_are_for_the_chief_only_and_never_exported(anna_client, alice_client, survey, unit_a):
    _answer(survey["round"], {survey["q1"]: 5}, question_texts={survey["free"]: "Varmt bemötande"})
    for _number in range(unit_a.suppression_threshold - 1):
        _answer(survey["round"], {survey["q1"]: 4})
    period = {"start": "2025-01-01", "end": "2025-12-31"}
    assert "Varmt bemötande" in anna_client.get(f"/{unit_a.slug}/quality/survey/results/", period).content.decode()
    assert "Varmt bemötande" not in alice_client.get(f"/{unit_a.slug}/quality/survey/results/",
                                                     period).content.decode()
    for fmt in ("csv", "xlsx"):
        export = anna_client.get(f"/{unit_a.slug}/quality/survey/results/", {**period, "format": fmt})
        assert export.status_code == 200
        assert b"Varmt" not in export.content and "Något mer".encode() not in export.content
    assert AuditEvent.objects.filter(action__startswith="export.", unit=unit_a).count() == 2


def test_free_text_of_a_range_with_too_few_answers_is_not_listed(anna_client, survey, unit_a):
    """A single day's few answers: the scales are hidden, so the free text is hidden too —
    read beside the day it would tell who wrote what."""
    threshold = unit_a.suppression_threshold
    _answer(survey["round"], {survey["q1"]: 2}, question_texts={survey["free"]: "Kuratorn var sen"}, day=TODAY)
    for _number in range(threshold - 1):
        _answer(survey["round"], {survey["q1"]: 5}, day=TODAY - datetime.timedelta(days=30))
    one_day = {"start": TODAY.isoformat(), "end": TODAY.isoformat()}
    page = anna_client.get(f"/{unit_a.slug}/quality/survey/results/", one_day)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kuratorn var sen" not in html
    assert page.context["free_texts"].shown is False
    with translation.override(unit_a.language):
        message = ngettext(
            "Free-text answers are listed only for a period with at least %(threshold)s answer. "
            "Choose a longer period.",
            "Free-text answers are listed only for a period with at least %(threshold)s answers. "
            "Choose a longer period.", threshold) % {"threshold": threshold}
    assert escape(message) in html
    # The longer range has enough answers: the text is listed there.
    whole = anna_client.get(f"/{unit_a.slug}/quality/survey/results/", {"start": "2025-01-01", "end": "2025-12-31"})
    assert whole.status_code == 200 and "Kuratorn var sen" in whole.content.decode()
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == threshold
        assert selectors.survey_free_texts(unit=unit_a, start=TODAY, end=TODAY).answers == []
        assert [a.text for a in selectors.survey_free_texts(unit=unit_a, start=datetime.date(2025, 1, 1),
                                                            end=TODAY).answers] == ["Kuratorn var sen"]


def test_results_page_runs_a_fixed_number_of_queries(anna_client, survey, unit_a, django_assert_max_num_queries):
    period = {"start": "2025-01-01", "end": "2025-12-31"}
    for score in (1, 2, 3, 4, 5):
        _answer(survey["round"], {survey["q1"]: score, survey["q2"]: score}, question_texts={survey["free"]: "ok"})
    anna_client.get(f"/{unit_a.slug}/quality/survey/results/", period)  # warm the session
    with django_assert_max_num_queries(14) as few:
        anna_client.get(f"/{unit_a.slug}/quality/survey/results/", period)
    for _number in range(20):
        _answer(survey["round"], {survey["q1"]: 4, survey["q2"]: 2}, question_texts={survey["free"]: "mer"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        anna_client.get(f"/{unit_a.slug}/quality/survey/results/", period)


def test_a_period_with_the_end_before_the_start_is_refused_at_the_field(anna_client, unit_a):
    page = anna_client.get(f"/{unit_a.slug}/quality/survey/results/", {"start": "2025-06-01", "end": "2025-01-01"})
    assert page.status_code == 200
    assert page.context["form"].errors["end"]


def test_rounds_are_listed_newest_first_with_their_answer_counts(alice_client, survey, unit_a, anna):
    with scope(unit=unit_a):
        newer = services.survey_round_create(unit=unit_a, acting_user=anna, title="Hösten 2025",
                                             today=datetime.date(2025, 8, 1))
    _answer(survey["round"], {survey["q1"]: 4})
    _answer(survey["round"], {survey["q1"]: 5})
    _answer(newer, {survey["q1"]: 3})
    page = alice_client.get(f"/{unit_a.slug}/quality/survey/")
    assert [(r.title, r.response_count) for r in page.context["rounds"]] == [("Hösten 2025", 1), ("Våren 2025", 2)]


# --- Forms sent to the wrong link, and a cache that is down (issue 17) ------------------------------


def test_a_form_sent_to_another_units_round_gets_a_clear_page_and_stores_nothing_there(client, survey, unit_a,
                                                                                       unit_b, db):
    bodil = factories.user("bodil", unit=unit_b, role="chief")
    with scope(unit=unit_b):
        question = services.survey_question_add(unit=unit_b, acting_user=bodil, text="Bra bemötande?", kind="scale")
        other = services.survey_round_create(unit=unit_b, acting_user=bodil, title="Hösten", today=TODAY)
    # Valid in both units: an answer to a question of each.
    data = {**_form_data(survey, q1="5"), f"q{question.pk}": "4"}
    assert client.post(f"/s/{survey['round'].token}/", data).status_code == 302
    response = client.post(f"/s/{other.token}/", data)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Formuläret skickades från en annan enkäts sida" in text
    assert data["token"] not in text  # a fresh form, with a new one-time token
    with scope(unit=unit_b):
        assert SurveyResponse.objects.count() == 0
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 1


def test_a_form_sent_to_another_round_of_the_same_unit_stores_nothing_twice(client, survey, unit_a, anna):
    with scope(unit=unit_a):
        other = services.survey_round_create(unit=unit_a, acting_user=anna, title="Avslut", today=TODAY)
    data = _form_data(survey, q1="5")
    assert client.post(f"/s/{survey['round'].token}/", data).status_code == 302
    assert client.post(f"/s/{other.token}/", data).status_code == 409
    with scope(unit=unit_a):
        assert list(SurveyResponse.objects.values_list("round_id", flat=True)) == [survey["round"].pk]


def test_an_answer_is_stored_when_the_rate_limit_cache_is_down(client, survey, unit_a, settings):
    # A Redis cache on a port where nothing listens: the flood counter cannot be read.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.post(f"/s/{survey['round'].token}/", _form_data(survey, q1="4"))
    assert response.status_code == 302
    with scope(unit=unit_a):
        assert SurveyResponse.objects.count() == 1
