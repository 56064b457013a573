"""Issue 16, Leanlink (002_93c1598fd6f3fa34.txt): hours and sessions per closed case against the
contract, applications by contact channel, the share of sessions held in the evening. Figures
hand-computed over 2025-Q1."""

import datetime
from datetime import time as T
from decimal import Decimal

import pytest

from reporting import indicators, outside
from reporting.indicators import effort_summary
from tests.stats_builders import application, case, session
from units.models import OpeningHours
from units.periods import Period

Q1 = Period.parse("2025-Q1")
NO_CONTRACT = {"contract_hours": None, "contract_sessions_min": None, "contract_sessions_max": None}


def _figures(unit, period=Q1):
    return indicators.period_figures(unit=unit, period=period)


def _contract(unit):
    unit.contract_hours_per_case, unit.contract_sessions_min, unit.contract_sessions_max = Decimal("7.0"), 4, 5
    unit.save()


def test_i_genomsnitt_cirka_7_timmar_4_5_samtal_per_par_per_closed_case(in_unit_a):
    _contract(in_unit_a)
    # Closed on the quarter's first day: 4 sessions of 90 minutes = 6 h (one held the year before counts).
    first = case(in_unit_a, closed_on="2025-01-01")
    for day in ("2024-11-01", "2024-11-15", "2024-12-01", "2024-12-15"):
        session(in_unit_a, first, day, minutes=90)
    session(in_unit_a, first, "2024-12-20", status="no_show")  # not held: not counted
    # Closed on the last day: 5 sessions, 60 minutes each, one corrected to 120 → 6 h.
    last = case(in_unit_a, closed_on="2025-03-31")
    for day in ("2025-01-10", "2025-01-20", "2025-02-10", "2025-02-20"):
        session(in_unit_a, last, day)
    session(in_unit_a, last, "2025-03-01", minutes=120, corrects=session(in_unit_a, last, "2025-03-01"))
    # 2 sessions of 75 minutes = 2.5 h.
    short = case(in_unit_a, closed_on="2025-02-15")
    session(in_unit_a, short, "2025-02-01", minutes=75)
    session(in_unit_a, short, "2025-02-08", minutes=75)
    case(in_unit_a, closed_on="2025-02-01")  # closed without a session held: no support time
    outside_q1 = case(in_unit_a, closed_on="2025-04-01")
    session(in_unit_a, outside_q1, "2025-03-20")
    found = _figures(in_unit_a)["closed_case_effort"]
    # Hours: 6 + 6 + 2.5 = 14.5 over 3 → 4.833… → 4.83; median of 2.5, 6, 6 → 6.
    # Sessions: 4 + 5 + 2 = 11 over 3 → 3.666… → 3.67; median 4.
    assert found == {"cases": 3, "sessions_mean": "3.67", "sessions_median": 4, "hours_mean": "4.83",
                     "hours_median": "6.00", "contract_hours": "7.0", "contract_sessions_min": 4,
                     "contract_sessions_max": 5}


def test_hours_and_sessions_per_closed_case_of_an_empty_period_are_null(in_unit_a):
    assert _figures(in_unit_a, Period.parse("2019"))["closed_case_effort"] == {
        "cases": 0, "sessions_mean": None, "sessions_median": None, "hours_mean": None, "hours_median": None,
        **NO_CONTRACT}


def test_an_even_number_of_closed_cases_gives_the_mean_of_the_two_middle_ones():
    # 4 and 5 sessions; 4 h and 7.5 h → medians 4.5 sessions and 5.75 h; mean 5.75 h, 4.5 sessions.
    found = effort_summary({(4, 240): 1, (5, 450): 1}, contract_hours=None, contract_sessions=(None, None))
    assert (found["sessions_median"], found["hours_median"], found["hours_mean"], found["sessions_mean"]) == \
        (4.5, "5.75", "5.75", "4.50")
    # A median of 7 minutes an hour's 0.1166… rounds half up to 0.12.
    assert effort_summary({(1, 7): 1}, contract_hours=None, contract_sessions=(None, None))["hours_median"] == "0.12"


def test_the_contract_figures_are_unit_settings_refused_upside_down(anna_client, in_unit_a):
    from tests.test_unit_settings import _form

    response = anna_client.post(f"/{in_unit_a.slug}/settings/", _form(in_unit_a, **{
        "unit-contract_hours_per_case": "7", "unit-contract_sessions_min": "5", "unit-contract_sessions_max": "4"}))
    assert response.status_code == 200
    in_unit_a.refresh_from_db()
    assert in_unit_a.contract_sessions_min is None
    response = anna_client.post(f"/{in_unit_a.slug}/settings/", _form(in_unit_a, **{
        "unit-contract_hours_per_case": "7", "unit-contract_sessions_min": "4", "unit-contract_sessions_max": "5"}))
    assert response.status_code == 302
    in_unit_a.refresh_from_db()
    assert (in_unit_a.contract_hours_per_case, in_unit_a.contract_sessions_min) == (Decimal("7.0"), 4)


