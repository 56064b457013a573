"""Report profiles: which sections a unit's statistics show, declared per Unit.kind — a unit
differs by its profile, not by a fork of the view. A section names the figures it adds to
the core (reporting.indicators.SECTION_FIGURES) and turns the figures of a period and of the
same period a year earlier into tables: plain dicts the page, the exports and the yearly PDF
render alike."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.dates import MONTHS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.models import AgeBand, Channel, ChildAgeBand, ContactPath, RelationshipLength, RelationshipType
from sessions.models import Activity, Constellation, Goal, Location, Phase, SessionFormat, Visit
from units.charts import bar_chart
from units.models import Unit
from units.periods import Period
from units.suppression import SECONDARY, combined_total, is_mark

from .models import BudgetActivity

NOT_STATED_LABEL = _("Not stated")
# Key for applications without a municipality: residents elsewhere, taken by exception.
OTHER_MUNICIPALITY = "other"
WAITING_BUCKET_LABELS = {"0-7": "0–7", "8-14": "8–14", "15-21": "15–21", "22-28": "22–28", "29-42": "29–42",
                         "43-56": "43–56", "57-": "57+"}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figure_keys: tuple[str, ...]
    tables: Callable[["Comparison"], list[dict]]


@dataclass(frozen=True)
class Profile:
    kind: str
    sections: tuple[Section, ...]

    @property
    def figure_keys(self) -> list[str]:
        return [key for section in self.sections for key in section.figure_keys]


def value_at(figures: dict, path: str):
    """The value at a dotted path (`waiting_days.median`), or None."""
    value = figures
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _row(label, current, earlier, *, percent=False, total=False) -> dict:
    return {"label": label, "current": current, "earlier": earlier, "percent": percent, "total": total}


def category_label(labels: dict, category: str):
    return labels.get(category) or MUNICIPALITY_LABELS.get(category, category)


def categories_found(*breakdowns: dict) -> list[str]:
    """Categories of data-made breakdowns (municipality names) in name order, "other" last."""
    found = {category for breakdown in breakdowns for category in breakdown}
    return sorted(found - {OTHER_MUNICIPALITY}) + ([OTHER_MUNICIPALITY] if OTHER_MUNICIPALITY in found else [])


@dataclass(frozen=True)
class Comparison:
    """The figures of a period beside those of the same period a year earlier, made into tables:
    {key, title, rows: [{label, current, earlier, percent, total}], chart}."""

    current: dict
    earlier: dict

    def figures(self, key, title, rows) -> dict:
        """Named figures: `rows` is [(label, dotted path)] or [(label, path, {"percent": True})]."""
        return {"key": key, "title": title, "chart": None, "rows": [
            _row(label, value_at(self.current, path), value_at(self.earlier, path), **(options[0] if options else {}))
            for label, path, *options in rows
        ]}

    def breakdown(self, path, title, labels=None, *, total=None, chart=False) -> dict:
        """One row per category of `labels` (category → label) in that order — without `labels`,
        the categories found in the data — then the published total at the path `total`."""
        now, before = value_at(self.current, path) or {}, value_at(self.earlier, path) or {}
        rows = [_row(category_label(labels or {}, category), now.get(category, 0), before.get(category, 0))
                for category in (labels or categories_found(now, before))]
        return self._table(path, title, rows, total=total, chart=chart)

    def months(self, path, title, *, total=None, chart=False) -> dict:
        """One row per month of the period so far (a running period ends today), beside the same
        month a year earlier."""
        now, before = value_at(self.current, path) or {}, value_at(self.earlier, path) or {}
        earlier = {month[5:]: value for month, value in before.items()}
        rows = [_row(MONTHS[int(month[5:])], value, earlier.get(month[5:], 0)) for month, value in now.items()]
        return self._table(path, title, rows, total=total, chart=chart)

    def _table(self, path, title, rows, *, total, chart) -> dict:
        if total:
            rows.append(_row(_("Total"), value_at(self.current, total), value_at(self.earlier, total), total=True))
        return {"key": path.replace(".", "_"), "title": title, "rows": rows,
                "chart": self.chart(title, rows) if chart else None}

    def chart(self, title, rows):
        """Bars of this period beside the same period a year earlier; a hidden cell is drawn as hidden."""
        categories = [row for row in rows if not row["total"]]
        return bar_chart(title=str(title), labels=[str(row["label"]) for row in categories], series=[
            (Period.parse(self.current["period"]).name, [_bar(row["current"]) for row in categories]),
            (Period.parse(self.earlier["period"]).name, [_bar(row["earlier"]) for row in categories]),
        ])


def _bar(value):
    """A count as a bar: a number, or a mark drawn as hidden; anything else (a share) is no bar."""
    return value if isinstance(value, int) or is_mark(value) else None


def _choices(choices, *, not_stated=True) -> dict:
    labels = dict(choices.choices)
    if not_stated:
        labels["not_stated"] = NOT_STATED_LABEL
    return labels


# ---- sections ------------------------------------------------------------------------


def _alliance_concern_label(level):
    """The label quotes the unit's setting the count was made with (Unit.srs_alliance_concern)."""
    if level is None:
        return _("Alliance concern")
    return _("Alliance concern (%(level)s or lower)") % {"level": level}


