"""Outreach, staff competence and training, lex Sarah / complaints / incidents / concern
reports, and København's concept duties: services, pages, roles and tenancy."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import scope

from quality import selectors, services
from quality.models import (
    LinkedStaffTime,
    OutreachActivity,
    Qualification,
    QualityEvent,
    QualitySettings,
    StaffQualification,
    SurveyRound,
    TrainingRecord,
)
from tests import factories
from units.models import AuditEvent, Unit
from units.pii import reject_identity_numbers

IDENTITY_NUMBER = "811218-9876"
YEAR = datetime.date.today().year
JAN, MAR, JUN = datetime.date(YEAR, 1, 15), datetime.date(YEAR, 3, 15), datetime.date(YEAR, 6, 15)


@pytest.fixture
def kbh(db):
    """An open anonymous counselling unit of København (kind familieradgivning)."""
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    return factories.unit("kbh", org=org, name="Familierådgivningen Kbh", language="da", country="DK",
                          kind=Unit.Kind.OPEN_COUNSELLING, funders=("København",))


@pytest.fixture
def berit(unit_b):
    return factories.user("berit", unit=unit_b, role="chief")


def _outreach(unit, user, kind, day, *, hours="2", audience=None, counsellors=()):
    with scope(unit=unit):
        return services.outreach_save(unit=unit, acting_user=user, date=day, kind=kind, hours=Decimal(hours),
                                      audience=audience, counsellors=counsellors)


# --- PII guard on every free-text field -------------------------------------------------------


def _free_text_fields():
    for model in apps.get_app_config("quality").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and field.editable and not field.choices:
                yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(_free_text_fields()))
def test_every_free_text_field_rejects_identity_numbers(field):
    assert reject_identity_numbers in field.validators


@pytest.mark.parametrize("case", [
    ("survey/rounds/new/", {"title": f"Våren {IDENTITY_NUMBER}"}, "title", SurveyRound),
    ("outreach/new/", {"date": "2025-03-01", "kind": "lecture", "hours": "2", "note": f"Hos {IDENTITY_NUMBER}"},
     "note", OutreachActivity),
    ("training/new/", {"kind": "training", "date": "2025-03-01", "hours": "6", "title": IDENTITY_NUMBER},
     "title", TrainingRecord),
    ("events/new/", {"kind": "complaint", "date": "2025-03-01", "status": "open",
                     "description": f"Klagomål från {IDENTITY_NUMBER}"}, "description", QualityEvent),
    ("events/new/", {"kind": "complaint", "date": "2025-03-01", "status": "open", "description": "Lång väntan",
                     "measures": f"Ringde {IDENTITY_NUMBER}"}, "measures", QualityEvent),
])
def test_identity_number_is_refused_at_the_field_and_nothing_is_saved(anna_client, anna, unit_a, case):
    path, data, field, model = case
    if path.startswith("training"):
        data = {**data, "user": anna.pk}
    response = anna_client.post(f"/{unit_a.slug}/quality/{path}", data)
    assert response.status_code == 200
    assert "personnummer" in str(response.context["form"].errors[field])
    with scope(unit=unit_a):
        assert not model.objects.exists()


# --- Outreach -------------------------------------------------------------------------------


def test_counsellor_records_outreach_with_the_staff_who_took_part(alice_client, alice, anna, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/outreach/new/", {
        "date": "2025-03-04", "kind": "family_centre", "hours": "2.5", "audience": "14",
        "note": "Familjecentralen Navestad", "counsellors": [alice.pk, anna.pk],
    })
    assert response.status_code == 302
    with scope(unit=unit_a):
        activity = OutreachActivity.objects.get()
        assert set(activity.counsellors.all()) == {alice, anna}
    assert (activity.date, activity.kind, activity.hours, activity.audience, activity.recorded_by) == (
        datetime.date(2025, 3, 4), "family_centre", Decimal("2.50"), 14, alice)
    assert AuditEvent.objects.filter(action="outreach.record", object_id=str(activity.pk), user=alice).count() == 1


def test_outreach_hours_must_be_positive(alice_client, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/outreach/new/",
                                 {"date": "2025-03-04", "kind": "lecture", "hours": "0"})
    assert response.status_code == 200 and response.context["form"].errors["hours"]
    with scope(unit=unit_a):
        assert not OutreachActivity.objects.exists()


def test_outreach_staff_must_belong_to_the_unit(alice_client, bob, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/outreach/new/",
                                 {"date": "2025-03-04", "kind": "lecture", "hours": "1", "counsellors": [bob.pk]})
    assert response.status_code == 200 and response.context["form"].errors["counsellors"]
    with scope(unit=unit_a):
        assert not OutreachActivity.objects.exists()


def test_outreach_is_corrected_by_a_member_and_deleted_by_the_chief_only(alice_client, anna_client, alice, unit_a):
    activity = _outreach(unit_a, alice, "lecture", MAR)
    response = alice_client.post(f"/{unit_a.slug}/quality/outreach/{activity.pk}/",
                                 {"date": MAR.isoformat(), "kind": "lecture", "hours": "3"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.hours == Decimal("3.00")
    assert alice_client.post(f"/{unit_a.slug}/quality/outreach/{activity.pk}/delete/").status_code == 403
    assert anna_client.post(f"/{unit_a.slug}/quality/outreach/{activity.pk}/delete/").status_code == 302
    with scope(unit=unit_a):
        assert not OutreachActivity.objects.exists()
    assert AuditEvent.objects.filter(action="outreach.delete", object_id=str(activity.pk)).count() == 1


def test_another_units_outreach_is_404(anna_client, unit_a, unit_b, berit):
    foreign = _outreach(unit_b, berit, "lecture", MAR)
    assert anna_client.get(f"/{unit_a.slug}/quality/outreach/{foreign.pk}/").status_code == 404
    assert anna_client.post(f"/{unit_a.slug}/quality/outreach/{foreign.pk}/",
                            {"date": MAR.isoformat(), "kind": "lecture", "hours": "9"}).status_code == 404
    assert anna_client.post(f"/{unit_a.slug}/quality/outreach/{foreign.pk}/delete/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.hours == Decimal("2.00")


def test_outreach_summary_per_kind(unit_a, alice):
    _outreach(unit_a, alice, "lecture", JAN, hours="1.5", audience=40)
    _outreach(unit_a, alice, "lecture", MAR, hours="2", audience=25)
    _outreach(unit_a, alice, "network_meeting", MAR, hours="1.25")
    _outreach(unit_a, alice, "lecture", datetime.date(YEAR - 1, 12, 31), hours="8", audience=100)  # other year
    with scope(unit=unit_a):
        summary = selectors.outreach_summary(unit=unit_a, start=datetime.date(YEAR, 1, 1), end=JUN)
    rows = {row.kind: (row.activities, row.audience, row.hours) for row in summary["rows"]}
    assert rows == {"lecture": (2, 65, Decimal("3.50")), "network_meeting": (1, 0, Decimal("1.25"))}
    assert (summary["activities"], summary["audience"], summary["hours"]) == (3, 65, Decimal("4.75"))


def test_outreach_list_exports_and_runs_a_fixed_number_of_queries(alice_client, alice, unit_a,
                                                                  django_assert_max_num_queries):
    _outreach(unit_a, alice, "lecture", MAR, audience=12, counsellors=[alice])
    alice_client.get(f"/{unit_a.slug}/quality/outreach/")
    with django_assert_max_num_queries(12) as few:
        page = alice_client.get(f"/{unit_a.slug}/quality/outreach/", {"year": YEAR})
    assert "12" in page.content.decode()
    for day in range(1, 20):
        _outreach(unit_a, alice, "parent_group", datetime.date(YEAR, 2, day), counsellors=[alice])
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(f"/{unit_a.slug}/quality/outreach/", {"year": YEAR})
    export = alice_client.get(f"/{unit_a.slug}/quality/outreach/", {"year": YEAR, "format": "csv"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 21 and lines[1] == f"{MAR.isoformat()};Föreläsning;12;2,00;;alice"


# --- Staff competence and training --------------------------------------------------------------


def test_counsellor_records_own_training_but_not_a_colleagues(alice_client, alice, anna, unit_a):
    data = {"kind": "training", "date": "2025-03-01", "hours": "6", "title": "Våld i nära relationer"}
    assert alice_client.post(f"/{unit_a.slug}/quality/training/new/", {**data, "user": anna.pk}).status_code == 200
    with scope(unit=unit_a):
        assert not TrainingRecord.objects.exists()
    assert alice_client.post(f"/{unit_a.slug}/quality/training/new/", {**data, "user": alice.pk}).status_code == 302
    with scope(unit=unit_a):
        record = TrainingRecord.objects.get()
    assert (record.user, record.hours, record.title) == (alice, Decimal("6.00"), "Våld i nära relationer")


def test_training_needs_a_course_name_but_supervision_does_not(anna_client, anna, unit_a):
    base = {"user": anna.pk, "date": "2025-03-01", "hours": "1.5"}
    refused = anna_client.post(f"/{unit_a.slug}/quality/training/new/", {**base, "kind": "training"})
    assert refused.status_code == 200 and refused.context["form"].errors["title"]
    assert anna_client.post(f"/{unit_a.slug}/quality/training/new/", {**base, "kind": "supervision"}).status_code == 302
    with scope(unit=unit_a):
        assert list(TrainingRecord.objects.values_list("kind", flat=True)) == ["supervision"]


def test_counsellor_opens_only_own_training_records(alice_client, anna_client, alice, anna, unit_a):
    with scope(unit=unit_a):
        own = services.training_save(unit=unit_a, acting_user=alice, user=alice, kind="supervision", date=MAR,
                                     hours=Decimal("1.5"))
        colleagues = services.training_save(unit=unit_a, acting_user=anna, user=anna, kind="supervision", date=MAR,
                                            hours=Decimal("1.5"))
    assert alice_client.get(f"/{unit_a.slug}/quality/training/{own.pk}/").status_code == 200
    assert alice_client.get(f"/{unit_a.slug}/quality/training/{colleagues.pk}/").status_code == 404
    assert anna_client.get(f"/{unit_a.slug}/quality/training/{own.pk}/").status_code == 200
    assert alice_client.post(f"/{unit_a.slug}/quality/training/{own.pk}/delete/").status_code == 403
    assert anna_client.post(f"/{unit_a.slug}/quality/training/{own.pk}/delete/").status_code == 302
    with scope(unit=unit_a):
        assert list(TrainingRecord.objects.all()) == [colleagues]


def test_another_units_training_record_is_404(anna_client, unit_a, unit_b, berit):
    with scope(unit=unit_b):
        foreign = services.training_save(unit=unit_b, acting_user=berit, user=berit, kind="supervision", date=MAR,
                                         hours=Decimal(2))
    assert anna_client.get(f"/{unit_a.slug}/quality/training/{foreign.pk}/").status_code == 404
    assert anna_client.post(f"/{unit_a.slug}/quality/training/{foreign.pk}/delete/").status_code == 404
    assert anna_client.get(f"/{unit_a.slug}/quality/staff/{berit.pk}/qualifications/").status_code == 404


def test_training_summary_per_staff_member_against_the_introduction_target(unit_a, alice, anna):
    # Norrköping (000 §3.3): "Nyanställda familjerådgivare får 60 timmars introduktionshandledning".
    with scope(unit=unit_a):
        QualitySettings.objects.create(unit=unit_a, introduction_supervision_hours=Decimal(60))
        for kind, hours, user in [("training", "6", alice), ("training", "16", alice), ("supervision", "1.5", alice),
                                  ("introduction", "2", alice), ("introduction", "2", alice),
                                  ("supervision", "1.5", anna)]:
            services.training_save(unit=unit_a, acting_user=anna, user=user, kind=kind, date=MAR,
                                   hours=Decimal(hours), title="Kurs")
        summary = selectors.training_summary(unit=unit_a, start=datetime.date(YEAR, 1, 1), end=JUN)
    rows = {row.user: row for row in summary["rows"]}
    assert (rows[alice].training, rows[alice].supervision, rows[alice].introduction) == (
        Decimal("22.00"), Decimal("1.50"), Decimal("4.00"))
    assert rows[alice].introduction_missing == Decimal("56.00")
    assert rows[anna].introduction_missing is None and rows[anna].training == 0
    assert (summary["training"], summary["supervision"], summary["introduction"]) == (
        Decimal("22.00"), Decimal("3.00"), Decimal("4.00"))


def test_chief_sets_qualifications_and_the_competence_check_follows(anna_client, alice_client, alice, anna, unit_a):
    # Leanlink (002 §2.6): "minst en personal som är auktoriserad familjerådgivare och/eller legitimerad
    # psykoterapeut".
    with scope(unit=unit_a):
        QualitySettings.objects.create(unit=unit_a, requires_authorised_counsellor=True)
        assert not selectors.competence_check(unit=unit_a).met
    url = f"/{unit_a.slug}/quality/staff/{alice.pk}/qualifications/"
    assert alice_client.post(url, {"qualifications": ["licensed_psychotherapist"]}).status_code == 403
    assert anna_client.post(url, {"qualifications": ["social_work", "licensed_psychotherapist"]}).status_code == 302
    with scope(unit=unit_a):
        held = set(StaffQualification.objects.filter(user=alice).values_list("qualification", flat=True))
        check = selectors.competence_check(unit=unit_a)
    assert held == {"social_work", "licensed_psychotherapist"}
    assert check.required and check.met and check.holders == [alice]
    anna_client.post(url, {"qualifications": ["social_work"]})
    with scope(unit=unit_a):
        assert not selectors.competence_check(unit=unit_a).met
    assert "inte uppfyllt" in alice_client.get(f"/{unit_a.slug}/quality/staff/").content.decode()


def test_a_former_member_does_not_meet_the_competence_requirement(unit_a, anna, alice):
    with scope(unit=unit_a):
        services.qualifications_set(unit=unit_a, acting_user=anna, user=alice,
                                    qualifications=[Qualification.AUTHORISED_COUNSELLOR])
        alice.memberships.all().delete()
        assert not selectors.competence_check(unit=unit_a).met


def test_staff_page_runs_a_fixed_number_of_queries(anna_client, anna, alice, unit_a, django_assert_max_num_queries):
    anna_client.get(f"/{unit_a.slug}/quality/staff/")
    with django_assert_max_num_queries(14) as few:
        anna_client.get(f"/{unit_a.slug}/quality/staff/")
    with scope(unit=unit_a):
        for number in range(5):
            person = factories.user(f"colleague{number}", unit=unit_a, role="counsellor")
            services.qualifications_set(unit=unit_a, acting_user=anna, user=person,
                                        qualifications=["social_work", "sexology"])
            services.training_save(unit=unit_a, acting_user=anna, user=person, kind="supervision", date=MAR,
                                   hours=Decimal(2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        anna_client.get(f"/{unit_a.slug}/quality/staff/")


# --- Lex Sarah, complaints, incidents, concern reports ----------------------------------------


def _event(unit, user, kind, day=MAR, description="Lång väntetid", **fields):
    with scope(unit=unit):
        return services.quality_event_save(unit=unit, acting_user=user, kind=kind, date=day,
                                           description=description, **fields)


def test_counsellor_reports_lex_sarah_but_only_the_chief_sees_the_details(alice_client, anna_client, alice, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/events/new/", {
        "kind": "lex_sarah", "date": MAR.isoformat(), "status": "open",
        "description": "Samtal bokades i rum utan ljudisolering",
    })
    assert response.status_code == 302
    with scope(unit=unit_a):
        event = QualityEvent.objects.get()
    assert (event.kind, event.recorded_by) == ("lex_sarah", alice)
    counsellor_view = alice_client.get(f"/{unit_a.slug}/quality/events/").content.decode()
    assert "ljudisolering" not in counsellor_view
    assert "Lex Sarah-rapport</th><td class=\"num\">1</td>" in counsellor_view.replace("\n", "")
    assert "ljudisolering" in anna_client.get(f"/{unit_a.slug}/quality/events/").content.decode()
    counsellor_export = alice_client.get(f"/{unit_a.slug}/quality/events/", {"format": "csv"})
    assert "ljudisolering" not in counsellor_export.content.decode("utf-8-sig")
    assert alice_client.get(f"/{unit_a.slug}/quality/events/{event.pk}/").status_code == 403


def test_chief_records_measures_and_report_dates(anna_client, anna, unit_a):
    event = _event(unit_a, anna, "lex_sarah")
    response = anna_client.post(f"/{unit_a.slug}/quality/events/{event.pk}/", {
        "kind": "lex_sarah", "date": MAR.isoformat(), "description": "Rum utan ljudisolering",
        "measures": "Rummet togs ur bruk", "status": "closed",
        "reported_to_ivo_on": "2025-03-20", "reported_to_administration_on": "2025-03-21",
    })
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.measures, event.status, event.reported_to_ivo_on, event.reported_to_administration_on) == (
        "Rummet togs ur bruk", "closed", datetime.date(2025, 3, 20), datetime.date(2025, 3, 21))


def test_another_units_event_is_404(anna_client, unit_a, unit_b, berit):
    foreign = _event(unit_b, berit, "complaint")
    assert anna_client.get(f"/{unit_a.slug}/quality/events/{foreign.pk}/").status_code == 404


def test_a_concern_report_is_counted_with_its_date_only(alice_client, alice, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/events/concern-report/", {"date": MAR.isoformat()})
    assert response.status_code == 302
    with scope(unit=unit_a):
        report = QualityEvent.objects.get()
    assert (report.kind, report.date, report.description, report.measures) == ("concern_report", MAR, "", "")
    # The general form does not take concern reports, and the rule holds in the service too.
    refused = alice_client.post(f"/{unit_a.slug}/quality/events/new/",
                                {"kind": "concern_report", "date": MAR.isoformat(), "status": "open",
                                 "description": "Barnet"})
    assert refused.status_code == 200 and refused.context["form"].errors["kind"]
    with scope(unit=unit_a), pytest.raises(ValidationError):
        services.quality_event_save(unit=unit_a, acting_user=alice, kind="concern_report", date=MAR,
                                    description="Barnet far illa")
    with scope(unit=unit_a):
        assert QualityEvent.objects.count() == 1


def test_a_concern_report_without_a_date_is_refused(alice_client, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/quality/events/concern-report/", {"date": ""}, follow=True)
    assert response.redirect_chain == [(f"/{unit_a.slug}/quality/events/", 302)]
    assert "Ange datum för orosanmälan." in response.content.decode()
    with scope(unit=unit_a):
        assert not QualityEvent.objects.exists()


def test_incident_counts_per_kind(unit_a, anna, alice):
    _event(unit_a, anna, "complaint")
    _event(unit_a, anna, "complaint", day=JUN)
    _event(unit_a, anna, "incident")
    _event(unit_a, anna, "lex_sarah")
    _event(unit_a, anna, "suggestion", day=datetime.date(YEAR - 1, 6, 1))  # other year
    with scope(unit=unit_a):
        services.concern_report_count(unit=unit_a, acting_user=alice, date=JAN)
        counts = selectors.incident_counts(unit=unit_a, start=datetime.date(YEAR, 1, 1), end=JUN)
        compilation = list(selectors.lex_sarah_reports(unit=unit_a, start=datetime.date(YEAR, 1, 1), end=JUN))
    assert counts == {"lex_sarah": 1, "complaint": 2, "suggestion": 0, "incident": 1, "concern_report": 1}
    assert [event.kind for event in compilation] == ["lex_sarah"]


# --- København concept duties ---------------------------------------------------------------


def test_concept_duties_are_counted_from_the_outreach_records(kbh):
    chief = factories.user("mette", unit=kbh, role="chief")
    for kind, day in [("daycare_visit", JAN), ("volunteer_meeting", MAR), ("cross_city_meeting", JAN),
                      ("cross_city_meeting", MAR), ("cross_city_meeting", JUN), ("follow_group_meeting", MAR),
                      ("follow_group_meeting", JUN), ("theme_event", datetime.date(YEAR - 1, 11, 1))]:
        _outreach(kbh, chief, kind, day)
    with scope(unit=kbh):
        LinkedStaffTime.objects.create(unit=kbh, role="family_consultant", hours_per_week=Decimal(4),
                                       valid_from=datetime.date(YEAR - 1, 1, 1))
        LinkedStaffTime.objects.create(unit=kbh, role="case_worker", hours_per_week=Decimal(2),
                                       valid_from=datetime.date(YEAR - 1, 1, 1), valid_to=datetime.date(YEAR, 2, 28))
        duties = {duty.key: duty for duty in selectors.concept_duties(unit=kbh, year=YEAR, today=JUN)}
        earlier = {duty.key: duty for duty in selectors.concept_duties(unit=kbh, year=YEAR, today=JAN)}
    assert {key: (duty.done, duty.met, duty.missing) for key, duty in duties.items()} == {
        "daycare_visit": (1, True, 0), "theme_event": (0, False, 1), "volunteer_meeting": (1, True, 0),
        "cross_city_meeting": (3, False, 1), "follow_group_meeting": (2, True, 0),
        "linked_staff": (Decimal(4), False, Decimal(2)),
        # "Samarbejde lokalt - professionelle": nothing recorded with them yet.
        "health_visitors": (0, False, 1), "housing_social_workers": (0, False, 1), "social_centre": (0, False, 1),
        # No drop-in hours in the settings and none recorded: 0 of 6 hours a week.
        "drop_in": (Decimal(0), False, Decimal(6)),
    }
    assert earlier["linked_staff"].done == Decimal(6) and earlier["linked_staff"].met


def test_landing_page_shows_the_concept_duties_still_missing(kbh):
    from tests.conftest import logged_in

    mette = factories.user("mette", unit=kbh, role="counsellor")
    _outreach(kbh, mette, "cross_city_meeting", JAN)
    page = logged_in(mette).get(f"/{kbh.slug}/").content.decode()
    assert f"Konceptets krav {YEAR}" in page
    assert "1 udført i år, 4 påkrævet" in page and "3 mangler endnu" in page
    assert "6,00 timer om ugen mangler" in page


def test_other_units_have_no_concept_panel_or_page(alice_client, unit_a):
    assert "Konceptets krav" not in alice_client.get(f"/{unit_a.slug}/").content.decode()
    assert alice_client.get(f"/{unit_a.slug}/quality/concept/").status_code == 404


def test_chief_records_linked_staff_time_and_dates_must_be_in_order(kbh):
    from tests.conftest import logged_in

    chief, counsellor = factories.user("mette", unit=kbh, role="chief"), factories.user("jens", unit=kbh,
                                                                                         role="counsellor")
    url = f"/{kbh.slug}/quality/concept/staff/new/"
    data = {"role": "family_consultant", "hours_per_week": "6", "valid_from": "2025-01-01"}
    assert logged_in(counsellor).post(url, data).status_code == 403
    refused = logged_in(chief).post(url, {**data, "valid_to": "2024-12-31"})
    assert refused.status_code == 200 and refused.context["form"].errors["valid_to"]
    assert logged_in(chief).post(url, data).status_code == 302
    with scope(unit=kbh):
        allocation = LinkedStaffTime.objects.get()
    assert (allocation.hours_per_week, allocation.valid_to) == (Decimal("6.0"), None)
    assert logged_in(counsellor).get(f"/{kbh.slug}/quality/concept/").status_code == 200


# --- Pages and roles ---------------------------------------------------------------------


QUALITY_PAGES = ["", "survey/", "survey/results/", "outreach/", "outreach/new/", "staff/", "training/",
                 "training/new/", "events/", "events/new/"]


@pytest.mark.parametrize("path", QUALITY_PAGES)
def test_members_open_the_quality_pages_and_administration_does_not(alice_client, anna_client, olga_client, unit_a,
                                                                   path):
    assert alice_client.get(f"/{unit_a.slug}/quality/{path}").status_code == 200
    assert anna_client.get(f"/{unit_a.slug}/quality/{path}").status_code == 200
    assert olga_client.get(f"/{unit_a.slug}/quality/{path}").status_code == 404


def test_the_menu_leads_to_the_quality_pages(alice_client, unit_a):
    assert f'href="/{unit_a.slug}/quality/"' in alice_client.get(f"/{unit_a.slug}/").content.decode()


def test_overview_runs_a_fixed_number_of_queries(anna_client, anna, alice, unit_a, django_assert_max_num_queries):
    anna_client.get(f"/{unit_a.slug}/quality/")
    with django_assert_max_num_queries(20) as few:
        anna_client.get(f"/{unit_a.slug}/quality/")
    for day in (JAN, MAR, JUN):
        _outreach(unit_a, alice, "lecture", day, counsellors=[alice])
        _event(unit_a, anna, "complaint", day=day)
        with scope(unit=unit_a):
            services.training_save(unit=unit_a, acting_user=anna, user=alice, kind="supervision", date=day,
                                   hours=Decimal(2))
            services.survey_round_create(unit=unit_a, acting_user=anna, title=f"Omgång {day}", today=day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = anna_client.get(f"/{unit_a.slug}/quality/")
    assert "Omgång" in page.content.decode()


def test_records_name_only_the_units_own_staff(in_unit_a, anna, bob):
    import datetime
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from quality import services

    with pytest.raises(ValidationError) as outreach:
        services.outreach_save(unit=in_unit_a, acting_user=anna, date=datetime.date(2025, 3, 1), kind="lecture",
                               hours=Decimal("1.5"), counsellors=[bob])
    assert list(outreach.value.message_dict) == ["counsellors"]
    with pytest.raises(ValidationError) as training:
        services.training_save(unit=in_unit_a, acting_user=anna, user=bob, kind="training",
                               date=datetime.date(2025, 3, 1), hours=Decimal("2"))
    assert list(training.value.message_dict) == ["user"]