def test_a_few_closed_cases_keep_their_means_inside_an_anonymous_unit(in_unit_a):
    closed = case(in_unit_a, closed_on="2025-02-01")
    session(in_unit_a, closed, "2025-01-15")
    shown = outside.figures_outside(unit=in_unit_a, period=Q1)["closed_case_effort"]
    assert shown["cases"] == 1
    assert {shown[key] for key in ("hours_mean", "hours_median", "sessions_mean", "sessions_median")} == {".."}
    assert _figures(in_unit_a)["closed_case_effort"]["hours_mean"] == "1.00"


def test_ansokningar_via_telefon_e_post_och_hemsidan_by_contact_channel(in_unit_a):
    application(in_unit_a, "2025-01-01", channel="phone")
    application(in_unit_a, "2025-03-31", channel="email")
    application(in_unit_a, "2025-02-01", channel="web")
    application(in_unit_a, "2025-02-02", channel="web")
    application(in_unit_a, "2025-04-01", channel="phone")
    assert _figures(in_unit_a)["applicants"]["channel"] == {
        "phone": 1, "email": 1, "web": 2, "walk_in": 0, "referral": 0, "not_stated": 0}
    assert set(_figures(in_unit_a, Period.parse("2019"))["applicants"]["channel"].values()) == {0}


def _open_weekdays(unit):
    OpeningHours.objects.bulk_create([OpeningHours(unit=unit, kind="open", weekday=day, start=T(8), end=T(17))
                                      for day in range(5)])


def test_mottagning_under_kvallstid_share_of_sessions_held_in_the_evening(in_unit_a):
    _open_weekdays(in_unit_a)
    monday = datetime.date(2025, 3, 31)  # the quarter's last day
    session(in_unit_a, case(in_unit_a), "2025-03-31", start_time=T(17, 0))  # starts at closing: evening
    session(in_unit_a, case(in_unit_a), "2025-03-31", start_time=T(16, 0))  # ends at closing: daytime
    session(in_unit_a, case(in_unit_a), "2025-01-01", start_time=T(9, 0))
    session(in_unit_a, case(in_unit_a), "2025-01-02", start_time=None)  # no time: not judged
    session(in_unit_a, case(in_unit_a), "2025-04-01", start_time=T(19, 0))  # after the quarter
    assert monday.weekday() == 0
    found = _figures(in_unit_a)["reachability"]
    assert (found["sessions_outside_opening_hours"], found["evening_share"]) == (1, "0.333")
    assert _figures(in_unit_a, Period.parse("2019"))["reachability"]["evening_share"] is None


@pytest.mark.parametrize("language, label", [("sv", "Andel samtal på kvällstid"),
                                             ("da", "Andel samtaler om aftenen")])
def test_the_statistics_page_shows_effort_channel_and_evening_share(anna_client, in_unit_a, language, label):
    in_unit_a.language = language
    in_unit_a.save()
    _contract(in_unit_a)
    _open_weekdays(in_unit_a)
    closed = case(in_unit_a, closed_on="2025-02-01")
    session(in_unit_a, closed, "2025-01-15", minutes=420, start_time=T(17, 30))
    application(in_unit_a, "2025-01-03", channel="web")
    page = anna_client.get(f"/{in_unit_a.slug}/stats/2025-Q1/")
    keys = [table["key"] for section in page.context["sections"] for table in section["tables"]]
    assert "closed_case_effort" in keys and "applicants_channel" in keys
    assert label in page.content.decode()


# ---- "ska Social- och omsorgsförvaltningen informeras": the notice sent from the app -----------


@pytest.fixture
def notice_duty(in_unit_a):
    from intake.models import IntakeSettings

    return IntakeSettings.objects.create(unit=in_unit_a, administration_name="Social- och omsorgsförvaltningen",
                                         notice_recipients="sof@linkoping.se, registrator@linkoping.se")


def test_vantetider_over_14_dagar_social_och_omsorgsforvaltningen_informeras_by_mail(anna_client, anna, in_unit_a,
                                                                                   notice_duty):
    from django.core import mail

    from intake.models import LongWaitNotice
    from tests.intake_helpers import days_ago, register
    from units.models import AuditEvent

    register(in_unit_a, received_on=days_ago(19))
    response = anna_client.post(f"/{in_unit_a.slug}/queue/long-wait-notice/send/")
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == ["sof@linkoping.se", "registrator@linkoping.se"]
    assert sent.subject.startswith("Långa väntetider vid")
    assert "Längsta väntetid nu (dagar): 19" in sent.body
    notice = LongWaitNotice.objects.get(unit=in_unit_a)
    assert (notice.sent_by, notice.waiting, notice.over_limit, notice.longest_days) == (anna, 1, 1, 19)
    assert AuditEvent.objects.filter(unit=in_unit_a, action="intake.long_wait_notice_send").count() == 1
    page = anna_client.get(f"/{in_unit_a.slug}/queue/long-wait-notice/")
    assert page.context["sent"] == [notice]
    assert "sof@linkoping.se, registrator@linkoping.se" in page.content.decode()


