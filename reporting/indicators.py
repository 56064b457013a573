"""The figures of a period. One small function per figure over a unit and a date range
(start and end inclusive), each one aggregate query in the database; `period_figures` puts
them together into the JSON-able dict that the page, the exports, the `period_stats`
command and the yearly PDF all read, so they cannot disagree. The definitions are the
contract in the README ("Period statistics").

Which session rows count: a correction row (`Session.corrects`) replaces its original for
statistics, so an original that has a correction is left out wherever either is dated.

The figures every page shows are counted with plain SQL (`COUNT(*) FILTER (WHERE …)`, which
PostgreSQL and SQLite both run): building dozens of conditional aggregates through the ORM
took longer than running them (bench/RESULTS.md). Each statement names the unit itself.
"""

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import ExtractDay, ExtractIsoWeekDay, ExtractMonth, ExtractYear
from django.utils import timezone

from bookings.rules import outside_hours
from intake.models import (
    CHILD_BAND_FIELDS,
    PRIORITY_GROUPS,
    AgeBand,
    Channel,
    ChildAgeBand,
    ContactPath,
    Outcome,
    RelationshipLength,
    RelationshipType,
)
from quality.models import OutreachActivity, OutreachKind, QualityEvent
from quality.selectors import drop_in_held, incident_counts
from sessions.models import (
    Activity,
    Case,
    CaseKind,
    ClimateScore,
    Constellation,
    Course,
    Goal,
    GroupRound,
    Location,
    OutcomeScore,
    Phase,
    SessionFormat,
    SessionStatus,
    Visit,
)
from sessions.selectors import effective_sessions
from units.models import OpeningHours
from units.opening_hours import stretch_minutes, unit_opening_hours
from units.periods import Period, add_months, months_between

from . import budget, profiles
from .models import DistrictPopulation, FrozenFigures

HELD = SessionStatus.HELD
NOT_STATED = "not_stated"
# Waiting-time distribution in calendar days: (key, lowest, highest or None).
WAITING_BUCKETS = [("0-7", 0, 7), ("8-14", 8, 14), ("15-21", 15, 21), ("22-28", 22, 28),
                   ("29-42", 29, 42), ("43-56", 43, 56), ("57-", 57, None)]
APPLICANT_CATEGORIES = {
    "age_band": AgeBand,
    "partner_age_band": AgeBand,
    "relationship_type": RelationshipType,
    "relationship_length": RelationshipLength,
    "youngest_child_age_band": ChildAgeBand,
    "contact_path": ContactPath,
    # 002_93c1598fd6f3fa34.txt: "via telefon med telefonsvarare, e-post och Leanlinks hemsida".
    "channel": Channel,
}
CHILDREN_COUNTS = ["0", "1", "2", "3"]  # and "4+"
PRIORITY_FLAGS = ["acute", "pregnancy", "small_children", "high_conflict", "violence"]
VISIT_CATEGORIES = {
    "by_channel": ("channel", Visit.Channel, False),
    "by_topic": ("topic", Visit.Topic, False),
    "by_child_age_band": ("child_age_band", Visit.ChildAgeBand, True),
    "by_gender": ("gender", Visit.Gender, True),
    "by_background": ("background", Visit.Background, True),
}



def _decimal_text(value: Decimal, places: str) -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def share_text(part: int, whole: int) -> str | None:
    """`part / whole` as a decimal string with 3 decimals, rounded half up; None when whole is 0."""
    return _decimal_text(Decimal(part) / Decimal(whole), "0.001") if whole else None


def hours_text(minutes: int) -> str:
    """Minutes as hours, a decimal string with 2 decimals, rounded half up."""
    return _decimal_text(Decimal(minutes) / Decimal(60), "0.01")


def month_key(day: datetime.date) -> str:
    return f"{day:%Y-%m}"




def _not_corrected(alias: str) -> str:
    """Session row `alias` is not replaced by a correction row: one parameter, the unit."""
    return (f"{alias}.id NOT IN (SELECT c.corrects_id FROM counselling_session c "  # noqa: S608 - a fixed alias
            "WHERE c.unit_id = %s AND c.corrects_id IS NOT NULL)")


