"""Demo history for `seed_demo` (runs after intake.demo, inside the unit's scope).

- Family counselling (norrkoping-fr, leanlink-fr): 4–5 sessions (≈7 hours) for each case
  whose application was offered, from the offer on; Leanlink also runs couple groups.
- Familjeteam 7-15: ≈40 families a year in phases, 2–3 sessions a week early on, ORS/SRS
  for 2–3 persons per session (mostly improving) and Familjeklimat at start and end.
- Familjeenheten Östermalm: råd- och stödsamtal, Komet and Skilda världar groups, Tryggare
  barn, samarbetssamtal; closings and re-referrals within 12 months for ≈15 %.
- København: inquiries on the weekly drop-in hours, phone, e-mail and home visits; courses.

Deterministic for the given random generator; bulk inserts; skipped if the unit already
has history."""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from intake.models import Application, InitiatedBy, Outcome
from units.models import Role, Unit

from .models import (
    Activity,
    Case,
    CaseKind,
    ClimateScore,
    ClosingFocus,
    Constellation,
    Course,
    FollowUpMeeting,
    Goal,
    GroupRound,
    Location,
    OutcomeScore,
    PersonRole,
    Phase,
    Session,
    SessionFormat,
    SessionStatus,
    Visit,
)
from .models import Fee as FeeChoice

DAY = datetime.timedelta(days=1)
BATCH = 2000
START_TIMES = [datetime.time(hour, minute) for hour, minute in
               [(8, 30), (9, 0), (10, 0), (10, 30), (13, 0), (14, 0), (15, 0), (16, 0)]]
EVENING = datetime.time(17, 30)
NOT_STARTED = (Outcome.TRANSFERRED, Outcome.WITHDRAWN, Outcome.REFERRED)
# Months in which group series start, by series a year (spring and autumn terms).
TERM_STARTS = {2: [2, 9], 3: [1, 3, 9], 4: [1, 3, 8, 10]}


def seed_history(*, unit: Unit, rng, start: datetime.date, end: datetime.date) -> None:
    if (Session.objects.filter(unit=unit).exists() or Visit.objects.filter(unit=unit).exists()
            or Course.objects.filter(unit=unit).exists()):
        return
    counsellors = list(get_user_model().objects.filter(memberships__unit=unit, memberships__role=Role.COUNSELLOR)
                       .order_by("username"))
    if not counsellors:
        return
    history = _History(unit=unit, rng=rng, end=end, counsellors=counsellors)
    seed = {
        Unit.Kind.FAMILY_COUNSELLING: _counselling,
        Unit.Kind.FAMILY_TREATMENT: _family_team,
        Unit.Kind.FAMILY_UNIT: _family_unit,
        Unit.Kind.OPEN_COUNSELLING: _open_counselling,
    }[unit.kind]
    seed(history, start)
    history.save()


def _weekday(day: datetime.date) -> datetime.date:
    return day + DAY * (7 - day.weekday()) if day.weekday() >= 5 else day


def _pick(rng, weighted: dict):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


