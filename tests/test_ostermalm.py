"""Familjeenheten Östermalm's own follow-up (issue 16, 003_eba17951e60b4a73.txt), each figure
against counts worked out by hand. The unit reports by tertial: 2025-T1 is 2025-01-01..04-30."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scope

from quality.models import OutreachActivity, OutreachKind
from reporting import budget, indicators, profiles
from reporting.models import Budget, BudgetOutcome
from sessions import rules
from sessions.models import Case, Goal, GroupRound, Session
from tests import factories
from tests.conftest import logged_in
from tests.stats_builders import case, day, session
from units.models import Unit
from units.periods import Period

T1 = Period.parse("2025-T1")


@pytest.fixture
def fe(db):
    org = factories.organisation("stockholm", "Stockholms stad", "Stockholm")
    return factories.unit("fe", org=org, kind=Unit.Kind.FAMILY_UNIT, record_mode="case", period_kind="tertial",
                          funders=("Stockholm",))


@pytest.fixture
def in_fe(fe):
    with scope(unit=fe):
        yield fe


@pytest.fixture
def fe_client(fe):
    return logged_in(factories.user("stina", unit=fe, role="counsellor"))


# --- the 84 % indicator ---------------------------------------------------------------------------


def test_minst_84_procent_av_de_barn_och_ungdomar_counts_one_per_child(in_fe):
    """ "Minst 84 procent av de barn och ungdomar som varit aktuella för insatser …": a case of
    three siblings is three children. Window for 2025-T1: closed 2023-05-01..2024-04-30."""
    case(in_fe, closed_on="2023-09-01", children=3)  # 3 kept
    case(in_fe, closed_on="2024-01-10", children=2, rereferred_on="2024-06-01")  # 2 current again
    case(in_fe, closed_on="2024-04-30")  # 1 kept (last day of the window)
    case(in_fe, closed_on="2023-04-30", children=4)  # the day before the window: not counted
    found = indicators.not_current_again(in_fe, T1.start, T1.end)
    # Children 3 + 2 + 1 = 6, kept 3 + 1 = 4: 4 / 6 = 0.6666… → "0.667"; cases 3.
    assert (found["cases_ended"], found["ended"], found["not_current_again"], found["share"]) == (3, 6, 4, "0.667")
    assert found["meets_target"] is False


def test_aktuella_for_insatser_only_interventions_count_not_investigations_or_family_law_talks(in_fe):
    case(in_fe, closed_on="2023-10-01", kind="intervention", children=2)
    case(in_fe, closed_on="2023-10-01", kind="investigation", rereferred_on="2023-12-01")
    case(in_fe, closed_on="2023-10-01", kind="family_law", children=2, rereferred_on="2023-12-01")
    case(in_fe, closed_on="2023-10-01", kind="advice", rereferred_on="2023-12-01")
    found = indicators.not_current_again(in_fe, T1.start, T1.end)
    assert (found["cases_ended"], found["ended"], found["not_current_again"], found["share"]) == (1, 2, 2, "1.000")
    assert found["meets_target"] is True


def test_minst_84_procent_is_compared_unrounded_with_the_target(in_fe):
    # 68 of 81 children kept = 0.839506…: printed "0.840", yet below 84 %.
    for children in (20, 20, 20, 8):
        case(in_fe, closed_on="2023-11-01", children=children)
    case(in_fe, closed_on="2023-11-01", children=13, rereferred_on="2024-02-01")
    found = indicators.not_current_again(in_fe, T1.start, T1.end)
    assert (found["ended"], found["not_current_again"], found["share"]) == (81, 68, "0.840")
    assert found["meets_target"] is False


@pytest.mark.parametrize(("kept", "ended", "target", "met"), [
    (21, 25, "84.0", True),  # exactly 84 %: met
    (68, 81, "84.0", False),  # 83.95 %
    (1679, 2000, "84.0", False),  # 83.95 %, prints "0.840"
    (1681, 2000, "84.0", True),
    (0, 0, "84.0", None),  # nothing ended: no verdict
    (4, 5, "80.0", True),
])
def test_meets_target_unrounded(kept, ended, target, met):
    assert indicators.meets_target(kept, ended, Decimal(target)) is met


def test_the_indicator_in_an_empty_period(in_fe):
    found = indicators.period_figures(unit=in_fe, period=T1)["not_current_again"]
    assert found == {"ended_from": "2023-05-01", "ended_to": "2024-04-30", "cases_ended": 0, "ended": 0,
                     "not_current_again": 0, "share": None, "target_percent": "84.0", "meets_target": None}


def test_the_indicator_rows_show_cases_and_children(fe_client, fe):
    with scope(unit=fe):
        case(fe, closed_on="2023-09-01", children=3)
    page = fe_client.get(f"/{fe.slug}/stats/2025-T1/")
    with translation.override("sv"):  # labels are lazy: read them as the page did
        rows = {str(row["label"]): row["current"] for section in page.context["sections"]
                for table in section["tables"] if table["key"] == "not_current_again" for row in table["rows"]}
    assert rows["Insatser avslutade 12–24 månader före periodens slut"] == 1
    assert rows["Barn i dem (ett per barn)"] == 3


# --- "current again" recorded from the new case ------------------------------------------------------------


def _open(client, unit, **values):
    return client.post(f"/{unit.slug}/cases/new/", {"code": "U-2025-0100", "assigned_on": "2025-03-03",
                                                     "kind": "investigation", "children": 2, **values})


def test_a_new_case_for_the_same_family_code_offers_to_mark_the_earlier_case(fe_client, fe):
    with scope(unit=fe):
        earlier = case(fe, closed_on="2024-10-01", family_code="F-0142")
    offered = _open(fe_client, fe, family_code="F-0142")
    assert offered.status_code == 200 and offered.context["earlier"] == earlier
    assert earlier.code in offered.content.decode()
    with scope(unit=fe):
        assert not Case.objects.filter(code="U-2025-0100").exists()  # nothing written before the answer
    assert _open(fe_client, fe, family_code="F-0142", earlier="mark").status_code == 302
    with scope(unit=fe):
        earlier.refresh_from_db()
        opened = Case.objects.get(code="U-2025-0100")
    assert earlier.rereferred_on == datetime.date(2025, 3, 3)
    assert (opened.family_code, opened.kind, opened.children) == ("F-0142", "investigation", 2)


def test_the_earlier_case_may_be_left_as_it_is(fe_client, fe):
    with scope(unit=fe):
        earlier = case(fe, closed_on="2024-10-01", family_code="F-0142")
    assert _open(fe_client, fe, family_code="F-0142", earlier="leave").status_code == 302
    with scope(unit=fe):
        earlier.refresh_from_db()
    assert earlier.rereferred_on is None


def test_no_offer_for_an_open_case_a_marked_case_or_another_units_family(fe_client, fe):
    other = factories.unit("other", kind=Unit.Kind.FAMILY_UNIT, record_mode="case")
    with scope(unit=other):
        case(other, closed_on="2024-10-01", family_code="F-0142")
    with scope(unit=fe):
        case(fe, family_code="F-0142")  # still open
        case(fe, closed_on="2024-01-01", rereferred_on="2024-05-01", family_code="F-0142")  # already marked
        case(fe, closed_on="2025-03-03", family_code="F-0142")  # closes the day this one opens: not before it
    response = _open(fe_client, fe, family_code="F-0142")
    assert response.status_code == 302


def test_a_family_code_that_could_hold_an_identity_is_refused(fe_client, fe):
    response = _open(fe_client, fe, family_code="19850101-1234")
    assert response.status_code == 200 and "family_code" in response.context["form"].errors
    with scope(unit=fe):
        assert not Case.objects.filter(code="U-2025-0100").exists()


def test_only_the_family_unit_is_asked_for_kind_children_and_family_code(bob_client, unit_b, fe_client, fe):
    assert {"kind", "children", "family_code"} <= set(fe_client.get(f"/{fe.slug}/cases/new/").context["form"].fields)
    assert not {"kind", "children", "family_code"} & set(
        bob_client.get(f"/{unit_b.slug}/cases/new/").context["form"].fields)


# --- goal fulfilment -------------------------------------------------------------------------------------


def _goals(unit, the_case, *statuses):
    for status in statuses:
        Goal.objects.create(unit=unit, case=the_case, text="Barnet känner sig tryggt hemma", status=status)


def test_maluppfyllelse_bbic_genomforandeplan_counts_goals_of_cases_closed_in_the_period(in_fe):
    _goals(in_fe, case(in_fe, closed_on="2025-01-01"), "met", "met", "partly_met")  # first day of T1
    _goals(in_fe, case(in_fe, closed_on="2025-04-30"), "not_met", "met")  # last day of T1
    _goals(in_fe, case(in_fe, closed_on="2024-12-31"), "met")  # the day before
    _goals(in_fe, case(in_fe, closed_on="2025-05-01"), "not_met")  # the day after
    _goals(in_fe, case(in_fe), "partly_met", "open")  # still open
    figures = indicators.period_figures(unit=in_fe, period=T1)
    assert figures["goals"] == {"open": 0, "partly_met": 1, "met": 3, "not_met": 1}
    assert indicators.period_figures(unit=in_fe, period=Period.parse("2023-T1"))["goals"] == {
        "open": 0, "partly_met": 0, "met": 0, "not_met": 0}


def test_maluppfyllelse_is_in_the_page_the_export_and_the_json(fe_client, fe):
    with scope(unit=fe):
        _goals(fe, case(fe, closed_on="2025-02-01"), "met", "not_met")
    page = fe_client.get(f"/{fe.slug}/stats/2025-T1/")
    assert "goal_fulfilment" in [section["key"] for section in page.context["sections"]]
    assert "Måluppfyllelse (BBiC genomförandeplan)" in page.content.decode()
    lines = fe_client.get(f"/{fe.slug}/stats/2025-T1/?export=csv").content.decode("utf-8-sig").splitlines()
    assert "Måluppfyllelse (BBiC genomförandeplan);Mål i ärenden avslutade under perioden;Uppfyllt;1;0" in lines
    assert fe_client.get(f"/{fe.slug}/stats/2025-T1/?export=json").json()["goals"]["not_met"] == 1


def test_the_yearly_brief_names_goals_met():
    labels = [str(label) for label, _path, _percent in profiles.HEADLINES[Unit.Kind.FAMILY_UNIT]]
    assert "Goals met, cases closed" in labels


# --- råd- och stödsamtal -------------------------------------------------------------------------------


def test_antal_foraldrar_som_erhallit_rad_och_stodsamtal_counts_parents_not_families(in_fe):
    couple, single, again = case(in_fe), case(in_fe), case(in_fe)
    session(in_fe, couple, "2025-01-01", activity="support_talk", format="individual")  # first day of T1
    session(in_fe, couple, "2025-02-01", activity="support_talk", format="couple", participants=2)
    session(in_fe, single, "2025-04-30", activity="support_talk")  # last day: 1 parent
    session(in_fe, single, "2025-05-01", activity="support_talk", format="couple", participants=2)  # after T1
    session(in_fe, again, "2024-12-31", activity="support_talk", format="couple", participants=2)  # before T1
    no_show = session(in_fe, again, "2025-03-01", activity="support_talk", status="no_show")
    session(in_fe, again, "2025-03-02", activity="cooperation_talk", format="couple", participants=2)
    session(in_fe, None, "2025-03-03", activity="support_talk", format="couple", participants=2)  # no case: 2
    # A held talk corrected to a no-show counts nowhere.
    held = session(in_fe, again, "2025-03-04", activity="support_talk", format="couple", participants=2)
    session(in_fe, again, "2025-03-04", activity="support_talk", status="no_show", corrects=held)
    # Parents: couple 2 (the most at one talk), single 1, the caseless couple 2 = 5; families (cases) 2.
    figures = indicators.period_figures(unit=in_fe, period=T1)
    assert figures["support_talk_parents"] == 5
    assert figures["counted_work"]["cases"]["support_talk"] == 2
    assert no_show.status == "no_show"
    assert indicators.period_figures(unit=in_fe, period=Period.parse("2023-T1"))["support_talk_parents"] == 0


@pytest.mark.parametrize(("held", "due"), [(0, False), (3, False), (4, True), (7, True)])
def test_upp_till_tre_samtal_utan_bistandsprovning(held, due):
    assert rules.support_talks_need_assessment(held) is due


def _log_support_talk(client, unit, the_case, date):
    return client.post(f"/{unit.slug}/sessions/new/", {
        "date": date, "minutes": 60, "format": "individual", "location": "office", "status": "held",
        "case": the_case.pk, "activity": "support_talk", "idempotency_key": uuid.uuid4(),
        "counsellors": [get_user_model().objects.get(username="stina").pk]},
        follow=True)


def test_the_fourth_support_talk_for_the_same_case_warns(fe_client, fe):
    with scope(unit=fe):
        family = case(fe)
        for date in ("2025-01-10", "2025-01-17"):
            session(fe, family, date, activity="support_talk")
        session(fe, family, "2025-01-20", activity="support_talk", status="no_show")  # not a talk held
    third = _log_support_talk(fe_client, fe, family, "2025-01-24")
    assert [m.level_tag for m in third.context["messages"]] == ["success"]
    fourth = _log_support_talk(fe_client, fe, family, "2025-01-31")
    warnings = [str(m) for m in fourth.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and "4 råd- och stödsamtal" in warnings[0]
    with scope(unit=fe):
        assert Session.objects.filter(unit=fe, case=family, activity="support_talk", status="held").count() == 4
    page = fe_client.get(f"/{fe.slug}/cases/{family.pk}/")
    assert "biståndsprövning" in page.context["assessment_warning"]


# --- Komet, Skilda världar, öppet hus, samverkansforum ------------------------------------------------------


def _round(unit, activity, started, participants, *, ended=None, completed=None):
    return GroupRound.objects.create(unit=unit, activity=activity, started_on=day(started), participants=participants,
                                     ended_on=day(ended) if ended else None, completed=completed)


def test_antal_foraldrar_som_genomgatt_kometgrupp_per_round_not_sessions(in_fe):
    _round(in_fe, "komet", "2024-11-01", 10, ended="2025-01-01", completed=8)  # ends on T1's first day
    _round(in_fe, "komet", "2025-03-01", 12, ended="2025-04-30", completed=11)  # ends on its last day
    _round(in_fe, "komet", "2025-04-01", 9, ended="2025-05-01", completed=9)  # ends after T1: going on
    _round(in_fe, "komet", "2024-09-01", 7, ended="2024-12-31", completed=7)  # ended the day before T1
    _round(in_fe, "komet", "2025-05-01", 6)  # starts after T1
    _round(in_fe, "skilda_varldar", "2025-02-01", 6)  # running
    _round(in_fe, "skilda_varldar", "2024-10-01", 5, ended="2025-01-15", completed=5)
    for number in range(10):  # a round's sessions are not rounds
        session(in_fe, None, f"2025-03-{number + 1:02d}", activity="komet", format="group", participants=12)
    found = indicators.period_figures(unit=in_fe, period=T1)["group_rounds"]
    assert found["komet"] == {"rounds": 3, "participants": 31, "ended": 2, "completed": 19}
    assert found["skilda_varldar"] == {"rounds": 2, "participants": 11, "ended": 1, "completed": 5}
    empty = indicators.period_figures(unit=in_fe, period=Period.parse("2023-T1"))["group_rounds"]
    assert empty == {"komet": {"rounds": 0, "participants": 0, "ended": 0, "completed": 0},
                     "skilda_varldar": {"rounds": 0, "participants": 0, "ended": 0, "completed": 0}}


def _outreach(unit, date, kind):
    OutreachActivity.objects.create(unit=unit, date=day(date), kind=kind, hours=Decimal("1.5"))


def test_oppet_hus_tva_ganger_per_termin_met_or_not_per_term(in_fe):
    _outreach(in_fe, "2025-02-10", "open_house")
    _outreach(in_fe, "2025-05-20", "open_house")  # spring term, after T1
    _outreach(in_fe, "2025-09-10", "open_house")  # autumn: once only
    _outreach(in_fe, "2025-03-05", "cooperation_forum")
    _outreach(in_fe, "2025-04-30", "cooperation_forum")
    _outreach(in_fe, "2025-05-01", "cooperation_forum")
    t1 = indicators.forums(in_fe, T1.start, T1.end)
    # T1 ends in the spring term: once so far, the term still runs — not yet decided.
    assert t1 == {"cooperation_forum": 2, "open_house": 1,
                  "open_house_terms": {"spring": {"held": 1, "required": 2, "met": None}}}
    t2 = indicators.forums(in_fe, day("2025-05-01"), day("2025-08-31"))
    assert t2["open_house"] == 1 and t2["cooperation_forum"] == 1
    assert t2["open_house_terms"] == {"spring": {"held": 2, "required": 2, "met": True},
                                      "autumn": {"held": 0, "required": 2, "met": None}}
    year = indicators.forums(in_fe, day("2025-01-01"), day("2025-12-31"))["open_house_terms"]
    assert year["autumn"] == {"held": 1, "required": 2, "met": False}
    assert indicators.term_met(0, term_over=True) is False and indicators.term_met(2, term_over=False) is True


def test_samverkansforum_is_an_outreach_kind():
    assert OutreachKind.COOPERATION_FORUM in OutreachKind.values


def test_a_group_round_is_recorded_and_completed(fe_client, fe):
    url = f"/{fe.slug}/groups/"
    assert fe_client.post(url, {"activity": "komet", "started_on": "2025-02-03", "participants": 10}).status_code == 302
    with scope(unit=fe):
        komet = GroupRound.objects.get(unit=fe)
    refused = fe_client.post(f"{url}{komet.pk}/", {"activity": "komet", "started_on": "2025-02-03",
                                                   "participants": 10, "completed": 8})
    assert refused.status_code == 200 and "completed" in refused.context["form"].errors  # no end date
    too_many = fe_client.post(f"{url}{komet.pk}/", {"activity": "komet", "started_on": "2025-02-03",
                                                    "participants": 10, "ended_on": "2025-04-07", "completed": 11})
    assert "completed" in too_many.context["form"].errors
    with scope(unit=fe):
        komet.refresh_from_db()
    assert (komet.ended_on, komet.completed) == (None, None)  # nothing written half-way
    assert fe_client.post(f"{url}{komet.pk}/", {"activity": "komet", "started_on": "2025-02-03", "participants": 10,
                                                "ended_on": "2025-04-07", "completed": 8}).status_code == 302
    with scope(unit=fe):
        komet.refresh_from_db()
    assert (komet.ended_on, komet.completed) == (datetime.date(2025, 4, 7), 8)
    assert "2025-02-03" in fe_client.get(url).content.decode()


def test_group_rounds_are_the_family_units_page_and_another_units_round_is_a_404(fe_client, fe, bob_client, unit_b):
    assert bob_client.get(f"/{unit_b.slug}/groups/").status_code == 404  # not a family unit
    other = factories.unit("other", kind=Unit.Kind.FAMILY_UNIT, record_mode="case")
    with scope(unit=other):
        foreign = _round(other, "komet", "2025-01-10", 8)
    assert fe_client.get(f"/{fe.slug}/groups/{foreign.pk}/").status_code == 404
    assert fe_client.post(f"/{fe.slug}/groups/{foreign.pk}/", {"activity": "komet", "started_on": "2025-01-10",
                                                                "participants": 1}).status_code == 404
    admin = logged_in(factories.user("sara", org=fe.organisation))
    assert admin.get(f"/{fe.slug}/groups/").status_code in (403, 404)


def test_the_group_page_has_a_fixed_number_of_queries(fe_client, fe, django_assert_max_num_queries):
    with scope(unit=fe):
        for number in range(30):
            _round(fe, "komet", f"2024-{number % 12 + 1:02d}-01", 8)
    with django_assert_max_num_queries(15):
        assert fe_client.get(f"/{fe.slug}/groups/").status_code == 200


# --- budget per activity, followed monthly -----------------------------------------------------------------


def _budget(unit, activity, amount, year=2025):
    Budget.objects.create(unit=unit, year=year, activity=activity, amount=Decimal(amount))


def _outcome(unit, month, activity, amount):
    BudgetOutcome.objects.create(unit=unit, month=day(f"{month}-01"), activity=activity, amount=Decimal(amount))


@pytest.fixture
def ledger(in_fe):
    _budget(in_fe, "komet", "1.2")
    _budget(in_fe, "tryggare_barn", "2.4")
    _budget(in_fe, "komet", "9.9", year=2024)  # another year
    _outcome(in_fe, "2025-01", "komet", "0.1")
    _outcome(in_fe, "2025-02", "komet", "0.11")
    _outcome(in_fe, "2025-03", "komet", "0.09")
    _outcome(in_fe, "2025-04", "tryggare_barn", "0.8")  # the last month of T1
    _outcome(in_fe, "2025-05", "skilda_varldar", "0.05")  # after T1
    _outcome(in_fe, "2024-12", "komet", "5")  # the year before
    return in_fe


def test_budget_per_aktivitet_msek_outcome_to_date_and_forecast(ledger):
    found = indicators.period_figures(unit=ledger, period=T1)["budget_follow_up"]
    # Four months recorded: Komet 0.300 → 0.300 × 12 / 4 = 0.900; Tryggare barn 0.800 → 2.400.
    assert found == {
        "year": 2025, "months_recorded": 4, "unit_of_amounts": "MSEK",
        "budget": {"komet": "1.200", "tryggare_barn": "2.400"},
        "outcome": {"komet": "0.300", "tryggare_barn": "0.800"},
        "forecast": {"komet": "0.900", "tryggare_barn": "2.400"},
        "deviation": {"komet": "-0.300", "tryggare_barn": "0.000"},
        "total": {"budget": "3.600", "outcome": "1.100", "forecast": "3.300", "deviation": "-0.300"},
    }
    q1 = budget.follow_up(ledger, day("2025-01-01"), day("2025-03-31"))
    assert (q1["months_recorded"], q1["forecast"]["komet"], q1["outcome"]["tryggare_barn"]) == (3, "1.200", "0.000")
    year = budget.follow_up(ledger, day("2025-01-01"), day("2025-12-31"))
    # Five months: 1.150 × 12 / 5 = 2.760; Skilda världar has outcome but no budget.
    assert year["total"]["forecast"] == "2.760" and year["budget"]["skilda_varldar"] is None
    assert year["deviation"]["skilda_varldar"] is None


def test_the_forecast_rounds_half_up_to_thousands_of_kronor(in_fe):
    _outcome(in_fe, "2025-07", "komet", "0.1")  # 0.1 × 12 / 7 = 0.171428…
    assert budget.follow_up(in_fe, day("2025-01-01"), day("2025-12-31"))["forecast"]["komet"] == "0.171"
    assert budget.forecast(Decimal("0.1"), 0) is None


def test_a_budget_year_without_entries(in_fe):
    found = budget.follow_up(in_fe, T1.start, T1.end)
    assert found == {"year": 2025, "months_recorded": 0, "unit_of_amounts": "MSEK", "budget": {}, "outcome": {},
                     "forecast": {}, "deviation": {},
                     "total": {"budget": "0.000", "outcome": "0.000", "forecast": None, "deviation": None}}


@pytest.mark.parametrize(("text", "value"), [("14,6", Decimal("14.6")), ("14.6", Decimal("14.6")),
                                             ("-0,25", Decimal("-0.25")), ("1 200,5", Decimal("1200.5"))])
def test_amounts_in_msek(text, value):
    assert budget.parse_msek(text) == value


@pytest.mark.parametrize("text", ["abc", "1,2345", "", "NaN", "1e9"])
def test_an_amount_that_is_not_msek_is_refused(text):
    with pytest.raises(ValidationError):
        budget.parse_msek(text)


@pytest.fixture
def chief_client(fe):
    return logged_in(factories.user("christina", unit=fe, role="chief"))


def test_the_chief_enters_the_budget_and_a_months_outcome(chief_client, fe):
    url = f"/{fe.slug}/budget/2025/"
    assert chief_client.post(url, {"action": "budget", "budget-activity": "komet",
                                   "budget-amount": "1,2"}).status_code == 302
    assert chief_client.post(url, {"action": "budget", "budget-activity": "komet",
                                   "budget-amount": "1,5"}).status_code == 302  # replaces
    assert chief_client.post(url, {"action": "outcome", "outcome-month": 3, "outcome-activity": "komet",
                                   "outcome-amount": "0,3"}).status_code == 302
    refused = chief_client.post(url, {"action": "budget", "budget-activity": "komet", "budget-amount": "mycket"})
    assert refused.status_code == 200 and "amount" in refused.context["budget_form"].errors
    with scope(unit=fe):
        assert list(Budget.objects.filter(unit=fe).values_list("year", "activity", "amount")) == [
            (2025, "komet", Decimal("1.500"))]
        assert list(BudgetOutcome.objects.filter(unit=fe).values_list("month", "amount")) == [
            (datetime.date(2025, 3, 1), Decimal("0.300"))]
    page = chief_client.get(url)
    assert page.context["figures"]["forecast"]["komet"] == "1.200"  # 0.3 × 12 / 3
    assert "<svg" in page.content.decode()


def _upload(client, unit, text, year=2025):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/{unit.slug}/budget/{year}/", {
        "action": "import", "import-file": SimpleUploadedFile("utfall.csv", text.encode("utf-8"))})


def test_the_ledgers_outcome_is_imported_all_or_nothing(chief_client, fe):
    bad = _upload(chief_client, fe,
                  "Månad;Aktivitet;Utfall (MSEK)\n2025-01;Komet;0,1\n2025-02;Okänd;0,2\n2025-03;komet;x\n")
    assert bad.status_code == 200 and bad.context["import_result"].error_count == 2
    with scope(unit=fe):
        assert not BudgetOutcome.objects.exists()  # nothing written half-way
    other_year = _upload(chief_client, fe, "month;activity;outcome\n2024-12;komet;0,1\n")
    assert [(error.line, error.message) for error in other_year.context["import_result"].errors] == [
        (2, "month: Varje månad i filen måste ligga i 2025.")]
    good = _upload(chief_client, fe, "month;activity;outcome\n2025-01;Komet;0,1\n2025-02;tryggare_barn;0,25\n")
    assert good.status_code == 302
    again = _upload(chief_client, fe, "month;activity;outcome\n2025-01;komet;0,15\n")  # a month again: replaced
    assert again.status_code == 302
    with scope(unit=fe):
        assert dict(BudgetOutcome.objects.filter(unit=fe).values_list("activity", "amount")) == {
            "komet": Decimal("0.150"), "tryggare_barn": Decimal("0.250")}


def test_every_row_of_the_budget_import_is_checked_against_the_pages_year(chief_client, fe):
    # Columns in another order than the template's, and the out-of-year row past the preview's first ten.
    rows = "".join(f"komet;2025-{month:02d};0,1\n" for month in range(1, 11))
    reordered = _upload(chief_client, fe, "activity;month;outcome\n" + rows + "komet;2026-01;0,1\n")
    assert reordered.status_code == 200
    assert [error.line for error in reordered.context["import_result"].errors] == [12]
    late = _upload(chief_client, fe, "outcome;activity;month\n0,1;komet;2024-12\n")
    assert [error.line for error in late.context["import_result"].errors] == [2]
    with scope(unit=fe):
        assert not BudgetOutcome.objects.exists()  # nothing written in any year


def test_the_budget_page_is_the_chiefs_of_a_family_unit(fe_client, chief_client, fe, bob_client, unit_b):
    assert fe_client.get(f"/{fe.slug}/budget/2025/").status_code == 403  # a counsellor
    assert fe_client.post(f"/{fe.slug}/budget/2025/", {"action": "budget"}).status_code == 403
    bob_chief = logged_in(factories.user("bo", unit=unit_b, role="chief"))
    assert bob_chief.get(f"/{unit_b.slug}/budget/2025/").status_code == 404  # not a family unit
    assert bob_chief.get(f"/{fe.slug}/budget/2025/").status_code == 404  # another unit
    admin = logged_in(factories.user("sara", org=fe.organisation))
    assert admin.get(f"/{fe.slug}/budget/2025/").status_code in (403, 404)
    assert chief_client.get(f"/{fe.slug}/budget/").status_code == 302


def test_the_budget_page_has_a_fixed_number_of_queries(chief_client, ledger, django_assert_max_num_queries):
    for activity in ("support_talk", "cooperation_talk", "family_treatment", "family_law"):
        _budget(ledger, activity, "0.5")
        for month in range(1, 13):
            _outcome(ledger, f"2025-{month:02d}", activity, "0.04")
    with django_assert_max_num_queries(14):
        assert chief_client.get(f"/{ledger.slug}/budget/2025/").status_code == 200


def test_the_budget_is_in_the_statistics_and_the_tertial_export(chief_client, ledger):
    page = chief_client.get(f"/{ledger.slug}/stats/2025-T1/")
    assert "budget" in [section["key"] for section in page.context["sections"]]
    lines = chief_client.get(f"/{ledger.slug}/stats/2025-T1/?export=csv").content.decode("utf-8-sig").splitlines()
    assert "Budget per aktivitet;Prognos för året i nuvarande takt (MSEK);Kometgrupper för föräldrar;0.900;" in [
        line.replace(",", ".") for line in lines]
    assert chief_client.get(f"/{ledger.slug}/stats/2025-T1/?export=json").json()["budget_follow_up"][
        "total"]["forecast"] == "3.300"


def test_the_demo_follows_its_budget_monthly(fe):
    import random

    from reporting import demo

    with scope(unit=fe):
        demo.seed_history(unit=fe, rng=random.Random("1:fe"), start=day("2024-01-01"), end=day("2025-05-10"))
        demo.seed_history(unit=fe, rng=random.Random("1:fe"), start=day("2024-01-01"), end=day("2025-05-10"))
        found = budget.follow_up(fe, T1.start, T1.end)
        # January 2024 … April 2025: the months ended by 2025-05-10; seeded once.
        assert BudgetOutcome.objects.filter(unit=fe).count() == 16 * len(demo.BUDGET)
    assert found["months_recorded"] == 4 and found["total"]["budget"] == "34.100"
    assert Decimal(found["deviation"]["external_care"]) > 0  # over budget: the warning the seed asks for


def test_import_csv_reads_the_ledgers_xlsx_through_the_import_layer(fe, unit_a, tmp_path):
    import io

    from django.core.management import CommandError, call_command
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Månad", "Aktivitet", "Utfall (MSEK)"])
    sheet.append([datetime.date(2025, 3, 1), "Kometgrupper för föräldrar", 0.125])
    sheet.append(["2025-04", "Extern vård", "1,05"])
    path = tmp_path / "utfall.xlsx"
    book.save(path)
    call_command("import_csv", "--unit", fe.slug, "--kind", "budget", str(path), stdout=io.StringIO())
    with scope(unit=fe):
        assert dict(BudgetOutcome.objects.filter(unit=fe).values_list("activity", "amount")) == {
            "komet": Decimal("0.125"), "external_care": Decimal("1.050")}
    with pytest.raises(CommandError):  # an anonymous family counselling unit keeps no budget here
        call_command("import_csv", "--unit", unit_a.slug, "--kind", "budget", str(path), stdout=io.StringIO())