def _select(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aggregate(source: str, params: list, columns: dict[str, tuple[str, list]]) -> dict:
    """One statement: each column an aggregate (SQL, its parameters) over `source` ("FROM … WHERE …")."""
    sql = f"SELECT {', '.join(expression for expression, _params in columns.values())} {source}"
    (row,) = _select(sql, [*(value for _sql, values in columns.values() for value in values), *params])
    return dict(zip(columns, row, strict=True))


def _count_if(condition: str, *params) -> tuple[str, list]:
    return f"COUNT(*) FILTER (WHERE {condition})", list(params)


def _count_choices(prefix: str, column: str, choices, *, not_stated: bool) -> dict[str, tuple[str, list]]:
    """A count per choice of a column (and of blank values as "not_stated"), keyed `prefix.choice`."""
    values = [*choices.values, *([""] if not_stated else [])]
    return {f"{prefix}.{value or NOT_STATED}": _count_if(f"{column} = %s", value) for value in values}


def _count_rows(queryset, conditions: dict[str, Q]) -> dict[str, int]:
    """Through the ORM, for the few-condition counts: one aggregate query."""
    aliases = {f"c{index}": key for index, key in enumerate(conditions)}
    row = queryset.aggregate(**{alias: Count(Value(1), filter=conditions[key]) for alias, key in aliases.items()})
    return {key: row[alias] for alias, key in aliases.items()}


def _nested(flat: dict) -> dict:
    """{"a.b": 1, "c": 2} → {"a": {"b": 1}, "c": 2}."""
    nested = {}
    for key, value in flat.items():
        group, dot, name = key.partition(".")
        if dot:
            nested.setdefault(group, {})[name] = value
        else:
            nested[key] = value
    return nested


# ---- sessions ------------------------------------------------------------------------


def session_activity(unit, start, end) -> dict:
    """Held sessions, their hours, cancellations and no-shows; held sessions by format, location
    and month; the distinct cases with a held session — one pass over the period's sessions."""
    status = "s.status = %s"
    columns = {
        "sessions_held": _count_if(status, HELD),
        "client_cancellations": _count_if(status, SessionStatus.CLIENT_CANCELLED),
        "no_shows": _count_if(status, SessionStatus.NO_SHOW),
        "unit_cancellations": _count_if(status, SessionStatus.UNIT_CANCELLED),
        **{f"sessions_by_format.{value}": _count_if(f"{status} AND s.format = %s", HELD, value)
           for value in SessionFormat.values},
        **{f"sessions_by_location.{value}": _count_if(f"{status} AND s.location = %s", HELD, value)
           for value in Location.values},
        **{f"sessions_by_month.{month_key(first)}": _count_if(f"{status} AND s.date BETWEEN %s AND %s", HELD, first,
                                                              last)
           for first, last in months_between(start, end)},
        "minutes": (f"SUM(s.minutes) FILTER (WHERE {status})", [HELD]),
        "unique_cases_seen": (f"COUNT(DISTINCT s.case_id) FILTER (WHERE {status})", [HELD]),
    }
    figures = _nested(_aggregate(
        f"FROM counselling_session s WHERE s.unit_id = %s AND s.date BETWEEN %s AND %s AND {_not_corrected('s')}",
        [unit.pk, start, end, unit.pk], columns))
    figures["client_hours"] = hours_text(figures.pop("minutes") or 0)
    return figures


def reachability(unit, start, end) -> dict:
    """Sessions held (partly) outside the unit's opening hours — evening visits (Leanlink:
    "kvällstid finns"; None while the unit has set no opening hours) — and the drop-in hours a
    week its settings hold (København: at least 6 hours of "åben rådgivning" a week). Held
    sessions are grouped by weekday, start and length in the database; the opening-hours rule
    (bookings.rules.outside_hours) runs over the groups, a few hundred at most."""
    hours = unit_opening_hours(unit)
    opening = {}
    for row in hours[OpeningHours.Kind.OPEN]:
        opening.setdefault(row.weekday, []).append((row.start, row.end))
    outside = None
    if opening:
        groups = (effective_sessions(unit).filter(date__gte=start, date__lte=end, status=HELD,
                                                  start_time__isnull=False)
                  .annotate(weekday=ExtractIsoWeekDay("date")).order_by()
                  .values_list("weekday", "start_time", "minutes").annotate(count=Count("pk")))
        groups = list(groups)
        outside = sum(count for weekday, start_time, minutes, count in groups
                      if outside_hours(weekday - 1, start_time, minutes, opening))
        judged = sum(count for *_group, count in groups)
    drop_in = hours[OpeningHours.Kind.DROP_IN]
    return {
        "sessions_outside_opening_hours": outside,
        # Leanlink "mottagning under kvällstid": of the held sessions with a start time.
        "evening_share": share_text(outside, judged) if opening else None,
        "drop_in_hours_per_week": hours_text(sum(stretch_minutes(row.start, row.end) for row in drop_in))
        if drop_in else None,
    }


def cases_started(unit, start, end) -> int:
    """Cases whose first held session is in the period: the cases with a held session in the
    period that have none before it (a case with no held session has not started)."""
    return _aggregate(
        f"FROM (SELECT DISTINCT s.case_id FROM counselling_session s WHERE s.unit_id = %s "  # noqa: S608
        f"AND s.date BETWEEN %s AND %s AND s.status = %s AND s.case_id IS NOT NULL AND {_not_corrected('s')}) seen "
        f"WHERE NOT EXISTS (SELECT 1 FROM counselling_session p WHERE p.case_id = seen.case_id AND p.status = %s "
        f"AND p.date < %s AND {_not_corrected('p')})",
        [unit.pk, start, end, HELD, unit.pk, HELD, start, unit.pk], {"cases": ("COUNT(*)", [])})["cases"]


def counted_work(unit, start, end) -> dict:
    """Östermalm's counted work (003_eba17951e60b4a73.txt, "Antal föräldrar som erhållit råd- och
    stödsamtal", "Antal Tryggare barn-insatser" …): held sessions and distinct cases per activity."""
    condition = "s.status = %s AND s.activity = %s"
    columns = {}
    for value in Activity.values:
        columns[f"sessions.{value}"] = _count_if(condition, HELD, value)
        columns[f"cases.{value}"] = (f"COUNT(DISTINCT s.case_id) FILTER (WHERE {condition})", [HELD, value])
    return _nested(_aggregate(
        f"FROM counselling_session s WHERE s.unit_id = %s AND s.date BETWEEN %s AND %s AND {_not_corrected('s')}",
        [unit.pk, start, end, unit.pk], columns))


def support_talk_parents(unit, start, end) -> int:
    """003_eba17951e60b4a73.txt: "Antal föräldrar som erhållit råd- och stödsamtal" — parents,
    not families: per case, the most participants at one of its held support talks in the
    period (a couple's talk is two parents); a talk without a case counts its participants."""
    talks = effective_sessions(unit).filter(date__range=(start, end), status=HELD, activity=Activity.SUPPORT_TALK)
    in_cases = (talks.filter(case__isnull=False).values("case").order_by().annotate(most=Max("participants"))
                .aggregate(parents=Sum("most")))["parents"] or 0
    return in_cases + (talks.filter(case__isnull=True).aggregate(parents=Sum("participants"))["parents"] or 0)


def group_rounds(unit, start, end) -> dict:
    """Komet and Skilda världar per round (GroupRound), 003_eba17951e60b4a73.txt: per group,
    `rounds` going on at some time in the period and the `participants` who started them
    (Skilda världar: "antal grupper och barn i dem"), `ended` in the period and the
    participants who `completed` those ("antal föräldrar som genomgått Kometgrupp")."""
    going_on = Q(started_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    ended = Q(ended_on__range=(start, end))
    found = {}
    for activity in (Activity.KOMET, Activity.SKILDA_VARLDAR):
        mine = Q(activity=activity)
        found[activity.value] = {"rounds": Count("pk", filter=mine & going_on),
                                 "participants": Sum("participants", filter=mine & going_on),
                                 "ended": Count("pk", filter=mine & ended),
                                 "completed": Sum("completed", filter=mine & ended)}
    row = GroupRound.objects.filter(unit=unit, started_on__lte=end).aggregate(
        **{f"{activity}__{name}": expression for activity, columns in found.items()
           for name, expression in columns.items()})
    return {activity: {name: row[f"{activity}__{name}"] or 0 for name in columns}
            for activity, columns in found.items()}


# 003_eba17951e60b4a73.txt: "Öppet hus två gånger per termin". Terms: spring January–June,
# autumn July–December; a period lies within one year, so a term is named by its half.
OPEN_HOUSES_PER_TERM = 2
TERMS = (("spring", 1, 6), ("autumn", 7, 12))


def term_met(held: int, *, term_over: bool) -> bool | None:
    """Pure: twice a term met; None while the term runs and is not yet met."""
    if held >= OPEN_HOUSES_PER_TERM:
        return True
    return False if term_over else None


def forums(unit, start, end) -> dict:
    """"Genomförda samverkansforum/öppet hus": the outreach record's cooperation forums and open
    houses in the period, and per term the period touches the open houses of the whole term so
    far (up to the period end) against twice a term."""
    terms = []
    for name, first, last in TERMS:
        term_start = datetime.date(start.year, first, 1)
        term_end = add_months(term_start, last - first + 1) - datetime.timedelta(days=1)
        if term_start <= end and term_end >= start:
            terms.append((name, term_start, term_end))
    in_period = Q(date__range=(start, end))
    row = OutreachActivity.objects.filter(unit=unit).aggregate(
        cooperation_forum=Count("pk", filter=in_period & Q(kind=OutreachKind.COOPERATION_FORUM)),
        open_house=Count("pk", filter=in_period & Q(kind=OutreachKind.OPEN_HOUSE)),
        **{f"term_{name}": Count("pk", filter=Q(kind=OutreachKind.OPEN_HOUSE,
                                                date__range=(term_start, min(term_end, end))))
           for name, term_start, term_end in terms})
    return {
        "cooperation_forum": row["cooperation_forum"],
        "open_house": row["open_house"],
        "open_house_terms": {name: {"held": row[f"term_{name}"], "required": OPEN_HOUSES_PER_TERM,
                                    "met": term_met(row[f"term_{name}"], term_over=term_end <= end)}
                             for name, _term_start, term_end in terms},
    }


# ---- applications and the queue ------------------------------------------------------


def new_applications(unit, start, end) -> dict:
    rows = _select(
        "SELECT m.name, COUNT(*) FROM intake_application a LEFT JOIN units_municipality m ON m.id = a.municipality_id "
        "WHERE a.unit_id = %s AND a.received_on BETWEEN %s AND %s GROUP BY m.name ORDER BY m.name",
        [unit.pk, start, end])
    by_municipality = {name or profiles.OTHER_MUNICIPALITY: count for name, count in rows}
    if profiles.OTHER_MUNICIPALITY in by_municipality:  # residents elsewhere, last
        by_municipality[profiles.OTHER_MUNICIPALITY] = by_municipality.pop(profiles.OTHER_MUNICIPALITY)
    return {"new_applications": sum(by_municipality.values()), "new_applications_by_municipality": by_municipality}


def _days_from(earlier: str, later: str) -> str:
    """Calendar days from one date column to another, as the database writes it."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


# Priority groups of the waiting-time figure: acute, the priority groups, and applications with no flag.
NO_PRIORITY = "none"
WAITING_PRIORITY_GROUPS = ["acute", *PRIORITY_GROUPS, NO_PRIORITY]


def waiting_histograms(unit, start, end) -> dict[str, dict[int, int]]:
    """Offers made in the period: waiting days (offered_on − received_on) → number of offers, for
    all offers ("all") and per priority group (WAITING_PRIORITY_GROUPS; an application may carry
    several flags, "none" those with no flag) — one statement."""
    days = _days_from("received_on", "offered_on")
    conditions = {"all": "TRUE"} | {flag: flag for flag in PRIORITY_FLAGS} | {
        NO_PRIORITY: " AND ".join(f"NOT {flag}" for flag in PRIORITY_FLAGS)}
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition in conditions.values())
    rows = _select(f"SELECT {days}, {counts} FROM intake_application "  # noqa: S608 - fixed strings only
                   f"WHERE unit_id = %s AND offered_on BETWEEN %s AND %s GROUP BY {days}", [unit.pk, start, end])
    return {group: {row[0]: row[index] for row in rows if row[index]}
            for index, group in enumerate(conditions, start=1)}


def waiting_by_priority(histograms: dict[str, dict[int, int]], *, limit: int) -> dict:
    """Pure. Waiting days per priority group (000_610e279258caecb4.txt: "För par i akut kris som är
    gravida, har små barn eller för par med hög konfliktnivå kommer väntetiden … att anpassas"):
    `offers` and `median` per group as waiting_days counts them (median None without offers)."""
    summaries = {group: waiting_summary(histograms[group], limit=limit) for group in WAITING_PRIORITY_GROUPS}
    return {"offers": {group: summary["offers"] for group, summary in summaries.items()},
            "median": {group: summary["median"] for group, summary in summaries.items()}}


def waiting_summary(histogram: dict[int, int], *, limit: int) -> dict:
    """Pure: offers, median (as statistics.median: the mean of the two middle values when the
    count is even), p90 by nearest rank (the ceil(0.9·n)-th smallest), max, and the share of
    offers within the limit (3 decimals, half up; None without offers)."""
    ordered = sorted(histogram.items())
    offers = sum(count for _days, count in ordered)
    if not offers:
        return {"offers": 0, "median": None, "p90": None, "max": None, "within_limit_share": None}

    def nth_smallest(rank):
        seen = 0
        for days, count in ordered:
            seen += count
            if seen >= rank:
                return days
        raise ValueError(rank)

    middle = offers // 2
    median = nth_smallest(middle + 1) if offers % 2 else (nth_smallest(middle) + nth_smallest(middle + 1)) / 2
    within = sum(count for days, count in ordered if days <= limit)
    return {
        "offers": offers,
        "median": median,
        "p90": nth_smallest(-(-9 * offers // 10)),
        "max": ordered[-1][0],
        "within_limit_share": share_text(within, offers),
    }


def waiting_distribution(histogram: dict[int, int]) -> dict[str, int]:
    """Pure: offers per waiting-time bucket (WAITING_BUCKETS)."""
    return {key: sum(count for days, count in histogram.items() if low <= days and (high is None or days <= high))
            for key, low, high in WAITING_BUCKETS}


def _waiting_on(day: datetime.date) -> tuple:
    """Received on/before `day`, with no offer on/before it, not closed on/before it: (SQL, parameters…)."""
    return ("received_on <= %s AND (offered_on IS NULL OR offered_on > %s) AND (closed_on IS NULL OR closed_on > %s)",
            day, day, day)


def queue(unit, start, end, *, limit: int) -> dict:
    """waiting_now: the queue at the end of the period, and those in it who had waited more than
    `limit` days by then; queue_by_month: the queue at the end of each month of the period."""
    waiting, *params = _waiting_on(end)
    columns = {
        "waiting_now.count": _count_if(waiting, *params),
        "waiting_now.over_limit": _count_if(f"{waiting} AND received_on < %s", *params,
                                            end - datetime.timedelta(days=limit)),
        **{f"queue_by_month.{month_key(first)}": _count_if(*_waiting_on(last)) for first, last in
           months_between(start, end)},
    }
    return _nested(_aggregate("FROM intake_application WHERE unit_id = %s AND received_on <= %s", [unit.pk, end],
                              columns))


def applicants(unit, start, end) -> dict:
    """Anonymous categories of the applications received in the period (000_610e279258caecb4.txt:
    "de sökandes ålder, relationens art och längd, antal barn i familjen och deras ålder samt de
    sökandes kontaktväg"), and the priority flags."""
    columns = {}
    for column, choices in APPLICANT_CATEGORIES.items():
        columns |= _count_choices(column, column, choices, not_stated=True)
    columns |= {f"children_count.{n}": _count_if("children_count = %s", int(n)) for n in CHILDREN_COUNTS}
    columns["children_count.4+"] = _count_if("children_count >= %s", 4)
    columns[f"children_count.{NOT_STATED}"] = _count_if("children_count IS NULL")
    columns |= {f"priority.{flag}": _count_if(f"{flag} = %s", True) for flag in PRIORITY_FLAGS}
    # "antal barn i familjen och deras ålder": every child, not only the youngest — a count of
    # children per age band (not of applications, so it does not add up to new_applications).
    columns |= {f"children_by_age_band.{band}": (f"COALESCE(SUM({column}), 0)", [])
                for band, column in CHILD_BAND_FIELDS.items()}
    return _nested(_aggregate("FROM intake_application WHERE unit_id = %s AND received_on BETWEEN %s AND %s",
                              [unit.pk, start, end], columns))


def effort_summary(groups: dict[tuple[int, int], int], *, contract_hours, contract_sessions) -> dict:
    """Pure. `groups`: (held sessions, minutes) of a case → number of cases. Mean and median
    sessions and hours per case (means and hours 2 decimals half up; the sessions median as
    waiting_days.median — the mean of the two middle values, so it may be 4.5), beside the
    contract's figures (`contract_sessions` a (from, to) pair, either None)."""
    cases = sum(groups.values())
    low, high = contract_sessions
    result = {"cases": cases, "sessions_mean": None, "sessions_median": None, "hours_mean": None,
              "hours_median": None, "contract_hours": None if contract_hours is None else str(contract_hours),
              "contract_sessions_min": low, "contract_sessions_max": high}
    if not cases:
        return result
    sessions = {}
    minutes = {}
    for (count, total), cases_with in groups.items():
        sessions[count] = sessions.get(count, 0) + cases_with
        minutes[total] = minutes.get(total, 0) + cases_with
    held = sum(count * cases_with for (count, _total), cases_with in groups.items())
    spent = sum(total * cases_with for (_count, total), cases_with in groups.items())
    median_minutes = waiting_summary(minutes, limit=0)["median"]
    return result | {
        "sessions_mean": _decimal_text(Decimal(held) / cases, "0.01"),
        "sessions_median": waiting_summary(sessions, limit=0)["median"],
        "hours_mean": _decimal_text(Decimal(spent) / cases / 60, "0.01"),
        "hours_median": _decimal_text(Decimal(str(median_minutes)) / 60, "0.01"),
    }


def closed_case_effort(unit, start, end) -> dict:
    """Hours and sessions per case closed in the period (002_93c1598fd6f3fa34.txt: "Den
    genomsnittliga stödtiden per par motsvarar cirka 7 timmar, vilket innebär 4-5 samtal per
    par"): the cases with at least one held session, all their held sessions counted (corrections
    as corrected), against the unit's contract figures."""
    rows = _select(
        "SELECT n, m, COUNT(*) FROM (SELECT s.case_id, COUNT(*) AS n, SUM(s.minutes) AS m "  # noqa: S608
        "FROM counselling_session s JOIN counselling_case c ON c.id = s.case_id "
        f"WHERE s.unit_id = %s AND c.closed_on BETWEEN %s AND %s AND s.status = %s AND {_not_corrected('s')} "
        "GROUP BY s.case_id) per_case GROUP BY n, m", [unit.pk, start, end, HELD, unit.pk])
    return effort_summary({(n, m): count for n, m, count in rows}, contract_hours=unit.contract_hours_per_case,
                          contract_sessions=(unit.contract_sessions_min, unit.contract_sessions_max))


def transferred_by_provider(unit, start, end) -> dict[str, int]:
    """Applications closed in the period as handed over ("fördelar uppdragen mellan sig och annan
    utförare"), per receiving provider: another unit in the system or one of the unit's register of
    providers outside it, by name."""
    rows = _select(
        "SELECT COALESCE(p.name, u.name), COUNT(*) FROM intake_application a "
        "LEFT JOIN intake_externalprovider p ON p.id = a.handed_over_external_id "
        "LEFT JOIN units_unit u ON u.id = a.handed_over_to_id "
        "WHERE a.unit_id = %s AND a.outcome = %s AND a.closed_on BETWEEN %s AND %s "
        "GROUP BY COALESCE(p.name, u.name) ORDER BY COALESCE(p.name, u.name)",
        [unit.pk, Outcome.TRANSFERRED, start, end])
    return {name or "–": count for name, count in rows}  # "–": a hand-over recorded before providers were named


# ---- quality ---------------------------------------------------------------------------


def concern_reports(unit, start, end) -> int:
    """Concern reports about a child (orosanmälan, SoL 14 kap. 1 §) dated in the period — the count
    the yearly report's quality section prints (quality.selectors.incident_counts)."""
    return incident_counts(unit=unit, start=start, end=end)[QualityEvent.Kind.CONCERN_REPORT]


# ---- cases ---------------------------------------------------------------------------


def cases_closed(unit, start, end) -> int:
    return _aggregate("FROM counselling_case WHERE unit_id = %s AND closed_on BETWEEN %s AND %s",
                      [unit.pk, start, end], {"cases": ("COUNT(*)", [])})["cases"]


def sessions_by_constellation(unit, start, end) -> dict[str, int]:
    """Held sessions by who took part (001_12d4c227923da397.txt: "samtal/aktiviteter med hela
    familjen … barn/ungdomar och föräldrar enskilt … i andra konstellationer"), blank as not_stated."""
    return _aggregate(
        f"FROM counselling_session s WHERE s.unit_id = %s AND s.date BETWEEN %s AND %s AND s.status = %s "
        f"AND {_not_corrected('s')}", [unit.pk, start, end, HELD, unit.pk],
        {value or NOT_STATED: _count_if("s.constellation = %s", value) for value in [*Constellation.values, ""]})


def case_meetings(unit, start, end) -> dict[str, int]:
    """Planning meetings with the case officer ("planeringsmöte tillsammans med handläggare"),
    follow-up meetings with the family and the case officer dated in the period, and closing
    meetings ("ett avslutande möte med familjen och handläggaren") — one statement."""
    return _aggregate("", [], {
        "planning_meetings": ("(SELECT COUNT(*) FROM counselling_case WHERE unit_id = %s "
                              "AND planning_meeting_on BETWEEN %s AND %s)", [unit.pk, start, end]),
        "follow_up_meetings": ("(SELECT COUNT(*) FROM counselling_followupmeeting WHERE unit_id = %s "
                               "AND date BETWEEN %s AND %s)", [unit.pk, start, end]),
        "closing_meetings": ("(SELECT COUNT(*) FROM counselling_case WHERE unit_id = %s "
                             "AND closing_meeting_on BETWEEN %s AND %s)", [unit.pk, start, end]),
    })


def cases_by_phase(unit, start, end) -> dict[str, int]:
    """Cases with a phase of each kind going on at some time in the period."""
    phases = Phase.objects.filter(unit=unit, started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    row = phases.aggregate(**{kind: Count("case", distinct=True, filter=Q(kind=kind)) for kind in Phase.Kind.values})
    return {kind: row[kind] for kind in Phase.Kind.values}


def urgent_assignments(unit, start, end) -> dict[str, int]:
    """Urgent assignments (skyndsamma uppdrag) given in the period and whether they became a
    regular assignment within the unit's limit (001_12d4c227923da397.txt)."""
    limit = datetime.timedelta(days=unit.urgent_conversion_days)
    urgent = Case.objects.filter(unit=unit, urgent=True, assigned_on__range=(start, end)).annotate(
        delay=F("regular_from") - F("assigned_on"))
    return _count_rows(urgent, {
        "count": Q(),
        "regular_in_time": Q(delay__lte=limit),
        "regular_late": Q(delay__gt=limit),
        "not_regular": Q(regular_from__isnull=True),
    })


def goals(unit, start, end) -> dict[str, int]:
    """Goals of the genomförandeplan of cases closed in the period, by status."""
    closed_goals = Goal.objects.filter(unit=unit, case__closed_on__range=(start, end))
    return _count_rows(closed_goals, {status: Q(status=status) for status in Goal.Status.values})


def _first_and_last(model, *, field: str, **filters):
    """Per (case, person): the first and the last value of `field`, by date."""
    same_person = model.objects.filter(case=OuterRef("case"), person=OuterRef("person"), **filters)
    return {
        f"first_{field}": Subquery(same_person.order_by("date", "pk").values(field)[:1]),
        f"last_{field}": Subquery(same_person.order_by("-date", "-pk").values(field)[:1]),
    }


def ors(unit, start, end) -> dict[str, int]:
    """ORS change per person in cases closed in the period, from the first to the last score
    (persons with at least two). Reliable change ±5; recovery: reliable improvement from below
    the clinical cut-off (25 adults, 32 children) to at or above it. Thresholds: the unit's
    settings (Unit.outcome_thresholds)."""
    thresholds = unit.outcome_thresholds
    change = thresholds["reliable_change"]
    persons = (OutcomeScore.objects.filter(unit=unit, kind=OutcomeScore.Kind.ORS, case__closed_on__range=(start, end))
               .values("case", "person", "is_child")
               .annotate(n=Count("pk"), **_first_and_last(OutcomeScore, field="total", kind="ors"))
               .filter(n__gte=2))
    cutoff = (Q(is_child=False, first_total__lt=thresholds["ors_cutoff_adult"],
                last_total__gte=thresholds["ors_cutoff_adult"])
              | Q(is_child=True, first_total__lt=thresholds["ors_cutoff_child"],
                  last_total__gte=thresholds["ors_cutoff_child"]))
    improved = Q(last_total__gte=F("first_total") + change)
    # Counting the per-person annotation `n` keeps the outer query on the grouped rows.
    return persons.aggregate(
        persons=Count("n"),
        reliable_improvement=Count("n", filter=improved),
        reliable_deterioration=Count("n", filter=Q(last_total__lte=F("first_total") - change)),
        recovery=Count("n", filter=improved & cutoff),
    )


def srs(unit, start, end) -> dict[str, int]:
    """SRS ratings made in the period, and those at or below the unit's alliance-concern level (36)."""
    concern = unit.srs_alliance_concern
    ratings = OutcomeScore.objects.filter(unit=unit, kind=OutcomeScore.Kind.SRS, date__range=(start, end))
    return _count_rows(ratings, {"ratings": Q(), "alliance_concern": Q(total__lte=concern)})


CLIMATE_FACTORS = ["closeness", "distance", "spontaneity", "chaos"]


def family_climate(unit, start, end) -> dict:
    """Familjeklimat: per person in cases closed in the period with at least two measurements,
    last minus first factor score; the mean change per factor (2 decimals, half up)."""
    subqueries = {}
    for factor in CLIMATE_FACTORS:
        subqueries |= _first_and_last(ClimateScore, field=factor)
    persons = (ClimateScore.objects.filter(unit=unit, case__closed_on__range=(start, end))
               .values("case", "person").annotate(n=Count("pk"), **subqueries).filter(n__gte=2))
    row = persons.aggregate(
        persons=Count("n"),
        **{factor: Sum(F(f"last_{factor}") - F(f"first_{factor}")) for factor in CLIMATE_FACTORS},
    )
    count = row["persons"]
    return {"persons": count, **{
        factor: _decimal_text(Decimal(row[factor]) / count, "0.01") if count else None for factor in CLIMATE_FACTORS
    }}


# 003_eba17951e60b4a73.txt: "barn och ungdomar som varit aktuella för insatser" — the kinds of
# case the indicator is meant for: interventions, not investigations or family-law talks.
INDICATOR_CASE_KINDS = (CaseKind.INTERVENTION,)


def meets_target(kept: int, ended: int, target_percent: Decimal) -> bool | None:
    """Pure: kept / ended ≥ target %, compared unrounded (83.95 % misses 84 %, though its
    share prints as 0.840); None when nothing ended."""
    if not ended:
        return None
    return Decimal(kept) * 100 >= Decimal(target_percent) * ended


def not_current_again(unit, start, end) -> dict:
    """Östermalm's key indicator (003_eba17951e60b4a73.txt: "Minst 84 procent av de barn och
    ungdomar som varit aktuella för insatser inom individ och familjeomsorgen ska inte vara
    aktuella 12 månader efter avslutad insats"): of the children (Case.children, one per child
    of the case) in interventions (INDICATOR_CASE_KINDS) closed 12–24 months before the period
    end — after the day 24 months before, up to and including the day 12 months before — the
    share not current again (Case.rereferred_on) within 12 months of closing."""
    ended_after, ended_until = add_months(end, -24), add_months(end, -12)
    months_later = ((ExtractYear("rereferred_on") - ExtractYear("closed_on")) * 12
                    + ExtractMonth("rereferred_on") - ExtractMonth("closed_on"))
    ended = Case.objects.filter(unit=unit, kind__in=INDICATOR_CASE_KINDS, closed_on__gt=ended_after,
                                closed_on__lte=ended_until).annotate(
        months_later=months_later, day_closed=ExtractDay("closed_on"), day_again=ExtractDay("rereferred_on"))
    # rereferred_on ≤ closed_on + 12 months, in whole months and days (29 Feb + 12 months = 28 Feb).
    again = Q(rereferred_on__isnull=False) & (
        Q(months_later__lt=12) | Q(months_later=12, day_again__lte=F("day_closed")))
    row = ended.aggregate(n_cases=Count("pk"), n_children=Sum("children"), n_again=Sum("children", filter=again))
    children = row["n_children"] or 0
    kept = children - (row["n_again"] or 0)
    target = unit.indicator_target_percent
    return {
        "ended_from": (ended_after + datetime.timedelta(days=1)).isoformat(),
        "ended_to": ended_until.isoformat(),
        "cases_ended": row["n_cases"],
        "ended": children,
        "not_current_again": kept,
        "share": share_text(kept, children),
        "target_percent": str(target),
        "meets_target": meets_target(kept, children, target),
    }


# ---- open counselling (København) ----------------------------------------------------


def visits(unit, start, end) -> dict:
    """The anonymous inquiry tally (henvendelser) by channel, topic and the anonymous
    categories the target-group comparison needs (004_4991f6e8c25cfe0a.txt)."""
    columns = {"total": ("COUNT(*)", [])}
    for name, (column, choices, optional) in VISIT_CATEGORIES.items():
        columns |= _count_choices(name, column, choices, not_stated=optional)
    return _nested(_aggregate("FROM counselling_visit WHERE unit_id = %s AND date BETWEEN %s AND %s",
                              [unit.pk, start, end], columns))


# "Målgruppen … skal i et vist omfang afspejle befolkningssammensætningen i forhold til etnicitet, køn
# mv." (004_4991f6e8c25cfe0a.txt): each share → the inquiry categories it is counted from.
TARGET_GROUP_SHARES = {
    "women": ("by_gender", ("female",)),
    "danish": ("by_background", ("danish",)),
    "western": ("by_background", ("western",)),
    "non_western": ("by_background", ("non_western",)),
    "children_0_12": ("by_child_age_band", ("0-2", "3-5", "6-12")),
}
STATED = {"by_gender": "gender", "by_background": "background", "by_child_age_band": "child_age"}


def target_group_figures(counts: dict, population) -> dict:
    """Pure: the inquiries' shares (of those whose category was stated) beside the district's
    population shares of the year (a DistrictPopulation, or None while none is entered)."""
    stated = {STATED[name]: sum(count for category, count in counts[name].items() if category != NOT_STATED)
              for name in STATED}
    inquiries = {key: share_text(sum(counts[name][category] for category in categories), stated[STATED[name]])
                 for key, (name, categories) in TARGET_GROUP_SHARES.items()}
    shares = None
    if population is not None:
        shares = {key: _decimal_text(getattr(population, f"{key}_percent") / 100, "0.001")
                  for key in TARGET_GROUP_SHARES}
    return {"population": shares, "inquiries": inquiries, "stated": stated}


def target_group(unit, start, end) -> dict:
    """The unit's inquiries of the period against its district's population shares of the period's
    year, entered by the organisation (`/org/<org>/population/<year>/`)."""
    population = DistrictPopulation.objects.filter(unit=unit, year=start.year).first()
    return {"year": start.year, **target_group_figures(visits(unit, start, end), population)}


def courses(unit, start, end) -> dict[str, int]:
    """Courses (forløb): started and ended in the period, and still open at its end."""
    return _count_rows(Course.objects.filter(unit=unit, started_on__lte=end), {
        "started": Q(started_on__gte=start),
        "ended": Q(ended_on__range=(start, end)),
        "open_at_end": Q(ended_on__isnull=True) | Q(ended_on__gt=end),
    })


# ---- the period --------------------------------------------------------------------------

# Figures a report profile's sections add to the core (reporting.profiles names them).
SECTION_FIGURES = {
    "cases_closed": cases_closed,
    "applicants": applicants,
    "cases_by_phase": cases_by_phase,
    "urgent_assignments": urgent_assignments,
    "goals": goals,
    "ors": ors,
    "srs": srs,
    "family_climate": family_climate,
    "counted_work": counted_work,
    "support_talk_parents": support_talk_parents,
    "group_rounds": group_rounds,
    "budget_follow_up": budget.follow_up,
    "forums": forums,
    "not_current_again": not_current_again,
    "visits": visits,
    "courses": courses,
    "reachability": reachability,
    "closed_case_effort": closed_case_effort,
    "drop_in": lambda unit, start, end: drop_in_held(unit=unit, start=start, end=end),
    "sessions_by_constellation": sessions_by_constellation,
    "case_meetings": case_meetings,
    "transferred_by_provider": transferred_by_provider,
    "target_group": target_group,
}


def core_figures(unit, start, end) -> dict:
    """The figures every unit reports: the JSON contract and the month-by-month series beside it."""
    activity = session_activity(unit, start, end)
    histograms = waiting_histograms(unit, start, end)
    histogram = histograms["all"]
    return {
        **{key: activity[key] for key in ("sessions_held", "client_hours", "client_cancellations", "no_shows",
                                          "unit_cancellations", "sessions_by_format")},
        **new_applications(unit, start, end),
        "cases_started": cases_started(unit, start, end),
        "unique_cases_seen": activity["unique_cases_seen"],
        "waiting_days": waiting_summary(histogram, limit=unit.wait_limit_days),
        **queue(unit, start, end, limit=unit.wait_limit_days),
        "wait_limit_days": unit.wait_limit_days,
        "waiting_days_distribution": waiting_distribution(histogram),
        "sessions_by_location": activity["sessions_by_location"],
        "sessions_by_month": activity["sessions_by_month"],
        "waiting_by_priority": waiting_by_priority(histograms, limit=unit.wait_limit_days),
        "concern_reports": concern_reports(unit, start, end),
    }


def frozen(unit, kind: str, label: str) -> dict | None:
    """The figures a retention purge froze for this period (README "Retention"), or None."""
    text = FrozenFigures.objects.filter(unit=unit, kind=kind, label=label).values_list("figures", flat=True).first()
    return None if text is None else json.loads(text)


def period_figures(*, unit, period: Period, core_only: bool = False) -> dict:
    """Every figure of the unit's report profile for the period (only the core with `core_only`),
    JSON-able. Call it inside the unit's scope. A period a retention purge froze is read as it
    was frozen: the details it was counted from are gone."""
    stored = frozen(unit, FrozenFigures.Kind.PERIOD, period.label)
    if stored is not None:
        if core_only:
            for key in profiles.profile_for(unit).figure_keys:
                stored.pop(key, None)
        return stored
    return count_period_figures(unit=unit, period=period, core_only=core_only)


def count_period_figures(*, unit, period: Period, core_only: bool = False) -> dict:
    """period_figures counted from the rows, never from a frozen copy."""
    start, end = period.start, period.end
    figures = {"unit": unit.slug, "period": period.label, "start": start.isoformat(), "end": end.isoformat()}
    # A running period is counted up to today: its snapshots ("queue at the period's end", waits
    # over the limit) are today's, not a guess at a day still to come. `as_of` says so.
    as_of = min(end, timezone.localdate())
    if as_of < end:
        figures["as_of"] = as_of.isoformat()
    figures |= core_figures(unit, start, as_of)
    for key in [] if core_only else profiles.profile_for(unit).figure_keys:
        figures[key] = SECTION_FIGURES[key](unit, start, as_of)
    if "srs" in figures:
        # The level the alliance-concern count was made with, for its label.
        figures["srs_alliance_concern"] = unit.srs_alliance_concern
    return figures
