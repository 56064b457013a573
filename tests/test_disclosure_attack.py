"""The attacker (issue #11): an administration user fetches every period of two years of an
anonymous unit as JSON (`/<unit>/stats/<period>/?export=json`), writes down every linear relation it
knows — each breakdown adds up to its published total, each period is the sum of its months, the
same snapshot is one number wherever it appears, a cell shown "<5" holds 1 to 4 — and solves for
each hidden cell its least and greatest possible value (a linear programme over unknown monthly
counts). No hidden cell may come out as a single number.

The same attacker, run against the old page-by-page suppression, recovers cells: the check can fail."""

import math
import random
from datetime import date, timedelta

import numpy
import pytest
from django_scopes import scope
from scipy.optimize import linprog

from intake.models import Application
from reporting import indicators, outside
from sessions.models import Case, Session
from tests import factories
from units import suppression
from units.periods import Period, months_between

YEARS = (2024, 2025)
MONTHS = [first.strftime("%Y-%m") for first, _last in months_between(date(2024, 1, 1), date(2025, 12, 31))]
LABELS = [label for year in YEARS for label in
          [*(f"{year}-Q{n}" for n in range(1, 5)), *(f"{year}-T{n}" for n in range(1, 4)), f"{year}-H1", f"{year}-H2",
           str(year)]]


def _months_of(label: str) -> list[str]:
    period = Period.parse(label)
    return [first.strftime("%Y-%m") for first, _last in period.months()]


def _get(figures, path):  # as reporting.profiles.value_at, kept apart: the attacker reads JSON only
    for part in path.split("."):
        figures = figures.get(part) if isinstance(figures, dict) else None
    return figures


class Family:
    """Unknown monthly counts v[category][month] ≥ 0 of one breakdown, the relations the reader
    knows between them, and the hidden cells as linear expressions over them."""

    def __init__(self, categories):
        self.categories = list(categories)
        self.index = {(category, month): i for i, (category, month) in
                      enumerate((c, m) for c in self.categories for m in MONTHS)}
        self.equalities, self.hidden, self.at_least = [], [], []

    def expression(self, categories, months):
        row = numpy.zeros(len(self.index))
        for category in categories:
            for month in months:
                row[self.index[(category, month)]] = 1
        return row

    def observe(self, row, value, *, where, small, threshold):
        if value is None:
            self.hidden.append((where, row, (1, threshold - 1) if small else (0, None)))
        else:
            self.equalities.append((row, value))

    def determined(self) -> list[tuple[str, int]]:
        found = []
        if not self.hidden:
            return found
        a_eq = numpy.array([row for row, _ in self.equalities]) if self.equalities else None
        b_eq = numpy.array([value for _, value in self.equalities]) if self.equalities else None
        a_ub, b_ub = [-row for row, _ in self.at_least], [-value for _, value in self.at_least]
        for _where, row, (low, high) in self.hidden:
            a_ub.append(-row)
            b_ub.append(-low)
            if high is not None:
                a_ub.append(row)
                b_ub.append(high)
        for where, row, _bounds in self.hidden:
            ends = []
            for sign in (1, -1):
                result = linprog(sign * row, A_ub=numpy.array(a_ub), b_ub=numpy.array(b_ub), A_eq=a_eq, b_eq=b_eq,
                                 bounds=(0, None), method="highs")
                assert result.status in (0, 3), (where, result.message)  # the true table is always feasible
                ends.append(sign * result.fun if result.status == 0 else math.inf)  # 3: no upper end
            low, high = ends
            if high < math.inf and math.ceil(low - 1e-6) == math.floor(high + 1e-6):
                found.append((where, round(low)))
        return found