def waiting_tables(pair: Comparison):
    limit = pair.current["wait_limit_days"]
    return [
        pair.figures("waiting_days", _("Waiting time to an offered visit (calendar days)"), [
            (_("Offers made"), "waiting_days.offers"),
            (_("Median"), "waiting_days.median"),
            (_("90th percentile"), "waiting_days.p90"),
            (_("Longest"), "waiting_days.max"),
            (_("Offered within %(days)s days") % {"days": limit}, "waiting_days.within_limit_share",
             {"percent": True}),
        ]),
        pair.figures("waiting_now", _("Queue at the end of the period"), [
            (_("Waiting for an offer"), "waiting_now.count"),
            (_("Of whom waiting more than %(days)s days") % {"days": limit}, "waiting_now.over_limit"),
        ]),
        pair.breakdown("waiting_days_distribution", _("Offers by waiting time (days)"), WAITING_BUCKET_LABELS,
                       total="waiting_days.offers", chart=True),
        pair.months("queue_by_month", _("Queue at the end of each month"), chart=True),
    ]


def activity_tables(pair: Comparison):
    return [
        pair.figures("sessions", _("Sessions and cancellations"), [
            (_("Sessions held"), "sessions_held"),
            (_("Client hours"), "client_hours"),
            (_("Client cancellations (återbud)"), "client_cancellations"),
            (_("No-shows"), "no_shows"),
            (_("Cancelled by the unit"), "unit_cancellations"),
        ]),
        pair.breakdown("sessions_by_format", _("Sessions held by format"), FORMAT_LABELS, total="sessions_held"),
        pair.breakdown("sessions_by_location", _("Sessions held by location"), _choices(Location, not_stated=False),
                       total="sessions_held"),
        pair.months("sessions_by_month", _("Sessions held per month"), total="sessions_held", chart=True),
    ]


def throughput_tables(pair: Comparison):
    return [
        pair.figures("throughput", _("Throughput"), [
            (_("New applications"), "new_applications"),
            (_("Cases started (first session held)"), "cases_started"),
            (_("Cases seen (at least one session held)"), "unique_cases_seen"),
            (_("Cases closed"), "cases_closed"),
        ]),
        pair.breakdown("new_applications_by_municipality", _("New applications by municipality"),
                       total="new_applications"),
    ]


def applicant_tables(pair: Comparison):
    categories = [
        ("age_band", _("Applicant's age"), _choices(AgeBand)),
        ("partner_age_band", _("Partner's age"), _choices(AgeBand)),
        ("relationship_type", _("Relationship type"), _choices(RelationshipType)),
        ("relationship_length", _("Relationship length"), _choices(RelationshipLength)),
        ("children_count", _("Number of children"),
         {"0": "0", "1": "1", "2": "2", "3": "3", "4+": "4+", "not_stated": NOT_STATED_LABEL}),
        ("youngest_child_age_band", _("Youngest child's age"), _choices(ChildAgeBand)),
        ("contact_path", _("Contact path"), _choices(ContactPath)),
        ("channel", _("Applications by contact channel"), _choices(Channel)),
    ]
    return [
        *[pair.breakdown(f"applicants.{name}", title, labels, total="new_applications")
          for name, title, labels in categories],
        pair.breakdown("applicants.priority", _("Priority grounds (an application may have several)"),
                       PRIORITY_LABELS),
        pair.breakdown("applicants.children_by_age_band", _("Children in the families by age (every child)"),
                       _choices(ChildAgeBand, not_stated=False)),
    ]


TERM_LABELS = {"spring": _("Spring term"), "autumn": _("Autumn term")}


def groups_and_forums_tables(pair: Comparison):
    terms = pair.current.get("forums", {}).get("open_house_terms", {})
    return [
        pair.figures("group_rounds", _("Group rounds"), [
            (_("Komet groups going on"), "group_rounds.komet.rounds"),
            (_("Parents who started them"), "group_rounds.komet.participants"),
            (_("Komet groups ended"), "group_rounds.komet.ended"),
            (_("Parents who completed a Komet group (genomgått)"), "group_rounds.komet.completed"),
            (_("Skilda världar groups going on"), "group_rounds.skilda_varldar.rounds"),
            (_("Children in them"), "group_rounds.skilda_varldar.participants"),
        ]),
        pair.figures("forums", _("Cooperation forums and open houses"), [
            (_("Cooperation forums (samverkansforum)"), "forums.cooperation_forum"),
            (_("Open houses"), "forums.open_house"),
            *[row for name in terms for row in [
                (_("Open houses held, %(term)s (so far)") % {"term": TERM_LABELS[name]},
                 f"forums.open_house_terms.{name}.held"),
                (_("Twice a term met, %(term)s") % {"term": TERM_LABELS[name]}, f"forums.open_house_terms.{name}.met"),
            ]],
        ]),
    ]


