"""The chief's settings page, /<unit>/settings/: who may open it, what each setting does to the
figures computed after it, the organisation's small-count minimum, opening and drop-in hours,
the audit trail, and that a refused page writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from intake.models import IntakeSettings
from reporting import indicators
from sessions.models import OutcomeScore
from tests import factories
from tests.conftest import logged_in
from tests.stats_builders import case
from units.models import AuditEvent, OpeningHours, Unit
from units.opening_hours import drop_in_shortfall, overlapping, weekly_hours
from units.periods import Period
from units.suppression import SECONDARY


def _form(unit: Unit, **changes) -> dict:
    """The settings page as it is posted unchanged, with `changes` on top."""
    values = {
        "unit-name": unit.name, "unit-period_kind": unit.period_kind, "unit-wait_limit_days": unit.wait_limit_days,
        "unit-suppression_threshold": unit.suppression_threshold, "unit-retention_months": unit.retention_months,
        "unit-urgent_conversion_days": unit.urgent_conversion_days,
        "unit-indicator_target_percent": unit.indicator_target_percent, "unit-legal_reference": unit.legal_reference,
        "unit-address": unit.address, "unit-phone": unit.phone, "unit-email": unit.email,
        "unit-ors_cutoff_adult": unit.ors_cutoff_adult, "unit-ors_cutoff_child": unit.ors_cutoff_child,
        "unit-reliable_change": unit.reliable_change, "unit-srs_alliance_concern": unit.srs_alliance_concern,
        "unit-default_visit_fee": unit.default_visit_fee,
        "intake-administration_name": "", "intake-notice_recipients": "", "intake-notice_after_days": 14,
        "queue-queue_order": "acute_wait",
    }
    if unit.visit_fee_asked:
        values["unit-visit_fee_asked"] = "on"
    values["unit-visit_fee_choices"] = [value for value in unit.visit_fee_choices.split(",") if value]
    for kind in ("open", "drop_in"):
        values |= {f"{kind}-TOTAL_FORMS": 2, f"{kind}-INITIAL_FORMS": 0, f"{kind}-MIN_NUM_FORMS": 0,
                   f"{kind}-MAX_NUM_FORMS": 40}
        for index in range(2):
            values |= {f"{kind}-{index}-weekday": "", f"{kind}-{index}-start": "", f"{kind}-{index}-end": ""}
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def _stretch(kind, index, weekday, start, end):
    return {f"{kind}-{index}-weekday": weekday, f"{kind}-{index}-start": start, f"{kind}-{index}-end": end}


@pytest.fixture
def anna_client(anna):
    return logged_in(anna)


@pytest.fixture
def team_chief(unit_b):
    return factories.user("bea", unit=unit_b, role="chief")


# --- who may open it ------------------------------------------------------------------------

def test_the_chief_opens_the_settings_in_a_fixed_number_of_queries(anna_client, unit_a,
                                                                   django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = anna_client.get(f"/{unit_a.slug}/settings/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Inställningar för enheten" in text and "Öppettider" in text and "Drop in-tider" in text


def test_a_counsellor_may_not_change_the_settings(alice_client, unit_a):
    assert alice_client.get(f"/{unit_a.slug}/settings/").status_code == 403
    assert alice_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-wait_limit_days": 30})
                             ).status_code == 403
    unit_a.refresh_from_db()
    assert unit_a.wait_limit_days == 14


def test_the_administration_gets_404(olga_client, unit_a):
    assert olga_client.get(f"/{unit_a.slug}/settings/").status_code == 404


def test_the_landing_page_links_the_settings_for_the_chief_only(anna_client, alice_client, unit_a):
    assert f'href="/{unit_a.slug}/settings/"' in anna_client.get(f"/{unit_a.slug}/").content.decode()
    assert f'href="/{unit_a.slug}/settings/"' not in alice_client.get(f"/{unit_a.slug}/").content.decode()


# --- a change, its audit row and its effect --------------------------------------------------

def test_a_change_is_saved_audited_per_setting_and_read_by_the_next_figures(anna_client, anna, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(
        unit_a, **{"unit-wait_limit_days": 10, "unit-name": "Familjerådgivningen Alfa stad",
                   "unit-legal_reference": "SoL 5 kap. 3 §"}))
    assert response.status_code == 302
    unit_a.refresh_from_db()
    assert (unit_a.wait_limit_days, unit_a.name, unit_a.legal_reference) == (
        10, "Familjerådgivningen Alfa stad", "SoL 5 kap. 3 §")
    audited = sorted(AuditEvent.objects.filter(unit=unit_a, action="unit.settings_change")
                     .values_list("object_type", "user__username"))
    assert audited == [("unit.legal_reference", "anna"), ("unit.name", "anna"), ("unit.wait_limit_days", "anna")]
    with scope(unit=unit_a):
        figures = indicators.period_figures(unit=unit_a, period=Period.parse("2025-Q1"), core_only=True)
    assert figures["wait_limit_days"] == 10
    # Saving again unchanged writes no audit row.
    anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a))
    assert AuditEvent.objects.filter(unit=unit_a, action="unit.settings_change").count() == 3


def test_the_period_kind_changes_the_units_statistics_periods(anna_client, unit_a):
    anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-period_kind": "tertial"}))
    unit_a.refresh_from_db()
    assert unit_a.period_kind == "tertial"


def test_the_small_count_threshold_never_goes_below_the_organisations_minimum(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(
        unit_a, **{"unit-suppression_threshold": 3, "unit-wait_limit_days": 30,
                   **_stretch("drop_in", 0, 1, "09:00", "12:00")}))
    assert response.status_code == 200
    errors = response.context["page"].form.errors["suppression_threshold"]
    assert errors == ["Gränsen för små tal kan inte vara lägre än 5, det lägsta som Linköpings kommun tillåter."]
    unit_a.refresh_from_db()
    # Nothing half-written: neither the other setting nor the hours of the same page.
    assert (unit_a.suppression_threshold, unit_a.wait_limit_days) == (5, 14)
    with scope(unit=unit_a):
        assert not OpeningHours.objects.filter(unit=unit_a).exists()
    assert not AuditEvent.objects.filter(unit=unit_a).exists()


def test_an_organisation_with_a_lower_minimum_allows_a_lower_threshold(anna_client, unit_a):
    unit_a.organisation.suppression_minimum = 3
    unit_a.organisation.save()
    assert anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-suppression_threshold": 3})
                            ).status_code == 302
    unit_a.refresh_from_db()
    assert unit_a.suppression_threshold == 3


def test_a_higher_threshold_hides_more_in_statistics_that_leave_the_unit(anna_client, unit_a):
    from reporting import outside
    from tests.stats_builders import application

    with scope(unit=unit_a):
        for _index in range(6):
            application(unit_a, "2025-02-03", municipality="Linköping")
            application(unit_a, "2025-02-03", municipality="Finspång")
        before = outside.figures_outside(unit=unit_a, period=Period.parse("2025-Q1"))
    assert anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-suppression_threshold": 7})
                            ).status_code == 302
    unit_a.refresh_from_db()
    assert unit_a.suppression_threshold == 7
    with scope(unit=unit_a):
        after = outside.figures_outside(unit=unit_a, period=Period.parse("2025-Q1"))
    assert before["new_applications_by_municipality"]["Linköping"] == 6
    assert after["new_applications_by_municipality"]["Linköping"] in ("<7", SECONDARY)


def test_an_identity_number_in_the_legal_reference_is_refused(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(
        unit_a, **{"unit-legal_reference": "Se 19850101-1234"}))
    assert response.status_code == 200
    assert "legal_reference" in response.context["page"].form.errors


def test_a_number_out_of_range_is_a_message_at_the_field(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-wait_limit_days": "x"}))
    assert response.status_code == 200
    assert "wait_limit_days" in response.context["page"].form.errors


# --- settings of case work: ORS/SRS, and what the labels quote --------------------------------

def test_the_srs_level_counts_the_alliance_concerns_and_the_label_quotes_it(db):
    unit_b = factories.unit("team", kind=Unit.Kind.FAMILY_TREATMENT, record_mode="case", period_kind="tertial")
    client = logged_in(factories.user("team-chief", unit=unit_b, role="chief"))
    with scope(unit=unit_b):
        closed = case(unit_b, closed_on="2025-03-01")
        for date, total in [("2025-02-01", 34), ("2025-02-08", 36), ("2025-02-15", 38)]:
            OutcomeScore.objects.create(unit=unit_b, case=closed, person="parent_1", kind="srs",
                                        date=datetime.date.fromisoformat(date), item1=10, item2=10, item3=10,
                                        item4=total - 30, total=total)
        assert indicators.period_figures(unit=unit_b, period=Period.parse("2025-T1"))["srs"] == {
            "ratings": 3, "alliance_concern": 2}
    page = client.get(f"/{unit_b.slug}/stats/2025-T1/").content.decode()
    assert "Allianssignal (36 eller lägre)" in page
    response = client.post(f"/{unit_b.slug}/settings/", _form(unit_b, **{"unit-srs_alliance_concern": 34}))
    assert response.status_code == 302
    unit_b.refresh_from_db()
    with scope(unit=unit_b):
        assert indicators.period_figures(unit=unit_b, period=Period.parse("2025-T1"))["srs"] == {
            "ratings": 3, "alliance_concern": 1}
    page = client.get(f"/{unit_b.slug}/stats/2025-T1/").content.decode()
    assert "Allianssignal (34 eller lägre)" in page and "36 eller lägre" not in page


def test_the_ors_cutoff_is_the_units_setting_on_the_case_page(unit_b, team_chief):
    client = logged_in(team_chief)
    with scope(unit=unit_b):
        family = case(unit_b)
    client.post(f"/{unit_b.slug}/settings/", _form(unit_b, **{"unit-ors_cutoff_adult": 22}))
    client.post(f"/{unit_b.slug}/cases/{family.pk}/scores/", {
        "kind": "ors", "person": "parent_1", "date": "2025-03-04", "item1": 5, "item2": 5, "item3": 5, "item4": 5})
    page = client.get(f"/{unit_b.slug}/cases/{family.pk}/")
    assert page.context["trends"][0]["cutoff"] == 22
    assert "Klinisk gräns 22" in page.content.decode()


def test_a_child_cutoff_above_40_is_refused(unit_b, team_chief):
    response = logged_in(team_chief).post(f"/{unit_b.slug}/settings/", _form(unit_b, **{"unit-ors_cutoff_child": 41}))
    assert "ors_cutoff_child" in response.context["page"].form.errors


def test_a_case_unit_sees_no_fee_options_and_an_anonymous_unit_no_outcome_scores(anna_client, unit_b, team_chief):
    case_form = logged_in(team_chief).get(f"/{unit_b.slug}/settings/").context["page"].form
    assert "srs_alliance_concern" in case_form.fields and "visit_fee_asked" not in case_form.fields
    anonymous_form = anna_client.get(f"/{unit_b.slug.replace('bravo', 'alpha')}/settings/").context["page"].form
    assert "visit_fee_asked" in anonymous_form.fields and "srs_alliance_concern" not in anonymous_form.fields
    assert "indicator_target_percent" not in anonymous_form.fields


def test_the_indicator_target_is_a_setting_of_a_family_unit(db):
    # 36 months: the not-current-again indicator's inputs (units.retention).
    ostermalm = factories.unit("ostermalm", kind=Unit.Kind.FAMILY_UNIT, record_mode="case", period_kind="tertial",
                               retention_months=36)
    chief = factories.user("chief-o", unit=ostermalm, role="chief")
    client = logged_in(chief)
    assert client.post(f"/{ostermalm.slug}/settings/", _form(ostermalm, **{"unit-indicator_target_percent": "80.5"})
                       ).status_code == 302
    ostermalm.refresh_from_db()
    assert ostermalm.indicator_target_percent == Decimal("80.5")
    with scope(unit=ostermalm):
        figures = indicators.period_figures(unit=ostermalm, period=Period.parse("2025-T1"))
    assert figures["not_current_again"]["target_percent"] == "80.5"


# --- fee options -------------------------------------------------------------------------------

def test_fee_options_decide_the_session_form(anna_client, alice_client, unit_a):
    assert "fee" in alice_client.get(f"/{unit_a.slug}/sessions/new/").context["form"].fields
    anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-default_visit_fee": "paid"}))
    assert alice_client.get(f"/{unit_a.slug}/sessions/new/").context["form"]["fee"].initial == "paid"
    anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{"unit-visit_fee_asked": None}))
    unit_a.refresh_from_db()
    assert unit_a.visit_fee_asked is False
    assert "fee" not in alice_client.get(f"/{unit_a.slug}/sessions/new/").context["form"].fields


# --- opening and drop-in hours -----------------------------------------------------------------

def test_weekly_hours_and_overlaps_are_plain_rules():
    t = datetime.time
    assert weekly_hours([(1, t(9), t(12)), (3, t(13), t(16, 30))]) == Decimal("6.5")
    assert overlapping([(1, t(9), t(12)), (1, t(11, 30), t(13)), (2, t(9), t(12))]) == [(1, t(11, 30), t(13))]
    assert overlapping([(1, t(9), t(12)), (1, t(12), t(13))]) == []
    assert drop_in_shortfall(kind=Unit.Kind.OPEN_COUNSELLING, drop_in_hours=Decimal("5.75")) == Decimal(6)
    assert drop_in_shortfall(kind=Unit.Kind.OPEN_COUNSELLING, drop_in_hours=Decimal(6)) is None
    assert drop_in_shortfall(kind=Unit.Kind.FAMILY_COUNSELLING, drop_in_hours=Decimal(0)) is None


def test_drop_in_hours_are_saved_and_copenhagen_is_told_when_under_six_a_week(db):
    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", country="DK")
    norrebro = factories.unit("kbh-fr-norrebro", org=org, kind=Unit.Kind.OPEN_COUNSELLING, country="DK",
                              language="da", funders=())
    client = logged_in(factories.user("kbh-chief", unit=norrebro, role="chief"))
    url = f"/{norrebro.slug}/settings/"
    assert "mindst 6 timers åben rådgivning om ugen" in client.get(url).content.decode()
    response = client.post(url, _form(norrebro, **_stretch("drop_in", 0, 1, "09:00", "12:00"),
                                      **_stretch("drop_in", 1, 3, "14:00", "17:00"),
                                      **_stretch("open", 0, 0, "08:00", "16:00")))
    assert response.status_code == 302
    with scope(unit=norrebro):
        rows = sorted(OpeningHours.objects.filter(unit=norrebro).values_list("kind", "weekday", "start", "end"))
    assert rows == [("drop_in", 1, datetime.time(9), datetime.time(12)),
                    ("drop_in", 3, datetime.time(14), datetime.time(17)),
                    ("open", 0, datetime.time(8), datetime.time(16))]
    page = client.get(url).content.decode()
    assert "6 timer om ugen." in page and "mindst 6 timers åben rådgivning" not in page
    assert sorted(AuditEvent.objects.filter(unit=norrebro).values_list("object_type", flat=True)) == [
        "units.openinghours.drop_in", "units.openinghours.open"]


def test_overlapping_or_reversed_hours_are_refused_and_nothing_is_written(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(
        unit_a, **{"unit-wait_limit_days": 30}, **_stretch("drop_in", 0, 1, "09:00", "12:00"),
        **_stretch("drop_in", 1, 1, "11:00", "13:00")))
    assert response.status_code == 200
    assert "Två tider överlappar på tisdag 11:00." in response.content.decode()
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **_stretch("open", 0, 1, "12:00", "09:00")))
    assert "Slutet måste vara efter början." in response.content.decode()
    unit_a.refresh_from_db()
    assert unit_a.wait_limit_days == 14
    with scope(unit=unit_a):
        assert not OpeningHours.objects.filter(unit=unit_a).exists()


def test_removing_a_stretch(anna_client, unit_a):
    anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **_stretch("drop_in", 0, 1, "09:00", "12:00")))
    form = _form(unit_a, **_stretch("drop_in", 0, 1, "09:00", "12:00"))
    form |= {"drop_in-INITIAL_FORMS": 1, "drop_in-0-DELETE": "on"}
    anna_client.post(f"/{unit_a.slug}/settings/", form)
    with scope(unit=unit_a):
        assert not OpeningHours.objects.filter(unit=unit_a).exists()


# --- the long-wait notice --------------------------------------------------------------------

def test_long_wait_notice_recipients_are_saved_and_shown_on_the_notice(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{
        "intake-administration_name": "Socialförvaltningen", "intake-notice_recipients": "a@kommun.se, b@kommun.se",
        "intake-notice_after_days": 10}))
    assert response.status_code == 302
    with scope(unit=unit_a):
        settings = IntakeSettings.objects.get(unit=unit_a)
    assert (settings.recipients, settings.notice_after_days) == (["a@kommun.se", "b@kommun.se"], 10)
    assert "a@kommun.se, b@kommun.se" in anna_client.get(f"/{unit_a.slug}/queue/long-wait-notice/").content.decode()
    assert set(AuditEvent.objects.filter(unit=unit_a, action="intake.settings_change")
               .values_list("object_type", flat=True)) == {
        "intakesettings.administration_name", "intakesettings.notice_recipients", "intakesettings.notice_after_days"}


def test_a_wrong_recipient_address_is_refused(anna_client, unit_a):
    response = anna_client.post(f"/{unit_a.slug}/settings/", _form(unit_a, **{
        "intake-notice_recipients": "a@kommun.se, inte en adress", "unit-wait_limit_days": 30}))
    assert response.status_code == 200
    assert "inte en adress" in str(response.context["page"].sections[0].form.errors["notice_recipients"])
    unit_a.refresh_from_db()
    assert unit_a.wait_limit_days == 14
