"""Demo history of the reporting app: Östermalm's budget per activity, followed monthly."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from units.models import Unit

from .models import Budget, BudgetActivity, BudgetOutcome

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


def seed_history(*, unit: Unit, rng, start: datetime.date, end: datetime.date) -> None:
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