def budget_tables(pair: Comparison):
    """003_eba17951e60b4a73.txt: "budget per aktivitet (MSEK)" — the year's budget, the outcome
    to date and the forecast at the current rate (reporting.budget.follow_up)."""
    found = [value_at(figures, "budget_follow_up.budget") or {} for figures in (pair.current, pair.earlier)]
    found += [value_at(figures, "budget_follow_up.outcome") or {} for figures in (pair.current, pair.earlier)]
    labels = {value: label for value, label in BudgetActivity.choices if any(value in each for each in found)}
    return [
        pair.breakdown(f"budget_follow_up.{name}", title, labels, total=f"budget_follow_up.total.{name}")
        for name, title in [("budget", _("Budget per activity (MSEK)")), ("outcome", _("Outcome to date (MSEK)")),
                            ("forecast", _("Forecast for the year at the current rate (MSEK)")),
                            ("deviation", _("Forecast minus budget (MSEK)"))]
    ] + [pair.figures("budget_months", _("Months with outcome recorded"), [
        (_("Months recorded"), "budget_follow_up.months_recorded")])]


def goal_table(pair: Comparison) -> dict:
    return pair.breakdown("goals", _("Goals of cases closed in the period"), _choices(Goal.Status, not_stated=False))


def goal_fulfilment_tables(pair: Comparison):
    return [goal_table(pair)]


def priority_tables(pair: Comparison):
    labels = {**PRIORITY_LABELS, "none": _("No priority ground")}
    return [
        pair.breakdown("waiting_by_priority.offers", _("Offers made per priority group"), labels),
        pair.breakdown("waiting_by_priority.median", _("Median waiting time per priority group (days)"), labels),
    ]


def effort_tables(pair: Comparison):
    return [pair.figures("closed_case_effort", _("Hours and sessions per closed case"), [
        (_("Cases closed with sessions held"), "closed_case_effort.cases"),
        (_("Hours per case, mean"), "closed_case_effort.hours_mean"),
        (_("Hours per case, median"), "closed_case_effort.hours_median"),
        (_("Contract: hours per case"), "closed_case_effort.contract_hours"),
        (_("Sessions per case, mean"), "closed_case_effort.sessions_mean"),
        (_("Sessions per case, median"), "closed_case_effort.sessions_median"),
        (_("Contract: sessions per case, from"), "closed_case_effort.contract_sessions_min"),
        (_("Contract: sessions per case, to"), "closed_case_effort.contract_sessions_max"),
    ])]


def family_work_tables(pair: Comparison):
    return [
        pair.breakdown("sessions_by_constellation", _("Sessions held by constellation"), _choices(Constellation),
                       total="sessions_held"),
        pair.figures("case_meetings", _("Meetings with the family and the case officer"), [
            (_("Planning meetings"), "case_meetings.planning_meetings"),
            (_("Follow-up meetings"), "case_meetings.follow_up_meetings"),
            (_("Closing meetings"), "case_meetings.closing_meetings"),
        ]),
    ]


def hand_over_tables(pair: Comparison):
    return [pair.breakdown("transferred_by_provider", _("Applications handed over, per provider"))]


def concern_report_tables(pair: Comparison):
    return [pair.figures("concern_reports", _("Concern reports"), [
        (_("Concern reports about a child (orosanmälan, SoL 14 kap. 1 §)"), "concern_reports"),
    ])]


def case_work_tables(pair: Comparison):
    return [
        pair.breakdown("cases_by_phase", _("Cases per phase during the period"),
                       _choices(Phase.Kind, not_stated=False)),
        pair.figures("urgent_assignments", _("Urgent assignments (skyndsamma)"), [
            (_("Urgent assignments given"), "urgent_assignments.count"),
            (_("Became regular in time"), "urgent_assignments.regular_in_time"),
            (_("Became regular late"), "urgent_assignments.regular_late"),
            (_("Not yet regular"), "urgent_assignments.not_regular"),
        ]),
        goal_table(pair),
        pair.figures("ors", _("ORS from first to last score, cases closed in the period"), [
            (_("Persons with two or more scores"), "ors.persons"),
            (_("Reliable improvement"), "ors.reliable_improvement"),
            (_("Recovery (reliable improvement across the clinical cut-off)"), "ors.recovery"),
            (_("Reliable deterioration"), "ors.reliable_deterioration"),
        ]),
        pair.figures("srs", _("SRS ratings in the period"), [
            (_("Ratings"), "srs.ratings"),
            (_alliance_concern_label(pair.current.get("srs_alliance_concern")), "srs.alliance_concern"),
        ]),
        pair.figures("family_climate", _("Familjeklimat: mean change, cases closed in the period"), [
            (_("Persons measured twice or more"), "family_climate.persons"),
            (_("Closeness (Närhet)"), "family_climate.closeness"),
            (_("Distance (Distans)"), "family_climate.distance"),
            (_("Spontaneity (Spontanitet)"), "family_climate.spontaneity"),
            (_("Chaos (Kaos)"), "family_climate.chaos"),
        ]),
    ]