@dataclass
class _History:
    """Rows collected in memory, then written with a handful of bulk inserts."""

    unit: Unit
    rng: object
    end: datetime.date
    counsellors: list
    cases: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    session_counsellors: list = field(default_factory=list)
    phases: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    climate: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    courses: list = field(default_factory=list)
    rounds: list = field(default_factory=list)
    updated_cases: list = field(default_factory=list)
    started_applications: list = field(default_factory=list)
    surveyed_applications: list = field(default_factory=list)

    def session(self, *, date, counsellors, case=None, status=SessionStatus.HELD, **values) -> Session:
        row = Session(unit=self.unit, case=case, date=date, status=status, logged_by=counsellors[0], **values)
        self.sessions.append(row)
        self.session_counsellors.append(counsellors)
        return row

    def status(self, *, cancelled=0.10, no_show=0.03, unit_cancelled=0.02) -> str:
        roll = self.rng.random()
        if roll < cancelled:
            return SessionStatus.CLIENT_CANCELLED
        if roll < cancelled + no_show:
            return SessionStatus.NO_SHOW
        if roll < cancelled + no_show + unit_cancelled:
            return SessionStatus.UNIT_CANCELLED
        return SessionStatus.HELD

    def team(self, size=1) -> list:
        return self.rng.sample(self.counsellors, k=min(size, len(self.counsellors)))

    def save(self) -> None:
        # bulk_create fills in the foreign keys of rows built around objects saved before them.
        Case.objects.bulk_create(self.cases, batch_size=BATCH)
        Session.objects.bulk_create(self.sessions, batch_size=BATCH)
        through = Session.counsellors.through
        through.objects.bulk_create(
            [through(session_id=row.pk, user_id=person.pk)
             for row, people in zip(self.sessions, self.session_counsellors, strict=True) for person in people],
            batch_size=BATCH)
        for model, rows in [(Phase, self.phases), (Goal, self.goals), (FollowUpMeeting, self.follow_ups),
                            (OutcomeScore, self.scores), (ClimateScore, self.climate), (Visit, self.visits),
                            (Course, self.courses), (GroupRound, self.rounds)]:
            model.objects.bulk_create(rows, batch_size=BATCH)
        Case.objects.bulk_update(self.updated_cases, ["started_on", "closed_on", "closing_focus"], batch_size=BATCH)
        Application.objects.bulk_update(self.started_applications, ["outcome"], batch_size=BATCH)
        Application.objects.bulk_update(self.surveyed_applications, ["adults", "children_affected", "initiated_by"],
                                        batch_size=BATCH)


def _first_held(sessions: list) -> datetime.date | None:
    return min((row.date for row in sessions if row.status == SessionStatus.HELD), default=None)


def _close(history: _History, case: Case, sessions: list, *, share=0.9, within=(7, 30)) -> None:
    """Mark the start and, for most cases whose talks are over, the closing date."""
    case.started_on = _first_held(sessions)
    if sessions:
        closing = sessions[-1].date + DAY * history.rng.randint(*within)
        if closing <= history.end and history.rng.random() < share:
            case.closed_on = closing


# --- family counselling (anonymous, applications from intake) --------------------------------------

COUNSELLING_MINUTES = {50: 1, 60: 3, 65: 1, 75: 2, 90: 4, 105: 1, 120: 1}


def _counselling(history: _History, start: datetime.date) -> None:
    rng, unit = history.rng, history.unit
    applications = (Application.objects.filter(unit=unit, offered_on__isnull=False, offered_on__lte=history.end,
                                               handed_over_to__isnull=True)
                    .exclude(outcome__in=NOT_STARTED).select_related("case").order_by("offered_on", "pk"))
    evenings = unit.slug.startswith("leanlink")  # 002_93c1598fd6f3fa34.txt: "kvällsbesök kan erbjudas"
    # The national survey's counts come from a generator of their own, so the rest of the history
    # stays what it was before they were added.
    survey = random.Random(f"national:{unit.slug}")
    for application in applications:
        case = application.case
        session_format = _pick(rng, {SessionFormat.COUPLE: 14, SessionFormat.INDIVIDUAL: 5, SessionFormat.FAMILY: 1})
        participants = {SessionFormat.COUPLE: 2, SessionFormat.INDIVIDUAL: 1}.get(session_format) or rng.randint(3, 4)
        team = history.team(2 if rng.random() < 0.1 else 1)
        location = _pick(rng, {Location.OFFICE: 90, Location.VIDEO: 8, Location.PHONE: 2})
        day = _weekday(application.offered_on + DAY * rng.randint(0, 10))
        sessions = []
        for _number in range(rng.choice([4, 4, 5, 5, 5, 6])):
            if day > history.end:
                break
            status = history.status() if sessions else history.status(cancelled=0.05, no_show=0.02)
            fee = (_pick(rng, {FeeChoice.PAID: 85, FeeChoice.EXEMPT: 15}) if status == SessionStatus.HELD
                   else FeeChoice.NONE)
            sessions.append(history.session(
                case=case, date=day, counsellors=team, status=status, format=session_format,
                participants=participants, location=location, fee=fee, minutes=_pick(rng, COUNSELLING_MINUTES),
                start_time=EVENING if evenings and rng.random() < 0.1 else rng.choice(START_TIMES)))
            day = _weekday(day + DAY * rng.randint(7, 21))
        _close(history, case, sessions)
        history.updated_cases.append(case)
        if case.started_on and not application.outcome:
            application.outcome = Outcome.STARTED
            history.started_applications.append(application)
        _national_survey(survey, application, case, session_format)
        history.surveyed_applications.append(application)
    if evenings:
        _groups(history, start, per_year=3, occasions=6, activity="", size=(5, 8), minutes=[90, 105, 120])


