"""Issue 16, Norrköping familjerådgivning (000_610e279258caecb4.txt): every child's age band,
waiting days per priority group and the queue order they set, concern reports in the period
statistics and the organisation view. Figures are hand-computed; periods are 2025-Q1 (limit 14)."""

import datetime
import json

import pytest
from django.utils import translation
from django_scopes import scope

from intake import selectors
from intake.models import Application, IntakeSettings, QueueOrder
from quality.models import QualityEvent
from reporting import indicators, outside
from reporting.indicators import WAITING_PRIORITY_GROUPS, waiting_by_priority
from tests.intake_helpers import bulk, days_ago, register
from tests.stats_builders import application
from units import pages
from units.models import AuditEvent
from units.periods import Period

Q1 = Period.parse("2025-Q1")


def _figures(unit, period=Q1):
    return indicators.period_figures(unit=unit, period=period)


# ---- "antal barn i familjen och deras ålder" -------------------------------------------


def test_antal_barn_i_familjen_och_deras_alder_counts_every_child_not_only_the_youngest(in_unit_a):
    # Received on the first and the last day of the quarter count; the day before and after do not.
    application(in_unit_a, "2025-01-01", children_count=3, children_0_2=1, children_7_12=2)
    application(in_unit_a, "2025-03-31", children_count=1, children_unborn=1, children_13_17=1)
    application(in_unit_a, "2025-02-10")  # no ages stated
    application(in_unit_a, "2024-12-31", children_count=2, children_3_6=2)
    application(in_unit_a, "2025-04-01", children_count=1, children_18_plus=1)
    assert _figures(in_unit_a)["applicants"]["children_by_age_band"] == {
        "unborn": 1, "0-2": 1, "3-6": 0, "7-12": 2, "13-17": 1, "18-": 0}


def test_antal_barn_och_deras_alder_is_zero_in_every_band_of_an_empty_period(in_unit_a):
    assert set(_figures(in_unit_a, Period.parse("2019")) ["applicants"]["children_by_age_band"].values()) == {0}


def test_the_age_bands_must_add_up_to_the_number_of_children_and_nothing_is_written(in_unit_a):
    before = Application.objects.count()
    with pytest.raises(Exception) as refused:
        register(in_unit_a, children_count=3, children_0_2=1, children_3_6=1)
    assert "do not add up" in str(refused.value)
    assert Application.objects.count() == before


def test_the_youngest_childs_band_follows_from_the_ages_when_left_empty(in_unit_a):
    registered = register(in_unit_a, children_count=2, children_unborn=1, children_3_6=1, children_13_17=1)
    assert registered.youngest_child_age_band == "unborn"
    assert registered.children_by_band == {"unborn": 1, "3-6": 1, "13-17": 1}


def test_the_application_form_asks_for_every_childs_age(alice_client, in_unit_a):
    page = alice_client.get(f"/{in_unit_a.slug}/applications/new/").content.decode()
    for name in ("children_unborn", "children_0_2", "children_3_6", "children_7_12", "children_13_17",
                 "children_18_plus"):
        assert f'name="{name}"' in page


# ---- priority groups: "gravida par, par med små barn, hög konfliktnivå, våld" ------------


def test_waiting_days_per_priority_group_gravida_par_sma_barn_hog_konfliktniva_vald(in_unit_a):
    application(in_unit_a, "2025-01-01", offered="2025-01-03", acute=True, pregnancy=True)  # 2 days
    application(in_unit_a, "2025-01-01", offered="2025-01-08", pregnancy=True)  # 7
    application(in_unit_a, "2025-01-10", offered="2025-01-20", small_children=True, violence=True)  # 10
    application(in_unit_a, "2025-02-01", offered="2025-03-31")  # 58, on the last day
    application(in_unit_a, "2025-02-01", offered="2025-02-21")  # 20
    application(in_unit_a, "2024-12-01", offered="2024-12-31", high_conflict=True)  # offered before Q1
    found = _figures(in_unit_a)["waiting_by_priority"]
    assert found["offers"] == {"acute": 1, "pregnancy": 2, "small_children": 1, "high_conflict": 0,
                               "violence": 1, "none": 2}
    # Two offers: the mean of the two middle values, as waiting_days.median (2 and 7 → 4.5).
    assert found["median"] == {"acute": 2, "pregnancy": 4.5, "small_children": 10, "high_conflict": None,
                               "violence": 10, "none": 39}