def counted_work_tables(pair: Comparison):
    labels = _choices(Activity, not_stated=False)
    return [
        pair.breakdown("counted_work.sessions", _("Sessions held per activity"), labels),
        pair.breakdown("counted_work.cases", _("Cases (families) per activity"), labels),
        pair.figures("support_talk_parents", _("Advice and support talks (råd- och stödsamtal)"), [
            (_("Parents who received advice and support talks"), "support_talk_parents"),
        ]),
    ]


def indicator_tables(pair: Comparison):
    return [pair.figures("not_current_again", _("Children not current again 12 months after the intervention ended"), [
        (_("Interventions ended 12–24 months before the period end"), "not_current_again.cases_ended"),
        (_("Children in them (one per child)"), "not_current_again.ended"),
        (_("Children not current again within 12 months"), "not_current_again.not_current_again"),
        (_("Share not current again"), "not_current_again.share", {"percent": True}),
        (_("Target (%)"), "not_current_again.target_percent"),
        (_("Target met"), "not_current_again.meets_target"),
    ])]


def walk_in_tables(pair: Comparison):
    breakdowns = [
        ("by_channel", _("Inquiries by channel"), _choices(Visit.Channel, not_stated=False)),
        ("by_topic", _("Inquiries by topic"), _choices(Visit.Topic, not_stated=False)),
        ("by_child_age_band", _("Inquiries by children's age"), _choices(Visit.ChildAgeBand)),
        ("by_gender", _("Inquiries by gender"), _choices(Visit.Gender)),
        ("by_background", _("Inquiries by background"), _choices(Visit.Background)),
    ]
    return [
        *[pair.breakdown(f"visits.{name}", title, labels, total="visits.total") for name, title, labels in breakdowns],
        pair.figures("courses", _("Courses (forløb)"), [
            (_("Started"), "courses.started"),
            (_("Ended"), "courses.ended"),
            (_("Open at the end of the period"), "courses.open_at_end"),
        ]),
    ]


def reachability_tables(pair: Comparison):
    return [pair.figures("reachability", _("Reachability"), [
        (_("Sessions held outside opening hours (evening visits)"), "reachability.sessions_outside_opening_hours"),
        (_("Share of sessions held in the evening"), "reachability.evening_share", {"percent": True}),
        (_("Drop-in hours a week (unit settings)"), "reachability.drop_in_hours_per_week"),
    ])]


PRIORITY_LABELS = {"acute": _("Acute crisis"), "pregnancy": _("Pregnancy"), "small_children": _("Small children"),
                   "high_conflict": _("High conflict"), "violence": _("Violence in the relationship")}


def drop_in_tables(pair: Comparison):
    return [pair.figures("drop_in", _("Drop-in hours held (“6 timers åbningstid om ugen”)"), [
        (_("Weeks"), "drop_in.weeks"),
        (_("Drop-in hours held"), "drop_in.hours_held"),
        (_("Hours held a week, on average"), "drop_in.hours_per_week"),
        (_("Weeks below 6 hours"), "drop_in.weeks_below_minimum"),
        (_("Weeks with hours recorded (other weeks: the unit settings)"), "drop_in.weeks_recorded"),
        (_("Drop-in hours a week (unit settings)"), "drop_in.scheduled_per_week"),
    ])]


# "Målgruppen … afspejle befolkningssammensætningen": (share key, label, district label, inquiries label).
TARGET_GROUP_ROWS = [
    ("women", _("Women"), _("Women in the district"), _("Women among the inquiries")),
    ("danish", _("Danish background"), _("Danish background in the district"),
     _("Danish background among the inquiries")),
    ("western", _("Western background"), _("Western background in the district"),
     _("Western background among the inquiries")),
    ("non_western", _("Non-Western background"), _("Non-Western background in the district"),
     _("Non-Western background among the inquiries")),
    ("children_0_12", _("Children 0–12"), _("Children 0–12 of the district's children"),
     _("Children 0–12 of the inquiries' children")),
]


def _percent_value(share):
    """A share ("0.512") as a percentage for a chart bar (51.2); a hidden share stays a mark."""
    if share is None or is_mark(share):
        return share
    return (Decimal(share) * 100).quantize(Decimal("0.1"))