def attack(fetched: dict[str, dict], *, threshold: int) -> list[str]:
    """Hidden cells whose value the reader can work out exactly from `fetched` (label → JSON)."""
    def small(label, path):
        return path in fetched[label].get("suppressed_below_threshold", [])

    determined = []
    for path, total in outside.PARTITIONS.items():
        categories = sorted({category for figures in fetched.values() for category in (_get(figures, path) or {})})
        if not categories:
            continue
        family = Family(categories)
        for label, figures in fetched.items():
            months = _months_of(label)
            breakdown = _get(figures, path)
            if isinstance(breakdown, dict):
                for category in categories:
                    family.observe(family.expression([category], months),
                                   breakdown[category] if category in breakdown else 0,
                                   where=f"{label}:{path}.{category}", small=small(label, f"{path}.{category}"),
                                   threshold=threshold)
            if total is not None and _get(figures, total) is not None:
                relation = family.at_least if path in outside.OVERLAPPING else family.equalities
                relation.append((family.expression(categories, months), _get(figures, total)))
            # The month series of the same total: each month is the sum of the categories in it.
            if total == "sessions_held":
                for month, count in (figures.get("sessions_by_month") or {}).items():
                    family.observe(family.expression(categories, [month]), count,
                                   where=f"{label}:sessions_by_month.{month}",
                                   small=small(label, f"sessions_by_month.{month}"), threshold=threshold)
            if path == "waiting_days_distribution" and _get(figures, "waiting_days.within_limit_share") is not None:
                within = round(float(figures["waiting_days"]["within_limit_share"]) * figures["waiting_days"]["offers"])
                limit = figures["wait_limit_days"]
                family.equalities.append((family.expression(
                    [key for key, _low, high in indicators.WAITING_BUCKETS if high is not None and high <= limit],
                    months), within))
        # A cell of a period the unit does not publish outside (a tertial of a quarterly unit: even
        # its totals are null) is hidden whatever its count: working it out matters only when it is a small count.
        determined += [where for where, value in family.determined()
                       if fetched[where.split(":")[0]]["sessions_held"] is not None or 0 < value < threshold]

    # Snapshots: the queue at a month's end is one number wherever it is printed.
    snapshots: dict[str, list] = {}
    for label, figures in fetched.items():
        if figures["sessions_held"] is None:
            continue  # not published at all
        for month, count in (figures.get("queue_by_month") or {}).items():
            snapshots.setdefault(month, []).append(count)
        if figures.get("queue_by_month"):
            last = _months_of(label)[-1]
            snapshots.setdefault(last, []).append(figures["waiting_now"]["count"])
            over = figures["waiting_now"]["over_limit"]
            if figures["waiting_now"]["count"] is None and over is not None and over >= threshold - 1:
                determined.append(f"{label}:waiting_now.count (at least {over} of at most {threshold - 1})")
    for month, values in snapshots.items():
        if None in values and any(value is not None for value in values):
            determined.append(f"queue at the end of {month}")
    return sorted(set(determined))


def _anonymous_history(unit):
    """Two years of a small anonymous unit, drawn so that many cells are small."""
    rng = random.Random(11)
    municipalities = [factories.municipality(name) for name in ("Linköping", "Finspång", "Söderköping", "Norrköping")]
    cases = Case.objects.bulk_create([Case(unit=unit, code=f"A-{n:04d}", opened_on=date(2024, 1, 1))
                                      for n in range(240)])
    applications, sessions = [], []
    for case in cases[:150]:
        received = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        wait = rng.choice([0, 3, 6, 9, 12, 13, 16, 20, 25, 33, 50, 70]) if rng.random() < 0.85 else None
        offered = received + timedelta(days=wait) if wait is not None else None
        applications.append(Application(
            unit=unit, case=case, received_on=received,
            offered_on=offered if offered and offered <= date(2025, 12, 31) else None,
            municipality=rng.choice(municipalities),
            age_band=rng.choice(["", "-24", "25-34", "35-44", "45-54"]),
            relationship_type=rng.choice(["", "married", "cohabiting", "separated"]),
            children_count=rng.choice([None, 0, 1, 2, 3, 4, 6]),
            acute=rng.random() < 0.08, violence=rng.random() < 0.05, pregnancy=rng.random() < 0.1,
        ))
    for _ in range(520):
        sessions.append(Session(
            unit=unit, case=rng.choice(cases), date=date(2024, 1, 1) + timedelta(days=rng.randrange(730)),
            minutes=rng.choice([45, 60, 90]), status=rng.choice(["held"] * 8 + ["client_cancelled", "no_show"]),
            format=rng.choice(["couple"] * 6 + ["individual"] * 3 + ["family", "group"]),
            participants=2, location=rng.choice(["office"] * 8 + ["home", "phone", "video"]),
        ))
    Application.objects.bulk_create(applications)
    Session.objects.bulk_create(sessions)


@pytest.fixture
def history(unit_a):
    with scope(unit=unit_a):
        _anonymous_history(unit_a)
    return unit_a