def test_waiting_days_per_priority_group_of_an_empty_period_has_no_medians(in_unit_a):
    found = _figures(in_unit_a, Period.parse("2019"))["waiting_by_priority"]
    assert found == {"offers": dict.fromkeys(WAITING_PRIORITY_GROUPS, 0),
                     "median": dict.fromkeys(WAITING_PRIORITY_GROUPS)}


def test_waiting_by_priority_is_pure_arithmetic_over_the_histograms():
    histograms = {group: {} for group in WAITING_PRIORITY_GROUPS}
    histograms["violence"] = {3: 2, 9: 1}
    assert waiting_by_priority(histograms, limit=14)["median"]["violence"] == 3
    assert waiting_by_priority(histograms, limit=14)["offers"]["violence"] == 3


def _order(unit, order):
    IntakeSettings.objects.update_or_create(unit=unit, defaults={"queue_order": order})
    keys = selectors.queue_order(selectors.unit_queue_order(unit=unit))
    return [app.case.code for app in pages.ordered(selectors.waiting_applications(unit=unit), keys)]


def test_queue_order_acute_first_then_gravida_sma_barn_konflikt_vald_then_days_waited(in_unit_a):
    plain_20 = register(in_unit_a, received_on=days_ago(20))
    pregnant_3 = register(in_unit_a, received_on=days_ago(3), pregnancy=True)
    acute_1 = register(in_unit_a, received_on=days_ago(1), acute=True)
    violence_8 = register(in_unit_a, received_on=days_ago(8), violence=True)
    plain_2 = register(in_unit_a, received_on=days_ago(2))
    codes = [app.case.code for app in (acute_1, violence_8, pregnant_3, plain_20, plain_2)]
    assert _order(in_unit_a, QueueOrder.PRIORITY_THEN_WAIT) == codes
    # The default order keeps the flags out of it: acute first, then the longest wait.
    assert _order(in_unit_a, QueueOrder.ACUTE_THEN_WAIT) == [
        app.case.code for app in (acute_1, plain_20, violence_8, pregnant_3, plain_2)]


def test_the_queue_order_is_a_unit_setting_the_chief_saves(anna_client, in_unit_a):
    from tests.test_unit_settings import _form

    register(in_unit_a, received_on=days_ago(9))
    flagged = register(in_unit_a, received_on=days_ago(2), small_children=True)
    response = anna_client.post(f"/{in_unit_a.slug}/settings/",
                                _form(in_unit_a, **{"queue-queue_order": QueueOrder.PRIORITY_THEN_WAIT}))
    assert response.status_code == 302
    assert selectors.unit_queue_order(unit=in_unit_a) == QueueOrder.PRIORITY_THEN_WAIT
    assert AuditEvent.objects.filter(action="intake.settings_change", object_type="intakesettings.queue_order").exists()
    page = anna_client.get(f"/{in_unit_a.slug}/queue/")
    assert page.context["rows"][0].application == flagged


def test_the_priority_queue_order_pages_by_its_keys(alice_client, in_unit_a):
    IntakeSettings.objects.create(unit=in_unit_a, queue_order=QueueOrder.PRIORITY_THEN_WAIT)
    plain = bulk(in_unit_a, pages.PAGE_SIZE, received_on=days_ago(30))
    flagged = [register(in_unit_a, received_on=days_ago(1), high_conflict=True) for _ in range(2)]
    first = alice_client.get(f"/{in_unit_a.slug}/queue/")
    shown = [row.application.pk for row in first.context["rows"]]
    assert shown[:2] == [app.pk for app in flagged] and len(shown) == pages.PAGE_SIZE
    second = alice_client.get(f"/{in_unit_a.slug}/queue/?{first.context['page'].next_query}")
    assert [row.application.pk for row in second.context["rows"]] == [app.pk for app in plain[-2:]]
    # The cursor itself finds the rest (not the OFFSET fallback): keyset over the annotated group.
    keys = selectors.queue_order(QueueOrder.PRIORITY_THEN_WAIT)
    last = first.context["rows"][-1].application
    rest = selectors.waiting_applications(unit=in_unit_a).filter(
        pages.after(keys, [getattr(last, key.field) for key in keys]))
    assert [app.pk for app in rest] == [app.pk for app in plain[-2:]]