def target_group_chart(figures: dict):
    """The inquiries' shares beside the district's population shares, one pair of bars a category."""
    group = figures.get("target_group")
    if not isinstance(group, dict):
        return None
    population = group.get("population") if isinstance(group.get("population"), dict) else {}
    inquiries = group.get("inquiries") if isinstance(group.get("inquiries"), dict) else {}
    return bar_chart(title=str(_("Inquiries against the district's population, per cent")),
                     labels=[str(label) for _key, label, _district, _inquiries in TARGET_GROUP_ROWS], series=[
        (str(_("District %(year)s") % {"year": group.get("year")}),
         [_percent_value(population.get(key)) for key, *_labels in TARGET_GROUP_ROWS]),
        (str(_("Inquiries %(period)s") % {"period": figures["period"]}),
         [_percent_value(inquiries.get(key)) for key, *_labels in TARGET_GROUP_ROWS]),
    ])


def target_group_tables(pair: Comparison):
    rows = []
    for key, _label, district, inquiries in TARGET_GROUP_ROWS:
        rows += [(district, f"target_group.population.{key}", {"percent": True}),
                 (inquiries, f"target_group.inquiries.{key}", {"percent": True})]
    table = pair.figures("target_group", _("The target group against the population (“afspejle "
                                           "befolkningssammensætningen”)"), rows)
    table["chart"] = target_group_chart(pair.current)
    return [table]


FORMAT_LABELS = _choices(SessionFormat, not_stated=False)
MUNICIPALITY_LABELS = {OTHER_MUNICIPALITY: _("Other (by exception)")}

WAITING = Section("waiting", _("Waiting and queue"), (), waiting_tables)
ACTIVITY = Section("activity", _("Activity"), (), activity_tables)
THROUGHPUT = Section("throughput", _("Throughput"), ("cases_closed",), throughput_tables)
APPLICANTS = Section("applicants", _("Applicants"), ("applicants",), applicant_tables)
CASE_WORK = Section("case_work", _("Case work"),
                    ("cases_by_phase", "urgent_assignments", "goals", "ors", "srs", "family_climate"), case_work_tables)
COUNTED_WORK = Section("counted_work", _("Counted work"), ("counted_work", "support_talk_parents"),
                       counted_work_tables)
INDICATOR = Section("indicator", _("Indicator"), ("not_current_again",), indicator_tables)
# 003_eba17951e60b4a73.txt: Komet and Skilda världar per round, "samverkansforum/öppet hus".
GROUPS_AND_FORUMS = Section("groups_and_forums", _("Groups, cooperation forums and open houses"),
                            ("group_rounds", "forums"), groups_and_forums_tables)
# 003_eba17951e60b4a73.txt: "Uppföljning av ekonomi" — budget per activity, followed monthly.
BUDGET = Section("budget", _("Budget per activity"), ("budget_follow_up",), budget_tables)
# 003_eba17951e60b4a73.txt, Uppföljning: "Måluppfyllelse BBiC-genomförandeplan".
GOAL_FULFILMENT = Section("goal_fulfilment", _("Goal fulfilment (BBiC genomförandeplan)"), ("goals",),
                          goal_fulfilment_tables)
WALK_INS = Section("walk_ins", _("Inquiries and courses"), ("visits", "courses"), walk_in_tables)
# Issue 16, 000_610e279258caecb4.txt: waiting days per priority group ("gravida par, par med små
# barn, hög konfliktnivå, våld"); concern reports (SoL 14 kap. 1 §) in every Swedish period page.
PRIORITY = Section("priority", _("Priority groups"), (), priority_tables)
CONCERN_REPORTS = Section("concern_reports", _("Concern reports"), (), concern_report_tables)
# Issue 16, 001_12d4c227923da397.txt: who took part in the sessions, and the meetings with the
# case officer, counted each half-year ("statistikuppgifter … varje halvår").
FAMILY_WORK = Section("family_work", _("Work with the family"), ("sessions_by_constellation", "case_meetings"),
                      family_work_tables)
# Issue 16, 002_93c1598fd6f3fa34.txt: "i genomsnitt cirka 7 timmar … 4-5 samtal per par".
HAND_OVERS = Section("hand_overs", _("Hand-overs to other providers"), ("transferred_by_provider",),
                     hand_over_tables)
EFFORT = Section("closed_case_effort", _("Support time per case"), ("closed_case_effort",), effort_tables)
# Issue 12: evening visits outside opening hours, and the drop-in hours kept open each week.
REACHABILITY = Section("reachability", _("Reachability"), ("reachability",), reachability_tables)
# København's drop-in duty, week by week (quality.selectors.drop_in_held).
DROP_IN = Section("drop_in", _("Drop-in"), ("drop_in",), drop_in_tables)
TARGET_GROUP = Section("target_group", _("Target group"), ("target_group",), target_group_tables)