def _national_survey(rng, application: Application, case: Case, session_format: str) -> None:
    """The national survey's counts of a counselling case (README "National yearly statistics"):
    adults and children affected, who took the contact, and the focus of a closed case; a few left
    unstated, as counsellors leave them."""
    adults = {SessionFormat.INDIVIDUAL: 1, SessionFormat.COUPLE: 2}.get(session_format, 2)
    application.adults = None if rng.random() < 0.04 else adults
    children = application.children_count
    application.children_affected = children if children is not None and rng.random() < 0.95 else None
    application.initiated_by = _pick(rng, {InitiatedBy.CLIENTS: 86, InitiatedBy.REFERRAL: 10, "": 4})
    if case.closed_on:
        case.closing_focus = _pick(rng, {ClosingFocus.REPAIR: 38, ClosingFocus.CLARIFYING: 27,
                                         ClosingFocus.SEPARATION: 24, ClosingFocus.OTHER: 7, "": 4})


def _groups(history: _History, start: datetime.date, *, per_year, occasions, activity, size, minutes) -> None:
    """Group series without a case: weekly occasions, a few missing now and then."""
    rng = history.rng
    for year in range(start.year, history.end.year + 1):
        for series in range(per_year):
            day = _weekday(datetime.date(year, TERM_STARTS[per_year][series], 1) + DAY * rng.randint(7, 21))
            team = history.team(2)
            enrolled = rng.randint(*size)
            length = rng.choice(minutes)
            first = last = day
            held = 0
            for _occasion in range(occasions):
                if day > history.end:
                    break
                held += 1
                history.session(date=day, counsellors=team, format=SessionFormat.GROUP, activity=activity,
                                 participants=enrolled - (1 if rng.random() < 0.15 else 0), minutes=length,
                                 start_time=datetime.time(17, 0), location=Location.OFFICE)
                last, day = day, day + DAY * 7
            if activity in (Activity.KOMET, Activity.SKILDA_VARLDAR) and first <= history.end:
                # 003_eba17951e60b4a73.txt: "antal föräldrar som genomgått Kometgrupp" — a few drop out.
                over = held < occasions
                dropped = rng.choice([0, 0, 1, 1, 2])
                history.rounds.append(GroupRound(
                    unit=history.unit, activity=activity, started_on=first, participants=enrolled,
                    ended_on=None if over else last, completed=None if over else enrolled - dropped))


# --- Familjeteam 7-15 (case mode) ------------------------------------------------------------------------

GOALS = [
    "Fungerande morgonrutiner och skolstart i tid",
    "Färre konflikter vid läggning",
    "Föräldrarna är överens om regler hemma",
    "Barnet går till skolan varje dag",
    "Familjen äter middag tillsammans flera dagar i veckan",
    "Färre utbrott och lugnare sätt att lösa bråk",
    "Barnet har en fritidsaktivitet",
    "Föräldrarna använder beröm och tydliga förväntningar",
]
OFFICES = ["Myndighet barn och unga, Norrköping", "Mottagningen, socialkontoret Norrköping",
           "Utredningsgruppen barn och unga, Norrköping"]
CONSTELLATIONS = {Constellation.WHOLE_FAMILY: 40, Constellation.CHILD_ALONE: 25, Constellation.PARENTS_ALONE: 25,
                  Constellation.OTHER: 10}


def _year_dates(history: _History, start: datetime.date, per_year: tuple[int, int]):
    """Dates spread over each year of the history, scaled to the part of the year covered."""
    rng = history.rng
    for year in range(start.year, history.end.year + 1):
        first, last = max(start, datetime.date(year, 1, 1)), min(history.end, datetime.date(year, 12, 31))
        span = (last - first).days
        count = round(rng.randint(*per_year) * (span + 1) / 365)
        yield year, sorted(_weekday(first + DAY * rng.randint(0, span)) for _ in range(count))


