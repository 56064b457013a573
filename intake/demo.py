"""Demo history of applications: a day-by-day queue with seasonal demand (peaks after summer
and after Christmas), acute cases first, a capacity that shrinks in July and over Christmas,
so waits stay mostly under 14 days with some longer spells. Case-mode units get none: their
cases come from assignments."""

import datetime
import math
import random

from sessions.models import Case
from units.models import Membership, Role, Unit

from .models import (
    CHILD_BAND_FIELDS,
    PRIORITY_GROUPS,
    AgeBand,
    Application,
    Channel,
    ChildAgeBand,
    Competence,
    ContactPath,
    CounsellorCompetence,
    ExceptionReason,
    ExternalProvider,
    IntakeSettings,
    Outcome,
    QueueOrder,
    RelationshipLength,
    RelationshipType,
)
from .rules import case_code
from .selectors import agreement_municipalities
from .services import case_code_sequences_raise

# Applications a year (000_610e279258caecb4.txt, 002_93c1598fd6f3fa34.txt: "cirka 300 par/ärenden per år").
YEARLY = {"norrkoping-fr": 380, "leanlink-fr": 300, "kbh-fr-norrebro": 30, "kbh-fr-amager": 30}
# Average demand over average offering capacity: near 1 the queue grows in every peak.
UTILISATION = {"norrkoping-fr": 0.8, "leanlink-fr": 0.8}
# Residents, to split a unit's demand over its agreement municipalities.
POPULATION = {"Norrköping": 144, "Finspång": 22, "Söderköping": 14}
EXCEPTION_SHARE = {"leanlink-fr": 0.03}
# Anonymous units record the reason as a code only (moving to Linköping; the children live there).
EXCEPTION_REASONS = [ExceptionReason.MOVED, ExceptionReason.AGREED]
NOTICE_RECIPIENTS = {"leanlink-fr": "Social- och omsorgsförvaltningen, Linköpings kommun"}
# Where the demo's notice goes (an example.org address: the demo never mails a real office).
NOTICE_ADDRESSES = {"leanlink-fr": "socialochomsorg@linkoping.example.org"}
# Leanlink "fördelar sedan uppdragen mellan sig och annan utförare": the demo register.
EXTERNAL_PROVIDERS = {"leanlink-fr": [("Familjerådgivningen Öst AB", "violence,language"),
                                      ("Relationsmottagningen Linköping", "sexology,hbtq")]}
# Norrköping offers the priority groups a time first (000_610e279258caecb4.txt: "väntetiden … anpassas").
QUEUE_ORDERS = {"norrkoping-fr": QueueOrder.PRIORITY_THEN_WAIT}
SEASON = {1: 1.35, 2: 1.15, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.8, 7: 0.45, 8: 1.2, 9: 1.4, 10: 1.1, 11: 1.0, 12: 0.7}
DEMO_COMPETENCES = {
    "counsellor": [Competence.VIOLENCE],
    "counsellor2": [Competence.SEXOLOGY, Competence.HBTQ],
    "counsellor3": [Competence.DISABILITY, Competence.LANGUAGE, Competence.VIOLENCE],
}


def seed_history(*, unit: Unit, rng, start: datetime.date, end: datetime.date) -> None:
    if unit.record_mode == Unit.RecordMode.CASE or unit.slug not in YEARLY:
        return
    if Application.objects.filter(unit=unit).exists():
        return
    team = _seed_team(unit)
    if unit.slug in NOTICE_RECIPIENTS or unit.slug in QUEUE_ORDERS:
        IntakeSettings.objects.get_or_create(unit=unit, defaults={
            "administration_name": NOTICE_RECIPIENTS.get(unit.slug, ""),
            "notice_recipients": NOTICE_ADDRESSES.get(unit.slug, ""),
            "queue_order": QUEUE_ORDERS.get(unit.slug, QueueOrder.ACUTE_THEN_WAIT)})
    municipalities = agreement_municipalities(unit=unit, day=end)
    applications = _simulate(unit, rng, start, end, municipalities=municipalities, team=team)
    _children_ages(applications, random.Random(f"{unit.slug}:children"))
    _hand_over_outside(unit, applications)
    numbers: dict[int, int] = {}
    for application in applications:
        year = application.received_on.year
        numbers[year] = numbers.get(year, 0) + 1
        application.case.code = case_code(year, numbers[year])
    cases = Case.objects.bulk_create([application.case for application in applications])
    for application, case in zip(applications, cases, strict=True):
        application.case = case
    Application.objects.bulk_create(applications)
    case_code_sequences_raise(unit=unit, codes=[case.code for case in cases])


def _seed_team(unit: Unit) -> dict[str, list[int]]:
    """Competence tags for the demo counsellors; returns competence → user ids (all: everyone)."""
    members = dict(
        Membership.objects.filter(unit=unit, role=Role.COUNSELLOR).values_list("user__username", "user_id")
    )
    tags = []
    for username, user_id in sorted(members.items()):
        for competence in DEMO_COMPETENCES.get(username.removeprefix(f"{unit.slug}."), []):
            tags.append(CounsellorCompetence(unit=unit, user_id=user_id, competence=competence))
    CounsellorCompetence.objects.bulk_create(tags, ignore_conflicts=True)
    team = {"": sorted(members.values())}
    for tag in tags:
        team.setdefault(tag.competence, []).append(tag.user_id)
    return team


def _poisson(rng, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _capacity(day: datetime.date) -> float:
    """Share of the normal offering capacity: holidays in July and around Christmas."""
    if day.month == 7:
        return 0.35
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 6):
        return 0.3
    return 1.0