PROFILES = {
    # 000_610e279258caecb4.txt: waiting time, applicants' categories, quarterly throughput.
    Unit.Kind.FAMILY_COUNSELLING: Profile(Unit.Kind.FAMILY_COUNSELLING,
                                          (WAITING, ACTIVITY, THROUGHPUT, APPLICANTS, REACHABILITY, PRIORITY,
                                           CONCERN_REPORTS, EFFORT, HAND_OVERS)),
    # 001_12d4c227923da397.txt: phases, urgent assignments, goals, FIT and Familjeklimat.
    Unit.Kind.FAMILY_TREATMENT: Profile(Unit.Kind.FAMILY_TREATMENT, (ACTIVITY, THROUGHPUT, CASE_WORK, REACHABILITY,
                                                              CONCERN_REPORTS, FAMILY_WORK)),
    # 003_eba17951e60b4a73.txt: counted work and the not-current-again indicator, each tertial.
    # The headline first: the indicator and its target, then the counted work.
    Unit.Kind.FAMILY_UNIT: Profile(Unit.Kind.FAMILY_UNIT, (INDICATOR, COUNTED_WORK, GROUPS_AND_FORUMS,
                                                   GOAL_FULFILMENT, BUDGET, WAITING, ACTIVITY, THROUGHPUT,
                                                   REACHABILITY)),
    # 004_4991f6e8c25cfe0a.txt: inquiries (henvendelser) and courses (forløb) — these units' work.
    Unit.Kind.OPEN_COUNSELLING: Profile(Unit.Kind.OPEN_COUNSELLING, (WALK_INS, TARGET_GROUP, DROP_IN, ACTIVITY,
                                                                     THROUGHPUT, REACHABILITY)),
}


# The yearly report's first page: a few figures a committee reads, per kind of unit —
# (label, dotted path, percent?). Counts first; the chart draws the counts.
HEADLINES = {
    Unit.Kind.FAMILY_COUNSELLING: [
        (_("Sessions held"), "sessions_held", False), (_("New applications"), "new_applications", False),
        (_("Cases started (first session held)"), "cases_started", False),
        (_("Median waiting time (days)"), "waiting_days.median", False),
        (_("Offered within the waiting-time limit"), "waiting_days.within_limit_share", True)],
    Unit.Kind.FAMILY_TREATMENT: [
        (_("Sessions held"), "sessions_held", False), (_("Cases started (first session held)"), "cases_started", False),
        (_("Cases closed"), "cases_closed", False)],
    Unit.Kind.FAMILY_UNIT: [
        (_("Sessions held"), "sessions_held", False), (_("Cases started (first session held)"), "cases_started", False),
        (_("Goals met, cases closed"), "goals.met", False),
        (_("Share not current again"), "not_current_again.share", True)],
    Unit.Kind.OPEN_COUNSELLING: [
        (_("Inquiries"), "visits.total", False), (_("Courses started"), "courses.started", False),
        (_("Courses ended"), "courses.ended", False)],
}


def change_percent(current, earlier) -> Decimal | None:
    """The change from the year before in per cent, one decimal; none where either is hidden,
    missing or the year before is zero (a change from nothing is not a percentage)."""
    if not isinstance(current, int | str) or not isinstance(earlier, int | str) or is_mark(current) \
            or is_mark(earlier) or isinstance(current, bool):
        return None
    try:
        now, before = Decimal(current), Decimal(earlier)
    except ArithmeticError:
        return None
    if before == 0:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"))


def headline(unit, current: dict, earlier: dict) -> dict:
    """The key figures of the year beside the year before, as the reader may see them (shown
    figures: suppressed for an anonymous unit), with the change and one chart of the counts."""
    rows = []
    for label, path, percent in HEADLINES[unit.kind]:
        now, before = value_at(current, path), value_at(earlier, path)
        rows.append({"label": label, "path": path, "current": now, "earlier": before, "percent": percent,
                     "change": None if percent else change_percent(now, before)})
    counts = [row for row in rows if not row["percent"] and not row["path"].endswith("median")]
    chart = bar_chart(title=str(_("Key figures")), labels=[str(row["label"]) for row in counts], series=[
        (Period.parse(current["period"]).name, [_bar(row["current"]) for row in counts]),
        (Period.parse(earlier["period"]).name, [_bar(row["earlier"]) for row in counts]),
    ])
    goal = None
    target = value_at(current, "not_current_again.target_percent")
    if target is not None and "not_current_again.share" in {path for _l, path, _p in HEADLINES[unit.kind]}:
        goal = {"target": Decimal(target), "met": value_at(current, "not_current_again.meets_target")}
    return {"rows": rows, "chart": chart, "goal": goal}


