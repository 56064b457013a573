"""The six first tenants (DESIGN.md §2) and their demo users. Values from the seeds."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django_scopes import scope

from .models import Agreement, Membership, Municipality, OpeningHours, OrgAccess, Organisation, Role, StaffGroup, Unit

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password (DESIGN.md §5)

MUNICIPALITIES = [
    ("Norrköping", "SE"), ("Finspång", "SE"), ("Söderköping", "SE"),
    ("Linköping", "SE"), ("Stockholm", "SE"), ("København", "DK"),
]

ORGANISATIONS = [
    ("norrkoping", "Norrköpings kommun", "Norrköping"),
    ("linkoping", "Linköpings kommun", "Linköping"),
    ("stockholm", "Stockholms stad", "Stockholm"),
    ("kobenhavn", "Københavns Kommune", "København"),
]

_SE = {"country": "SE", "language": "sv", "time_zone": "Europe/Stockholm"}
_DK = {"country": "DK", "language": "da", "time_zone": "Europe/Copenhagen"}
_COPENHAGEN_LAW = "Barnets lov §§ 28–29 (tidligere serviceloven § 11)"

UNITS = [
    {"slug": "norrkoping-fr", "name": "Familjerådgivningen Norrköping", "org": "norrkoping",
     "kind": Unit.Kind.FAMILY_COUNSELLING, "record_mode": "anonymous", "period_kind": "quarter",
     "legal_reference": "SoL 5 kap. 3 §; OSL 26 kap. 3 §", **_SE},
    {"slug": "norrkoping-ft715", "name": "Familjeteam 7-15, socialkontoret Norrköping", "org": "norrkoping",
     "kind": Unit.Kind.FAMILY_TREATMENT, "record_mode": "case", "period_kind": "half",
     "legal_reference": "SoL 4 kap. 1 § (bistånd)", **_SE},
    {"slug": "leanlink-fr", "name": "Leanlink Råd och Stöd, familjerådgivning Linköping", "org": "linkoping",
     "kind": Unit.Kind.FAMILY_COUNSELLING, "record_mode": "anonymous", "period_kind": "quarter",
     "legal_reference": "SoL 5 kap. 3 §; OSL 26 kap. 3 §",
     # "Den genomsnittliga stödtiden per par motsvarar cirka 7 timmar, vilket innebär 4-5 samtal per par."
     "contract_hours_per_case": Decimal("7.0"), "contract_sessions_min": 4, "contract_sessions_max": 5, **_SE},
    {"slug": "ostermalm-fe", "name": "Familjeenheten Östermalm", "org": "stockholm",
     "kind": Unit.Kind.FAMILY_UNIT, "record_mode": "case", "period_kind": "tertial",
     # The not-current-again indicator reads closed cases 24 + 12 months back (units.retention).
     "retention_months": 36, "legal_reference": "SoL; BBiC", **_SE},
    {"slug": "kbh-fr-norrebro", "name": "Familierådgivningen Nørrebro-Bispebjerg", "org": "kobenhavn",
     "kind": Unit.Kind.OPEN_COUNSELLING, "record_mode": "anonymous", "period_kind": "quarter",
     "legal_reference": _COPENHAGEN_LAW, "visit_fee_asked": False, **_DK},
    {"slug": "kbh-fr-amager", "name": "Familierådgivningen Amager", "org": "kobenhavn",
     "kind": Unit.Kind.OPEN_COUNSELLING, "record_mode": "anonymous", "period_kind": "quarter",
     "legal_reference": _COPENHAGEN_LAW, "visit_fee_asked": False, **_DK},
]

# (unit, municipality, kind, valid from, hour cap)
AGREEMENTS = [
    ("norrkoping-fr", "Norrköping", Agreement.Kind.NONE, datetime.date(2020, 1, 1), None),
    ("norrkoping-fr", "Finspång", Agreement.Kind.FIXED, datetime.date(2020, 1, 1), None),
    ("norrkoping-fr", "Söderköping", Agreement.Kind.FIXED, datetime.date(2020, 1, 1), None),
    ("norrkoping-ft715", "Norrköping", Agreement.Kind.NONE, datetime.date(2020, 1, 1), None),
    # 002_93c1598fd6f3fa34.txt §1.1-1.2: "gäller från och med den 1 januari 2022",
    # "Maximal beställningsvolym är 2 590 timmar per år".
    ("leanlink-fr", "Linköping", Agreement.Kind.HOURLY, datetime.date(2022, 1, 1), Decimal("2590.00")),
    ("ostermalm-fe", "Stockholm", Agreement.Kind.NONE, datetime.date(2020, 1, 1), None),
    ("kbh-fr-norrebro", "København", Agreement.Kind.NONE, datetime.date(2020, 1, 1), None),
    ("kbh-fr-amager", "København", Agreement.Kind.NONE, datetime.date(2020, 1, 1), None),
]

_T = datetime.time
_WEEKDAYS = range(5)
# 002_93c1598fd6f3fa34.txt: reachable "vardagar kl. 08.00-17.00"; 004_4991f6e8c25cfe0a.txt: "6 timers
# åbningstid om ugen" as two three-hour drop-ins (the days sessions.demo counts walk-ins on).
OPENING_HOURS = {
    "leanlink-fr": [(OpeningHours.Kind.OPEN, day, _T(8), _T(17)) for day in _WEEKDAYS],
    "kbh-fr-norrebro": [(OpeningHours.Kind.OPEN, day, _T(9), _T(16)) for day in _WEEKDAYS]
    + [(OpeningHours.Kind.DROP_IN, 1, _T(14), _T(17)), (OpeningHours.Kind.DROP_IN, 3, _T(14), _T(17))],
    "kbh-fr-amager": [(OpeningHours.Kind.OPEN, day, _T(9), _T(16)) for day in _WEEKDAYS]
    + [(OpeningHours.Kind.DROP_IN, 0, _T(14), _T(17)), (OpeningHours.Kind.DROP_IN, 2, _T(14), _T(17))],
}

EXTRA_COUNSELLORS = 2  # realistic history needs more than one counsellor per unit


def seed_tenants() -> list[Unit]:
    """Create or update organisations, units, agreements and demo users. Idempotent."""
    municipalities = {}
    for name, country in MUNICIPALITIES:
        municipalities[name], _ = Municipality.objects.update_or_create(name=name, defaults={"country": country})
    organisations = {}
    for slug, name, municipality in ORGANISATIONS:
        organisations[slug], _ = Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "municipality": municipalities[municipality]}
        )
    units = []
    for spec in UNITS:
        fields = {key: value for key, value in spec.items() if key not in {"slug", "org"}}
        unit, _ = Unit.objects.update_or_create(
            slug=spec["slug"], defaults={**fields, "organisation": organisations[spec["org"]]}
        )
        units.append(unit)
    by_slug = {unit.slug: unit for unit in units}
    for slug, municipality, kind, valid_from, cap in AGREEMENTS:
        unit = by_slug[slug]
        with scope(unit=unit):
            Agreement.objects.update_or_create(
                unit=unit, municipality=municipalities[municipality],
                defaults={"kind": kind, "valid_from": valid_from, "hour_cap": cap},
            )
    for unit in units:
        with scope(unit=unit):
            if not OpeningHours.objects.filter(unit=unit).exists():
                OpeningHours.objects.bulk_create([
                    OpeningHours(unit=unit, kind=kind, weekday=weekday, start=start, end=end)
                    for kind, weekday, start, end in OPENING_HOURS.get(unit.slug, [])])
        _demo_user(f"{unit.slug}.chief", unit=unit, role=Role.CHIEF)
        _demo_user(f"{unit.slug}.counsellor", unit=unit, role=Role.COUNSELLOR)
        for number in range(2, 2 + EXTRA_COUNSELLORS):
            _demo_user(f"{unit.slug}.counsellor{number}", unit=unit, role=Role.COUNSELLOR)
    for slug, organisation in organisations.items():
        user = _demo_user(f"{slug}.admin")
        OrgAccess.objects.update_or_create(user=user, organisation=organisation, defaults={"manages_people": True})
    _demo_staff_groups(by_slug.get("ostermalm-fe"))
    return units


# Östermalm works in groups (003_eba17951e60b4a73.txt).
OSTERMALM_GROUPS = ["Utredning", "Mottagning", "Familjevård/kontakt", "Familjeteam", "Familjerätt", "Metodstöd",
                    "Administration"]


def _demo_staff_groups(unit):
    if unit is None:
        return
    with scope(unit=unit):
        groups = [StaffGroup.objects.get_or_create(unit=unit, name=name)[0] for name in OSTERMALM_GROUPS]
        members = list(Membership.objects.filter(unit=unit).order_by("user__username"))
        for number, membership in enumerate(members):
            membership.groups.add(groups[number % 4])


def _demo_user(username, *, unit=None, role=None):
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if unit is not None:
        Membership.objects.update_or_create(user=user, unit=unit, defaults={"role": role})
    return user


def demo_logins() -> list[str]:
    names = []
    for spec in UNITS:
        names += [f"{spec['slug']}.counsellor", f"{spec['slug']}.chief"]
    names += [f"{slug}.admin" for slug, _name, _municipality in ORGANISATIONS]
    return names