def _fetch_all(client, unit) -> dict[str, dict]:
    fetched = {}
    for label in LABELS:
        response = client.get(f"/{unit.slug}/stats/{label}/?export=json")
        assert response.status_code == 200, label
        fetched[label] = response.json()
    return fetched


def test_no_hidden_cell_can_be_worked_out_from_every_period_of_two_years(olga_client, history):
    fetched = _fetch_all(olga_client, history)
    hidden = sum(len(figures["suppressed"]) for label, figures in fetched.items() if outside.on_lattice(
        history, Period.parse(label)))
    assert hidden > 40  # the data is small enough for the attack to matter
    found = attack(fetched, threshold=history.suppression_threshold)
    assert found == [], "\n".join(found)


def test_the_attacker_recovers_cells_from_page_by_page_suppression(history):
    """Primary suppression on each page alone, as a careless export would do it."""
    naive = {}
    with scope(unit=history):
        for label in LABELS:
            exact = indicators.period_figures(unit=history, period=Period.parse(label))
            shown = {**exact, "suppressed": [], "suppressed_below_threshold": []}
            for path in outside.PARTITIONS:
                breakdown = _get(shown, path)
                for category, count in list((breakdown or {}).items()):
                    if suppression.is_small(count, history.suppression_threshold):
                        breakdown[category] = None
                        shown["suppressed"].append(f"{path}.{category}")
                        shown["suppressed_below_threshold"].append(f"{path}.{category}")
            naive[label] = shown
    assert len(attack(naive, threshold=history.suppression_threshold)) >= 10


def test_other_period_kinds_show_an_outsider_nothing_and_unit_staff_everything(olga_client, alice_client, history):
    tertial = olga_client.get(f"/{history.slug}/stats/2025-T1/?export=json").json()
    assert tertial["sessions_held"] is None and tertial["sessions_by_format"]["couple"] is None
    assert "sessions_held" in tertial["suppressed"] and tertial["period"] == "2025-T1"
    exact = alice_client.get(f"/{history.slug}/stats/2025-T1/?export=json").json()
    assert exact["suppressed"] == [] and isinstance(exact["sessions_held"], int)
    with scope(unit=history):
        assert exact["sessions_held"] == indicators.period_figures(
            unit=history, period=Period.parse("2025-T1"))["sessions_held"]
    page = olga_client.get(f"/{history.slug}/stats/2025-T1/")
    assert page.status_code == 200 and page.context["not_published"]


def test_the_year_earlier_column_shows_what_that_periods_own_page_shows(olga_client, history):
    now = olga_client.get(f"/{history.slug}/stats/2025-Q3/")
    before = olga_client.get(f"/{history.slug}/stats/2024-Q3/")
    for section_now, section_before in zip(now.context["sections"], before.context["sections"], strict=True):
        for table_now, table_before in zip(section_now["tables"], section_before["tables"], strict=True):
            assert [row["earlier"] for row in table_now["rows"]] == [row["current"] for row in table_before["rows"]]


def test_the_queue_at_the_end_of_a_month_is_hidden_wherever_it_is_printed(history):
    with scope(unit=history):
        year = outside.year_outside(history, 2025)
    for label in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        figures = year[label]
        last = list(figures["queue_by_month"])[-1]
        assert figures["waiting_now"]["count"] == figures["queue_by_month"][last]
        assert figures["queue_by_month"][last] == year["2025"]["queue_by_month"][last]


def test_the_command_prints_what_the_outsider_fetches(olga_client, history):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("period_stats", unit=history.slug, period="2025-Q2", audience="outside", stdout=out)
    assert json.loads(out.getvalue()) == olga_client.get(f"/{history.slug}/stats/2025-Q2/?export=json").json()


# ---- København: the city-wide status adds the bydele up ----------------------------------------


@pytest.fixture
def bydele(db):
    """Two small anonymous København units with two years of inquiries, drawn so that many cells are small."""
    from sessions.models import Visit
    from units.models import Unit

    org = factories.organisation("kobenhavn", "Københavns Kommune", "København", "DK")
    units = [factories.unit(slug, org=org, kind=Unit.Kind.OPEN_COUNSELLING, language="da", country="DK",
                            funders=("København",)) for slug in ("kbh-a", "kbh-n")]
    rng = random.Random(16)
    for unit in units:
        with scope(unit=unit):
            Visit.objects.bulk_create([Visit(
                unit=unit, date=date(2024, 1, 1) + timedelta(days=rng.randrange(730)),
                channel=rng.choice(["walk_in"] * 5 + ["phone"] * 3 + ["email", "home"]),
                topic=rng.choice(["couple", "separation", "separation", "upbringing", "loss", "bullying", "other"]),
                child_age_band=rng.choice(["", "0-2", "3-5", "6-12", "6-12", "13-17"]),
                gender=rng.choice(["female"] * 6 + ["male"] * 3 + ["other", ""]),
                background=rng.choice(["danish"] * 6 + ["western", "non_western", "non_western", ""]),
            ) for _ in range(rng.randint(150, 220))])
    return units