def organisation_headline(kinds: list[str], current: list[dict], earlier: list[dict]) -> dict:
    """The organisation status report's first page: the key figures of each profile present
    (HEADLINES: København's inquiries and courses) per unit and in total, the total beside the
    year before with the change, and one chart of the totals. `current` and `earlier` are the
    units' figures as they leave the units, one per unit in the order of `kinds`."""
    specs = {}
    for kind in dict.fromkeys(kinds):
        for label, path, percent in HEADLINES[kind]:
            specs.setdefault(path, (label, percent))

    def total(values, adds):
        if len(values) == 1:
            return values[0]
        return organisation_total(values) if adds else None

    rows = []
    for path, (label, percent) in specs.items():
        adds = not percent and not path.endswith("median")
        cells = [value_at(figures, path) for figures in current]
        now, before = total(cells, adds), total([value_at(figures, path) for figures in earlier], adds)
        rows.append({"label": label, "path": path, "cells": cells, "current": now, "earlier": before,
                     "percent": percent, "change": None if percent else change_percent(now, before), "adds": adds})
    counts = [row for row in rows if row["adds"]]

    def bars(values):
        return [value if isinstance(value, int) or is_mark(value) else None for value in values]

    chart = bar_chart(title=str(_("Key figures")), labels=[str(row["label"]) for row in counts], series=[
        (current[0]["period"], bars([row["current"] for row in counts])),
        (earlier[0]["period"], bars([row["earlier"] for row in counts])),
    ]) if current and counts else None
    return {"rows": rows, "chart": chart}


def profile_for(unit) -> Profile:
    return PROFILES[unit.kind]


def page_sections(unit, current: dict, earlier: dict) -> list[dict]:
    """[{key, title, tables}] for the unit's profile; `current` and `earlier` as period_figures gives them."""
    pair = Comparison(current, earlier)
    return [{"key": section.key, "title": section.title, "tables": section.tables(pair)}
            for section in profile_for(unit).sections]


def shown_sections(sections: list[dict]) -> list[dict]:
    """The sections a reader is shown (page and PDF): one whose every figure is zero or missing,
    this period and the year before, is left out — København logs no sessions, a unit without a
    queue has no waits. Exports keep every section, so their columns are the same every period."""
    def empty(value):
        if isinstance(value, bool):  # a target missed is news, not an empty cell
            return False
        return value is None or value == 0 or (isinstance(value, str) and not value.strip("0.,"))

    return [section for section in sections
            if not all(empty(row["current"]) and empty(row["earlier"])
                       for table in section["tables"] for row in table["rows"])]


# The organisation page: (label, dotted path, how the total column adds it up).
ORGANISATION_ROWS = [
    (_("Sessions held"), "sessions_held", "count"),
    (_("Client hours"), "client_hours", "hours"),
    (_("Client cancellations (återbud)"), "client_cancellations", "count"),
    (_("No-shows"), "no_shows", "count"),
    (_("Cancelled by the unit"), "unit_cancellations", "count"),
    (_("New applications"), "new_applications", "count"),
    (_("Cases started (first session held)"), "cases_started", "count"),
    (_("Cases seen (at least one session held)"), "unique_cases_seen", "count"),
    (_("Offers made"), "waiting_days.offers", "count"),
    (_("Median waiting time (days)"), "waiting_days.median", None),
    (_("Offered within the waiting-time limit"), "waiting_days.within_limit_share", None),
    (_("Waiting at the end of the period"), "waiting_now.count", "count"),
    (_("Of whom over the waiting-time limit"), "waiting_now.over_limit", "count"),
    (_("Concern reports about a child (orosanmälan, SoL 14 kap. 1 §)"), "concern_reports", "count"),
]


# What a profile adds to the organisation page before the session figures (issue 18: København's
# comparison shows the units' own work — 004_4991f6e8c25cfe0a.txt "Familierådgivningerne registrerer
# henvendelser og forløb" — not the sessions they do not log): its key figures, then its breakdowns
# (dotted path, title, labels, the path of their published total).
ORGANISATION_PROFILE_ROWS = {
    Unit.Kind.OPEN_COUNSELLING: [
        (_("Inquiries"), "visits.total", "count"),
        (_("Courses started"), "courses.started", "count"),
        (_("Courses ended"), "courses.ended", "count"),
        (_("Courses open at the end of the period"), "courses.open_at_end", "count"),
    ],
}
ORGANISATION_PROFILE_BREAKDOWNS = {
    Unit.Kind.OPEN_COUNSELLING: [
        ("visits.by_channel", _("Inquiries by channel"), _choices(Visit.Channel, not_stated=False), "visits.total"),
        ("visits.by_topic", _("Inquiries by topic"), _choices(Visit.Topic, not_stated=False), "visits.total"),
        ("visits.by_gender", _("Inquiries by gender"), _choices(Visit.Gender), "visits.total"),
        ("visits.by_background", _("Inquiries by background"), _choices(Visit.Background), "visits.total"),
        ("visits.by_child_age_band", _("Inquiries by children's age"), _choices(Visit.ChildAgeBand), "visits.total"),
    ],
}