def _code(year: int, number: int) -> str:
    return f"U-{year}-{number:04d}"


def _items(total: int, rng) -> list[int]:
    """Four items 0–10 that sum to the total."""
    items = [total // 4 + (1 if index < total % 4 else 0) for index in range(4)]
    for _swap in range(3):
        source, target = rng.sample(range(4), 2)
        if items[source] > 0 and items[target] < 10:
            items[source] -= 1
            items[target] += 1
    return items


@dataclass
class _Person:
    label: str
    is_child: bool
    ors_start: int
    ors_end: int


def _family(rng) -> list[_Person]:
    people = ([(PersonRole.PARENT_1, False)] + ([(PersonRole.PARENT_2, False)] if rng.random() < 0.65 else [])
              + [(PersonRole.CHILD_1, True)])
    family = []
    for label, is_child in people:
        begin = rng.randint(18, 30) if is_child else rng.randint(12, 24)
        change = rng.randint(5, 14) if rng.random() < 0.8 else rng.randint(-4, 4)
        family.append(_Person(label, is_child, begin, min(40, begin + change)))
    return family


def _present(constellation, family: list[_Person]) -> list[_Person]:
    if constellation == Constellation.CHILD_ALONE:
        return [person for person in family if person.is_child]
    if constellation == Constellation.PARENTS_ALONE:
        return [person for person in family if not person.is_child]
    return family


def _session_format(constellation, present: list) -> tuple[str, int]:
    if len(present) == 1:
        return SessionFormat.INDIVIDUAL, 1
    if constellation == Constellation.PARENTS_ALONE:
        return SessionFormat.COUPLE, 2
    return SessionFormat.FAMILY, len(present)


def _family_team(history: _History, start: datetime.date) -> None:
    for year, dates in _year_dates(history, start, (36, 44)):
        for number, assigned in enumerate(dates, start=1):
            _family_case(history, _code(year, number), assigned)


def _family_case(history: _History, code: str, assigned: datetime.date) -> None:
    rng, end = history.rng, history.end
    urgent = rng.random() < 0.1
    case = Case(unit=history.unit, code=code, opened_on=assigned, assigned_on=assigned, urgent=urgent,
                officer_office=rng.choice(OFFICES))
    if urgent:
        # Older urgent assignments have become regular; a recent one may still wait (the warning).
        regular = assigned + DAY * rng.randint(4, 10)
        if regular <= end and ((end - assigned).days > 20 or rng.random() < 0.5):
            case.regular_from = case.planning_meeting_on = regular
    else:
        # "Vår första kontakt med familjens sker på planeringsmöte tillsammans med handläggare".
        case.regular_from = case.planning_meeting_on = assigned
    history.cases.append(case)
    # 001_12d4c227923da397.txt: kartläggning ≈1 month, behandling 3–12 months, generalisering
    # 1–3 months, "Det vanligaste är att behandlingsfasen och generaliseringsfasen pågår parallellt".
    assessment = (_weekday(assigned + DAY * rng.randint(0, 7)),)
    assessment += (assessment[0] + DAY * rng.randint(25, 35),)
    treatment_end = assessment[1] + DAY * rng.randint(90, 330)
    general_start = treatment_end - DAY * rng.randint(14, 60)
    general_end = max(treatment_end, general_start + DAY * rng.randint(30, 90))
    for kind, begin, finish in [(Phase.Kind.ASSESSMENT, *assessment),
                                (Phase.Kind.TREATMENT, assessment[1], treatment_end),
                                (Phase.Kind.GENERALISATION, general_start, general_end)]:
        if begin <= end:
            history.phases.append(Phase(unit=history.unit, case=case, kind=kind, started_on=begin,
                                        ended_on=finish if finish <= end else None))
    closed = general_end if general_end <= end else None
    family = _family(rng)
    team = history.team(2)
    sessions = _family_sessions(history, case, family, team, first=assessment[0], assessment_end=assessment[1],
                                treatment_middle=assessment[1] + (treatment_end - assessment[1]) / 2,
                                general_start=general_start, last=min(general_end, end))
    _goals(history, case, GOALS, closed=closed, count=(2, 4), met={Goal.Status.MET: 7, Goal.Status.PARTLY_MET: 2,
                                                                   Goal.Status.NOT_MET: 1})
    meeting = assessment[1] + DAY * rng.randint(50, 80)
    while meeting < min(general_end, end):
        history.follow_ups.append(FollowUpMeeting(unit=history.unit, case=case, date=_weekday(meeting)))
        meeting += DAY * rng.randint(56, 84)
    for occasion, when in [("start", assessment[0] + DAY * rng.randint(5, 14)), ("end", closed)]:
        if when is None or when > end:
            continue
        for person in family:
            history.climate.append(_climate(history.unit, case, person, when, at_end=occasion == "end", rng=rng))
    case.started_on = _first_held(sessions)
    if closed:
        case.closing_meeting_on = closed
        case.closed_on = closed


def _goals(history: _History, case: Case, texts: list[str], *, closed, count, met: dict) -> None:
    """The genomförandeplan's goals: reviewed as met, partly or not met when the case closed."""
    rng, end = history.rng, history.end
    for goal_text in rng.sample(texts, rng.randint(*count)):
        status = _pick(rng, met) if closed else rng.choice([Goal.Status.OPEN, Goal.Status.PARTLY_MET])
        history.goals.append(Goal(unit=history.unit, case=case, text=goal_text, status=status,
                                  reviewed_on=min(closed or end, end) if status != Goal.Status.OPEN else None))


def _family_sessions(history: _History, case: Case, family: list[_Person], team: list, *, first, assessment_end,
                     treatment_middle, general_start, last) -> list[Session]:
    """2–3 a week during kartläggning, then weekly, then every second week (001_…txt:
    "ibland kan det vara 2-3 gånger per vecka och ibland kan det vara 1 gång varannan vecka")."""
    rng = history.rng
    sessions, day = [], first
    span = max((last - first).days, 1)
    while day <= last:
        constellation = _pick(rng, CONSTELLATIONS)
        present = _present(constellation, family)
        session_format, participants = _session_format(constellation, present)
        status = history.status(cancelled=0.06, no_show=0.02, unit_cancelled=0.02)
        row = history.session(case=case, date=day, counsellors=team if rng.random() < 0.6 else team[:1],
                              status=status, format=session_format, participants=participants,
                              constellation=constellation, minutes=rng.choice([45, 60, 60, 75, 90]),
                              location=_pick(rng, {Location.OFFICE: 45, Location.HOME: 35, Location.FLAT: 15,
                                                   Location.OTHER: 5}),
                              start_time=rng.choice(START_TIMES))
        sessions.append(row)
        if status == SessionStatus.HELD:
            progress = (day - first).days / span
            for person in present:
                _fit_scores(history, case, row, person, progress)
        if day < assessment_end:
            step = rng.randint(2, 3)
        elif day < treatment_middle:
            step = rng.randint(5, 8)
        elif day < general_start:
            step = rng.randint(7, 12)
        else:
            step = rng.randint(12, 16)
        day = _weekday(day + DAY * step)
    return sessions


def _fit_scores(history: _History, case: Case, session: Session, person: _Person, progress: float) -> None:
    rng = history.rng
    ors = round(person.ors_start + (person.ors_end - person.ors_start) * progress) + rng.randint(-2, 2)
    srs = rng.randint(30, 36) if rng.random() < (0.25 if progress < 0.2 else 0.08) else rng.randint(37, 40)
    for kind, total in [(OutcomeScore.Kind.ORS, max(0, min(40, ors))), (OutcomeScore.Kind.SRS, srs)]:
        items = _items(total, rng)
        history.scores.append(OutcomeScore(
            unit=history.unit, case=case, session=session, person=person.label, is_child=person.is_child, kind=kind,
            date=session.date, item1=items[0], item2=items[1], item3=items[2], item4=items[3], total=total))


def _climate(unit, case, person: _Person, when, *, at_end: bool, rng) -> ClimateScore:
    """Familjeklimat factor scores: closeness and spontaneity rise, distance and chaos fall."""
    gain = rng.randint(1, 5) if at_end else 0
    return ClimateScore(unit=unit, case=case, person=person.label, date=when,
                        closeness=min(18, rng.randint(5, 10) + gain), distance=max(0, rng.randint(4, 9) - gain),
                        spontaneity=min(6, rng.randint(1, 3) + gain // 2), chaos=max(0, rng.randint(2, 5) - gain))


# --- Familjeenheten Östermalm (case mode) -----------------------------------------------------------------

# (activity, cases a year, sessions, days between, formats, assignment from a case officer, kind)
OSTERMALM_GOALS = [
    "Föräldrarna använder inte våld eller hot i uppfostran",
    "Barnet känner sig tryggt hemma",
    "Föräldrarna hanterar konflikter utan att skrika",
    "Barnet går till skolan varje dag",
    "Föräldrarna har en säkerhetsplan som nätverket känner till",
    "Färre bråk vid läxor och läggning",
]
CHILDREN = {1: 5, 2: 4, 3: 1}  # children in a case, weighted
OSTERMALM_CASES = [
    (Activity.SUPPORT_TALK, (70, 90), (1, 3), (7, 14), {SessionFormat.COUPLE: 2, SessionFormat.INDIVIDUAL: 3}, False,
     CaseKind.ADVICE),
    (Activity.COOPERATION_TALK, (35, 45), (2, 5), (14, 21), {SessionFormat.COUPLE: 1}, False, CaseKind.FAMILY_LAW),
    (Activity.TRYGGARE_BARN, (8, 12), (10, 16), (6, 8), {SessionFormat.FAMILY: 2, SessionFormat.COUPLE: 1}, True,
     CaseKind.INTERVENTION),
]


def _family_unit(history: _History, start: datetime.date) -> None:
    rng = history.rng
    numbers = {}
    for activity, per_year, count, gap, formats, assigned, kind in OSTERMALM_CASES:
        for year, dates in _year_dates(history, start, per_year):
            for opened in dates:
                numbers[year] = numbers.get(year, 0) + 1
                # The indicator counts one per child of the case (003_eba17951e60b4a73.txt: "barn och ungdomar").
                case = Case(unit=history.unit, code=_code(year, numbers[year]), opened_on=opened,
                            assigned_on=opened if assigned else None, kind=kind, children=_pick(rng, CHILDREN),
                            family_code=f"F-{year % 100:02d}{numbers[year]:03d}",
                            officer_office="Utredningsgruppen barn och unga, Östermalm" if assigned else "")
                history.cases.append(case)
                team = history.team(2 if activity == Activity.TRYGGARE_BARN else 1)
                session_format = _pick(rng, formats)
                sessions, day = [], _weekday(opened + DAY * rng.randint(3, 14))
                for _number in range(rng.randint(*count)):
                    if day > history.end:
                        break
                    sessions.append(history.session(
                        case=case, date=day, counsellors=team, status=history.status(cancelled=0.06, no_show=0.02),
                        format=session_format, activity=activity, minutes=rng.choice([60, 60, 75, 90]),
                        participants={SessionFormat.INDIVIDUAL: 1, SessionFormat.COUPLE: 2}.get(session_format, 3),
                        location=Location.OFFICE, start_time=rng.choice(START_TIMES)))
                    day = _weekday(day + DAY * rng.randint(*gap))
                _close(history, case, sessions, share=1.0, within=(0, 14))
                case.closing_meeting_on = case.closed_on if assigned else None
                if kind == CaseKind.INTERVENTION:
                    # 003_eba17951e60b4a73.txt: "Måluppfyllelse BBiC-genomförandeplan".
                    _goals(history, case, OSTERMALM_GOALS, closed=case.closed_on, count=(2, 3),
                           met={Goal.Status.MET: 5, Goal.Status.PARTLY_MET: 3, Goal.Status.NOT_MET: 2})
                # 003_eba17951e60b4a73.txt: the share "inte är aktuella 12 månader efter avslutad insats".
                if case.closed_on and rng.random() < 0.15:
                    again = case.closed_on + DAY * rng.randint(30, 360)
                    case.rereferred_on = again if again <= history.end else None
    # Komet parent groups each term, Skilda världar for children of separated parents.
    _groups(history, start, per_year=4, occasions=10, activity=Activity.KOMET, size=(6, 12), minutes=[150])
    _groups(history, start, per_year=2, occasions=8, activity=Activity.SKILDA_VARLDAR, size=(5, 8), minutes=[90])


# --- København (open anonymous counselling) ----------------------------------------------------------------

# 004_4991f6e8c25cfe0a.txt: "6 timers åbningstid om ugen" — two fixed three-hour drop-ins.
DROP_IN_DAYS = {"kbh-fr-norrebro": (1, 3), "kbh-fr-amager": (0, 2)}
TOPICS = {Visit.Topic.COUPLE: 20, Visit.Topic.SEPARATION: 25, Visit.Topic.UPBRINGING: 25, Visit.Topic.BULLYING: 8,
          Visit.Topic.LOSS: 7, Visit.Topic.OTHER: 15}
AGE_BANDS = {Visit.ChildAgeBand.AGE_0_2: 20, Visit.ChildAgeBand.AGE_3_5: 25, Visit.ChildAgeBand.AGE_6_12: 40,
             Visit.ChildAgeBand.AGE_13_17: 10, "": 5}
GENDERS = {Visit.Gender.FEMALE: 65, Visit.Gender.MALE: 30, Visit.Gender.OTHER: 1, "": 4}
BACKGROUNDS = {Visit.Background.DANISH: 60, Visit.Background.WESTERN: 10, Visit.Background.NON_WESTERN: 25, "": 5}
# Nørrebro-Bispebjerg's inquiries come more often from families of non-Western background than Amager's
# (set against each district's population in the statistics: "afspejle befolkningssammensætningen").
DISTRICT_BACKGROUNDS = {
    "kbh-fr-norrebro": {Visit.Background.DANISH: 52, Visit.Background.WESTERN: 9, Visit.Background.NON_WESTERN: 34,
                        "": 5},
    "kbh-fr-amager": {Visit.Background.DANISH: 72, Visit.Background.WESTERN: 9, Visit.Background.NON_WESTERN: 14,
                      "": 5},
}


def _closed_week(monday: datetime.date) -> bool:
    """Summer holiday and Christmas: no drop-in."""
    week = monday.isocalendar().week
    return 28 <= week <= 31 or week >= 52 or week == 1


def _open_counselling(history: _History, start: datetime.date) -> None:
    rng, unit = history.rng, history.unit
    drop_in_days = DROP_IN_DAYS.get(unit.slug, (1, 3))
    monday = start - DAY * start.weekday()
    while monday <= history.end:
        if not _closed_week(monday):
            inquiries = [(monday + DAY * weekday, Visit.Channel.WALK_IN)
                         for weekday in drop_in_days for _visit in range(rng.randint(0, 4))]
            inquiries += [(monday + DAY * rng.randint(0, 4), Visit.Channel.PHONE) for _call in range(rng.randint(3, 8))]
            inquiries += [(monday + DAY * rng.randint(0, 4), Visit.Channel.EMAIL) for _mail in range(rng.randint(0, 3))]
            inquiries += [(monday + DAY * rng.randint(0, 4), Visit.Channel.HOME) for _home in range(rng.randint(0, 1))]
            for day, channel in sorted(inquiries):
                if start <= day <= history.end:
                    _inquiry(history, day, channel)
        monday += DAY * 7


def _inquiry(history: _History, day: datetime.date, channel: str) -> None:
    rng = history.rng
    history.visits.append(Visit(unit=history.unit, date=day, channel=channel, topic=_pick(rng, TOPICS),
                                child_age_band=_pick(rng, AGE_BANDS), gender=_pick(rng, GENDERS),
                                background=_pick(rng, DISTRICT_BACKGROUNDS.get(history.unit.slug, BACKGROUNDS)),
                                counted_by=rng.choice(history.counsellors)))
    if channel != Visit.Channel.EMAIL and rng.random() < 0.15:
        began = _weekday(day + DAY * rng.randint(0, 14))
        if began <= history.end:
            ended = began + DAY * rng.randint(14, 120)
            history.courses.append(Course(unit=history.unit, started_on=began,
                                          ended_on=ended if ended <= history.end else None))