def _inquiry_attack(fetched: dict, city: dict | None, units: list, *, threshold: int) -> list[str]:
    """Hidden inquiry cells of either unit (or of the city column, when `city` is given) whose value the
    reader works out from every period of both units' pages and, with `city`, the organisation's comparison
    of every period, whose city column adds the bydele up."""
    determined = []
    for path, total in outside.PARTITIONS.items():
        if not path.startswith("visits."):
            continue
        key = path.replace(".", "_")
        categories = sorted({category for pages in fetched.values() for figures in pages.values()
                             for category in (_get(figures, path) or {})})
        family = Family([(unit.slug, category) for unit in units for category in categories])
        for label in LABELS:
            months = _months_of(label)
            for unit in units:
                figures = fetched[unit.slug][label]
                for category in categories:
                    family.observe(family.expression([(unit.slug, category)], months), _get(figures, path)[category],
                                   where=f"{unit.slug}:{label}:{path}.{category}",
                                   small=f"{path}.{category}" in figures["suppressed_below_threshold"],
                                   threshold=threshold)
                if _get(figures, total) is not None:
                    family.equalities.append((family.expression([(unit.slug, c) for c in categories], months),
                                              _get(figures, total)))
            for category in categories if city else []:
                cell = city[label][key][category][-1]
                family.observe(family.expression([(unit.slug, category) for unit in units], months),
                               None if isinstance(cell, str) else cell, where=f"city:{label}:{path}.{category}",
                               small=False, threshold=threshold)
        for where, value in family.determined():
            published = fetched[units[0].slug][where.split(":")[1]]["sessions_held"] is not None
            if published or 0 < value < threshold:
                determined.append(where)
    return sorted(determined)


def test_the_city_total_lets_no_hidden_inquiry_cell_of_a_bydel_be_worked_out(bydele):
    """The organisation's comparison (the function its page, export and status PDF share) prints each
    unit's column as the unit's own page does and a city column that adds them up, hidden where any part
    is. Read together with every period of both units' pages, it gives the attacker nothing more: no city
    cell and no unit cell can be worked out that the units' pages alone did not give.

    The units' pages alone give nothing either. With these inquiries they once did: a half-year the unit
    does not publish is the year's cell less the two published quarters of the other half, and when both
    of its own quarters were hidden in that row it came out as a small count. Hidden cells of a line whose
    sum is published now add up to nothing or to at least the threshold (units.suppression)."""
    from reporting.selectors import organisation_figures
    from tests.conftest import logged_in

    client = logged_in(factories.user("bfck", org=bydele[0].organisation))
    threshold = bydele[0].suppression_threshold
    fetched = {unit.slug: _fetch_all(client, unit) for unit in bydele}
    city, hidden = {}, 0
    for label in LABELS:
        _units, tables, _headers = organisation_figures(bydele[0].organisation, Period.parse(label))
        city[label] = {table["key"]: {row["key"]: row["cells"] for row in table["rows"]} for table in tables}
        for index, unit in enumerate(bydele):  # the unit's column is what its own page shows
            figures = fetched[unit.slug][label]
            for path in (path for path in outside.PARTITIONS if path.startswith("visits.")):
                for category, value in _get(figures, path).items():
                    cell = city[label][path.replace(".", "_")][category][index]
                    assert cell == value or (value is None and suppression.is_mark(cell)), (label, path, category)
        hidden += sum(suppression.is_mark(cells[-1]) for key, rows in city[label].items() if key.startswith("visits_")
                      for cells in rows.values())
    assert hidden > 40  # the data is small enough for the attack to matter
    alone = _inquiry_attack(fetched, None, bydele, threshold=threshold)
    assert alone == [], "\n".join(alone)
    with_city = _inquiry_attack(fetched, city, bydele, threshold=threshold)
    assert [where for where in with_city if where not in alone] == [], "\n".join(with_city)
