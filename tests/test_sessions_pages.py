import csv
import datetime
import io
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from sessions import services
from sessions.models import Case, Course, Session, Visit
from tests import factories
from tests.conftest import logged_in
from tests.sessions_helpers import DAY, case, close_month, session
from units.models import AuditEvent


def _post_data(**overrides):
    return {"date": "2025-03-04", "start_time": "09:00", "minutes": "60", "format": "couple", "participants": "",
            "status": "held", "location": "office", "fee": "paid", "counsellors": [], "case": "",
            "idempotency_key": str(uuid.uuid4()), **overrides}


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- logging a session -------------------------------------------------------------------------------

def test_the_form_starts_at_today_me_and_my_usual_length_and_format(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        for minutes, fmt in [(90, "individual"), (90, "individual"), (60, "couple")]:
            session(unit_a, minutes=minutes, format=fmt, participants=1 if fmt == "individual" else 2,
                    logged_by=alice)
    form = alice_client.get(f"/{unit_a.slug}/sessions/new/").context["form"]
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["counsellors"] == [alice.pk]
    assert (form.initial["minutes"], form.initial["format"]) == (90, "individual")


def test_a_counsellor_logs_a_session_and_sees_it_in_the_list(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        opened = case(unit_a)
    response = alice_client.post(f"/{unit_a.slug}/sessions/new/",
                                 _post_data(counsellors=[alice.pk], case=opened.pk))
    with scope(unit=unit_a):
        logged = Session.objects.get(unit=unit_a)
        opened.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/{unit_a.slug}/sessions/#session-{logged.pk}"
    assert (logged.case, logged.participants, logged.logged_by) == (opened, 2, alice)
    assert opened.started_on == DAY
    listing = alice_client.get(f"/{unit_a.slug}/sessions/").content.decode()
    assert f'id="session-{logged.pk}"' in listing and opened.code in listing


def test_two_identical_posts_with_the_same_key_store_one_session(alice_client, alice, unit_a):
    data = _post_data(counsellors=[alice.pk])
    first = alice_client.post(f"/{unit_a.slug}/sessions/new/", data)
    second = alice_client.post(f"/{unit_a.slug}/sessions/new/", data)
    with scope(unit=unit_a):
        stored = list(Session.objects.filter(unit=unit_a))
    assert len(stored) == 1
    # Both answers show the saved session.
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/{unit_a.slug}/sessions/#session-{stored[0].pk}"


def test_a_group_without_a_count_gets_a_message_at_the_field(alice_client, alice, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/sessions/new/",
                                 _post_data(format="group", counsellors=[alice.pk]))
    assert response.status_code == 200
    assert "participants" in response.context["form"].errors
    assert "Ange antalet deltagare" in response.content.decode()
    with scope(unit=unit_a):
        assert not Session.objects.filter(unit=unit_a).exists()


def test_the_form_offers_only_the_units_open_cases_and_members(alice_client, unit_a, unit_b, bob, anna):
    with scope(unit=unit_a):
        open_case = case(unit_a, "P-OPEN")
        case(unit_a, "P-CLOSED", closed_on=datetime.date(2025, 2, 1))
    with scope(unit=unit_b):
        case(unit_b, "B-FOREIGN")
    form = alice_client.get(f"/{unit_a.slug}/sessions/new/").context["form"]
    assert [choice.code for choice in form.fields["case"].queryset] == [open_case.code]
    assert {person.username for person in form.fields["counsellors"].queryset} == {"alice", "anna"}


def test_unit_specific_fields(db):
    team = factories.unit("team", record_mode="case", kind="familjebehandling", period_kind="half")
    family_unit = factories.unit("fam", record_mode="case", kind="familjeenhet", period_kind="tertial")
    counselling = factories.unit("rad")
    fields = {}
    for unit in (team, family_unit, counselling):
        person = factories.user(f"c-{unit.slug}", unit=unit, role="counsellor")
        fields[unit.slug] = set(logged_in(person).get(f"/{unit.slug}/sessions/new/").context["form"].fields)
    assert "constellation" in fields["team"] and "activity" not in fields["team"]
    assert "activity" in fields["fam"] and "constellation" not in fields["fam"]
    assert "fee" in fields["rad"] and "fee" not in fields["team"] and "fee" not in fields["fam"]


def test_the_form_does_the_same_queries_for_3_and_300_rows(alice_client, alice, unit_a):
    url = f"/{unit_a.slug}/sessions/new/"

    def add(count, start):
        with scope(unit=unit_a):
            for number in range(start, start + count):
                opened = case(unit_a, f"P-{number:04d}")
                session(unit_a, case=opened, logged_by=alice, counsellors=[alice])

    add(3, 0)
    few = _count_queries(alice_client, url)
    add(297, 3)
    assert _count_queries(alice_client, url) == few
    assert few <= 12


# --- the list -------------------------------------------------------------------------------------------

@pytest.fixture
def logged_sessions(unit_a, alice, anna):
    with scope(unit=unit_a):
        opened = case(unit_a)
        session(unit_a, case=opened, date=datetime.date(2025, 3, 3), minutes=60, counsellors=[alice])
        session(unit_a, case=opened, date=datetime.date(2025, 3, 10), minutes=75, counsellors=[alice])
        session(unit_a, case=opened, date=datetime.date(2025, 3, 17), minutes=60, status="client_cancelled",
                counsellors=[alice])
        session(unit_a, date=datetime.date(2025, 3, 18), minutes=90, format="group", participants=6,
                counsellors=[anna])
        session(unit_a, date=datetime.date(2025, 4, 2), minutes=45, status="no_show", counsellors=[anna])
        session(unit_a, date=datetime.date(2025, 2, 20), minutes=50, status="unit_cancelled", counsellors=[alice])


def test_the_list_totals_the_filtered_sessions(alice_client, alice, unit_a, logged_sessions):
    totals = alice_client.get(f"/{unit_a.slug}/sessions/").context["totals"]
    # Held: 60 + 75 + 90 minutes = 225 min = 3.75 h.
    assert totals == {"held": 3, "hours": pytest.approx(3.75), "client_cancelled": 1, "no_show": 1,
                      "unit_cancelled": 1}
    march_alice = alice_client.get(f"/{unit_a.slug}/sessions/", {
        "date_from": "2025-03-01", "date_to": "2025-03-31", "counsellor": alice.pk}).context["totals"]
    assert (march_alice["held"], str(march_alice["hours"]), march_alice["client_cancelled"]) == (2, "2.25", 1)
    groups = alice_client.get(f"/{unit_a.slug}/sessions/", {"format": "group"})
    assert groups.context["page"].paginator.count == 1
    no_shows = alice_client.get(f"/{unit_a.slug}/sessions/", {"status": "no_show"}).context["totals"]
    assert no_shows["no_show"] == 1 and no_shows["held"] == 0
    assert "3,75" in alice_client.get(f"/{unit_a.slug}/sessions/").content.decode()


def test_the_list_paginates_and_keeps_the_filter(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        for day in range(51):
            session(unit_a, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day), counsellors=[alice])
    first = alice_client.get(f"/{unit_a.slug}/sessions/", {"status": "held"})
    assert len(first.context["page"].object_list) == 50
    assert "status=held&amp;page=2" in first.content.decode()
    second = alice_client.get(f"/{unit_a.slug}/sessions/", {"status": "held", "page": 2})
    assert [row.date for row in second.context["page"].object_list] == [datetime.date(2025, 1, 1)]


def test_the_list_does_the_same_queries_for_3_and_300_rows(alice_client, alice, anna, unit_a):
    url = f"/{unit_a.slug}/sessions/"

    def add(count, start):
        with scope(unit=unit_a):
            for number in range(start, start + count):
                opened = case(unit_a, f"P-{number:04d}")
                session(unit_a, case=opened, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=number % 200),
                        counsellors=[alice, anna])

    add(3, 0)
    few = _count_queries(alice_client, url)
    add(297, 3)
    assert _count_queries(alice_client, url) == few
    assert few <= 12


def test_the_list_exports_csv_and_xlsx_and_logs_the_download(alice_client, alice, unit_a, logged_sessions):
    response = alice_client.get(f"/{unit_a.slug}/sessions/", {"status": "held", "export": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="sessions-{unit_a.slug}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Datum", "Start", "Minuter"]
    assert [row[0] for row in rows[1:]] == ["2025-03-18", "2025-03-10", "2025-03-03"]
    assert rows[1][7] == "anna"
    assert AuditEvent.objects.filter(action="export.csv", user=alice).count() == 1
    workbook = load_workbook(io.BytesIO(alice_client.get(f"/{unit_a.slug}/sessions/", {"export": "xlsx"}).content))
    assert workbook.active.max_row == 7


# --- editing and correcting ------------------------------------------------------------------------------

def test_a_counsellor_changes_a_session_of_an_open_month(alice_client, alice, unit_a):
    with scope(unit=unit_a):
        logged = session(unit_a, counsellors=[alice])
    page = alice_client.get(f"/{unit_a.slug}/sessions/{logged.pk}/")
    assert page.context["form"].initial["minutes"] == 60
    response = alice_client.post(f"/{unit_a.slug}/sessions/{logged.pk}/",
                                 _post_data(minutes="75", counsellors=[alice.pk]))
    assert response.status_code == 302
    with scope(unit=unit_a):
        logged.refresh_from_db()
    assert logged.minutes == 75


def test_a_locked_session_is_refused_even_when_the_form_is_posted(anna_client, anna, unit_a):
    with scope(unit=unit_a):
        logged = session(unit_a, counsellors=[anna])
        close_month(unit_a, DAY)
    page = anna_client.get(f"/{unit_a.slug}/sessions/{logged.pk}/")
    assert page.context["locked"] is True
    assert f"/{unit_a.slug}/sessions/{logged.pk}/correct/" in page.content.decode()
    response = anna_client.post(f"/{unit_a.slug}/sessions/{logged.pk}/",
                                _post_data(minutes="120", counsellors=[anna.pk]))
    assert response.status_code == 200
    assert "stängd" in response.content.decode()
    with scope(unit=unit_a):
        logged.refresh_from_db()
    assert logged.minutes == 60


def test_only_the_chief_opens_the_correction_page(alice_client, anna_client, alice, anna, unit_a):
    with scope(unit=unit_a):
        logged = session(unit_a, counsellors=[alice])
        close_month(unit_a, DAY)
    url = f"/{unit_a.slug}/sessions/{logged.pk}/correct/"
    assert alice_client.get(url).status_code == 403
    assert alice_client.post(url, _post_data(minutes="90", counsellors=[alice.pk])).status_code == 403
    assert anna_client.get(url).status_code == 200
    response = anna_client.post(url, _post_data(minutes="90", counsellors=[alice.pk]))
    assert response.status_code == 302
    with scope(unit=unit_a):
        correction = Session.objects.get(corrects=logged)
    assert (correction.minutes, correction.date) == (90, DAY)  # the session's real date is kept
    listing = anna_client.get(f"/{unit_a.slug}/sessions/").content.decode()
    assert "rättelse av 2025-03-04" in listing


def test_another_units_session_and_case_are_404(alice_client, unit_a, unit_b):
    with scope(unit=unit_b):
        foreign_case = case(unit_b, "B-1")
        foreign = session(unit_b, case=foreign_case)
    for url in [f"/{unit_a.slug}/sessions/{foreign.pk}/", f"/{unit_a.slug}/cases/{foreign_case.pk}/"]:
        assert alice_client.get(url).status_code == 404
        assert alice_client.post(url, {}).status_code == 404
    for action in ("phases", "goals", "follow-ups", "scores", "climate"):
        assert alice_client.post(f"/{unit_a.slug}/cases/{foreign_case.pk}/{action}/", {}).status_code == 404


def test_another_units_course_phase_and_goal_are_404(alice_client, bob_client, bob, unit_a, unit_b):
    with scope(unit=unit_b):
        foreign_case = case(unit_b, "B-1")
        phase = services.phase_add(case=foreign_case, acting_user=bob, kind="kartlaggning", started_on=DAY)
        goal = services.goal_add(case=foreign_case, acting_user=bob, text="Lugnare morgnar")
        course = services.course_start(unit=unit_b, acting_user=bob, started_on=DAY)
    with scope(unit=unit_a):
        own_case = case(unit_a, "A-1")
    for url in [f"/{unit_a.slug}/visits/courses/{course.pk}/end/",
                f"/{unit_a.slug}/cases/{own_case.pk}/phases/{phase.pk}/",
                f"/{unit_a.slug}/cases/{own_case.pk}/goals/{goal.pk}/"]:
        assert alice_client.post(url, {}).status_code == 404
    # A phase or goal is reached only through its own case, even within the unit.
    with scope(unit=unit_b):
        other_case = case(unit_b, "B-2")
    assert bob_client.post(f"/{unit_b.slug}/cases/{other_case.pk}/phases/{phase.pk}/", {}).status_code == 404
    with scope(unit=unit_b):
        phase.refresh_from_db()
    assert phase.ended_on is None


def test_the_chief_gets_404_for_another_units_session_correction(anna_client, unit_a, unit_b):
    with scope(unit=unit_b):
        foreign = session(unit_b)
    assert anna_client.get(f"/{unit_a.slug}/sessions/{foreign.pk}/correct/").status_code == 404


@pytest.mark.parametrize("path", ["sessions/", "sessions/new/", "visits/", "cases/"])
def test_administration_users_do_not_open_the_daily_pages(olga_client, unit_a, path):
    assert olga_client.get(f"/{unit_a.slug}/{path}").status_code == 404


@pytest.mark.parametrize("path", ["sessions/", "sessions/new/", "visits/", "cases/"])
def test_counsellors_and_chiefs_open_the_daily_pages(alice_client, anna_client, unit_a, path):
    assert alice_client.get(f"/{unit_a.slug}/{path}").status_code == 200
    assert anna_client.get(f"/{unit_a.slug}/{path}").status_code == 200


# --- landing page ------------------------------------------------------------------------------------------

def test_the_landing_page_holds_the_session_form_for_members_only(alice_client, olga_client, unit_a):
    assert 'action="/alpha/sessions/new/"' in alice_client.get(f"/{unit_a.slug}/").content.decode()
    assert 'action="/alpha/sessions/new/"' not in olga_client.get(f"/{unit_a.slug}/").content.decode()


def test_the_landing_page_warns_of_overdue_urgent_assignments(bob_client, unit_b):
    with scope(unit=unit_b):
        case(unit_b, "U-LATE", urgent=True, assigned_on=timezone.localdate() - datetime.timedelta(days=8))
        case(unit_b, "U-FRESH", urgent=True, assigned_on=timezone.localdate() - datetime.timedelta(days=7))
    panels = bob_client.get(f"/{unit_b.slug}/").context["panels"]
    overdue = [panel for panel in panels if panel["template"] == "counselling/panels/overdue_cases.html"]
    assert [case.code for case in overdue[0]["cases"]] == ["U-LATE"]


# --- tally ---------------------------------------------------------------------------------------------------

def test_one_tap_counts_an_inquiry_once_per_form(alice_client, alice, unit_a):
    data = {"date": timezone.localdate().isoformat(), "topic": "loss", "child_age_band": "3-5", "gender": "",
            "channel": "walk_in", "idempotency_key": str(uuid.uuid4())}
    assert alice_client.post(f"/{unit_a.slug}/visits/", data).status_code == 302
    assert alice_client.post(f"/{unit_a.slug}/visits/", data).status_code == 302
    with scope(unit=unit_a):
        visit = Visit.objects.get(unit=unit_a)
    assert (visit.channel, visit.topic, visit.child_age_band, visit.counted_by) == ("walk_in", "loss", "3-5", alice)
    counts = alice_client.get(f"/{unit_a.slug}/visits/").context["counts"]
    assert {row["channel"]: row["today"] for row in counts} == {"walk_in": 1, "phone": 0, "email": 0, "home": 0}


def test_a_tap_without_a_channel_is_refused_with_a_message(alice_client, unit_a):
    response = alice_client.post(f"/{unit_a.slug}/visits/", {"date": "2025-03-04", "topic": "loss"})
    assert response.status_code == 200
    assert "channel" in response.context["visit_form"].errors
    with scope(unit=unit_a):
        assert not Visit.objects.filter(unit=unit_a).exists()


def test_the_background_categories_are_asked_only_in_denmark(db):
    dk = factories.unit("delta", org=factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK"),
                        language="da", country="DK", kind="familieradgivning", funders=("København",))
    se = factories.unit("sverige")
    for unit in (dk, se):
        person = factories.user(f"c-{unit.slug}", unit=unit, role="counsellor")
        form = logged_in(person).get(f"/{unit.slug}/visits/").context["visit_form"]
        assert ("background" in form.fields) is (unit is dk)


def test_courses_are_counted_when_they_start_and_end(alice_client, unit_a):
    today = timezone.localdate()
    key = str(uuid.uuid4())
    for _click in range(2):
        alice_client.post(f"/{unit_a.slug}/visits/courses/", {"started_on": today.isoformat(), "idempotency_key": key})
    with scope(unit=unit_a):
        course = Course.objects.get(unit=unit_a)
    response = alice_client.post(f"/{unit_a.slug}/visits/courses/{course.pk}/end/",
                                 {f"course-{course.pk}-ended_on": today.isoformat()})
    assert response.status_code == 302
    counts = alice_client.get(f"/{unit_a.slug}/visits/").context["course_counts"]
    assert counts == {"running": 0, "started": 1, "ended": 1}


def test_the_tally_exports_its_table(alice_client, unit_a):
    response = alice_client.get(f"/{unit_a.slug}/visits/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Kanal", "Idag", "Denna vecka", "Denna månad"]
    assert len(rows) == 5


# --- cases -------------------------------------------------------------------------------------------------

def test_an_anonymous_unit_opens_no_case_here(alice_client, unit_a):
    assert alice_client.get(f"/{unit_a.slug}/cases/new/").status_code == 404


def test_a_case_unit_opens_a_case_and_sees_the_urgent_warning(bob_client, bob, unit_b):
    today = timezone.localdate()
    form = bob_client.get(f"/{unit_b.slug}/cases/new/").context["form"]
    assert form.initial["code"] == f"U-{today.year}-0001"
    response = bob_client.post(f"/{unit_b.slug}/cases/new/", {
        "code": "U-2025-0007", "assigned_on": (today - datetime.timedelta(days=10)).isoformat(),
        "officer_office": "Myndighet barn och unga", "urgent": "on"})
    with scope(unit=unit_b):
        opened = Case.objects.get(unit=unit_b)
    assert response.status_code == 302
    assert (opened.code, opened.urgent, opened.opened_on) == ("U-2025-0007", True, today - datetime.timedelta(days=10))
    page = bob_client.get(f"/{unit_b.slug}/cases/{opened.pk}/")
    assert page.context["overdue"] is True
    listing = bob_client.get(f"/{unit_b.slug}/cases/").content.decode()
    assert "U-2025-0007" in listing and "försenat" in listing
    bob_client.post(f"/{unit_b.slug}/cases/{opened.pk}/", {"assigned_on": opened.assigned_on.isoformat(),
                                                           "urgent": "on", "regular_from": today.isoformat()})
    assert bob_client.get(f"/{unit_b.slug}/cases/{opened.pk}/").context["overdue"] is False


def test_the_case_page_draws_each_persons_ors_against_the_cutoff(bob_client, bob, unit_b):
    with scope(unit=unit_b):
        family = case(unit_b, "U-2025-0001")
    url = f"/{unit_b.slug}/cases/{family.pk}/scores/"
    for day, items in [("2025-03-04", (4, 4, 5, 5)), ("2025-03-11", (5, 6, 6, 6)), ("2025-03-18", (6, 6, 6, 6))]:
        response = bob_client.post(url, {"kind": "ors", "person": "parent_1", "date": day, "item1": items[0],
                                         "item2": items[1], "item3": items[2], "item4": items[3]})
        assert response.status_code == 302
    bob_client.post(url, {"kind": "srs", "person": "parent_1", "date": "2025-03-18", "item1": 9, "item2": 9,
                          "item3": 9, "item4": 9})
    page = bob_client.get(f"/{unit_b.slug}/cases/{family.pk}/")
    trend = page.context["trends"][0]
    # 18 → 23 → 24: +6 from the first reaches the reliable-change index of 5.
    assert [point["total"] for point in trend["points"]] == [18, 23, 24]
    assert (trend["cutoff"], trend["reliable"]) == (25, "improved")
    text = page.content.decode()
    assert "<svg" in text and "Klinisk gräns 25" in text
    assert "allianssignal" in text  # SRS 36 ≤ 36


def test_a_score_item_above_10_gets_a_message_at_the_item(bob_client, unit_b):
    with scope(unit=unit_b):
        family = case(unit_b, "U-2025-0001")
    response = bob_client.post(f"/{unit_b.slug}/cases/{family.pk}/scores/", {
        "kind": "ors", "person": "child_1", "is_child": "on", "date": "2025-03-04", "item1": 11, "item2": 5,
        "item3": 5, "item4": 5})
    assert response.status_code == 200
    assert list(response.context["score_form"].errors) == ["item1"]
    with scope(unit=unit_b), scopes_disabled():
        assert not family.outcome_scores.exists()


def test_phases_goals_and_follow_ups_from_the_case_page(bob_client, unit_b):
    with scope(unit=unit_b):
        family = case(unit_b, "U-2025-0001")
    base = f"/{unit_b.slug}/cases/{family.pk}"
    assert bob_client.post(f"{base}/phases/", {"kind": "kartlaggning", "started_on": "2025-01-10",
                                               "ended_on": "2025-02-10"}).status_code == 302
    overlap = bob_client.post(f"{base}/phases/", {"kind": "behandling", "started_on": "2025-02-01"})
    assert overlap.status_code == 200 and "started_on" in overlap.context["phase_form"].errors
    assert bob_client.post(f"{base}/goals/", {"text": "Lugnare morgnar"}).status_code == 302
    assert bob_client.post(f"{base}/follow-ups/", {"date": "2025-04-01"}).status_code == 302
    assert bob_client.post(f"{base}/climate/", {"person": "parent_1", "date": "2025-01-15", "closeness": 10,
                                                "distance": 4, "spontaneity": 3, "chaos": 2}).status_code == 302
    with scope(unit=unit_b):
        assert family.phases.count() == 1
        goal = family.goals.get()
        assert family.follow_ups.count() == 1 and family.climate_scores.count() == 1
    review = bob_client.post(f"{base}/goals/{goal.pk}/", {f"goal-{goal.pk}-status": "met",
                                                          f"goal-{goal.pk}-reviewed_on": "2025-05-01"})
    assert review.status_code == 302
    with scope(unit=unit_b):
        goal.refresh_from_db()
    assert goal.status == "met"
    assert "Lugnare morgnar" in bob_client.get(base + "/").content.decode()


def test_the_case_list_does_the_same_queries_for_3_and_300_cases(bob_client, unit_b):
    url = f"/{unit_b.slug}/cases/"
    with scope(unit=unit_b):
        for number in range(3):
            session(unit_b, case=case(unit_b, f"U-{number:04d}"))
    few = _count_queries(bob_client, url)
    with scope(unit=unit_b):
        for number in range(3, 300):
            session(unit_b, case=case(unit_b, f"U-{number:04d}"))
    assert _count_queries(bob_client, url) == few


def test_score_entry_returns_to_its_section_on_the_scale_just_used(bob_client, unit_b):
    # Issue 18: "an error jumps to the field (anchor) instead of reloading at the top; the scale
    # choice stays as chosen; … items labelled with the 0–10 range".
    with scope(unit=unit_b):
        family = case(unit_b, "U-2025-0001")
    page = bob_client.get(f"/{unit_b.slug}/cases/{family.pk}/").content.decode()
    assert f'action="/{unit_b.slug}/cases/{family.pk}/scores/#scores"' in page
    assert "(0–10)" in page
    saved = bob_client.post(f"/{unit_b.slug}/cases/{family.pk}/scores/", {
        "kind": "srs", "person": "parent_1", "date": "2025-03-04", "item1": 9, "item2": 9, "item3": 9, "item4": 9})
    assert saved.status_code == 302 and saved["Location"].endswith("?scale=srs#scores")
    again = bob_client.get(saved["Location"])
    assert again.context["score_form"]["kind"].value() == "srs"


def test_the_tally_says_what_it_counted_and_undoes_a_mistap_within_a_minute(alice_client, anna_client, unit_a):
    # Issue 18: "the tally says which channel was counted and can undo the last count for a minute".
    data = {"date": timezone.localdate().isoformat(), "topic": "loss", "channel": "phone",
            "idempotency_key": str(uuid.uuid4())}
    page = alice_client.post(f"/{unit_a.slug}/visits/", data, follow=True).content.decode()
    assert 'id="last-visit"' in page and "Telefon" in page
    with scope(unit=unit_a):
        visit = Visit.objects.get(unit=unit_a)
    # Someone else cannot take it back; nor can anyone after a minute.
    assert anna_client.post(f"/{unit_a.slug}/visits/{visit.pk}/undo/").status_code == 302
    with scope(unit=unit_a):
        assert Visit.objects.filter(pk=visit.pk).exists()
        Visit.objects.filter(pk=visit.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    alice_client.post(f"/{unit_a.slug}/visits/{visit.pk}/undo/")
    with scope(unit=unit_a):
        assert Visit.objects.filter(pk=visit.pk).exists()
        Visit.objects.filter(pk=visit.pk).update(created_at=timezone.now())
    undone = alice_client.post(f"/{unit_a.slug}/visits/{visit.pk}/undo/", follow=True).content.decode()
    assert 'id="last-visit"' not in undone
    with scope(unit=unit_a):
        assert not Visit.objects.filter(pk=visit.pk).exists()
    assert AuditEvent.objects.filter(action="visit.undo").count() == 1


def test_a_session_logged_from_a_case_returns_to_the_case_with_the_row_marked(alice_client, alice, unit_a):
    # Issue 18: "After saving a session, return to where the counsellor came from (the case …)".
    with scope(unit=unit_a):
        opened = case(unit_a, "P-2025-0042")
    case_url = f"/{unit_a.slug}/cases/{opened.pk}/"
    page = alice_client.get(case_url).content.decode()
    assert f"?case={opened.pk}&amp;next={case_url}" in page
    data = {**_post_data(counsellors=[alice.pk], case=opened.pk), "next": case_url}
    response = alice_client.post(f"/{unit_a.slug}/sessions/new/", data)
    with scope(unit=unit_a):
        logged = Session.objects.get(unit=unit_a)
    assert response["Location"] == f"{case_url}#session-{logged.pk}"
    assert f'id="session-{logged.pk}"' in alice_client.get(case_url).content.decode()
    # Another site, another unit or a bare path are never followed.
    for elsewhere in ("https://evil.example/", f"/{unit_a.slug}x/", "//evil.example/x", "/accounts/logout/"):
        data = {**_post_data(counsellors=[alice.pk], case=opened.pk), "next": elsewhere}
        assert alice_client.post(f"/{unit_a.slug}/sessions/new/", data)["Location"].startswith(
            f"/{unit_a.slug}/sessions/#session-")


def test_sessions_without_a_start_time_follow_the_days_timed_ones_latest_logged_first(alice_client, unit_a):
    with scope(unit=unit_a):
        first = session(unit_a, start_time=None)
        timed = session(unit_a, start_time=datetime.time(9, 0))
        second = session(unit_a, start_time=None)
    rows = alice_client.get(f"/{unit_a.slug}/sessions/").context["page"].object_list
    assert [row.pk for row in rows] == [timed.pk, second.pk, first.pk]


def test_the_row_count_above_a_list_is_singular_for_one(alice_client, alice, bob_client, unit_a, unit_b):
    """"1 rader" and "1 rækker" were printed for one row: the count is a plural form."""
    def caption(client, url):
        return re.search(r"<caption[^>]*>([^<]*)</caption>", client.get(url).content.decode()).group(1)

    with scope(unit=unit_a):
        session(unit_a, counsellors=[alice])
    assert caption(alice_client, f"/{unit_a.slug}/sessions/") == "1 rad"
    with scope(unit=unit_a):
        session(unit_a, counsellors=[alice])
    assert caption(alice_client, f"/{unit_a.slug}/sessions/") == "2 rader"
    with scope(unit=unit_b):
        session(unit_b, case=case(unit_b, "U-2025-0001"))
    assert caption(bob_client, f"/{unit_b.slug}/cases/") == "1 ärende"
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    danish = factories.unit("indre-by", org=org, name="Familierådgivningen Indre By", language="da", country="DK",
                            kind="familieradgivning", time_zone="Europe/Copenhagen", funders=("København",))
    mette = factories.user("mette", unit=danish, role="counsellor")
    with scope(unit=danish):
        session(danish, counsellors=[mette])
    assert caption(logged_in(mette), f"/{danish.slug}/sessions/") == "1 række"


def test_the_menu_marks_the_section_a_page_is_in(alice_client, alice, unit_a):
    """The Danish walk-through: no menu entry was marked on a session's edit page."""
    def marked(url):
        return re.findall(r'<a class="(?:nav-link|dropdown-item) active" href="([^"]+)" aria-current="(\w+)"',
                          alice_client.get(url).content.decode())

    with scope(unit=unit_a):
        logged = session(unit_a, counsellors=[alice], logged_by=alice)
    base = f"/{unit_a.slug}/sessions/"
    assert marked(base) == [(base, "page")]
    assert marked(f"{base}{logged.pk}/") == [(base, "true")]
    assert marked(f"{base}new/") == [(f"{base}new/", "page")]  # its own entry, not also Sessions
    assert marked(f"/{unit_a.slug}/") == []  # the overview is no entry of the menu
