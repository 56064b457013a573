"""Retention (issue 15, part 1): the purge removes what is due and the statistics do not move —
every period of every kind, what leaves the unit, the organisation pages, the national export, the
yearly report's figures; submitted reports and closed billing months untouched; --dry-run, --as-of;
the minimum retention rule; the chief's preview page, roles and tenancy."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope

from billing.models import MonthClose
from billing.selectors import month_statement
from billing.services import month_close
from intake.models import Application
from reporting import documents, national, outside, retention
from reporting.indicators import period_figures
from reporting.models import FrozenFigures, PurgeRecord, ReportDocument
from reporting.selectors import organisation_figures
from sessions.models import Case, ClimateScore, FollowUpMeeting, Goal, OutcomeScore, Phase, Session
from tests import billing_data, factories
from tests.conftest import logged_in
from tests.stats_builders import application, day, session
from units.models import AuditEvent, Unit
from units.periods import KINDS, Period, add_months

YEARS = range(2021, 2027)
AS_OF = datetime.date(2026, 6, 1)
TODAY = datetime.date(2026, 7, 1)


def all_periods():
    for year in YEARS:
        for kind, (_letter, months) in KINDS.items():
            for number in range(1, 12 // months + 1):
                yield Period(year, kind, number)


def periods_ended_by(today=TODAY):
    return [period for period in all_periods() if period.end < today]


def history(unit, *, case_work=False):
    """Four years of work, 2022–2025: each month a case that starts with the application,
    has three held sessions, a cancellation, and closes two months on; every third case is left
    open and goes quiet (inactive); one application waits unanswered since 2022; recent cases stay."""
    municipalities = ["Linköping", "Finspång", None]
    for index in range(48):
        received = add_months(datetime.date(2022, 1, 3), index)
        kept_open = index % 3 == 2
        app = application(unit, received.isoformat(), municipality=municipalities[index % 3],
                          offered=(received + datetime.timedelta(days=index % 20)).isoformat(),
                          age_band=["-24", "25-34", "35-44"][index % 3], partner_age_band="35-44",
                          relationship_type=["married", "cohabiting", "separated", ""][index % 4],
                          relationship_length=["0-1", "2-5", "6-10"][index % 3], children_count=index % 4,
                          adults=2, children_affected=index % 3, initiated_by=["clients", "referral", ""][index % 3])
        the_case = app.case
        for step in range(3):
            session(unit, the_case, (received + datetime.timedelta(days=10 + 14 * step)).isoformat(),
                    minutes=45 + 15 * (index % 3), format=["couple", "individual", "family"][step],
                    activity="support_talk" if case_work else "")
        session(unit, the_case, (received + datetime.timedelta(days=50)).isoformat(), status="client_cancelled")
        if index % 7 == 0:  # a held session that was in fact a no-show
            original = session(unit, the_case, (received + datetime.timedelta(days=55)).isoformat())
            session(unit, the_case, original.date.isoformat(), status="no_show", corrects=original)
        if case_work:
            Phase.objects.create(unit=unit, case=the_case, kind="kartlaggning", started_on=received,
                                         ended_on=None if kept_open else received + datetime.timedelta(days=30))
            Goal.objects.create(unit=unit, case=the_case, text="Fler lugna kvällar", status=["met", "partly_met",
                                                                                           "open"][index % 3])
            FollowUpMeeting.objects.create(unit=unit, case=the_case, date=received + datetime.timedelta(days=40))
            for offset, total in ((10, 18 + index % 5), (38, 26 + index % 9)):
                OutcomeScore.objects.create(unit=unit, case=the_case, person="parent_1", kind="ors",
                                            date=received + datetime.timedelta(days=offset), item1=total // 4,
                                            item2=total // 4, item3=total // 4, item4=total - 3 * (total // 4),
                                            total=total)
            OutcomeScore.objects.create(unit=unit, case=the_case, person="parent_1", kind="srs",
                                        date=received + datetime.timedelta(days=24), item1=9, item2=9, item3=9,
                                        item4=8 + index % 2, total=35 + index % 2)
            for offset, closeness in ((10, 8), (38, 11 + index % 4)):
                ClimateScore.objects.create(unit=unit, case=the_case, person="child_1",
                                            date=received + datetime.timedelta(days=offset), closeness=closeness,
                                            distance=5, spontaneity=3, chaos=2 + index % 3)
            the_case.assigned_on = received
            the_case.urgent = index % 4 == 0
            the_case.regular_from = received + datetime.timedelta(days=index % 12) if the_case.urgent else None
        if not kept_open:
            the_case.closed_on = received + datetime.timedelta(days=60)
            the_case.closing_focus = ["repair", "clarifying", "separation", ""][index % 4]
            if case_work and index % 5 == 0:
                the_case.rereferred_on = the_case.closed_on + datetime.timedelta(days=200)
        the_case.save()
    application(unit, "2022-03-15", municipality="Linköping")  # waits, unanswered, ever since
    application(unit, "2022-04-15", municipality="Finspång", closed="2022-05-01", outcome="withdrawn")
    session(unit, None, "2023-05-10", format="group", participants=7)  # a group session of no case


def snapshot(unit, today=TODAY):
    """Everything the purge must leave as it was, read as the readers read it: every period that
    has ended by `today`."""
    ended = periods_ended_by(today)

    with scope(unit=unit):
        found = {"period": {period.label: period_figures(unit=unit, period=period) for period in ended},
                 "core": {period.label: period_figures(unit=unit, period=period, core_only=True)
                          for period in ended},
                 "outside": {period.label: outside.as_json(outside.figures_outside(unit=unit, period=period))
                             for period in ended},
                 "national": {year: national.as_json(national.unit_outside(unit, year)) for year in YEARS
                              if year < today.year},
                 "report": {year: documents._figures(unit, Period(year, "year"))[:2] for year in YEARS
                            if year < today.year}}
    found["organisation"] = {
        period.label: organisation_figures(unit.organisation, period)[1] for period in ended
        if period.kind in ("year", unit.period_kind)}
    found["organisation_national"] = {year: national.organisation_outside(unit.organisation, year)
                                      for year in YEARS if year < today.year}
    # Through JSON, as every reader hands them on.
    return json.loads(json.dumps(found, default=str))


@pytest.fixture
def anonymous_unit(unit_a):
    with scope(unit=unit_a):
        history(unit_a)
    return unit_a


@pytest.fixture
def indicator_unit(db):
    org = factories.organisation("stockholm", "Stockholms stad", "Stockholm")
    unit = factories.unit("ostermalm", org=org, kind=Unit.Kind.FAMILY_UNIT, record_mode="case",
                          period_kind="tertial", retention_months=36, funders=("Linköping", "Finspång"))
    with scope(unit=unit):
        history(unit, case_work=True)
    return unit


def purge(unit, as_of=AS_OF, **options):
    with scope(unit=unit):
        return retention.purge_expired(unit=unit, as_of=as_of, today=TODAY, **options)


def test_the_statistics_do_not_move_in_an_anonymous_unit(anonymous_unit):
    before = snapshot(anonymous_unit)
    result = purge(anonymous_unit)
    # Retention 24 months as of 2026-06-01: last activity on or before 2024-06-01.
    assert result.counts["cases"] > 10 and result.counts["inactive"] > 0 and result.counts["sessions"] > 40
    assert result.frozen > 0
    with scope(unit=anonymous_unit):
        assert not Case.objects.filter(unit=anonymous_unit, opened_on__lt="2023-01-01", lapsed_on__isnull=True)
        # What is left of the inactive ones: ended today, counting rows without code or sessions.
        lapsed = Case.objects.filter(unit=anonymous_unit, lapsed_on__isnull=False)
        assert lapsed.count() == result.counts["inactive"]
        assert all(the_case.code.startswith("G-") and the_case.lapsed_on == TODAY for the_case in lapsed)
        assert not Session.objects.filter(case__in=lapsed).exists()
        assert not Session.objects.filter(unit=anonymous_unit, case__isnull=False, date__lt="2023-01-01").exists()
        assert not Application.objects.filter(unit=anonymous_unit, received_on__lt="2023-01-01",
                                              closed_on__isnull=True).exists()
        # The group session of no case is no case's detail: it stays.
        assert Session.objects.filter(unit=anonymous_unit, case__isnull=True).count() == 1
    after = snapshot(anonymous_unit)
    for part in before:
        assert after[part] == before[part], part


def test_the_statistics_do_not_move_in_a_unit_with_the_indicator(indicator_unit):
    before = snapshot(indicator_unit)
    with scope(unit=indicator_unit):
        goals = Goal.objects.count()
    result = purge(indicator_unit)
    # 36 months as of 2026-06-01: last activity on or before 2023-06-01.
    assert result.counts["cases"] > 5 and result.counts["goals"] > 0 and result.counts["phases"] > 0
    assert result.counts["outcome_scores"] > 0 and result.counts["climate_scores"] > 0
    assert result.counts["follow_ups"] > 0
    with scope(unit=indicator_unit):
        assert Goal.objects.count() == goals - result.counts["goals"]
        # Re-referred in 2023-07, after the cut-off of 2023-06-01: kept whole.
        assert Goal.objects.filter(case__rereferred_on__gt="2023-06-01").exists()
        indicator = period_figures(unit=indicator_unit, period=Period(2024, "tertial", 3))["not_current_again"]
    assert indicator["ended"] > 0  # cases closed in 2023, most of them purged, still counted
    assert snapshot(indicator_unit) == before


def test_counting_rows_go_once_the_year_they_ended_in_has_ended(anonymous_unit):
    purge(anonymous_unit)
    later = datetime.date(2027, 2, 1)
    before = snapshot(anonymous_unit, today=later)
    with scope(unit=anonymous_unit):
        result = retention.purge_expired(unit=anonymous_unit, as_of=later, today=later)
        assert not Case.objects.filter(unit=anonymous_unit, lapsed_on=TODAY).exists()
        assert result.record.counts["counting_rows_removed"] == 10
        # This purge's own inactive cases end now, and stay as counting rows until 2028.
        assert Case.objects.filter(unit=anonymous_unit, lapsed_on=later).count() == result.counts["inactive"] > 0
    assert snapshot(anonymous_unit, today=later) == before


def test_a_second_purge_keeps_the_first_frozen_figures(anonymous_unit):
    before = snapshot(anonymous_unit)
    purge(anonymous_unit, as_of=datetime.date(2025, 6, 1))
    purge(anonymous_unit)
    assert snapshot(anonymous_unit) == before
    again = purge(anonymous_unit)
    assert again.counts["cases"] == 0 and again.frozen == 0


def test_an_inactive_application_ends_with_the_purge(anonymous_unit):
    """It waited from 2022 until the purge: the queue of every ended period still counts it; the
    period the purge falls in counts it no longer (it has ended), and nothing was closed in the past."""
    with scope(unit=anonymous_unit):
        waiting = Application.objects.get(unit=anonymous_unit, received_on="2022-03-15")
        current = Period(2026, "quarter", 3)
        queue_before = period_figures(unit=anonymous_unit, period=current)["waiting_now"]["count"]
        closed_before = {period.label: period_figures(unit=anonymous_unit, period=period)["cases_closed"]
                         for period in periods_ended_by() if period.kind == "quarter"}
    purge(anonymous_unit)
    with scope(unit=anonymous_unit):
        ended = Application.objects.get(pk=waiting.pk)
        assert (ended.closed_on, ended.outcome, ended.note_codes) == (TODAY, "lapsed", "")
        assert ended.case.closed_on is None and ended.case.code.startswith("G-")
        assert period_figures(unit=anonymous_unit, period=current)["waiting_now"]["count"] < queue_before
        assert {label: period_figures(unit=anonymous_unit, period=Period.parse(label))["cases_closed"]
                for label in closed_before} == closed_before


def test_a_purge_freezes_only_the_periods_its_rows_were_counted_in(anonymous_unit):
    """Cut-off 2024-06-01: nothing of 2025 or later is frozen, so a session logged late for a
    recent period still counts."""
    purge(anonymous_unit)
    with scope(unit=anonymous_unit):
        labels = set(FrozenFigures.objects.values_list("label", flat=True))
        assert {"2022", "2023", "2024", "2024-Q1", "2024-T1", "2024-H1"} <= labels
        assert not {label for label in labels if label >= "2025"}
        recent = Period(2026, "quarter", 1)
        held = period_figures(unit=anonymous_unit, period=recent)["sessions_held"]
        session(anonymous_unit, Case.objects.filter(opened_on__gte="2025-01-01").first(), "2026-03-30")
        assert period_figures(unit=anonymous_unit, period=recent)["sessions_held"] == held + 1


def test_recent_cases_are_kept(anonymous_unit):
    purge(anonymous_unit)
    with scope(unit=anonymous_unit):
        # Closed 2024-09 and later: within the 24 months.
        kept = Case.objects.filter(unit=anonymous_unit, opened_on__gte="2024-08-01")
        assert kept.count() == 17
        assert Session.objects.filter(unit=anonymous_unit, case__in=kept).count() > 0


def test_a_purge_never_touches_submitted_reports_or_closed_months(unit_a):
    with scope(unit=unit_a):
        billing_data.hourly_agreement(unit_a, rates={2022: "605.00"})
        old = billing_data.case(unit_a, opened=datetime.date(2022, 2, 1))
        billing_data.session(unit_a, datetime.date(2022, 2, 8), 61, case=old)
        old.closed_on = datetime.date(2022, 2, 28)
        old.save()
        close = month_close(unit=unit_a, month=datetime.date(2022, 2, 1), acting_user=factories.user("chief"),
                            with_pdf=False,
                            today=datetime.date(2022, 3, 5))
        statement = month_statement(unit=unit_a, month=datetime.date(2022, 2, 1)).data
        report = ReportDocument.objects.create(unit=unit_a, period="2022", version=1, status="done",
                                               figures={"sessions_held": 1}, sha256="a" * 64,
                                               submitted_at=datetime.datetime(2023, 3, 1, tzinfo=datetime.UTC))
    result = purge(unit_a)
    assert result.counts["sessions"] == 1
    with scope(unit=unit_a):
        kept = MonthClose.objects.get(pk=close.pk)
        assert (kept.snapshot, kept.csv_sha256, kept.csv_file.name) == (close.snapshot, close.csv_sha256,
                                                                        close.csv_file.name)
        assert month_statement(unit=unit_a, month=datetime.date(2022, 2, 1)).data == statement
        stored = ReportDocument.objects.get(pk=report.pk)
        assert (stored.figures, stored.sha256, stored.submitted_at) == (report.figures, report.sha256,
                                                                        report.submitted_at)


def test_each_purge_writes_a_record_and_an_audit_row_with_the_counts(anonymous_unit):
    result = purge(anonymous_unit)
    with scope(unit=anonymous_unit):
        record = PurgeRecord.objects.get(unit=anonymous_unit)
    assert record.counts == {**result.counts, "counting_rows_removed": 0}
    assert (record.as_of, record.retention_months) == (AS_OF, 24)
    assert AuditEvent.objects.filter(unit=anonymous_unit, action="retention.purge",
                                     object_id=str(record.pk)).count() == 1


def test_dry_run_counts_and_writes_nothing(anonymous_unit):
    with scope(unit=anonymous_unit):
        cases, sessions = Case.objects.count(), Session.objects.count()
    out = io.StringIO()
    call_command("purge_expired", "--unit", "alpha", "--as-of", "2026-06-01", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert printed.startswith("alpha as of 2026-06-01: would remove cases=")
    with scope(unit=anonymous_unit):
        assert (Case.objects.count(), Session.objects.count()) == (cases, sessions)
        assert not FrozenFigures.objects.exists() and not PurgeRecord.objects.exists()
        expected = retention.counts(anonymous_unit, AS_OF)
    assert f"cases={expected['cases']} applications={expected['applications']}" in printed
    assert not AuditEvent.objects.filter(action="retention.purge").exists()


def test_as_of_shows_the_future(anonymous_unit):
    with scope(unit=anonymous_unit):
        now = retention.counts(anonymous_unit, datetime.date(2024, 1, 1))
        later = retention.counts(anonymous_unit, datetime.date(2028, 1, 1))
    assert now["cases"] < later["cases"]
    # Every case but the two of the last months, active into 2026 (cut-off 2026-01-01).
    assert later["cases"] == 48
    out = io.StringIO()
    call_command("purge_expired", "--unit", "alpha", "--as-of", "2099-01-01", "--dry-run", stdout=out)
    assert "would remove cases=50 " in out.getvalue()


def test_the_command_refuses_to_purge_the_future(anonymous_unit):
    with pytest.raises(CommandError, match="--dry-run"):
        call_command("purge_expired", "--unit", "alpha", "--as-of", "2099-01-01")
    with pytest.raises(CommandError, match="not a date"):
        call_command("purge_expired", "--as-of", "1 June")
    with pytest.raises(CommandError, match="no unit"):
        call_command("purge_expired", "--unit", "nowhere", "--dry-run")


def test_the_command_purges_as_of_a_day(anonymous_unit):
    out = io.StringIO()
    call_command("purge_expired", "--unit", "alpha", "--as-of", "2026-06-01", stdout=out)
    assert "alpha as of 2026-06-01: removed cases=" in out.getvalue()
    with scope(unit=anonymous_unit):
        assert PurgeRecord.objects.get().as_of == AS_OF


def test_the_nightly_task_purges_every_unit(anonymous_unit, unit_b):
    from reporting.tasks import purge_expired_nightly

    done = purge_expired_nightly.delay().get()
    assert sorted(entry.split(":")[0] for entry in done) == ["alpha", "bravo"]
    with scope(unit=anonymous_unit):
        assert PurgeRecord.objects.filter(unit=anonymous_unit).count() == 1


# ---- the minimum retention rule ---------------------------------------------------------


def test_retention_cannot_go_below_what_the_indicator_needs(indicator_unit):
    from django.utils import translation

    indicator_unit.retention_months = 24
    with pytest.raises(ValidationError) as raised:
        indicator_unit.full_clean()
    with translation.override("en"):  # the message is lazy: read it in English whatever ran before
        message = " ".join(raised.value.message_dict["retention_months"])
    assert "36" in message and "current again" in message


def test_the_settings_page_refuses_less_than_the_indicator_needs(indicator_unit):
    from tests.test_unit_settings import _form

    chief = factories.user("chief-o", unit=indicator_unit, role="chief")
    client = logged_in(chief)
    response = client.post("/ostermalm/settings/", _form(indicator_unit, **{"unit-retention_months": "24"}))
    assert response.status_code == 200
    assert "minst 36 månader" in response.content.decode()
    indicator_unit.refresh_from_db()
    assert indicator_unit.retention_months == 36


def test_retention_cannot_go_below_a_year_anywhere(unit_a):
    unit_a.retention_months = 6
    with pytest.raises(ValidationError) as raised:
        unit_a.full_clean()
    assert "12" in " ".join(raised.value.message_dict["retention_months"])
    unit_a.retention_months = 12
    unit_a.full_clean()


def test_a_unit_saved_below_the_minimum_is_purged_by_the_minimum(indicator_unit):
    Unit.objects.filter(pk=indicator_unit.pk).update(retention_months=12)
    indicator_unit.refresh_from_db()
    with scope(unit=indicator_unit):
        assert retention.cutoff(indicator_unit, AS_OF) == day("2023-06-01")


# ---- the chief's preview page ----------------------------------------------------------


def test_the_chief_sees_what_the_next_purge_removes(anonymous_unit, anna_client):
    response = anna_client.get("/alpha/settings/retention/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Gallring" in page
    with scope(unit=anonymous_unit):
        due = retention.counts(anonymous_unit, datetime.date.today() + datetime.timedelta(days=1))
    assert f'data-kind="sessions">{due["sessions"]}<' in page.replace("\u00a0", "")


def test_the_chief_changes_the_retention_period_within_the_rule(anonymous_unit, anna_client):
    response = anna_client.post("/alpha/settings/retention/", {"retention_months": "6"})
    assert response.status_code == 200
    assert "minst 12 månader" in response.content.decode()
    anonymous_unit.refresh_from_db()
    assert anonymous_unit.retention_months == 24
    response = anna_client.post("/alpha/settings/retention/", {"retention_months": "30"})
    assert response.status_code == 302
    anonymous_unit.refresh_from_db()
    assert anonymous_unit.retention_months == 30
    assert AuditEvent.objects.filter(unit=anonymous_unit, action="retention.settings").count() == 1


def test_a_counsellor_may_not_open_the_retention_page(anonymous_unit, alice_client):
    assert alice_client.get("/alpha/settings/retention/").status_code == 403


def test_another_units_user_and_the_administration_get_404(anonymous_unit, bob_client, olga_client):
    assert bob_client.get("/alpha/settings/retention/").status_code == 404
    assert olga_client.get("/alpha/settings/retention/").status_code == 404


def test_the_retention_page_has_a_fixed_number_of_queries(anonymous_unit, anna_client,
                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        assert anna_client.get("/alpha/settings/retention/").status_code == 200