def test_without_an_address_the_notice_is_refused_with_a_message_and_nothing_is_logged(anna_client, in_unit_a,
                                                                                     notice_duty):
    from django.core import mail

    from intake.models import LongWaitNotice

    notice_duty.notice_recipients = ""
    notice_duty.save()
    response = anna_client.post(f"/{in_unit_a.slug}/queue/long-wait-notice/send/", follow=True)
    assert "Ingen e-postadress till förvaltningen" in response.content.decode()
    assert not mail.outbox and not LongWaitNotice.objects.exists()


def test_a_failed_send_logs_nothing(anna_client, in_unit_a, notice_duty, monkeypatch):
    from smtplib import SMTPException

    from intake import services
    from intake.models import LongWaitNotice

    def refuse(*args, **kwargs):
        raise SMTPException("relay refused")

    monkeypatch.setattr(services, "send_mail", refuse)  # the mail server lies outside the project
    response = anna_client.post(f"/{in_unit_a.slug}/queue/long-wait-notice/send/", follow=True)
    assert response.status_code == 200 and "relay refused" in response.content.decode()
    assert not LongWaitNotice.objects.exists()


def test_sending_the_notice_is_for_the_chief_by_post(alice_client, anna_client, bob_client, in_unit_a, notice_duty):
    from django.core import mail

    url = f"/{in_unit_a.slug}/queue/long-wait-notice/send/"
    assert alice_client.post(url).status_code == 403
    assert bob_client.post(url).status_code == 404
    assert anna_client.get(url).status_code == 405
    assert not mail.outbox


# ---- "fördelar uppdragen mellan sig och annan utförare": providers outside the system ---------


def test_annan_utforare_register_hand_over_closes_as_transferred_counted_per_provider(anna_client, anna, in_unit_a):
    from intake.models import Application, ExternalProvider, Outcome
    from tests.intake_helpers import days_ago, register

    response = anna_client.post(f"/{in_unit_a.slug}/queue/providers/",
                                {"name": "Familjerådgivning Öst AB", "competences": ["violence", "sexology"]})
    assert response.status_code == 302
    provider = ExternalProvider.objects.get(unit=in_unit_a)
    assert provider.competences == "violence,sexology"
    waiting = register(in_unit_a, received_on=days_ago(5))
    page = anna_client.get(f"/{in_unit_a.slug}/applications/{waiting.pk}/")
    assert "Familjerådgivning Öst AB (Våld, Sexologi)" in page.content.decode()
    response = anna_client.post(f"/{in_unit_a.slug}/applications/{waiting.pk}/hand-over-external/",
                                {"provider": provider.pk, "handed_over_on": days_ago(1).isoformat()})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.outcome, waiting.handed_over_external, waiting.closed_on) == (
        Outcome.TRANSFERRED, provider, days_ago(1))
    assert waiting.case.closed_on == days_ago(1)
    year = Period.parse(str(days_ago(1).year))
    assert indicators.period_figures(unit=in_unit_a, period=year)["transferred_by_provider"] == {
        "Familjerådgivning Öst AB": 1}
    # Handed over once: a second try is refused, nothing changes.
    again = anna_client.post(f"/{in_unit_a.slug}/applications/{waiting.pk}/hand-over-external/",
                             {"provider": provider.pk, "handed_over_on": days_ago(0).isoformat()})
    assert again.status_code == 400
    assert Application.objects.get(pk=waiting.pk).closed_on == days_ago(1)


def test_applications_handed_over_per_provider_count_the_period_only(in_unit_a):
    from intake.models import ExternalProvider

    east = ExternalProvider.objects.create(unit=in_unit_a, name="Öst")
    west = ExternalProvider.objects.create(unit=in_unit_a, name="Väst")
    for closed, provider in (("2025-01-01", east), ("2025-03-31", east), ("2025-02-10", west),
                             ("2025-04-01", west)):
        application(in_unit_a, "2024-12-15", closed=closed, outcome="transferred", handed_over_external=provider)
    application(in_unit_a, "2024-12-15", closed="2025-02-01", outcome="withdrawn")
    assert _figures(in_unit_a)["transferred_by_provider"] == {"Väst": 1, "Öst": 2}
    assert _figures(in_unit_a, Period.parse("2019"))["transferred_by_provider"] == {}


def test_the_provider_register_is_the_chiefs(alice_client, anna_client, bob_client, in_unit_a):
    from intake.models import ExternalProvider

    url = f"/{in_unit_a.slug}/queue/providers/"
    assert anna_client.get(url).status_code == 200
    assert alice_client.get(url).status_code == 403
    assert alice_client.post(url, {"name": "X"}).status_code == 403
    assert bob_client.get(url).status_code == 404
    assert not ExternalProvider.objects.exists()


def test_a_provider_named_like_a_person_number_is_refused_with_a_message(anna_client, in_unit_a):
    from intake.models import ExternalProvider

    response = anna_client.post(f"/{in_unit_a.slug}/queue/providers/", {"name": "19121212-1212"})
    assert response.status_code == 200 and not ExternalProvider.objects.exists()
    assert response.context["form"].errors
