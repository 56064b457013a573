"""`Cache-Control: private, no-store` on every logged-in page and every download (issue #11,
finding 6): what one reader may see must not stay in a shared proxy or a shared computer."""

import datetime

import pytest
from django_scopes import scope

from quality import services as quality_services

PRIVATE = "private, no-store"
TODAY = datetime.date.today()


@pytest.fixture
def survey_round(unit_a, anna):
    with scope(unit=unit_a):
        quality_services.survey_question_add(unit=unit_a, acting_user=anna, text="Jag blev väl bemött.",
                                             kind="scale")
        return quality_services.survey_round_create(unit=unit_a, acting_user=anna, title="Våren", today=TODAY)


def _pages(unit, survey_round):
    year, month = TODAY.year, f"{TODAY:%Y-%m}"
    return [
        f"/{unit.slug}/",
        f"/{unit.slug}/queue/",
        f"/{unit.slug}/queue/months/?format=csv",
        f"/{unit.slug}/sessions/",
        f"/{unit.slug}/sessions/?export=xlsx",
        f"/{unit.slug}/visits/",
        f"/{unit.slug}/billing/{year}/",
        f"/{unit.slug}/billing/{year}/overview.csv",
        f"/{unit.slug}/billing/{month}/statement.xlsx",
        f"/{unit.slug}/stats/{year}/",
        f"/{unit.slug}/stats/{year}/?export=csv",
        f"/{unit.slug}/quality/",
        f"/{unit.slug}/quality/events/?format=xlsx",
        f"/{unit.slug}/quality/survey/results/?start={year}-01-01&end={year}-12-31",
        f"/{unit.slug}/quality/survey/rounds/{survey_round.pk}/qr.svg",
    ]


def test_every_logged_in_page_and_download_is_private_and_not_stored(anna_client, unit_a, survey_round):
    statuses = {}
    for url in _pages(unit_a, survey_round):
        response = anna_client.get(url, follow=False)
        statuses[url] = response.status_code
        assert response["Cache-Control"] == PRIVATE, url
    # The walk reached real pages and files, not only redirects or errors.
    assert [url for url, status in statuses.items() if status != 200] == []


def test_organisation_pages_and_another_units_404_are_private_too(olga_client, bob_client, unit_a, unit_b):
    org_page = olga_client.get(f"/org/{unit_a.organisation.slug}/")
    assert org_page.status_code == 200 and org_page["Cache-Control"] == PRIVATE
    outsider = bob_client.get(f"/{unit_a.slug}/quality/events/?format=csv")
    assert outsider.status_code == 404 and outsider["Cache-Control"] == PRIVATE


def test_the_public_survey_form_is_not_kept_by_shared_caches(client, survey_round):
    form = client.get(f"/s/{survey_round.token}/")
    assert form.status_code == 200
    assert form["Cache-Control"] == PRIVATE

