"""The application form, the application page and its actions, competences, the chief's
panel and the long-wait notice: roles, outsiders, and what ends up in the database."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope
from pypdf import PdfReader

from intake.models import Application, CounsellorCompetence, IntakeSettings, Outcome
from sessions.models import Case
from tests import factories
from tests.intake_helpers import bulk, days_ago, register
from units.models import AuditEvent, Municipality

TODAY = timezone.localdate()


# The pages are Swedish (unit alpha). A form's labels and messages are lazy: read them in the
# unit's language, as the page itself did (after the response the thread is back in English).
swedish = translation.override("sv")

def _form(**changes):
    data = {"received_on": TODAY.isoformat(), "channel": "phone", "municipality": "", "exception_code": "",
            "contact_path": "family_centre", "age_band": "25-34", "partner_age_band": "",
            "relationship_type": "married", "relationship_length": "", "children_count": "2",
            "youngest_child_age_band": "0-2",
            "wanted_competence": "", "acute": "on"}
    data.update(changes)
    return data


@pytest.fixture
def linkoping(db):
    return str(Municipality.objects.get(name="Linköping").pk)


def test_form_offers_only_the_units_municipalities_and_the_exception(alice_client, unit_a):
    factories.municipality("Norrköping")
    response = alice_client.get(f"/{unit_a.slug}/applications/new/")
    assert response.status_code == 200
    with swedish:
        labels = [str(label) for _value, label in response.context["form"].fields["municipality"].choices]
    assert labels == ["Välj …", "Finspång", "Linköping", "Annan kommun – undantag"]
    assert response.context["form"]["received_on"].value() == TODAY


def test_registering_stores_the_application_and_goes_to_the_queue(alice_client, unit_a, alice, linkoping):
    response = alice_client.post(f"/{unit_a.slug}/applications/new/", _form(municipality=linkoping,
                                                                           note_codes=["evening"]))
    assert response.status_code == 302 and response["Location"] == f"/{unit_a.slug}/queue/"
    with scope(unit=unit_a):
        application = Application.objects.select_related("case", "municipality").get(unit=unit_a)
    assert application.case.code == f"P-{TODAY.year}-0001"
    assert (application.municipality.name, application.acute, application.pregnancy, application.age_band,
            application.relationship_type, application.children_count, application.contact_path,
            application.note_codes) == ("Linköping", True, False, "25-34", "married", 2, "family_centre",
                                        "evening")
    queue = alice_client.get(response["Location"]).content.decode()
    assert f"Ansökan P-{TODAY.year}-0001 registrerad." in queue and f"P-{TODAY.year}-0001</a>" in queue
    assert AuditEvent.objects.filter(unit=unit_a, action="application.register", user=alice).count() == 1


def test_other_municipality_needs_a_reason_at_the_field(alice_client, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/applications/new/", _form(municipality="other"))
    assert response.status_code == 200
    assert "exception_code" in response.context["form"].errors
    with scope(unit=unit_a):
        assert not Application.objects.exists() and not Case.objects.exists()
    done = alice_client.post(f"/{unit_a.slug}/applications/new/", _form(municipality="other", exception_code="agreed"))
    assert done.status_code == 302
    with scope(unit=unit_a):
        assert Application.objects.get().municipality is None


def test_a_reason_left_behind_for_a_listed_municipality_is_dropped(alice_client, unit_a, linkoping):
    alice_client.post(f"/{unit_a.slug}/applications/new/", _form(municipality=linkoping, exception_code="moved"))
    with scope(unit=unit_a):
        assert Application.objects.get().exception_code == ""


@pytest.mark.parametrize("field", ["note", "exception_reason"])
def test_an_identity_number_is_refused_at_the_field_and_nothing_is_saved(bob_client, unit_b, field):
    # Only case-mode units have the free-text fields.
    texts = {"note": "", "exception_reason": "", field: "19811218-9876" if field == "note" else "ring 811218 9876"}
    response = bob_client.post(f"/{unit_b.slug}/applications/new/",
                               _form(municipality="other", exception_code="agreed", **texts))
    assert response.status_code == 200
    with swedish:
        assert "personnummer" in " ".join(response.context["form"].errors[field])
    with scope(unit=unit_b):
        assert not Application.objects.exists()


def test_a_future_received_date_is_refused(alice_client, unit_a, linkoping):
    tomorrow = TODAY + timezone.timedelta(days=1)
    response = alice_client.post(f"/{unit_a.slug}/applications/new/",
                                 _form(municipality=linkoping, received_on=tomorrow.isoformat()))
    with swedish:
        assert "framtiden" in " ".join(response.context["form"].errors["received_on"])


def test_form_query_count_does_not_grow_with_the_applications(alice_client, in_unit_a, linkoping,
                                                              django_assert_num_queries):
    url = f"/{in_unit_a.slug}/applications/new/"
    alice_client.post(url, _form(municipality=linkoping))  # the year's first code also creates its sequence row
    bulk(in_unit_a, 2)
    with CaptureQueriesContext(connection) as get_few:
        alice_client.get(url)
    with CaptureQueriesContext(connection) as post_few:
        alice_client.post(url, _form(municipality=linkoping))
    bulk(in_unit_a, 297)
    with django_assert_num_queries(len(get_few)):
        alice_client.get(url)
    with django_assert_num_queries(len(post_few)):
        alice_client.post(url, _form(municipality=linkoping))


@pytest.mark.parametrize("path", ["queue/", "applications/new/"])
@pytest.mark.parametrize("client_name,status", [
    ("alice_client", 200), ("anna_client", 200), ("olga_client", 404), ("bob_client", 404), ("oscar_client", 404)])
def test_queue_and_form_are_for_members_only(request, unit_a, path, client_name, status):
    assert request.getfixturevalue(client_name).get(f"/{unit_a.slug}/{path}").status_code == status


def test_anonymous_visitor_is_sent_to_log_in(client, unit_a):
    response = client.get(f"/{unit_a.slug}/applications/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# The application page and its actions.

def test_application_page_shows_the_forms_that_apply(alice_client, anna_client, in_unit_a):
    application = register(in_unit_a)
    url = f"/{in_unit_a.slug}/applications/{application.pk}/"
    counsellor_view = alice_client.get(url)
    assert counsellor_view.status_code == 200
    assert {"offer_form", "assign_form", "withdraw_form"} <= set(counsellor_view.context.keys())
    assert "hand_over_form" not in counsellor_view.context
    assert "hand_over_form" in anna_client.get(url).context


def test_assign_form_puts_matching_counsellors_first(alice_client, in_unit_a, alice, anna):
    CounsellorCompetence.objects.create(unit=in_unit_a, user=anna, competence="sexology")
    application = register(in_unit_a, wanted_competence="sexology")
    form = alice_client.get(f"/{in_unit_a.slug}/applications/{application.pk}/").context["assign_form"]
    with swedish:
        assert form.fields["counsellor"].choices == [
            ("", "Välj …"), ("Förslag: matchande kompetens", [(anna.pk, "anna")]),
            ("Övriga rådgivare", [(alice.pk, "alice")])]


def test_offer_through_the_page(alice_client, in_unit_a, alice):
    application = register(in_unit_a, received_on=days_ago(4))
    response = alice_client.post(f"/{in_unit_a.slug}/applications/{application.pk}/offer/",
                                 {"offered_on": days_ago(1).isoformat()})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.offered_on, application.outcome) == (days_ago(1), Outcome.STARTED)


def test_a_bad_offer_date_shows_the_page_again_with_the_error(alice_client, in_unit_a):
    application = register(in_unit_a, received_on=days_ago(4))
    response = alice_client.post(f"/{in_unit_a.slug}/applications/{application.pk}/offer/",
                                 {"offered_on": days_ago(9).isoformat()})
    assert response.status_code == 400
    assert "före inkomstdatumet" in response.content.decode()
    application.refresh_from_db()
    assert application.offered_on is None


def test_assign_through_the_page(alice_client, in_unit_a, anna):
    application = register(in_unit_a)
    assert alice_client.post(f"/{in_unit_a.slug}/applications/{application.pk}/assign/",
                             {"counsellor": anna.pk}).status_code == 302
    application.refresh_from_db()
    assert application.assigned_to == anna


def test_assign_refuses_a_user_of_another_unit(alice_client, in_unit_a, bob):
    application = register(in_unit_a)
    response = alice_client.post(f"/{in_unit_a.slug}/applications/{application.pk}/assign/", {"counsellor": bob.pk})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.assigned_to is None


def test_withdraw_through_the_page(alice_client, in_unit_a):
    application = register(in_unit_a, received_on=days_ago(2))
    response = alice_client.post(f"/{in_unit_a.slug}/applications/{application.pk}/withdraw/",
                                 {"outcome": "referred", "closed_on": TODAY.isoformat()})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.outcome, application.closed_on) == (Outcome.REFERRED, TODAY)


def test_hand_over_is_for_the_chief(alice_client, anna_client, in_unit_a):
    provider = factories.unit("charlie", org=factories.organisation("other", "Annan utförare AB", "Linköping"))
    application = register(in_unit_a)
    url = f"/{in_unit_a.slug}/applications/{application.pk}/hand-over/"
    data = {"receiver": provider.pk, "handed_over_on": TODAY.isoformat()}
    assert alice_client.post(url, data).status_code == 403
    application.refresh_from_db()
    assert application.is_waiting
    assert anna_client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert (application.handed_over_to, application.outcome) == (provider, Outcome.TRANSFERRED)
    with scope(unit=provider):
        assert Application.objects.filter(unit=provider, received_from=in_unit_a).count() == 1
    # What the sender sees afterwards: to whom and when, no forms.
    page = anna_client.get(f"/{in_unit_a.slug}/applications/{application.pk}/")
    assert provider.name in page.content.decode() and "offer_form" not in page.context


def test_actions_need_a_post(alice_client, in_unit_a):
    application = register(in_unit_a)
    assert alice_client.get(f"/{in_unit_a.slug}/applications/{application.pk}/offer/").status_code == 405


@pytest.fixture
def bravo_application(unit_b):
    with scope(unit=unit_b):
        return register(unit_b, municipality="Stockholm")


@pytest.mark.parametrize("action,data", [
    ("", None), ("offer/", {"offered_on": "2025-01-01"}), ("assign/", {"counsellor": "1"}),
    ("withdraw/", {"outcome": "withdrawn", "closed_on": "2025-01-01"}),
    ("hand-over/", {"receiver": "1", "handed_over_on": "2025-01-01"})])
def test_another_units_application_is_404(request, unit_a, bravo_application, action, data):
    url = f"/{unit_a.slug}/applications/{bravo_application.pk}/{action}"
    client = request.getfixturevalue("anna_client" if action == "hand-over/" else "alice_client")
    response = client.get(url) if data is None else client.post(url, data)
    assert response.status_code == 404
    with scope(unit=bravo_application.unit):
        assert Application.objects.get(pk=bravo_application.pk).is_waiting


@pytest.mark.parametrize("client_name,status", [
    ("alice_client", 200), ("anna_client", 200), ("olga_client", 404), ("bob_client", 404), ("oscar_client", 404)])
def test_application_page_is_for_members_only(request, in_unit_a, client_name, status):
    application = register(in_unit_a)
    url = f"/{in_unit_a.slug}/applications/{application.pk}/"
    assert request.getfixturevalue(client_name).get(url).status_code == status


# Competences.

def test_chief_sets_competences_and_counsellor_may_not(alice_client, anna_client, unit_a, alice):
    url = f"/{unit_a.slug}/queue/competences/"
    assert alice_client.get(url).status_code == 403
    assert anna_client.get(url).status_code == 200
    response = anna_client.post(url, {f"user_{alice.pk}": ["violence", "language"]})
    assert response.status_code == 302
    with scope(unit=unit_a):
        assert sorted(CounsellorCompetence.objects.filter(user=alice).values_list("competence", flat=True)) == [
            "language", "violence"]
    assert AuditEvent.objects.filter(action="counsellor_competence.set").count() == 1


# The chief's panel and the long-wait notice.

def test_chief_panel_shows_the_waiting_figures(anna_client, alice_client, in_unit_a):
    register(in_unit_a, received_on=days_ago(20))
    register(in_unit_a, received_on=days_ago(1))
    panels = anna_client.get(f"/{in_unit_a.slug}/").context["panels"]
    waiting = next(panel for panel in panels if panel["template"] == "intake/panel.html")
    assert (waiting["figures"].waiting, waiting["figures"].over_limit, waiting["figures"].days_over_limit) == (2, 1, 6)
    assert waiting["notice"] is None
    counsellor_panels = alice_client.get(f"/{in_unit_a.slug}/").context["panels"]
    assert all(panel["template"] != "intake/panel.html" for panel in counsellor_panels)


def test_no_panel_for_a_unit_without_applications(anna_client, unit_a):
    assert all(panel["template"] != "intake/panel.html"
               for panel in anna_client.get(f"/{unit_a.slug}/").context["panels"])


@pytest.fixture
def notice_duty(in_unit_a):
    return IntakeSettings.objects.create(unit=in_unit_a, administration_name="Social- och omsorgsförvaltningen",
                                         notice_after_days=5)


def test_panel_asks_for_the_notice_when_long_waits_persist(anna_client, in_unit_a, notice_duty):
    register(in_unit_a, received_on=days_ago(19))  # beyond 14 days on the last 5 days
    html = anna_client.get(f"/{in_unit_a.slug}/").content.decode()
    assert "Långa väntetider består: Social- och omsorgsförvaltningen ska informeras." in html
    assert f"/{in_unit_a.slug}/queue/long-wait-notice/" in html


def test_panel_offers_the_notice_without_alarm_when_waits_are_short(anna_client, in_unit_a, notice_duty):
    register(in_unit_a, received_on=days_ago(18))  # beyond 14 days on 4 days only
    html = anna_client.get(f"/{in_unit_a.slug}/").content.decode()
    assert "Långa väntetider består" not in html and f"/{in_unit_a.slug}/queue/long-wait-notice/" in html


def test_notice_text_and_pdf_carry_the_figures(anna_client, in_unit_a, notice_duty, anna):
    register(in_unit_a, received_on=days_ago(19))
    register(in_unit_a, received_on=days_ago(3))
    page = anna_client.get(f"/{in_unit_a.slug}/queue/long-wait-notice/")
    assert page.status_code == 200
    body = page.context["body"]
    assert body.startswith("Till Social- och omsorgsförvaltningen")
    assert "Väntar på erbjuden tid: 2" in body and "Väntat längre än 14 dagar: 1" in body
    assert "Längsta väntetid nu (dagar): 19" in body
    assert "Dagar av de senaste 30 då den längsta väntetiden översteg gränsen: 5" in body

    pdf = anna_client.get(f"/{in_unit_a.slug}/queue/long-wait-notice.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Meddelande om långa väntetider" in text and in_unit_a.name in text
    assert "Längsta väntetid nu (dagar)" in text and "19" in text
    assert AuditEvent.objects.filter(unit=in_unit_a, user=anna, action="download.pdf",
                                     object_type="long_wait_notice").count() == 1


@pytest.mark.parametrize("path", ["queue/long-wait-notice/", "queue/long-wait-notice.pdf"])
def test_notice_is_for_the_chief_of_a_unit_with_the_duty(alice_client, anna_client, in_unit_a, path):
    assert anna_client.get(f"/{in_unit_a.slug}/{path}").status_code == 404  # no duty configured
    IntakeSettings.objects.create(unit=in_unit_a, administration_name="Förvaltningen")
    assert alice_client.get(f"/{in_unit_a.slug}/{path}").status_code == 403
    assert anna_client.get(f"/{in_unit_a.slug}/{path}").status_code == 200
