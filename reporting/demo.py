"""Demo history of the reporting app: Östermalm's budget per activity, followed monthly; each København
district's population shares per year, which the statistics set the unit's inquiries against
(004_4991f6e8c25cfe0a.txt: "afspejle befolkningssammensætningen"), in the shape of Københavns Kommune's
statistics by bydel, rounded; the same every run."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from units.models import Unit

from .models import Budget, BudgetActivity, BudgetOutcome, DistrictPopulation

# 003_eba17951e60b4a73.txt, "VP budget 2019" (MSEK, netto): Administration 14,6, Öppenvård egen
# regi 2,6, Familjerätten 3,4, Extern vård 11,0, Familjehemvård 2,5 — the open care and the
# family law split over the activities the unit follows.
BUDGET = {
    BudgetActivity.ADMINISTRATION: "14.6", BudgetActivity.KOMET: "0.4", BudgetActivity.TRYGGARE_BARN: "0.6",
    BudgetActivity.SKILDA_VARLDAR: "0.2", BudgetActivity.SUPPORT_TALK: "0.5", BudgetActivity.FAMILY_TREATMENT: "0.9",
    BudgetActivity.COOPERATION_TALK: "0.6", BudgetActivity.FAMILY_LAW: "2.8", BudgetActivity.EXTERNAL_CARE: "11.0",
    BudgetActivity.FOSTER_CARE: "2.5",
}
PLACES = Decimal("0.001")
# (women, Danish, Western, non-Western background, children 0–12 of the children 0–17), % in the first
# year; each later year the non-Western share grows by 0.3 points and the Danish one shrinks by as much.
DISTRICTS = {
    "kbh-fr-norrebro": ("50.6", "60.8", "11.9", "27.3", "74.2"),
    "kbh-fr-amager": ("50.9", "71.5", "10.2", "18.3", "72.8"),
}


def seed_history(*, unit: Unit, rng, start: datetime.date, end: datetime.date) -> None:
    _district_population(unit, start, end)
    if unit.kind != Unit.Kind.FAMILY_UNIT or Budget.objects.filter(unit=unit).exists():
        return
    budgets, outcomes = [], []
    for year in range(start.year, end.year + 1):
        for activity, amount in BUDGET.items():
            budgets.append(Budget(unit=unit, year=year, activity=activity, amount=Decimal(amount)))
            # External care runs over budget in the demo, the rest near it: "vid befarade underskott".
            drift = 1.12 if activity == BudgetActivity.EXTERNAL_CARE else 1.0
            for month in range(1, 13):
                first = datetime.date(year, month, 1)
                if first >= end.replace(day=1) or first < start.replace(day=1):
                    continue  # a month's outcome is booked once the month has ended
                share = Decimal(str(round(drift * rng.uniform(0.85, 1.15), 3)))
                outcomes.append(BudgetOutcome(unit=unit, month=first, activity=activity, amount=(
                    Decimal(amount) / 12 * share).quantize(PLACES, rounding=ROUND_HALF_UP)))
    Budget.objects.bulk_create(budgets)
    BudgetOutcome.objects.bulk_create(outcomes)


def _district_population(unit: Unit, start: datetime.date, end: datetime.date) -> None:
    shares = DISTRICTS.get(unit.slug)
    if unit.kind != Unit.Kind.OPEN_COUNSELLING or shares is None:
        return
    women, danish, western, non_western, children = map(Decimal, shares)
    for number, year in enumerate(range(start.year, end.year + 1)):
        drift = Decimal("0.3") * number
        DistrictPopulation.objects.update_or_create(unit=unit, year=year, defaults={
            "women_percent": women, "danish_percent": danish - drift, "western_percent": western,
            "non_western_percent": non_western + drift, "children_0_12_percent": children})