def test_an_unknown_queue_order_is_refused_with_a_message(anna_client, in_unit_a):
    from tests.test_unit_settings import _form

    response = anna_client.post(f"/{in_unit_a.slug}/settings/", _form(in_unit_a, **{"queue-queue_order": "x"}))
    assert response.status_code == 200
    assert not IntakeSettings.objects.filter(unit=in_unit_a).exists()


def test_a_groups_median_is_hidden_outside_an_anonymous_unit_when_its_offers_are_few(in_unit_a):
    for day in range(1, 7):
        application(in_unit_a, f"2025-01-{day:02d}", offered=f"2025-01-{day + 10:02d}")
    application(in_unit_a, "2025-01-01", offered="2025-01-05", violence=True)
    # A second flagged group: with "none" (6) and the offers (7 + 5) shown, the flagged groups are
    # hidden together (the offers less "none" would give a lone violence count back).
    for day in range(1, 6):
        application(in_unit_a, f"2025-02-{day:02d}", offered=f"2025-02-{day + 20:02d}", pregnancy=True)
    shown = outside.figures_outside(unit=in_unit_a, period=Q1)["waiting_by_priority"]
    assert shown["offers"]["none"] == 6
    assert shown["offers"]["pregnancy"] == ".." and shown["median"]["pregnancy"] == ".."
    assert shown["median"]["none"] == 10
    assert shown["median"]["violence"] == ".."
    assert shown["offers"]["violence"] in ("<5", "..")


# ---- orosanmälan (SoL 14 kap. 1 §) ------------------------------------------------------


def _concern(unit, day):
    QualityEvent.objects.create(unit=unit, kind=QualityEvent.Kind.CONCERN_REPORT, date=datetime.date.fromisoformat(day))


def test_orosanmalan_sol_14_kap_1_counted_in_the_period_statistics(alice_client, in_unit_a):
    for day in ("2024-12-31", "2025-01-01", "2025-03-31", "2025-04-01"):
        _concern(in_unit_a, day)
    QualityEvent.objects.create(unit=in_unit_a, kind=QualityEvent.Kind.COMPLAINT, date=datetime.date(2025, 2, 1),
                                description="Lång väntan")
    assert _figures(in_unit_a)["concern_reports"] == 2
    assert _figures(in_unit_a, Period.parse("2019"))["concern_reports"] == 0
    data = json.loads(alice_client.get(f"/{in_unit_a.slug}/stats/2025-Q1/?export=json").content)
    assert data["concern_reports"] == 2
    page = alice_client.get(f"/{in_unit_a.slug}/stats/2025-Q1/")
    rows = [row for section in page.context["sections"] if section["key"] == "concern_reports"
            for table in section["tables"] for row in table["rows"]]
    assert [(row["current"], row["earlier"]) for row in rows] == [(2, 0)]


def test_orosanmalan_in_the_organisation_view(olga_client, unit_a):
    with scope(unit=unit_a):
        _concern(unit_a, "2025-02-14")
    response = olga_client.get("/org/linkoping/stats/2025-Q1/")
    assert response.status_code == 200
    with translation.override("sv"):
        rows = {str(row["label"]): row["cells"] for table in response.context["tables"] for row in table["rows"]}
    assert rows["Orosanmälningar om barn (SoL 14 kap. 1 §)"] == [1]
    assert "Orosanmälningar om barn (SoL 14 kap. 1 §)" in response.content.decode()


def test_the_yearly_report_counts_orosanmalan_with_the_same_function(in_unit_a):
    from quality.selectors import incident_counts

    _concern(in_unit_a, "2025-06-01")
    year = Period.parse("2025")
    assert incident_counts(unit=in_unit_a, start=year.start, end=year.end)["concern_report"] == \
        _figures(in_unit_a, year)["concern_reports"] == 1