# Kinds whose units are set against their district's population on the organisation page.
ORGANISATION_TARGET_GROUP = {Unit.Kind.OPEN_COUNSELLING}


def organisation_total(values: list):
    """A count across units: hidden when any unit's part is hidden; a unit whose profile has no
    such figure (None) adds nothing; None when no unit has it."""
    present = [value for value in values if value is not None]
    return combined_total(present) if present else None


def _organisation_profile_tables(columns: list[dict], kinds: list[str], row) -> list[dict]:
    """The profiles' own key figures and breakdowns, for the kinds of unit present."""
    present = list(dict.fromkeys(kinds))
    rows = [spec for kind in present for spec in ORGANISATION_PROFILE_ROWS.get(kind, [])]
    tables = []
    if rows:
        tables.append({"key": "profile_figures", "title": _("Inquiries and courses"), "rows": [
            row(label, [value_at(figures, path) for figures in columns], adding, key=path)
            for label, path, adding in rows]})
    if any(kind in ORGANISATION_TARGET_GROUP for kind in present):
        tables.append({"key": "target_group", "title": _("The target group against the population"), "rows": [
            row(label, [value_at(figures, path) for figures in columns], None, percent=True, key=path)
            for _key, _label, district, inquiries in TARGET_GROUP_ROWS
            for label, path in ((district, f"target_group.population.{_key}"),
                                (inquiries, f"target_group.inquiries.{_key}"))]})
    breakdown_specs = [spec for kind in present for spec in ORGANISATION_PROFILE_BREAKDOWNS.get(kind, [])]
    for path, title, labels, total in breakdown_specs:
        breakdowns = [value_at(figures, path) for figures in columns]
        tables.append({"key": path.replace(".", "_"), "title": title, "rows": [
            *[row(category_label(labels, category),
                  [None if breakdown is None else breakdown.get(category, 0) for breakdown in breakdowns], "count",
                  key=category)
              for category in labels],
            row(_("Total"), [value_at(figures, total) for figures in columns], "count", key=total, total=True),
        ]})
    return tables


def organisation_tables(columns: list[dict], kinds: list[str] = ()) -> list[dict]:
    """Units side by side — `columns` are each unit's figures (suppressed as they leave the unit),
    `kinds` their `Unit.kind` — with a total column when there are several (København: both bydele
    and the city). The profiles' own figures come first (ORGANISATION_PROFILE_ROWS)."""
    with_total = len(columns) > 1

    def row(label, values, adding, *, percent=False, key=None, total=False):
        if with_total:
            if adding == "count":
                values = [*values, organisation_total(values)]
            elif adding == "hours":
                hidden = any(map(is_mark, values))
                values = [*values, SECONDARY if hidden else str(sum(Decimal(value) for value in values))]
            else:
                values = [*values, None]
        return {"label": label, "cells": values, "percent": percent, "key": key, "total": total}

    tables = [*_organisation_profile_tables(columns, list(kinds), row), {
        "key": "key_figures", "title": _("Key figures"), "rows": [
            row(label, [value_at(figures, path) for figures in columns], adding, percent=path.endswith("_share"),
                key=path)
            for label, path, adding in ORGANISATION_ROWS
        ]}]
    for key, title, labels in [("sessions_by_format", _("Sessions held by format"), FORMAT_LABELS),
                               ("new_applications_by_municipality", _("New applications by municipality"), {})]:
        breakdowns = [figures[key] for figures in columns]
        tables.append({"key": key, "title": title, "rows": [
            row(category_label(labels, category), [breakdown.get(category, 0) for breakdown in breakdowns], "count",
                key=category)
            for category in (labels or categories_found(*breakdowns))
        ]})
    return tables


def shown_organisation_tables(tables: list[dict]) -> list[dict]:
    """The tables a reader is shown (page and PDF): one whose every cell is zero or missing is left
    out — København's units log no sessions. The export keeps every table, as the unit's does."""
    def empty(value):
        return value is None or value == 0 or (isinstance(value, str) and not value.strip("0.,"))

    return [table for table in tables
            if not all(empty(value) for row in table["rows"] for value in row["cells"])]


def export_value(value):
    """A cell as a CSV/XLSX value: numbers as numbers; hidden cells and missing values as they are."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def export_rows(sections: list[dict]) -> list[list]:
    """The unit page's tables as one sheet: section, table, figure, this period, a year earlier."""
    return [[section["title"], table["title"], row["label"], export_value(row["current"]), export_value(row["earlier"])]
            for section in sections for table in section["tables"] for row in table["rows"]]


def organisation_export_rows(tables: list[dict]) -> list[list]:
    return [[table["title"], row["label"], *[export_value(value) for value in row["cells"]]]
            for table in tables for row in table["rows"]]