def _simulate(unit, rng, start, end, *, municipalities, team) -> list[Application]:
    yearly = YEARLY[unit.slug]
    daily = yearly / 365
    weights = [POPULATION.get(municipality.name, 1) for municipality in municipalities]
    slots_per_weekday = yearly / 260 / UTILISATION.get(unit.slug, 0.3)
    # (application, first day the unit calls back with a time even when times are free)
    waiting: list[tuple[Application, datetime.date]] = []
    everyone: list[Application] = []
    day = start
    while day <= end:
        weekday = day.weekday() < 5
        for _arrival in range(_poisson(rng, daily * SEASON[day.month] * (1.2 if weekday else 0.5))):
            application = _new_application(unit, rng, day, municipalities, weights)
            waiting.append((application, day + datetime.timedelta(days=rng.randint(1, 6))))
            everyone.append(application)
        for entry in list(waiting):
            leaves = rng.random()
            if leaves < 0.003 or (leaves < 0.0045 and not entry[0].acute):
                _close(entry[0], Outcome.WITHDRAWN if leaves < 0.003 else Outcome.REFERRED, day)
                waiting.remove(entry)
        if weekday:
            # Free first-visit times this weekday; an unused time is lost. Acute cases get one anyway.
            slots = _poisson(rng, slots_per_weekday * _capacity(day))
            by_group = QUEUE_ORDERS.get(unit.slug) == QueueOrder.PRIORITY_THEN_WAIT
            waiting.sort(key=lambda entry: (not entry[0].acute,
                                            by_group and not any(getattr(entry[0], flag) for flag in PRIORITY_GROUPS),
                                            entry[0].received_on))
            for entry in list(waiting):
                application, called_back_on = entry
                if (application.acute and application.received_on < day) or (slots > 0 and called_back_on <= day):
                    slots -= 1
                    waiting.remove(entry)
                    _offer(application, rng, day, end, team)
        day += datetime.timedelta(days=1)
    return everyone


def _new_application(unit, rng, day, municipalities, weights) -> Application:
    exception = rng.random() < EXCEPTION_SHARE.get(unit.slug, 0)
    children = rng.choices([None, 0, 1, 2, 3, 4], [8, 20, 28, 30, 11, 3])[0]
    application = Application(
        unit=unit, received_on=day,
        channel=rng.choices(Channel.values, [50, 20, 25, 2, 3])[0],
        municipality=None if exception else rng.choices(municipalities, weights)[0],
        exception_code=rng.choice(EXCEPTION_REASONS) if exception else "",
        contact_path=rng.choices([""] + ContactPath.values, [8, 45, 8, 6, 10, 8, 2, 10, 3])[0],
        acute=rng.random() < 0.08, pregnancy=rng.random() < 0.06, high_conflict=rng.random() < 0.12,
        violence=rng.random() < 0.05,
        age_band=rng.choices([""] + AgeBand.values, [6, 8, 30, 30, 16, 7, 3])[0],
        partner_age_band=rng.choices([""] + AgeBand.values, [15, 7, 28, 28, 14, 6, 2])[0],
        relationship_type=rng.choices([""] + RelationshipType.values, [5, 45, 35, 5, 8, 2])[0],
        relationship_length=rng.choices([""] + RelationshipLength.values, [8, 10, 22, 25, 23, 12])[0],
        children_count=children,
        youngest_child_age_band=rng.choice(ChildAgeBand.values[:5]) if children else "",
        wanted_competence=rng.choices([""] + Competence.values, [85, 5, 4, 3, 1, 2])[0],
    )
    application.small_children = application.youngest_child_age_band in (ChildAgeBand.UNBORN, ChildAgeBand.AGE_0_2)
    application.case = Case(unit=unit, code="", opened_on=day)
    return application


def _hand_over_outside(unit, applications) -> None:
    """Every third application that left the queue before an offer went to a provider outside
    the system instead (no random draw: the rest of the history stays as it was)."""
    if unit.slug not in EXTERNAL_PROVIDERS:
        return
    providers = [ExternalProvider.objects.get_or_create(unit=unit, name=name, defaults={"competences": competences})[0]
                 for name, competences in EXTERNAL_PROVIDERS[unit.slug]]
    left = [app for app in applications if app.outcome == Outcome.WITHDRAWN and app.offered_on is None]
    for index, application in enumerate(left[::3]):
        application.outcome = Outcome.TRANSFERRED
        application.handed_over_external = providers[index % len(providers)]


def _children_ages(applications, rng) -> None:
    """Every child's age band, the youngest in the band already drawn; an expected child now and then.
    A separate random stream, so the rest of the history stays as it was for a seed."""
    bands = list(CHILD_BAND_FIELDS)
    for application in applications:
        if not application.children_count or not application.youngest_child_age_band:
            continue
        youngest = bands.index(application.youngest_child_age_band)
        counts = dict.fromkeys(bands[1:], 0)
        born = application.children_count
        if youngest == 0:
            application.children_unborn = 1
            youngest = 1
        else:
            counts[bands[youngest]] += 1
            born -= 1
        for _child in range(born):
            counts[bands[rng.randint(youngest, min(youngest + 2, len(bands) - 1))]] += 1
        for band, count in counts.items():
            setattr(application, CHILD_BAND_FIELDS[band], count)


def _offer(application, rng, day, end, team) -> None:
    application.offered_on = day
    application.outcome = Outcome.STARTED
    application.assigned_to_id = rng.choice(team.get(application.wanted_competence) or team[""] or [None])
    first_visit = day + datetime.timedelta(days=rng.randint(2, 12))
    if rng.random() < 0.06:
        # Declined the offered time.
        _close(application, Outcome.WITHDRAWN, min(first_visit, end))
    elif first_visit <= end:
        application.case.started_on = first_visit


def _close(application, outcome, day) -> None:
    application.outcome = outcome
    application.closed_on = day
    application.case.closed_on = day

