"""`period_stats`: the JSON contract other programs read, key by key (README "Period statistics")."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from tests.stats_builders import core_fixture

CONTRACT = ["unit", "period", "start", "end", "sessions_held", "client_hours", "client_cancellations", "no_shows",
            "unit_cancellations", "sessions_by_format", "new_applications", "new_applications_by_municipality",
            "cases_started", "unique_cases_seen", "waiting_days", "waiting_now"]


def _run(*args):
    out = io.StringIO()
    call_command("period_stats", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data_a(unit_a):
    with scope(unit=unit_a):
        core_fixture(unit_a)
    return unit_a


def test_json_contract_key_by_key(data_a):
    figures = json.loads(_run("--unit", "alpha", "--period", "2025-Q1"))
    assert set(CONTRACT) <= set(figures)
    assert figures["unit"] == "alpha"
    assert figures["period"] == "2025-Q1"
    assert figures["start"] == "2025-01-01"
    assert figures["end"] == "2025-03-31"
    assert figures["sessions_held"] == 6
    assert figures["client_hours"] == "6.33"
    assert figures["client_cancellations"] == 1
    assert figures["no_shows"] == 2
    assert figures["unit_cancellations"] == 1
    assert figures["sessions_by_format"] == {"individual": 2, "couple": 1, "family": 1, "group": 2}
    assert figures["new_applications"] == 8
    assert figures["new_applications_by_municipality"] == {"Finspång": 2, "Linköping": 4, "other": 2}
    assert figures["cases_started"] == 4
    assert figures["unique_cases_seen"] == 5
    assert figures["waiting_days"] == {"offers": 5, "median": 14, "p90": 150, "max": 150,
                                       "within_limit_share": "0.600"}
    assert figures["waiting_now"] == {"count": 4, "over_limit": 2}


def test_json_of_an_empty_period_has_nulls_not_zeros_for_waiting_times(unit_a):
    figures = json.loads(_run("--unit", "alpha", "--period", "2019", "--format", "json"))
    assert (figures["start"], figures["end"]) == ("2019-01-01", "2019-12-31")
    assert figures["waiting_days"] == {"offers": 0, "median": None, "p90": None, "max": None,
                                       "within_limit_share": None}
    assert figures["client_hours"] == "0.00"


def test_an_even_number_of_offers_gives_a_half_day_median(unit_a):
    from tests.stats_builders import application

    with scope(unit=unit_a):
        application(unit_a, "2025-05-01", offered="2025-05-04")
        application(unit_a, "2025-05-01", offered="2025-05-09")
    text = _run("--unit", "alpha", "--period", "2025-T2")
    assert '"median": 5.5' in text
    assert json.loads(text)["waiting_days"]["p90"] == 8


def test_csv_has_one_dotted_key_per_line(data_a):
    rows = dict(list(csv.reader(io.StringIO(_run("--unit", "alpha", "--period", "2025-Q1", "--format", "csv"))))[1:])
    assert rows["sessions_held"] == "6"
    assert rows["client_hours"] == "6.33"
    assert rows["sessions_by_format.group"] == "2"
    assert rows["new_applications_by_municipality.other"] == "2"
    assert rows["waiting_days.within_limit_share"] == "0.600"
    assert rows["waiting_now.over_limit"] == "2"


def test_the_page_and_the_command_agree(data_a, anna_client):
    figures = json.loads(_run("--unit", "alpha", "--period", "2025-Q1"))
    response = anna_client.get("/alpha/stats/2025-Q1/")
    sessions = next(table for section in response.context["sections"] for table in section["tables"]
                    if table["key"] == "sessions")
    assert [row["current"] for row in sessions["rows"]] == [
        figures["sessions_held"], figures["client_hours"], figures["client_cancellations"], figures["no_shows"],
        figures["unit_cancellations"]]


@pytest.mark.parametrize(("args", "message"), [
    (["--unit", "nowhere", "--period", "2025-Q1"], "no unit"),
    (["--unit", "alpha", "--period", "2025-Q7"], "--period"),
    (["--unit", "alpha", "--period", "Q1-2025"], "not a period"),
])
def test_bad_arguments_are_refused(args, message, unit_a):
    with pytest.raises(CommandError, match=message):
        _run(*args)
